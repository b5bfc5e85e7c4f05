/* MD5 (RFC 1321), as Linux's crypto/md5.c: fio's verify=md5. */
#ifndef LIB_MD5_H
#define LIB_MD5_H
/* Relative so that host unit tests can compile the guest's lib/md5.c. */
#include "../kernel/types.h"

#define MD5_DIGEST_SIZE 16

struct md5_state {
	u32 hash[4];
	u32 block[16];
	u64 byte_count;
};

void md5_init(struct md5_state *s);
void md5_update(struct md5_state *s, const void *data, size_t len);
/* The digest, its bytes in RFC 1321's order (fio keeps them as four little-endian words: the same bytes). */
void md5_final(struct md5_state *s, u8 out[MD5_DIGEST_SIZE]);
#endif
