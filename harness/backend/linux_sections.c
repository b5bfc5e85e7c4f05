/*
 * The Linux guest's serial output split into its sections (linux_sections.h). The
 * guest's bytes are never trusted: a marker is recognised only as a whole line of the
 * exact form, names and statuses are checked, and what the guest sends in a section is
 * copied as it came apart from the line ends.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/linux_sections.h"
#include "util/error.h"

#define BEGIN "vmsweep-begin "
#define END "vmsweep-end "
#define DONE "vmsweep-done "

/* One section being gathered. */
struct open_section {
	char name[LINUX_SECTION_NAME_MAX];
	char *data;
	size_t len, cap;
	size_t line; /* of its vmsweep-begin */
};

static bool starts(const char *p, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);
	return n >= k && !memcmp(p, prefix, k);
}

/* The guest's text in a message: printable ASCII, the rest as '?', at most 40 bytes. */
static const char *shown(const char *p, size_t n, char buf[48])
{
	size_t k = 0;
	for (; k < n && k < 40; k++)
		buf[k] = p[k] >= 0x20 && p[k] < 0x7f ? p[k] : '?';
	if (n > 40) {
		memcpy(buf + k, "...", 3);
		k += 3;
	}
	buf[k] = 0;
	return buf;
}

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
	       c == '-';
}

/* p[n] as a section name into name: -1 with err when it is not one. */
static int name_take(const char *p, size_t n, char name[LINUX_SECTION_NAME_MAX], size_t line, char *err,
		     size_t errlen)
{
	char buf[48];
	if (!n || n >= LINUX_SECTION_NAME_MAX)
		return errorf(err, errlen, "line %zu: section name '%s': %s", line, shown(p, n, buf),
			      n ? "too long" : "empty");
	for (size_t i = 0; i < n; i++)
		if (!name_char(p[i]))
			return errorf(err, errlen, "line %zu: section name '%s': not of [A-Za-z0-9._-]", line,
				      shown(p, n, buf));
	memcpy(name, p, n);
	name[n] = 0;
	return 0;
}

/* "rc=N" (p[n]) into *rc: N a decimal int, optionally negative. */
static int rc_take(const char *p, size_t n, int *rc, size_t line, char *err, size_t errlen)
{
	char buf[48], num[16];
	if (n < 4 || n - 3 >= sizeof(num) || memcmp(p, "rc=", 3))
		return errorf(err, errlen, "line %zu: '%s': not rc=N", line, shown(p, n, buf));
	memcpy(num, p + 3, n - 3);
	num[n - 3] = 0;
	char *end;
	errno = 0;
	long v = strtol(num, &end, 10);
	if (end == num || *end || errno || v < INT_MIN || v > INT_MAX || (num[0] != '-' && (num[0] < '0' || num[0] > '9')))
		return errorf(err, errlen, "line %zu: '%s': not rc=N", line, shown(p, n, buf));
	*rc = (int)v;
	return 0;
}

static int append(struct open_section *o, const char *p, size_t n)
{
	if (o->len + n + 2 > o->cap) { /* the line, its '\n' and the final NUL */
		size_t cap = o->cap ? o->cap : 256;
		while (cap < o->len + n + 2)
			cap *= 2;
		char *d = realloc(o->data, cap);
		if (!d)
			return -1;
		o->data = d;
		o->cap = cap;
	}
	memcpy(o->data + o->len, p, n);
	o->len += n;
	o->data[o->len++] = '\n';
	o->data[o->len] = 0;
	return 0;
}

/* The open section, ended by its vmsweep-end line: into out->v. */
static int section_close(struct linux_sections *out, struct open_section *o, int rc, char *err, size_t errlen)
{
	if (out->n == LINUX_SECTIONS_MAX)
		return errorf(err, errlen, "more than %d sections", LINUX_SECTIONS_MAX);
	if (linux_section_find(out, o->name))
		return errorf(err, errlen, "line %zu: section '%s' a second time", o->line, o->name);
	if (!out->v && !(out->v = calloc(LINUX_SECTIONS_MAX, sizeof(*out->v))))
		return errorf(err, errlen, "out of memory");
	if (!o->data && !(o->data = calloc(1, 1))) /* an empty section: "" */
		return errorf(err, errlen, "out of memory");
	struct linux_section *s = &out->v[out->n++];
	memcpy(s->name, o->name, sizeof(s->name));
	s->data = o->data;
	s->len = o->len;
	s->rc = rc;
	memset(o, 0, sizeof(*o));
	return 0;
}

/* One line p[n] (its end taken off) of the stream. */
static int line_take(struct linux_sections *out, struct open_section *o, bool *in, const char *p, size_t n,
		     size_t line, char *err, size_t errlen)
{
	char name[LINUX_SECTION_NAME_MAX];

	if (out->done) {
		out->lines_after_done++;
		return 0;
	}
	if (starts(p, n, BEGIN)) {
		if (*in) /* the end of the open one was lost: which bytes are whose is unknown */
			return errorf(err, errlen, "line %zu: vmsweep-begin inside section '%s' (begun at line %zu)", line,
				      o->name, o->line);
		if (name_take(p + strlen(BEGIN), n - strlen(BEGIN), name, line, err, errlen))
			return -1;
		memcpy(o->name, name, sizeof(name));
		o->line = line;
		*in = true;
		return 0;
	}
	if (starts(p, n, END) && *in) {
		const char *q = p + strlen(END), *sp = memchr(q, ' ', n - strlen(END));
		size_t qn = sp ? (size_t)(sp - q) : n - strlen(END);
		int rc;
		if (name_take(q, qn, name, line, err, errlen))
			return -1;
		if (strcmp(name, o->name))
			return errorf(err, errlen, "line %zu: vmsweep-end of '%s' inside section '%s' (begun at line %zu)",
				      line, name, o->name, o->line);
		if (!sp)
			return errorf(err, errlen, "line %zu: vmsweep-end %s without rc=N", line, name);
		if (rc_take(sp + 1, n - strlen(END) - qn - 1, &rc, line, err, errlen))
			return -1;
		*in = false;
		return section_close(out, o, rc, err, errlen);
	}
	if (*in)
		return append(o, p, n) ? errorf(err, errlen, "out of memory") : 0;
	if (starts(p, n, DONE)) {
		if (rc_take(p + strlen(DONE), n - strlen(DONE), &out->done_rc, line, err, errlen))
			return -1;
		out->done = true;
		return 0;
	}
	if (!out->stray_lines++)
		out->first_stray_line = line;
	return 0;
}

int linux_sections_parse(const char *data, size_t len, struct linux_sections *out, char *err, size_t errlen)
{
	struct open_section o = { 0 };
	bool in = false;
	size_t line = 0;

	memset(out, 0, sizeof(*out));
	if (len > LINUX_SECTIONS_MAX_BYTES)
		return errorf(err, errlen, "%zu bytes: more than the %u a Linux guest may send", len,
			      LINUX_SECTIONS_MAX_BYTES);
	for (size_t at = 0; at < len;) {
		const char *p = data + at, *nl = memchr(p, '\n', len - at);
		size_t n = nl ? (size_t)(nl - p) : len - at;
		at += n + (nl != NULL);
		line++;
		if (!nl) { /* the stream ends mid-line: a marker cut short would be misread */
			if (in)
				o.len += n;
			else if (!out->done && !out->stray_lines++)
				out->first_stray_line = line;
			else if (out->done)
				out->lines_after_done++;
			break;
		}
		if (n && p[n - 1] == '\r')
			n--;
		if (line_take(out, &o, &in, p, n, line, err, errlen)) {
			free(o.data);
			linux_sections_free(out);
			return -1;
		}
	}
	if (in) {
		memcpy(out->cut, o.name, sizeof(out->cut));
		out->cut_bytes = o.len;
	}
	free(o.data);
	return 0;
}

const struct linux_section *linux_section_find(const struct linux_sections *s, const char *name)
{
	for (size_t i = 0; s && i < s->n; i++)
		if (!strcmp(s->v[i].name, name))
			return &s->v[i];
	return NULL;
}

int linux_sections_complete(const struct linux_sections *s, char *why, size_t len)
{
	if (s->cut[0])
		return errorf(why, len, "the guest's output ends inside section '%s' (%zu bytes came), with no vmsweep-done",
			      s->cut, s->cut_bytes);
	if (!s->done)
		return errorf(why, len, "the guest's output ends without vmsweep-done (%zu sections came)", s->n);
	if (s->done_rc)
		return errorf(why, len, "vmsweep-done rc=%d", s->done_rc);
	return 0;
}

void linux_sections_free(struct linux_sections *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].data);
	free(s->v);
	memset(s, 0, sizeof(*s));
}
