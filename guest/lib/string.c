/*
 * Freestanding string and memory routines for the guest.
 *
 * Large copies and fills use rep movsb/stosb (fast on ERMS parts, legal at
 * any CPL); small ones use unaligned 8-byte moves, which x86 handles well.
 */
#include <stddef.h>
#include <stdint.h>

/* Define the real functions, not the __builtin_* wrappers. */
#ifndef LIB_STRING_NO_BUILTINS
#define LIB_STRING_NO_BUILTINS
#endif
/* Relative so that host unit tests can #include this file without -Iguest/include. */
#include "../include/lib/string.h"

/*
 * Keep GCC from recognising the loops below as memcpy/memset patterns and
 * emitting a call: inside memcpy/memset that call would recurse forever.
 */
#define no_libcall	__attribute__((optimize("no-tree-loop-distribute-patterns")))

/* Unaligned, alias-anything views for word-at-a-time access. */
typedef uint64_t __attribute__((may_alias, aligned(1))) u64_ua;
typedef uint32_t __attribute__((may_alias, aligned(1))) u32_ua;
typedef uint16_t __attribute__((may_alias, aligned(1))) u16_ua;

/* Below this, the start-up cost of rep movsb/stosb outweighs its throughput. */
#define REP_MIN	128

/*
 * Ascending copy.  Also correct for overlapping buffers with dst < src:
 * each chunk is loaded before it is stored and later loads lie above the
 * bytes stored so far; rep movsb is architecturally a byte-by-byte move.
 */
static inline no_libcall void copy_fwd(unsigned char *d, const unsigned char *s, size_t n)
{
	if (n >= REP_MIN) {
		__asm__ volatile("rep movsb"
				 : "+D"(d), "+S"(s), "+c"(n)
				 :
				 : "memory");
		return;
	}
	for (; n >= 8; n -= 8, d += 8, s += 8)
		*(u64_ua *)d = *(const u64_ua *)s;
	if (n & 4) {
		*(u32_ua *)d = *(const u32_ua *)s;
		d += 4;
		s += 4;
	}
	if (n & 2) {
		*(u16_ua *)d = *(const u16_ua *)s;
		d += 2;
		s += 2;
	}
	if (n & 1)
		*d = *s;
}

/*
 * Descending copy for overlapping buffers with dst > src.  A word loop
 * rather than std; rep movsb, which gets no fast-string microcode.
 */
static inline no_libcall void copy_bwd(unsigned char *d, const unsigned char *s, size_t n)
{
	d += n;
	s += n;
	for (; n >= 8; n -= 8) {
		d -= 8;
		s -= 8;
		*(u64_ua *)d = *(const u64_ua *)s;
	}
	while (n--)
		*--d = *--s;
}

__attribute__((used)) no_libcall
void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	copy_fwd(dst, src, n);
	return dst;
}

__attribute__((used)) no_libcall
void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d == s)
		return dst;
	/* Unsigned distance: true iff dst lies inside (src, src + n). */
	if ((uintptr_t)d - (uintptr_t)s < n)
		copy_bwd(d, s, n);
	else
		copy_fwd(d, s, n);
	return dst;
}

__attribute__((used)) no_libcall
void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	uint64_t pat;

	if (n >= REP_MIN) {
		__asm__ volatile("rep stosb"
				 : "+D"(d), "+c"(n)
				 : "a"(c)
				 : "memory");
		return dst;
	}
	pat = 0x0101010101010101ull * (unsigned char)c;
	for (; n >= 8; n -= 8, d += 8)
		*(u64_ua *)d = pat;
	if (n & 4) {
		*(u32_ua *)d = (uint32_t)pat;
		d += 4;
	}
	if (n & 2) {
		*(u16_ua *)d = (uint16_t)pat;
		d += 2;
	}
	if (n & 1)
		*d = (unsigned char)pat;
	return dst;
}

__attribute__((used)) no_libcall
int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *p = a, *q = b;

	/* Skip equal words; the byte loop then orders the first difference. */
	for (; n >= 8 && *(const u64_ua *)p == *(const u64_ua *)q; n -= 8) {
		p += 8;
		q += 8;
	}
	for (; n; n--, p++, q++) {
		if (*p != *q)
			return *p - *q;
	}
	return 0;
}

/* Byte at a time: word reads could run past the string's object. */
no_libcall size_t strlen(const char *s)
{
	const char *p = s;

	while (*p)
		p++;
	return (size_t)(p - s);
}

no_libcall size_t strnlen(const char *s, size_t maxlen)
{
	size_t n = 0;

	while (n < maxlen && s[n])
		n++;
	return n;
}

/* Compare as unsigned char, as the C library does. */
no_libcall int strcmp(const char *a, const char *b)
{
	const unsigned char *p = (const unsigned char *)a;
	const unsigned char *q = (const unsigned char *)b;

	while (*p && *p == *q) {
		p++;
		q++;
	}
	return *p - *q;
}

no_libcall int strncmp(const char *a, const char *b, size_t n)
{
	const unsigned char *p = (const unsigned char *)a;
	const unsigned char *q = (const unsigned char *)b;

	for (; n; n--, p++, q++) {
		if (*p != *q)
			return *p - *q;
		if (!*p)
			break;
	}
	return 0;
}

no_libcall size_t strlcpy(char *restrict dst, const char *restrict src, size_t size)
{
	size_t len = strlen(src);

	if (size) {
		size_t n = len < size ? len : size - 1;

		copy_fwd((unsigned char *)dst, (const unsigned char *)src, n);
		dst[n] = '\0';
	}
	return len;
}

no_libcall char *strchr(const char *s, int c)
{
	const char ch = (char)c;

	for (;; s++) {
		if (*s == ch)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}
