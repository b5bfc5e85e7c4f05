/* Error messages into a caller's buffer (err, errlen), the host's one convention for them. */
#ifndef UTIL_ERROR_H
#define UTIL_ERROR_H
#include <stdarg.h>
#include <stddef.h>

/* Formats into err (if any) and returns -1, so that `return errorf(...)` reads well. */
int errorf(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The same with a "file:line: " prefix. */
int errorf_at(char *err, size_t errlen, const char *file, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
int verrorf_at(char *err, size_t errlen, const char *file, unsigned line, const char *fmt, va_list ap)
	__attribute__((format(printf, 5, 0)));
#endif
