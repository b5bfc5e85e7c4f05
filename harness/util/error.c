/* See error.h. */
#include <stdio.h>

#include "util/error.h"

int errorf(char *err, size_t errlen, const char *fmt, ...)
{
	if (err && errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

int verrorf_at(char *err, size_t errlen, const char *file, unsigned line, const char *fmt, va_list ap)
{
	if (err && errlen) {
		int n = snprintf(err, errlen, "%s:%u: ", file, line);
		if (n >= 0 && (size_t)n < errlen)
			vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	}
	return -1;
}

int errorf_at(char *err, size_t errlen, const char *file, unsigned line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	verrorf_at(err, errlen, file, line, fmt, ap);
	va_end(ap);
	return -1;
}
