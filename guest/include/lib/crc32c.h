/* CRC-32C (Castagnoli), as Linux's <linux/crc32c.h>: fio's verify=crc32c and its block headers. */
#ifndef LIB_CRC32C_H
#define LIB_CRC32C_H
/* Relative so that host unit tests can compile the guest's lib/crc32c.c. */
#include "../kernel/types.h"

/*
 * Continues crc over len bytes at p, without the final inversion, as Linux's
 * crc32c(): the standard CRC-32C of a buffer is ~crc32c(~0, p, len), and fio's
 * fio_crc32c() is crc32c(~0, p, len).
 */
u32 crc32c(u32 crc, const void *p, size_t len);
#endif
