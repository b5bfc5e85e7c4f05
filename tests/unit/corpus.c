/* The broken corpora's "# expect: FILE:LINE: phrase" lines: see corpus.h. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "corpus.h"

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

size_t corpus_list(const char *dir, const char *ext, char **names, size_t max)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t n = 0, elen = strlen(ext);

	assert_non_null(d);
	while ((de = readdir(d)) && n < max) {
		size_t l = strlen(de->d_name);
		if (l > elen && strcmp(de->d_name + l - elen, ext) == 0)
			names[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), name_cmp);
	return n;
}

/* Splits "# expect: NAME:LINE: phrase" into the location and the phrase. */
static void expect_parse(const char *path, char *line, char *where, size_t wlen, const char **phrase)
{
	const char *tag = "# expect: ";
	char *p, *colon;

	line[strcspn(line, "\r\n")] = '\0';
	if (strncmp(line, tag, strlen(tag)))
		fail_msg("%s: first line is not '%s<file>:<line>: <phrase>'", path, tag);
	p = line + strlen(tag);
	colon = strchr(p, ':');
	if (!colon || colon[1] < '0' || colon[1] > '9')
		fail_msg("%s: expectation '%s' has no <file>:<line>:", path, p);
	colon = strchr(colon + 1, ':');
	if (!colon || colon[1] != ' ' || !colon[2])
		fail_msg("%s: expectation '%s' has no phrase after <file>:<line>:", path, p);
	snprintf(where, wlen, "%.*s: ", (int)(colon - p), p);
	*phrase = colon + 2;
}

void corpus_expect_read(struct corpus_expect *e, const char *dir, const char *name)
{
	FILE *f;

	snprintf(e->path, sizeof(e->path), "%s%s", dir, name);
	f = fopen(e->path, "r");
	assert_non_null(f);
	if (!fgets(e->line, sizeof(e->line), f))
		fail_msg("%s: empty", e->path);
	fclose(f);
	expect_parse(e->path, e->line, e->where, sizeof(e->where), &e->phrase);
}

void corpus_expect_check(const struct corpus_expect *e, const char *err)
{
	/* The location is the file's name (any directory before it) and line. */
	const char *at = strstr(err, e->where);
	if (!at || (at != err && at[-1] != '/'))
		fail_msg("%s: error \"%s\" is not at %s", e->path, err, e->where);
	if (!strstr(err, e->phrase))
		fail_msg("%s: error \"%s\" lacks \"%s\"", e->path, err, e->phrase);
}
