/* Which vmsweep this is: the git commit it was built from and its own build id. */
#ifndef VMSWEEP_UTIL_BUILD_INFO_H
#define VMSWEEP_UTIL_BUILD_INFO_H

/* "git describe" of the tree it was built from, e.g. "ea4f758" or "ea4f758-dirty"
 * (uncommitted changes), "unknown" outside a git checkout. */
const char *build_version(void);

/* The GNU build id of the running program (40 hex digits), "unknown" without one. */
void build_id_self(char out[41]);
#endif
