/*
 * Bounded printf for the guest.
 *
 * Conversions: d i u x X o c s p %, length modifiers hh h l ll z t j, flags
 * - 0 + space #, width and precision (both may be *).  No floating point:
 * the guest is built -mgeneral-regs-only, so %f, %e, %n and anything else
 * unknown are copied to the output literally and consume no argument.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Relative so that host unit tests can #include this file without -Iguest/include. */
#include "../include/lib/string.h"
#include "../include/lib/vsprintf.h"

enum len_mod { LEN_NONE, LEN_HH, LEN_H, LEN_L, LEN_LL, LEN_Z, LEN_T, LEN_J };

#define FL_LEFT		0x01	/* '-' */
#define FL_PLUS		0x02	/* '+' */
#define FL_SPACE	0x04	/* ' ' */
#define FL_ALT		0x08	/* '#' */
#define FL_ZERO		0x10	/* '0' */

struct fmt_spec {
	unsigned int flags;
	int width;		/* 0 when absent */
	int prec;		/* -1 when absent */
	enum len_mod len;
};

/*
 * Output sink: pos counts every character the full output has, so the
 * C99 return value falls out; only the first size - 1 are stored.
 */
struct fmt_out {
	char *buf;
	size_t size;
	size_t pos;
};

/* How many of the next n characters still fit (leaving room for the NUL). */
static size_t out_room(const struct fmt_out *o, size_t n)
{
	size_t cap = o->size ? o->size - 1 : 0;

	if (o->pos >= cap)
		return 0;
	return n < cap - o->pos ? n : cap - o->pos;
}

static void out_chars(struct fmt_out *o, const char *s, size_t n)
{
	size_t k = out_room(o, n);

	if (k)
		memcpy(o->buf + o->pos, s, k);
	o->pos += n;
}

/* O(1) once the buffer is full, so huge widths cost nothing when counting. */
static void out_fill(struct fmt_out *o, char c, size_t n)
{
	size_t k = out_room(o, n);

	if (k)
		memset(o->buf + o->pos, c, k);
	o->pos += n;
}

static void out_pad(struct fmt_out *o, const struct fmt_spec *sp, size_t len)
{
	if ((size_t)sp->width > len)
		out_fill(o, ' ', (size_t)sp->width - len);
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Decimal field of a conversion spec; saturates instead of overflowing. */
static int parse_num(const char **fmt)
{
	int v = 0;

	while (is_digit(**fmt)) {
		int d = *(*fmt)++ - '0';

		v = v > (__INT_MAX__ - d) / 10 ? __INT_MAX__ : v * 10 + d;
	}
	return v;
}

/* Default argument promotion turns hh/h arguments into int. */
static long long fetch_signed(va_list *ap, enum len_mod len)
{
	switch (len) {
	case LEN_HH:
		return (signed char)va_arg(*ap, int);
	case LEN_H:
		return (short)va_arg(*ap, int);
	case LEN_L:
		return va_arg(*ap, long);
	case LEN_LL:
		return va_arg(*ap, long long);
	case LEN_Z:	/* the signed type of size_t's width */
	case LEN_T:
		return va_arg(*ap, ptrdiff_t);
	case LEN_J:
		return va_arg(*ap, intmax_t);
	default:
		return va_arg(*ap, int);
	}
}

static unsigned long long fetch_unsigned(va_list *ap, enum len_mod len)
{
	switch (len) {
	case LEN_HH:
		return (unsigned char)va_arg(*ap, unsigned int);
	case LEN_H:
		return (unsigned short)va_arg(*ap, unsigned int);
	case LEN_L:
		return va_arg(*ap, unsigned long);
	case LEN_LL:
		return va_arg(*ap, unsigned long long);
	case LEN_Z:
	case LEN_T:	/* the unsigned type of ptrdiff_t's width */
		return va_arg(*ap, size_t);
	case LEN_J:
		return va_arg(*ap, uintmax_t);
	default:
		return va_arg(*ap, unsigned int);
	}
}

/*
 * Emit prefix (sign or 0x), then the digits of mag, honouring precision
 * (minimum digit count), width, '-', '0' and the octal '#'.
 */
static void put_number(struct fmt_out *o, const struct fmt_spec *sp, unsigned long long mag,
		       unsigned int base, bool upper, const char *prefix)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];		/* 22 octal digits cover 64 bits */
	char *p = tmp + sizeof(tmp);
	size_t nd, zeros = 0, plen = strlen(prefix), len;
	size_t prec = sp->prec < 0 ? 1 : (size_t)sp->prec;

	while (mag) {
		*--p = digits[mag % base];
		mag /= base;
	}
	nd = (size_t)(tmp + sizeof(tmp) - p);
	if (prec > nd)
		zeros = prec - nd;
	/* '#' with %o: the first digit must be 0 (digits never start with one). */
	if ((sp->flags & FL_ALT) && base == 8 && zeros == 0)
		zeros = 1;

	len = plen + zeros + nd;
	if (!(sp->flags & FL_LEFT)) {
		/* '0' pads after the sign/prefix, and is ignored with a precision. */
		if ((sp->flags & FL_ZERO) && sp->prec < 0) {
			if ((size_t)sp->width > len)
				zeros += (size_t)sp->width - len;
		} else {
			out_pad(o, sp, len);
		}
	}
	out_chars(o, prefix, plen);
	out_fill(o, '0', zeros);
	out_chars(o, p, nd);
	if (sp->flags & FL_LEFT)
		out_pad(o, sp, len);
}

static void put_string(struct fmt_out *o, const struct fmt_spec *sp, const char *s)
{
	size_t len;

	if (!s)
		s = "(null)";
	len = sp->prec < 0 ? strlen(s) : strnlen(s, (size_t)sp->prec);
	if (!(sp->flags & FL_LEFT))
		out_pad(o, sp, len);
	out_chars(o, s, len);
	if (sp->flags & FL_LEFT)
		out_pad(o, sp, len);
}

/* Parse one conversion spec starting just after '%' and emit it. */
static const char *format_one(struct fmt_out *o, const char *fmt, va_list *ap)
{
	const char *start = fmt - 1;
	struct fmt_spec sp = { .flags = 0, .width = 0, .prec = -1, .len = LEN_NONE };
	unsigned long long u;
	long long v;
	char c;

	for (;; fmt++) {
		if (*fmt == '-')
			sp.flags |= FL_LEFT;
		else if (*fmt == '+')
			sp.flags |= FL_PLUS;
		else if (*fmt == ' ')
			sp.flags |= FL_SPACE;
		else if (*fmt == '#')
			sp.flags |= FL_ALT;
		else if (*fmt == '0')
			sp.flags |= FL_ZERO;
		else
			break;
	}

	if (*fmt == '*') {
		int w = va_arg(*ap, int);

		fmt++;
		/* A negative * width means '-' and its magnitude. */
		if (w < 0) {
			sp.flags |= FL_LEFT;
			w = w == -__INT_MAX__ - 1 ? __INT_MAX__ : -w;
		}
		sp.width = w;
	} else {
		sp.width = parse_num(&fmt);
	}

	if (*fmt == '.') {
		fmt++;
		if (*fmt == '*') {
			int p = va_arg(*ap, int);

			fmt++;
			/* A negative * precision is taken as if omitted. */
			sp.prec = p < 0 ? -1 : p;
		} else {
			sp.prec = parse_num(&fmt);
		}
	}

	switch (*fmt) {
	case 'h':
		sp.len = LEN_H;
		if (*++fmt == 'h') {
			sp.len = LEN_HH;
			fmt++;
		}
		break;
	case 'l':
		sp.len = LEN_L;
		if (*++fmt == 'l') {
			sp.len = LEN_LL;
			fmt++;
		}
		break;
	case 'z':
		sp.len = LEN_Z;
		fmt++;
		break;
	case 't':
		sp.len = LEN_T;
		fmt++;
		break;
	case 'j':
		sp.len = LEN_J;
		fmt++;
		break;
	default:
		break;
	}

	switch (*fmt) {
	case 'd':
	case 'i':
		v = fetch_signed(ap, sp.len);
		/* Negate in unsigned arithmetic so LLONG_MIN is fine. */
		u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
		put_number(o, &sp, u, 10, false,
			   v < 0 ? "-" : (sp.flags & FL_PLUS) ? "+" : (sp.flags & FL_SPACE) ? " " : "");
		break;
	case 'u':
		put_number(o, &sp, fetch_unsigned(ap, sp.len), 10, false, "");
		break;
	case 'o':
		put_number(o, &sp, fetch_unsigned(ap, sp.len), 8, false, "");
		break;
	case 'x':
	case 'X':
		u = fetch_unsigned(ap, sp.len);
		put_number(o, &sp, u, 16, *fmt == 'X',
			   (sp.flags & FL_ALT) && u ? (*fmt == 'X' ? "0X" : "0x") : "");
		break;
	case 'p':
		/* As %#lx, except that NULL is "0x0" rather than glibc's "(nil)". */
		u = (uintptr_t)va_arg(*ap, void *);
		put_number(o, &sp, u, 16, false, "0x");
		break;
	case 'c':
		c = (char)va_arg(*ap, int);
		if (!(sp.flags & FL_LEFT))
			out_pad(o, &sp, 1);
		out_chars(o, &c, 1);
		if (sp.flags & FL_LEFT)
			out_pad(o, &sp, 1);
		break;
	case 's':
		put_string(o, &sp, va_arg(*ap, const char *));
		break;
	case '%':
		out_chars(o, "%", 1);
		break;
	case '\0':
		/* Truncated spec at the end of the format: copy what there is. */
		out_chars(o, start, (size_t)(fmt - start));
		return fmt;
	default:
		/* Unsupported (floating point, %n, ...): copy it literally. */
		out_chars(o, start, (size_t)(fmt - start) + 1);
		break;
	}
	return fmt + 1;
}

/* Returns the full output length; stores at most size - 1 chars plus a NUL. */
static size_t do_format(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct fmt_out o = { .buf = buf, .size = size, .pos = 0 };
	va_list args;

	/* A copy, so that helpers can share it through a pointer. */
	va_copy(args, ap);
	while (*fmt) {
		const char *lit = fmt;

		while (*fmt && *fmt != '%')
			fmt++;
		out_chars(&o, lit, (size_t)(fmt - lit));
		if (*fmt == '%')
			fmt = format_one(&o, fmt + 1, &args);
	}
	va_end(args);

	if (size)
		buf[o.pos < size ? o.pos : size - 1] = '\0';
	return o.pos;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	size_t n = do_format(buf, size, fmt, ap);

	return n > (size_t)__INT_MAX__ ? -1 : (int)n;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

int vscnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	size_t n = do_format(buf, size, fmt, ap);

	if (n >= size)
		n = size ? size - 1 : 0;
	return n > (size_t)__INT_MAX__ ? __INT_MAX__ : (int)n;
}

int scnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vscnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

/* Value of an alphanumeric digit, or 99 for anything else. */
static unsigned int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return (unsigned int)(c - '0');
	if (c >= 'a' && c <= 'z')
		return (unsigned int)(c - 'a') + 10;
	if (c >= 'A' && c <= 'Z')
		return (unsigned int)(c - 'A') + 10;
	return 99;
}

static bool has_hex_prefix(const char *s)
{
	return s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && digit_value(s[2]) < 16;
}

unsigned long long simple_strtoull(const char *s, const char **end, unsigned base)
{
	unsigned long long v = 0;
	unsigned int d;

	if (base == 0)
		base = has_hex_prefix(s) ? 16 : s[0] == '0' ? 8 : 10;
	/* "0x" alone is the number 0 followed by 'x', as with strtoull. */
	if (base == 16 && has_hex_prefix(s))
		s += 2;
	if (base >= 2 && base <= 36) {
		for (; (d = digit_value(*s)) < base; s++)
			v = v > (~0ull - d) / base ? ~0ull : v * base + d;
	}
	if (end)
		*end = s;
	return v;
}
