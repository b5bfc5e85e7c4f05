/* A sparse copy of a file (util/file_copy.c). */
#ifndef VMSWEEP_UTIL_FILE_COPY_H
#define VMSWEEP_UTIL_FILE_COPY_H
#include <stddef.h>

/* dst (made or truncated) becomes a copy of src, holes kept as holes; a reflink where the
 * file system can. 0, or -1 with err saying which file and why (dst then removed). */
int file_copy_sparse(const char *src, const char *dst, char *err, size_t errlen);
#endif
