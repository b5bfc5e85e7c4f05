/*
 * Freestanding string and memory routines for the guest.
 * GCC emits calls to memcpy/memset/memmove/memcmp by itself (struct copies,
 * zeroing), so those keep the standard names, signatures and semantics.
 */
#ifndef GUEST_LIB_STRING_H
#define GUEST_LIB_STRING_H

#include <stddef.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

size_t strlen(const char *s);
size_t strnlen(const char *s, size_t maxlen);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
/* BSD: copies at most size - 1 bytes, NUL-terminates if size > 0, returns strlen(src). */
size_t strlcpy(char *restrict dst, const char *restrict src, size_t size);
char *strchr(const char *s, int c);

/*
 * -ffreestanding implies -fno-builtin, which turns every small fixed-size
 * memcpy()/memset() into a call.  Going through __builtin_* lets GCC inline
 * those (and fold strlen of literals) while still calling the functions
 * above for everything else.  string.c and the host unit test opt out.
 */
#ifndef LIB_STRING_NO_BUILTINS
#define memcpy(d, s, n)		__builtin_memcpy((d), (s), (n))
#define memmove(d, s, n)	__builtin_memmove((d), (s), (n))
#define memset(d, c, n)		__builtin_memset((d), (c), (n))
#define memcmp(a, b, n)		__builtin_memcmp((a), (b), (n))
#define strlen(s)		__builtin_strlen((s))
#endif

#endif /* GUEST_LIB_STRING_H */
