/*
 * tests/knob-effects.tsv names, for every guest knob and every fio option the job
 * compiler accepts, the test that shows its effect end to end. This test fails when a
 * knob (include/vmsweep/knobs.h) or an option (opt_defs[] in harness/fio/job_compile.c)
 * has no row, when a row names something that is neither, and when a row's test does
 * not exist.
 *
 * The option table is static in job_compile.c, so the file is compiled in here and
 * opt_defs[] read directly: the list is the compiler's own, not a copy. (The archive's
 * job_compile.o is then never linked: this file defines all of its symbols.)
 *
 * Runs from the repository root, as make check runs the unit tests.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../harness/fio/job_compile.c"
#include <vmsweep/knobs.h>

#define TABLE "tests/knob-effects.tsv"
#define MAX_ROWS 512

static const char *const knob_names[] = {
#define KNOB_NAME(name, def, min, max, unit, help) #name,
	VMS_KNOBS(KNOB_NAME)
#undef KNOB_NAME
};

struct row {
	char *name, *kind, *test, *effect;
	unsigned line;
};

static struct row rows[MAX_ROWS];
static size_t nr_rows;

/* Reads the table once: comment lines (#) and the header skipped, 4 tab-separated columns. */
static void table_read(void)
{
	static bool done;
	char line[2048];
	unsigned n = 0;
	FILE *f;

	if (done)
		return;
	done = true;
	f = fopen(TABLE, "r");
	if (!f)
		fail_msg("%s: cannot open (run from the repository root)", TABLE);
	while (fgets(line, sizeof(line), f)) {
		n++;
		line[strcspn(line, "\r\n")] = '\0';
		if (!line[0] || line[0] == '#' || !strcmp(line, "name\tkind\ttest\teffect"))
			continue;
		char *cols[4] = { 0 }, *p = line;
		for (int c = 0; c < 4; c++) {
			cols[c] = p;
			p = strchr(p, '\t');
			if (c < 3 && !p)
				fail_msg("%s:%u: expected 4 tab-separated columns (name, kind, test, effect)", TABLE, n);
			if (p)
				*p++ = '\0';
		}
		if (p)
			fail_msg("%s:%u: more than 4 columns", TABLE, n);
		for (int c = 0; c < 4; c++)
			if (!*cols[c])
				fail_msg("%s:%u: column %d is empty", TABLE, n, c + 1);
		assert_true(nr_rows < MAX_ROWS);
		rows[nr_rows++] = (struct row){ strdup(cols[0]), strdup(cols[1]), strdup(cols[2]), strdup(cols[3]), n };
	}
	fclose(f);
}

static bool has_row(const char *name, const char *kind)
{
	for (size_t i = 0; i < nr_rows; i++)
		if (!strcmp(rows[i].name, name) && !strcmp(rows[i].kind, kind))
			return true;
	return false;
}

static bool is_knob(const char *name)
{
	for (size_t i = 0; i < sizeof(knob_names) / sizeof(knob_names[0]); i++)
		if (!strcmp(knob_names[i], name))
			return true;
	return false;
}

static bool is_option(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(opt_defs); i++)
		if (!strcmp(opt_defs[i].name, name))
			return true;
	return false;
}

static char *file_read(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0;

	if (!f)
		return NULL;
	FILE *m = open_memstream(&buf, &len);
	char chunk[4096];
	size_t got;
	while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, got, m);
	fclose(m);
	fclose(f);
	return buf;
}

/* The test a row names: "FILE: NAME"; FILE a t_*.sh with `begin "NAME...` or a .c with `NAME(`. */
static bool test_exists(const char *test, char *why, size_t whylen)
{
	const char *sep = strstr(test, ": ");
	if (!sep) {
		snprintf(why, whylen, "expected FILE: TEST, not '%s'", test);
		return false;
	}
	char path[512];
	snprintf(path, sizeof(path), "%.*s", (int)(sep - test), test);
	const char *name = sep + 2;
	char *text = file_read(path);
	if (!text) {
		snprintf(why, whylen, "no file %s", path);
		return false;
	}
	bool found = false;
	size_t nl = strlen(name);
	if (strlen(path) > 3 && !strcmp(path + strlen(path) - 3, ".sh")) {
		for (const char *p = text; (p = strstr(p, "begin \"")); p++) {
			const char *n = p + strlen("begin \"");
			if (!strncmp(n, name, nl) && strchr("\": ,", n[nl])) {
				found = true;
				break;
			}
		}
	} else {
		for (const char *p = text; (p = strstr(p, name)); p++)
			if (p[nl] == '(' && (p == text || !strchr("abcdefghijklmnopqrstuvwxyz_0123456789", p[-1]))) {
				found = true;
				break;
			}
	}
	free(text);
	if (!found)
		snprintf(why, whylen, "%s has no test '%s'", path, name);
	return found;
}

static void test_every_knob_has_a_row(void **state)
{
	unsigned missing = 0;

	table_read();
	for (size_t i = 0; i < sizeof(knob_names) / sizeof(knob_names[0]); i++)
		if (!has_row(knob_names[i], "knob")) {
			print_error("knob %s (include/vmsweep/knobs.h) has no row in %s: add the test that shows its effect\n",
				    knob_names[i], TABLE);
			missing++;
		}
	assert_int_equal(missing, 0);
}

static void test_every_fio_option_has_a_row(void **state)
{
	unsigned missing = 0;

	table_read();
	assert_true(ARRAY_SIZE(opt_defs) > 30); /* the table was found and read */
	for (size_t i = 0; i < ARRAY_SIZE(opt_defs); i++)
		if (!has_row(opt_defs[i].name, "fio")) {
			print_error("fio option %s (opt_defs[] in harness/fio/job_compile.c) has no row in %s: add the test that shows its effect\n",
				    opt_defs[i].name, TABLE);
			missing++;
		}
	assert_int_equal(missing, 0);
}

static void test_every_row_names_a_knob_or_option_and_an_existing_test(void **state)
{
	unsigned bad = 0;
	char why[600];

	table_read();
	assert_true(nr_rows > 0);
	for (size_t i = 0; i < nr_rows; i++) {
		const struct row *r = &rows[i];
		if (strcmp(r->kind, "knob") && strcmp(r->kind, "fio")) {
			print_error("%s:%u: kind '%s': expected knob or fio\n", TABLE, r->line, r->kind);
			bad++;
		} else if (!strcmp(r->kind, "knob") ? !is_knob(r->name) : !is_option(r->name)) {
			print_error("%s:%u: %s is not a %s (a row left behind?)\n", TABLE, r->line, r->name,
				    !strcmp(r->kind, "knob") ? "knob in include/vmsweep/knobs.h" :
							       "fio option in harness/fio/job_compile.c");
			bad++;
		}
		if (!test_exists(r->test, why, sizeof(why))) {
			print_error("%s:%u: %s: %s\n", TABLE, r->line, r->name, why);
			bad++;
		}
	}
	assert_int_equal(bad, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_knob_has_a_row),
		cmocka_unit_test(test_every_fio_option_has_a_row),
		cmocka_unit_test(test_every_row_names_a_knob_or_option_and_an_existing_test),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
