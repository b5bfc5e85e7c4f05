/*
 * What a hostile guest hands over, on its way out: a panic message and task names with
 * an escape sequence (ESC [2J clears the screen) and bytes that are not UTF-8, and a
 * console that sets the terminal's title. Taken through the VMM's own path
 * (vm_results_finish), then to the terminal (boot_report_text), to `--json`
 * (boot_report_json), to the store (store_run_from_vm_result) and to the report
 * (report_load, report.md, report.html): no escape sequence reaches a terminal or a
 * document, every output is valid UTF-8, and the JSON is whole. A JSON document that
 * cannot be built is an error, never empty output.
 */
#include <ftw.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "cmd/boot_report.h"
#include "report/report.h"
#include "store/store.h"
#include "store_helpers.h"
#include "util/guest_text.h"
#include "vmm/vm_internal.h"
#include "record_helpers.h"

#define PANIC_MSG "boom\x1b[2J\xff end"
#define TITLE_SEQ "\x1b]0;pwned\x07"

struct fixture {
	struct vm *vm;
	struct vm_result *res;
	struct vm_config cfg;
	struct boot_options o;
};

/* A guest that panicked on CPU 0 with PANIC_MSG, in task "ev\x1bil\xfe", after a task
 * record and a console of its own making. */
static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	assert_non_null(f->vm = calloc(1, sizeof(*f->vm)));
	assert_non_null(f->res = calloc(1, sizeof(*f->res)));
	f->vm->cfg = &f->cfg;
	f->vm->res = f->res;
	f->vm->wake_fd = -1;
	f->vm->nr_vcpus = 1;
	f->res->cpu = 0;
	atomic_init(&f->vm->status, VM_PANIC);
	struct vms_rec_panic p = { .cpu = 0, .pid = 7, .vector = ~0ull };
	memcpy(p.task, "ev\x1bil\xfe", 6);
	memcpy(p.msg, PANIC_MSG, sizeof(PANIC_MSG) - 1);
	record_put(&f->vm->results_buf, VMS_REC_PANIC, &p, sizeof(p));
	struct vms_rec_task t = { .pid = 7 };
	memcpy(t.name, "\xc3(\x1b[31mred", 11);
	record_put(&f->vm->results_buf, VMS_REC_TASK, &t, sizeof(t));
	static const char console[] = "hello " TITLE_SEQ "\n\xc2\x9b" "2Jbye \xe2\x82";
	assert_int_equal(buf_append(&f->vm->console_buf, console, sizeof(console) - 1), 0);
	vm_results_finish(f->vm);
	vm_config_init(&f->o.vm);
	f->o.vm.kernel_path = "guest.elf";
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	buf_free(&f->vm->results_buf);
	buf_free(&f->vm->samples_buf);
	buf_free(&f->vm->console_buf);
	vm_result_free(f->res);
	free(f->res);
	free(f->vm);
	free(f);
	return 0;
}

/* Text a terminal may show: valid UTF-8, no control but newline and tab, no C1. */
static void assert_terminal_safe(const char *what, const char *s, size_t n)
{
	if (!guest_text_utf8_valid(s, n))
		fail_msg("%s is not valid UTF-8:\n%.*s", what, (int)n, s);
	for (size_t i = 0; i < n; i++) {
		uint8_t c = (uint8_t)s[i];
		if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f || (c == 0xc2 && i + 1 < n && (uint8_t)s[i + 1] < 0xa0))
			fail_msg("%s has control byte %#x at %zu:\n%.*s", what, c, i, (int)n, s);
	}
}

static void test_the_reason_is_one_safe_line(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(f->res->status, VM_PANIC);
	assert_string_equal(f->res->reason, "guest panic on CPU 0 (ev\\x1bil\\xfe, pid 7): boom\\x1b[2J\\xff end");
}

static void test_the_terminal_sees_no_escape_sequence(void **state)
{
	struct fixture *f = *state;
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	assert_non_null(m);
	f->res->nr_tasks = 1;
	boot_report_text(m, m, &f->o, f->res);
	f->res->status = VM_DONE; /* the task table too */
	boot_report_text(m, m, &f->o, f->res);
	fclose(m);
	assert_terminal_safe("the text summary", buf, len);
	if (!strstr(buf, "boom\\x1b[2J\\xff end") || !strstr(buf, "hello \\x1b]0;pwned\\x07\n\\xc2\\x9b2Jbye \\xe2\\x82") ||
	    !strstr(buf, "\\xc3(\\x1b[31mred"))
		fail_msg("the guest's text is not shown escaped:\n%s", buf);
	free(buf);
}

static void test_the_json_is_whole_valid_and_escaped(void **state)
{
	struct fixture *f = *state;
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	assert_non_null(m);
	assert_int_equal(boot_report_json(m, &f->o, f->res), 0);
	fclose(m);
	assert_terminal_safe("the JSON text", buf, len); /* JSON escapes ESC as \u001B */
	json_error_t e;
	json_t *root = json_loads(buf, 0, &e);
	if (!root)
		fail_msg("not JSON (%s):\n%s", e.text, buf);
	assert_string_equal(json_string_value(json_object_get(root, "status")), "panic");
	json_t *panic = json_object_get(root, "panic");
	/* The guest's words exactly, the bad byte as U+FFFD. */
	assert_string_equal(json_string_value(json_object_get(panic, "message")), "boom\x1b[2J\xef\xbf\xbd end");
	assert_string_equal(json_string_value(json_object_get(panic, "task")), "ev\x1bil\xef\xbf\xbd");
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(root, "tasks"), 0), "name")),
			    "\xef\xbf\xbd(\x1b[31mred");
	assert_non_null(strstr(json_string_value(json_object_get(root, "reason")), "boom\\x1b[2J\\xff end"));
	json_decref(root);
	free(buf);
}

static void test_json_that_cannot_be_built_is_an_error(void **state)
{
	struct fixture *f = *state;
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	assert_non_null(m);
	f->res->t_end_us = NAN; /* JSON has no NaN: boot_us cannot be built */
	assert_int_equal(boot_report_json(m, &f->o, f->res), -1);
	fclose(m);
	/* What could be built is there, and still parses: only the failed member is missing. */
	json_t *root = json_loads(buf, 0, NULL);
	assert_non_null(root);
	assert_null(json_object_get(root, "boot_us"));
	assert_non_null(json_object_get(root, "panic"));
	json_decref(root);
	free(buf);
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static char *file_read(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	assert_non_null(fp);
	char *s = malloc(1 << 20);
	assert_non_null(s);
	*len = fread(s, 1, (1 << 20) - 1, fp);
	s[*len] = 0;
	fclose(fp);
	return s;
}

/* The run stored as `vmsweep run` stores it, and a run from an older store that kept
 * the guest's bytes raw: the report shows both safe. */
static void test_the_store_and_the_report_get_safe_text(void **state)
{
	struct fixture *f = *state;
	struct store_run run;
	assert_int_equal(store_run_from_vm_result(f->res, NULL, &run), 0);
	assert_terminal_safe("the stored cause", run.cause, strlen(run.cause));
	assert_terminal_safe("the stored console", run.console, run.console_len);
	assert_non_null(strstr(run.console, "hello \\x1b]0;pwned\\x07"));

	char dir[] = "/tmp/test_guest_output.XXXXXX", err[512] = "", path[64];
	static const char *const params[] = { "vcpus" };
	static const int64_t values[] = { 1, 2 };
	static const struct store_plan_run plan[] = { { 0, 0, 1 }, { 1, 0, 2 } };
	struct store *s;
	assert_non_null(mkdtemp(dir));
	if (store_open(dir, true, &s, err, sizeof(err)) ||
	    plan_write(s, 1, params, 2, values, 2, plan, err, sizeof(err)) ||
	    store_run_record(s, 0, &run, err, sizeof(err)))
		fail_msg("%s", err);
	store_run_free(&run);
	struct store_run raw = { .status = STORE_FAILED, .exit_status = 3 };
	snprintf(raw.cause, sizeof(raw.cause), "panic: " PANIC_MSG);
	assert_non_null(raw.console = strdup("raw " TITLE_SEQ " \xff\n"));
	raw.console_len = strlen(raw.console);
	if (store_run_record(s, 1, &raw, err, sizeof(err)))
		fail_msg("%s", err);
	store_run_free(&raw);

	struct report r;
	if (report_load(&r, s, dir, err, sizeof(err)))
		fail_msg("report_load: %s", err);
	assert_int_equal(r.nr_failed_runs, 2);
	for (size_t i = 0; i < r.nr_failed_runs; i++) {
		assert_terminal_safe("a failed run's cause", r.failed[i].cause, strlen(r.failed[i].cause));
		assert_terminal_safe("a failed run's console", r.failed[i].console, strlen(r.failed[i].console));
	}
	snprintf(path, sizeof(path), "%s/report.md", dir);
	if (report_md_write(&r, path, err, sizeof(err)))
		fail_msg("%s", err);
	size_t len;
	char *md = file_read(path, &len);
	assert_terminal_safe("report.md", md, len);
	assert_non_null(strstr(md, "raw \\x1b]0;pwned\\x07 \\xff"));
	free(md);
	snprintf(path, sizeof(path), "%s/report.html", dir);
	if (report_html_write(&r, path, dir, err, sizeof(err)))
		fail_msg("%s", err);
	char *html = file_read(path, &len);
	assert_terminal_safe("report.html", html, len);
	assert_non_null(strstr(html, "raw \\x1b]0;pwned\\x07 \\xff"));
	free(html);
	remove(path);
	report_free(&r);
	store_close(s);
	nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

/* --console: the guest's console as it is drained, a character cut by the ring's
 * chunks waiting for its end rather than shown as two bad bytes. */
static void test_the_live_console_is_neutralised_as_it_comes(void **state)
{
	(void)state;
	struct vm *vm = calloc(1, sizeof(*vm));
	struct vm_result *res = calloc(1, sizeof(*res));
	struct vm_config cfg = { 0 };
	struct guest_mem mem = { .size = 1u << 16 };
	char *shown = NULL;
	size_t len = 0;
	assert_non_null(vm);
	assert_non_null(res);
	assert_non_null(mem.host = aligned_alloc(4096, mem.size));
	assert_non_null(cfg.console_live = open_memstream(&shown, &len));
	vm->cfg = &cfg;
	vm->res = res;
	vm->wake_fd = -1;
	atomic_init(&vm->status, VM_RUNNING);
	assert_int_equal(ring_reader_init(&vm->console, "console", &mem, 0x1000, 256), 0);
	static const char chunks[][16] = { "a\x1b[2Jb\xe2", "\x82\xac\x9b\n" };
	for (size_t c = 0; c < 2; c++) {
		struct vms_ring *ring = vm->console.ring;
		size_t n = strlen(chunks[c]);
		for (size_t i = 0; i < n; i++)
			ring->data[(ring->head + i) & 255] = (uint8_t)chunks[c][i];
		__atomic_store_n(&ring->head, ring->head + n, __ATOMIC_RELEASE);
		assert_int_equal(vm_drain(vm), 0);
		fflush(cfg.console_live);
		assert_string_equal(shown, c == 0 ? "a\\x1b[2Jb" : "a\\x1b[2Jb\xe2\x82\xac\\x9b\n");
	}
	fclose(cfg.console_live);
	free(shown);
	buf_free(&vm->console_buf);
	free(mem.host);
	free(res);
	free(vm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_the_reason_is_one_safe_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_the_terminal_sees_no_escape_sequence, setup, teardown),
		cmocka_unit_test_setup_teardown(test_the_json_is_whole_valid_and_escaped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_that_cannot_be_built_is_an_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_the_store_and_the_report_get_safe_text, setup, teardown),
		cmocka_unit_test(test_the_live_console_is_neutralised_as_it_comes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
