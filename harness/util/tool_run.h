/*
 * Runs a host tool (mkfs.ext3, e2fsck) without a shell: stdin /dev/null, stdout and
 * stderr into one pipe of which the last bytes are kept, as a user sees the end of a
 * tool's complaint. Tools of /usr/sbin and /sbin are found when PATH lacks them, as it
 * does for users other than root on Debian.
 */
#ifndef VMSWEEP_UTIL_TOOL_RUN_H
#define VMSWEEP_UTIL_TOOL_RUN_H
#include <stddef.h>

#include <stdbool.h>

/* Runs argv[0] with argv; *status: its exit status, or 128 + the signal that ended it.
 * out receives what it printed, NUL-terminated, trailing newlines dropped: the last
 * outlen - 1 bytes with tail (a summary at the end, e2fsck's), else the first (the cause
 * comes first, mkfs's). -1 with err when it cannot be started (not installed). */
int tool_run(char *const argv[], int *status, char *out, size_t outlen, bool tail, char *err, size_t errlen);
#endif
