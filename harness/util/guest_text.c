/* See guest_text.h: the guest's text, safe for a terminal or valid for JSON. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/guest_text.h"

/* The length a UTF-8 sequence led by c has, 0 if c leads none; [lo, hi] is the range
 * its second byte must be in (overlong forms, surrogates and > U+10FFFF excluded). */
static size_t utf8_need(uint8_t c, uint8_t *lo, uint8_t *hi)
{
	*lo = 0x80;
	*hi = 0xbf;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return 2;
	if (c >= 0xe0 && c <= 0xef) {
		if (c == 0xe0)
			*lo = 0xa0;
		else if (c == 0xed)
			*hi = 0x9f;
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if (c == 0xf0)
			*lo = 0x90;
		else if (c == 0xf4)
			*hi = 0x8f;
		return 4;
	}
	return 0;
}

/* The length of the valid character at s[0, n) (n > 0), 0 if s[0] starts none. */
static size_t utf8_len(const uint8_t *s, size_t n)
{
	uint8_t lo, hi;
	size_t len = utf8_need(s[0], &lo, &hi);
	if (!len || n < len)
		return 0;
	if (len > 1 && (s[1] < lo || s[1] > hi))
		return 0;
	for (size_t i = 2; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return len;
}

bool guest_text_utf8_valid(const char *src, size_t n)
{
	const uint8_t *s = (const uint8_t *)src;
	for (size_t i = 0, len; i < n; i += len)
		if (!(len = utf8_len(s + i, n - i)))
			return false;
	return true;
}

size_t guest_text_complete(const char *src, size_t n)
{
	const uint8_t *s = (const uint8_t *)src;
	/* The last lead byte within 3 bytes of the end, and whether what follows it is a
	 * valid beginning of its sequence. */
	for (size_t back = 1; back <= 3 && back <= n; back++) {
		uint8_t c = s[n - back], lo, hi;
		if ((c & 0xc0) == 0x80)
			continue;
		size_t need = utf8_need(c, &lo, &hi);
		if (need <= back)
			return n; /* complete, or not UTF-8 at all: nothing to wait for */
		if (back >= 2 && (s[n - back + 1] < lo || s[n - back + 1] > hi))
			return n;
		for (size_t i = 2; i < back; i++)
			if ((s[n - back + i] & 0xc0) != 0x80)
				return n;
		return n - back;
	}
	return n;
}

/* Where a form goes: a FILE, a fixed buffer (cut when full), or a growing one. */
struct sink {
	FILE *f;
	char *buf;
	size_t len, cap;
	bool grows, full, failed;
};

/* Appends p[0, n); a fixed buffer takes only a prefix that ends on a character
 * boundary (when cut is set), else nothing, and is full from then on. */
static void sink_put(struct sink *s, const char *p, size_t n, bool cut)
{
	if (s->full || s->failed || !n)
		return;
	if (s->f) {
		fwrite(p, 1, n, s->f);
		return;
	}
	if (s->len + n + 1 > s->cap) {
		if (s->grows) {
			size_t cap = s->cap ? s->cap : 64;
			while (cap < s->len + n + 1)
				cap *= 2;
			char *b = realloc(s->buf, cap);
			if (!b) {
				s->failed = true;
				return;
			}
			s->buf = b;
			s->cap = cap;
		} else {
			size_t room = s->cap - s->len - 1;
			if (!cut)
				room = 0;
			while (room && ((uint8_t)p[room] & 0xc0) == 0x80)
				room--;
			memcpy(s->buf + s->len, p, room);
			s->len += room;
			s->full = true;
			return;
		}
	}
	memcpy(s->buf + s->len, p, n);
	s->len += n;
}

/* Bytes p[0, n) as \xNN each, whole or not at all. */
static void sink_escape(struct sink *s, const uint8_t *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	char e[16];
	size_t k = 0;
	for (size_t i = 0; i < n && k + 4 <= sizeof(e); i++) {
		e[k++] = '\\';
		e[k++] = 'x';
		e[k++] = hex[p[i] >> 4];
		e[k++] = hex[p[i] & 15];
	}
	sink_put(s, e, k, false);
}

/* Whether the character at s (len bytes, valid) is a control the terminal form escapes. */
static bool is_control(const uint8_t *s, size_t len, unsigned flags)
{
	if (len == 1) {
		if (s[0] == '\n' || s[0] == '\t')
			return flags & GUEST_TEXT_ONE_LINE;
		return s[0] < 0x20 || s[0] == 0x7f;
	}
	return len == 2 && s[0] == 0xc2 && s[1] < 0xa0; /* C1: U+0080..U+009F */
}

enum form { FORM_TERMINAL, FORM_UTF8 };

/* Runs of characters that stay as they are go out whole; the rest one by one. */
static void text_walk(struct sink *s, const char *src, size_t n, enum form form, unsigned flags)
{
	const uint8_t *p = (const uint8_t *)src;
	size_t run = 0, i = 0;
	while (i < n && !s->full && !s->failed) {
		size_t len = utf8_len(p + i, n - i);
		if (len && (form == FORM_UTF8 || !is_control(p + i, len, flags))) {
			i += len;
			continue;
		}
		sink_put(s, src + run, i - run, true);
		if (!len && form == FORM_UTF8)
			sink_put(s, "\xef\xbf\xbd", 3, false); /* U+FFFD */
		else
			sink_escape(s, p + i, len ? len : 1);
		i += len ? len : 1;
		run = i;
	}
	sink_put(s, src + run, i - run, true);
}

char *guest_text_terminal(char *dst, size_t len, const char *src, size_t n, unsigned flags)
{
	struct sink s = { .buf = dst, .cap = len };
	if (!len)
		return dst;
	text_walk(&s, src, n, FORM_TERMINAL, flags);
	dst[s.len] = 0;
	return dst;
}

static char *text_dup(const char *src, size_t n, enum form form, unsigned flags, size_t *out_len)
{
	struct sink s = { .grows = true };
	text_walk(&s, src, n, form, flags);
	if (!s.failed && !s.buf) /* empty: still a string */
		s.buf = malloc(1);
	if (s.failed || !s.buf) {
		free(s.buf);
		return NULL;
	}
	s.buf[s.len] = 0;
	if (out_len)
		*out_len = s.len;
	return s.buf;
}

char *guest_text_terminal_dup(const char *src, size_t n, unsigned flags)
{
	return text_dup(src, n, FORM_TERMINAL, flags, NULL);
}

void guest_text_print(FILE *f, const char *src, size_t n, unsigned flags)
{
	struct sink s = { .f = f };
	text_walk(&s, src, n, FORM_TERMINAL, flags);
}

void guest_text_terminal_inplace(char *s, size_t len, unsigned flags)
{
	if (!len)
		return;
	size_t n = strnlen(s, len);
	char *tmp = malloc(len);
	if (!tmp) { /* the crude way, still safe */
		for (size_t i = 0; i < n; i++)
			if ((uint8_t)s[i] < 0x20 || (uint8_t)s[i] >= 0x7f)
				s[i] = '?';
		s[n < len ? n : len - 1] = 0;
		return;
	}
	guest_text_terminal(tmp, len, s, n, flags);
	memcpy(s, tmp, strlen(tmp) + 1);
	free(tmp);
}

json_t *guest_text_json(const char *src, size_t n)
{
	size_t len;
	if (guest_text_utf8_valid(src, n))
		return json_stringn(src, n);
	char *u = text_dup(src, n, FORM_UTF8, 0, &len);
	json_t *j = u ? json_stringn(u, len) : NULL;
	free(u);
	return j;
}

json_t *guest_text_json_str(const char *s, size_t max)
{
	return guest_text_json(s, strnlen(s, max));
}
