/*
 * The broken corpora (tests/fio-corpus/bad/, tests/sweep-corpus/bad/): every file's
 * first line announces the error it must fail with, "# expect: FILE:LINE: phrase".
 * Shared by the unit tests that read a corpus; failures go through cmocka's fail_msg,
 * so include <cmocka.h> (and what it needs) before this header.
 */
#ifndef VMSWEEP_TESTS_CORPUS_H
#define VMSWEEP_TESTS_CORPUS_H

#include <stddef.h>

/* The names of the files in dir ending in ext (".fio"), sorted, strdup'ed into
 * names[0..max); returns how many. The caller frees each name. */
size_t corpus_list(const char *dir, const char *ext, char **names, size_t max);

/* What a broken corpus file says it fails with. */
struct corpus_expect {
	char path[512];
	char line[512];
	char where[256]; /* "FILE:LINE: " */
	const char *phrase; /* in line */
};

/* Reads dir/name's first line into e; fails the test if it is not an expectation. */
void corpus_expect_read(struct corpus_expect *e, const char *dir, const char *name);

/* err must hold e->where, after the start or a '/' (a directory before the file's
 * name), and e->phrase; fails the test if not. */
void corpus_expect_check(const struct corpus_expect *e, const char *err);

#endif
