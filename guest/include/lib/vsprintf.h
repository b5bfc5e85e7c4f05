/*
 * Bounded formatted output for the guest: integers, characters, strings and
 * pointers.  No floating point (the guest is built -mgeneral-regs-only);
 * %f and friends are copied to the output literally.
 */
#ifndef GUEST_LIB_VSPRINTF_H
#define GUEST_LIB_VSPRINTF_H

#include <stdarg.h>
#include <stddef.h>

/*
 * C99 semantics: return the length the full output would have had, and
 * always NUL-terminate when size > 0.  Negative only if that length does
 * not fit in an int.
 */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
int snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* As above, but return what was actually stored (excluding the NUL), for appending. */
int vscnprintf(char *buf, size_t size, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
int scnprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Parse an unsigned number; base 0 picks 16 for "0x", 8 for a leading "0",
 * else 10.  No whitespace or sign is accepted; saturates at ULLONG_MAX.
 * *end (if end is non-NULL) points past the last digit used.
 */
unsigned long long simple_strtoull(const char *s, const char **end, unsigned base);

#endif /* GUEST_LIB_VSPRINTF_H */
