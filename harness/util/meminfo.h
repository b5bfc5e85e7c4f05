/* The host's /proc/meminfo, read by key: what the host can give guests and host fio. */
#ifndef UTIL_MEMINFO_H
#define UTIL_MEMINFO_H
#include <stdint.h>

/* The number on the line "Key: N" or "Key: N kB" (as written: kB for sizes, a count for
 * HugePages_Free); 0 when the key or the file is missing. */
uint64_t meminfo_value(const char *key);

/* MemAvailable in bytes; 0 when unknown. */
uint64_t meminfo_available_bytes(void);
#endif
