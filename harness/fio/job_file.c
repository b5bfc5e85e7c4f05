/*
 * The fio job-file reader. A dedicated reader rather than Debian's libinih: libinih
 * is built with its header defaults, INI_ALLOW_NO_VALUE=0 (a bare "time_based" is a
 * parse error) and INI_HANDLER_LINENO=0 (the handler never learns the line), and its
 * INI_ALLOW_MULTILINE=1 glues an indented line onto the previous value ("bs=4k" then
 * "  iodepth=2" reads as bs="4k iodepth=2"); it has no include either. fio itself
 * reads job files with its own line parser, whose rules this one follows.
 */
#include "fio/job_file.h"
#include "util/error.h"
#include "util/parse.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Deeper nesting than this is a mistake, not a design. */
#define INCLUDE_DEPTH_MAX 16

struct open_file {
	dev_t dev;
	ino_t ino;
	const char *name;
};

struct reader {
	struct fio_job_file *jf;
	char *err;
	size_t errlen;
	struct open_file stack[INCLUDE_DEPTH_MAX + 1]; /* the top file and its includes */
	unsigned depth;
};

__attribute__((format(printf, 4, 5))) static int fail_at(struct reader *r, const char *file, unsigned line,
							  const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	verrorf_at(r->err, r->errlen, file, line, fmt, ap);
	va_end(ap);
	return -1;
}

static int fail_nomem(struct reader *r, const char *file, unsigned line)
{
	return fail_at(r, file, line, "out of memory");
}

/* Keeps a copy of a file name for the life of jf; options point at it. */
static const char *file_intern(struct fio_job_file *jf, const char *path)
{
	char **files = realloc(jf->files, (jf->nr_files + 1) * sizeof(*files));
	if (!files)
		return NULL;
	jf->files = files;
	files[jf->nr_files] = strdup(path);
	if (!files[jf->nr_files])
		return NULL;
	return files[jf->nr_files++];
}

/* Cuts the line at the first ';' or '#' (fio's strip_blank_end) and trims blanks. */
static char *line_clean(char *p)
{
	p[strcspn(p, ";#")] = '\0';
	return str_trim(p);
}

/* A growing string, for ${VAR} expansion. */
struct strbuf {
	char *s;
	size_t len, cap;
};

static bool strbuf_add(struct strbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *ns = realloc(b->s, cap);
		if (!ns)
			return false;
		b->s = ns;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
	return true;
}

/* fio's reserved keywords, which stand for properties of the machine fio runs on. */
static const char *const fio_keywords[] = { "$pagesize", "$mb_memory", "$ncpus" };

/* Expands ${VAR} in value into a new string (*out), as fio's option_dup_subs does. */
static int value_expand(struct reader *r, const char *file, unsigned line, const char *key, const char *value,
			char **out)
{
	struct strbuf b = { 0 };
	const char *p = value;

	if (!strbuf_add(&b, "", 0))
		return fail_nomem(r, file, line);
	while (*p) {
		if (p[0] == '$' && p[1] == '{') {
			const char *close = strchr(p + 2, '}');
			if (!close) {
				free(b.s);
				return fail_at(r, file, line, "option '%s': '${' without a closing '}' in '%s'", key,
					       value);
			}
			size_t n = (size_t)(close - (p + 2));
			if (!n) {
				free(b.s);
				return fail_at(r, file, line, "option '%s': empty variable name '${}'", key);
			}
			char *name = strndup(p + 2, n);
			if (!name) {
				free(b.s);
				return fail_nomem(r, file, line);
			}
			const char *v = getenv(name);
			if (!v) {
				fail_at(r, file, line,
					"option '%s': environment variable '%s' is not set (fio would silently use an "
					"empty string)",
					key, name);
				free(name);
				free(b.s);
				return -1;
			}
			free(name);
			if (!strbuf_add(&b, v, strlen(v))) {
				free(b.s);
				return fail_nomem(r, file, line);
			}
			p = close + 1;
			continue;
		}
		if (*p == '$') {
			for (size_t i = 0; i < sizeof(fio_keywords) / sizeof(fio_keywords[0]); i++) {
				if (strncmp(p, fio_keywords[i], strlen(fio_keywords[i])) == 0) {
					free(b.s);
					return fail_at(r, file, line,
						       "option '%s': fio keyword '%s' is not supported by vmsweep (it "
						       "describes the host fio runs on, not the guest)",
						       key, fio_keywords[i]);
				}
			}
		}
		if (!strbuf_add(&b, p, 1)) {
			free(b.s);
			return fail_nomem(r, file, line);
		}
		p++;
	}
	*out = b.s;
	return 0;
}

/* Letters, digits, '_', and '.' inside a name (a sweep's "fio.iodepth"; no fio option
 * has one, so in a job file it is an unknown option, named as such). */
static bool key_valid(const char *k)
{
	if (!*k || *k == '.')
		return false;
	for (; *k; k++)
		if (!isalnum((unsigned char)*k) && *k != '_' && !(*k == '.' && k[1] && k[1] != '.'))
			return false;
	return true;
}

static int section_add(struct reader *r, const char *file, unsigned line, const char *name)
{
	struct fio_job_file *jf = r->jf;
	struct fio_section *s = realloc(jf->sections, (jf->nr_sections + 1) * sizeof(*s));

	if (!s)
		return fail_nomem(r, file, line);
	jf->sections = s;
	s += jf->nr_sections;
	memset(s, 0, sizeof(*s));
	s->name = strdup(name);
	if (!s->name)
		return fail_nomem(r, file, line);
	s->file = file;
	s->line = line;
	jf->nr_sections++;
	return 0;
}

/* Takes ownership of value (which may be NULL for a bare key). */
static int option_add(struct reader *r, struct fio_section *s, const char *file, unsigned line, const char *key,
		      char *value)
{
	struct fio_option *o = realloc(s->opts, (s->nr_opts + 1) * sizeof(*o));

	if (!o) {
		free(value);
		return fail_nomem(r, file, line);
	}
	s->opts = o;
	o += s->nr_opts;
	o->key = strdup(key);
	o->value = value;
	o->file = file;
	o->line = line;
	if (!o->key) {
		free(value);
		return fail_nomem(r, file, line);
	}
	s->nr_opts++;
	return 0;
}

static int file_read(struct reader *r, const char *path, long sec, const char *from, unsigned from_line);

/* "include FILE": a relative FILE is taken from the including file's directory. */
static int include_read(struct reader *r, const char *file, unsigned line, long sec, char *arg)
{
	char *name = str_trim(arg), *full = NULL;
	const char *slash = strrchr(file, '/');
	int ret;

	if (sec < 0)
		return fail_at(r, file, line, "include outside of a [section] (fio reads includes into a section)");
	if (!*name)
		return fail_at(r, file, line, "include without a file name (write 'include FILE')");
	if (name[0] != '/' && slash) {
		if (asprintf(&full, "%.*s%s", (int)(slash - file + 1), file, name) < 0)
			return fail_nomem(r, file, line);
	}
	ret = file_read(r, full ? full : name, sec, file, line);
	free(full);
	return ret;
}

/* One non-empty line with comments removed: a [section], an include or an option. */
static int line_parse(struct reader *r, const char *file, unsigned line, long *sec, bool nested, char *p)
{
	char *eq, *key, *value = NULL;

	if (*p == '[') {
		size_t n = strlen(p);
		if (nested)
			return fail_at(r, file, line, "section '%s' in an included file (fio allows none there)", p);
		if (p[n - 1] != ']')
			return fail_at(r, file, line, "section header '%s' without a closing ']'", p);
		p[n - 1] = '\0';
		char *name = str_trim(p + 1);
		if (!*name)
			return fail_at(r, file, line, "empty section name '[]'");
		if (strpbrk(name, "[]"))
			return fail_at(r, file, line, "section name '%s' contains '[' or ']'", name);
		if (section_add(r, file, line, name))
			return -1;
		*sec = (long)r->jf->nr_sections - 1;
		return 0;
	}
	if (strncmp(p, "include", 7) == 0 && (isspace((unsigned char)p[7]) || !p[7]))
		return include_read(r, file, line, *sec, p + 7);

	eq = strchr(p, '=');
	if (eq) {
		*eq = '\0';
		key = str_trim(p);
		value = str_trim(eq + 1);
	} else {
		key = p;
	}
	if (!key_valid(key)) {
		if (!*key)
			return fail_at(r, file, line, "'=%s': no option name before '='", value);
		return fail_at(r, file, line, "option '%s': not an option name (expected key=value or a bare key)",
			       key);
	}
	if (strcmp(key, "include") == 0)
		return fail_at(r, file, line, "option 'include': write 'include FILE', without '='");
	if (*sec < 0)
		return fail_at(r, file, line, "option '%s' outside of a [section] (put it under [global] or a [job])",
			       key);
	char *expanded = NULL;
	if (value && value_expand(r, file, line, key, value, &expanded))
		return -1;
	return option_add(r, &r->jf->sections[*sec], file, line, key, expanded);
}

/*
 * Reads path into the sections of r->jf. sec is the section an included file's
 * options go to (-1 at the top); from/from_line is the include line, for errors.
 */
static int file_read(struct reader *r, const char *path, long sec, const char *from, unsigned from_line)
{
	bool nested = from != NULL;
	const char *file;
	struct stat st;
	char *buf = NULL;
	size_t cap = 0;
	unsigned line = 0;
	int ret = -1;
	FILE *f = fopen(path, "r");

	if (!f) {
		if (nested)
			return fail_at(r, from, from_line, "include '%s': cannot open: %s", path, strerror(errno));
		if (r->err && r->errlen)
			snprintf(r->err, r->errlen, "%s: cannot open job file: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fileno(f), &st)) {
		fail_at(r, nested ? from : path, nested ? from_line : 0, "%s: %s", path, strerror(errno));
		goto out;
	}
	for (unsigned i = 0; i < r->depth; i++) {
		if (r->stack[i].dev == st.st_dev && r->stack[i].ino == st.st_ino) {
			char chain[512] = "";
			for (unsigned j = i; j < r->depth; j++) {
				strncat(chain, r->stack[j].name, sizeof(chain) - strlen(chain) - 1);
				strncat(chain, " -> ", sizeof(chain) - strlen(chain) - 1);
			}
			strncat(chain, path, sizeof(chain) - strlen(chain) - 1);
			fail_at(r, from, from_line, "include '%s': include loop (%s)", path, chain);
			goto out;
		}
	}
	if (r->depth > INCLUDE_DEPTH_MAX) {
		fail_at(r, from, from_line, "include '%s': includes nested deeper than %d", path, INCLUDE_DEPTH_MAX);
		goto out;
	}
	file = file_intern(r->jf, path);
	if (!file) {
		fail_nomem(r, nested ? from : path, from_line);
		goto out;
	}
	r->stack[r->depth++] = (struct open_file){ st.st_dev, st.st_ino, file };

	while (getline(&buf, &cap, f) >= 0) {
		char *p = buf;
		line++;
		if (line == 1 && strncmp(p, "\xef\xbb\xbf", 3) == 0) /* a UTF-8 byte-order mark */
			p += 3;
		p = line_clean(p);
		if (*p && line_parse(r, file, line, &sec, nested, p))
			goto pop;
	}
	if (ferror(f)) {
		fail_at(r, file, line + 1, "read error: %s", strerror(errno));
		goto pop;
	}
	if (!nested)
		r->jf->nr_lines = line;
	ret = 0;
pop:
	r->depth--;
out:
	free(buf);
	fclose(f);
	return ret;
}

int fio_job_file_read(const char *path, struct fio_job_file *jf, char *err, size_t errlen)
{
	struct reader r = { .jf = jf, .err = err, .errlen = errlen };

	memset(jf, 0, sizeof(*jf));
	if (file_read(&r, path, -1, NULL, 0)) {
		fio_job_file_free(jf);
		return -1;
	}
	return 0;
}

void fio_job_file_free(struct fio_job_file *jf)
{
	for (size_t i = 0; i < jf->nr_sections; i++) {
		struct fio_section *s = &jf->sections[i];
		for (size_t j = 0; j < s->nr_opts; j++) {
			free(s->opts[j].key);
			free(s->opts[j].value);
		}
		free(s->opts);
		free(s->name);
	}
	free(jf->sections);
	for (size_t i = 0; i < jf->nr_files; i++)
		free(jf->files[i]);
	free(jf->files);
	memset(jf, 0, sizeof(*jf));
}
