/*
 * Reading a sweep config with the fio job-file reader (fio/job_file.c), so that a
 * config and a job file share one syntax: sections, key = value, bare keys, ';' and
 * '#' comments, include, ${VAR}.
 *
 * That reader takes only "key", "key = value" and "include" lines, and a [constraints]
 * line is an expression ("a < b"). So a first pass takes the [constraints] lines out
 * (with their line and column) and hands the reader a copy in which they are blank
 * lines, through a memfd: every other line keeps its number. Relative includes of the
 * copy are rewritten against the config's directory (the reader resolves them against
 * the including file's, which the memfd has not), and the memfd's name is replaced by
 * the config's path in everything the reader returns.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sweep/config_internal.h"
#include "util/error.h"
#include "util/parse.h"

const char *const sweep_sections[] = { "sweep", "guest", "workload", "params", "constraints", "report" };
const size_t sweep_nr_sections = sizeof(sweep_sections) / sizeof(sweep_sections[0]);

static bool is_include(const char *p)
{
	return strncmp(p, "include", 7) == 0 && (isspace((unsigned char)p[7]) || !p[7]);
}

static int constraint_add(struct sweep_ini *ini, const char *text, unsigned line, unsigned col)
{
	struct sweep_raw_line *l = realloc(ini->constraints, (ini->nr_constraints + 1) * sizeof(*l));

	if (!l)
		return -1;
	ini->constraints = l;
	l += ini->nr_constraints;
	l->text = strdup(text);
	l->line = line;
	l->col = col;
	if (!l->text)
		return -1;
	ini->nr_constraints++;
	return 0;
}

/*
 * One line of the top file (raw, without its newline) to the copy for the reader; dir is
 * the config's directory, absolute and ending in '/', for includes.
 * *in_constraints and *in_section follow the section headers as the reader will read them.
 */
static int line_copy(struct sweep_ini *ini, const char *path, const char *dir, unsigned line, char *raw,
		     FILE *copy, bool *in_section, bool *in_constraints, char *err, size_t errlen)
{
	char *clean = strdup(raw);
	int ret = -1;

	if (!clean)
		return errorf_at(err, errlen, path, line, "out of memory");
	clean[strcspn(clean, ";#")] = '\0';
	char *p = str_trim(clean);
	size_t n = strlen(p);

	if (!*p) {
		fprintf(copy, "%s\n", raw);
	} else if (*p == '[') {
		/* A malformed header is the reader's to report; a well-formed one sets the section. */
		if (p[n - 1] == ']') {
			p[n - 1] = '\0';
			*in_constraints = strcmp(str_trim(p + 1), "constraints") == 0;
		}
		*in_section = true;
		fprintf(copy, "%s\n", raw);
	} else if (!*in_section) {
		errorf_at(err, errlen, path, line,
			  "'%s' is outside of a section (start with [sweep], [guest], [workload], [params], "
			  "[constraints] or [report])",
			  p);
		goto out;
	} else if (*in_constraints) {
		if (is_include(p)) {
			errorf_at(err, errlen, path, line, "include is not supported in [constraints]");
			goto out;
		}
		if (constraint_add(ini, p, line, (unsigned)(p - clean) + 1)) {
			errorf_at(err, errlen, path, line, "out of memory");
			goto out;
		}
		fputc('\n', copy);
	} else if (is_include(p) && str_trim(p + 7)[0] != '/') {
		fprintf(copy, "include %s%s\n", dir, str_trim(p + 7));
	} else {
		fprintf(copy, "%s\n", raw);
	}
	ret = 0;
out:
	free(clean);
	return ret;
}

/* Replaces every "from" in s (a buffer of len bytes) by "to", cutting at len. */
static void text_replace(char *s, size_t len, const char *from, const char *to)
{
	size_t fl = strlen(from), o = 0;
	const char *p, *at;
	char *copy;

	if (!s || !len || !fl || !(copy = strdup(s)))
		return;
	for (p = copy; (at = strstr(p, from)) && o < len; p = at + fl)
		o += (size_t)snprintf(s + o, len - o, "%.*s%s", (int)(at - p), p, to);
	if (o < len)
		snprintf(s + o, len - o, "%s", p);
	free(copy);
}

/* The memfd's name becomes the config's path in the reader's result, and included
 * files are named relative to cwd (ending in '/') again. */
static int files_rename(struct fio_job_file *jf, const char *fd_path, const char *path, const char *cwd)
{
	size_t cl = strlen(cwd);

	for (size_t i = 1; cl > 1 && i < jf->nr_files; i++)
		if (!strncmp(jf->files[i], cwd, cl)) /* shortened in place: options point at it */
			memmove(jf->files[i], jf->files[i] + cl, strlen(jf->files[i] + cl) + 1);
	if (!jf->nr_files || strcmp(jf->files[0], fd_path))
		return 0;
	char *name = strdup(path), *old = jf->files[0];
	if (!name)
		return -1;
	for (size_t i = 0; i < jf->nr_sections; i++) {
		struct fio_section *s = &jf->sections[i];
		if (s->file == old)
			s->file = name;
		for (size_t j = 0; j < s->nr_opts; j++)
			if (s->opts[j].file == old)
				s->opts[j].file = name;
	}
	jf->files[0] = name;
	free(old);
	return 0;
}

int sweep_ini_read(const char *path, struct sweep_ini *ini, char *err, size_t errlen)
{
	char fd_path[64], cwd[PATH_MAX + 1] = "", dir[2 * PATH_MAX + 2], *buf = NULL;
	size_t cap = 0;
	unsigned line = 0;
	bool in_section = false, in_constraints = false;
	int ret = -1, fd = -1;
	FILE *copy = NULL, *f = fopen(path, "r");

	memset(ini, 0, sizeof(*ini));
	if (!f)
		return errorf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
	/* The reader would take a relative include from the memfd's directory: make them
	 * absolute, and relative again in what it returns. */
	const char *slash = strrchr(path, '/');
	if (path[0] != '/' && !getcwd(cwd, sizeof(cwd) - 1)) {
		errorf(err, errlen, "%s: getcwd: %s", path, strerror(errno));
		goto out;
	}
	if (cwd[0] && cwd[1]) /* "/" stays "/" */
		strcat(cwd, "/");
	snprintf(dir, sizeof(dir), "%s%.*s", path[0] == '/' ? "" : cwd, slash ? (int)(slash - path + 1) : 0, path);
	fd = memfd_create("vmsweep-config", MFD_CLOEXEC);
	if (fd < 0 || !(copy = fdopen(dup(fd), "w"))) {
		errorf(err, errlen, "%s: memfd: %s", path, strerror(errno));
		goto out;
	}
	while (getline(&buf, &cap, f) >= 0) {
		char *raw = buf;
		line++;
		raw[strcspn(raw, "\r\n")] = '\0';
		if (line == 1 && strncmp(raw, "\xef\xbb\xbf", 3) == 0) /* a UTF-8 byte-order mark */
			raw += 3;
		if (line_copy(ini, path, dir, line, raw, copy, &in_section, &in_constraints, err, errlen))
			goto out;
	}
	if (ferror(f)) {
		errorf_at(err, errlen, path, line + 1, "read error: %s", strerror(errno));
		goto out;
	}
	if (fclose(copy)) {
		copy = NULL;
		errorf(err, errlen, "%s: memfd: %s", path, strerror(errno));
		goto out;
	}
	copy = NULL;
	snprintf(fd_path, sizeof(fd_path), "/proc/self/fd/%d", fd);
	if (fio_job_file_read(fd_path, &ini->jf, err, errlen)) {
		text_replace(err, errlen, fd_path, path);
		if (cwd[1])
			text_replace(err, errlen, cwd, "");
		goto out;
	}
	if (files_rename(&ini->jf, fd_path, path, cwd)) {
		errorf(err, errlen, "%s: out of memory", path);
		goto out;
	}
	ini->jf.nr_lines = line;
	ret = 0;
out:
	if (copy)
		fclose(copy);
	if (fd >= 0)
		close(fd);
	free(buf);
	fclose(f);
	if (ret)
		sweep_ini_free(ini);
	return ret;
}

void sweep_ini_free(struct sweep_ini *ini)
{
	fio_job_file_free(&ini->jf);
	for (size_t i = 0; i < ini->nr_constraints; i++)
		free(ini->constraints[i].text);
	free(ini->constraints);
	ini->constraints = NULL;
	ini->nr_constraints = 0;
}
