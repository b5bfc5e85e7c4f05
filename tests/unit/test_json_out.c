/*
 * A JSON object written member by member (harness/util/json_out.c): byte for byte what
 * jansson writes for the whole object, an array streamed element by element and objects
 * opened inside it included;
 * a member or element that could not be built fails the document (and the rest is still
 * written); json_put and json_push carry a failure up instead of leaving a hole.
 */
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

#include "util/json_out.h"

struct doc {
	char *buf;
	size_t len;
	FILE *f;
	struct json_out o;
};

static void doc_begin(struct doc *d)
{
	d->buf = NULL;
	d->f = open_memstream(&d->buf, &d->len);
	assert_non_null(d->f);
	json_out_begin(&d->o, d->f);
}

static int doc_end(struct doc *d)
{
	int r = json_out_end(&d->o);
	fclose(d->f);
	return r;
}

static json_t *nested(void)
{
	return json_pack("{s:i, s:[i, {s:s, s:[]}, {}], s:f, s:s}", "a", 1, "b", 2, "c", "x\ny\"", "d", "e", 1.5,
			 "f", "caf\xc3\xa9");
}

static void test_streamed_is_what_jansson_writes(void **state)
{
	(void)state;
	json_t *whole = json_object();
	json_object_set_new(whole, "first", json_string("x"));
	json_object_set_new(whole, "tree", nested());
	json_t *series = json_array();
	for (int i = 0; i < 3; i++)
		json_array_append_new(series, nested());
	json_object_set_new(whole, "series", series);
	json_object_set_new(whole, "none", json_array());
	json_object_set_new(whole, "last", json_null());
	char *want = json_dumps(whole, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	assert_non_null(want);

	struct doc d;
	doc_begin(&d);
	json_out_member(&d.o, "first", json_string("x"));
	json_out_member(&d.o, "tree", nested());
	json_out_array_begin(&d.o, "series");
	for (int i = 0; i < 3; i++)
		json_out_array_add(&d.o, nested());
	json_out_array_end(&d.o);
	json_out_array_begin(&d.o, "none");
	json_out_array_end(&d.o);
	json_out_member(&d.o, "last", json_null());
	assert_int_equal(doc_end(&d), 0);
	size_t n = strlen(want);
	assert_int_equal(d.len, n + 1);
	assert_memory_equal(d.buf, want, n);
	assert_int_equal(d.buf[n], '\n');
	free(want);
	free(d.buf);
	json_decref(whole);

	doc_begin(&d); /* empty */
	assert_int_equal(doc_end(&d), 0);
	assert_string_equal(d.buf, "{}\n");
	free(d.buf);
}

/* A family's object with its series inside, streamed a level down, and empty ones. */
static void test_nested_objects_are_what_jansson_writes(void **state)
{
	(void)state;
	json_t *whole = json_object();
	json_object_set_new(whole, "first", json_integer(1));
	json_t *wb = json_object();
	json_object_set_new(wb, "model", json_string("ioless"));
	json_t *samples = json_object();
	json_object_set_new(samples, "t_ms", json_pack("[i, i, i]", 0, 100, 200));
	json_object_set_new(samples, "none", json_array());
	json_object_set_new(samples, "empty", json_object());
	json_object_set_new(samples, "disks", json_pack("[{s:[i]}]", "wb_dirty", 7));
	json_object_set_new(wb, "samples", samples);
	json_object_set_new(wb, "tree", nested());
	json_object_set_new(whole, "writeback", wb);
	json_object_set_new(whole, "last", json_null());
	char *want = json_dumps(whole, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	assert_non_null(want);

	struct doc d;
	doc_begin(&d);
	json_out_member(&d.o, "first", json_integer(1));
	json_out_object_begin(&d.o, "writeback");
	json_out_member(&d.o, "model", json_string("ioless"));
	json_out_object_begin(&d.o, "samples");
	json_out_array_begin(&d.o, "t_ms");
	for (int i = 0; i < 3; i++)
		json_out_array_add(&d.o, json_integer(100 * i));
	json_out_array_end(&d.o);
	json_out_array_begin(&d.o, "none");
	json_out_array_end(&d.o);
	json_out_object_begin(&d.o, "empty");
	json_out_object_end(&d.o);
	json_out_array_begin(&d.o, "disks");
	json_out_array_add(&d.o, json_pack("{s:[i]}", "wb_dirty", 7));
	json_out_array_end(&d.o);
	json_out_object_end(&d.o);
	json_out_member(&d.o, "tree", nested());
	json_out_object_end(&d.o);
	json_out_member(&d.o, "last", json_null());
	assert_int_equal(doc_end(&d), 0);
	assert_string_equal(d.buf + strlen(want), "\n");
	d.buf[strlen(want)] = 0;
	assert_string_equal(d.buf, want);
	free(want);
	free(d.buf);
	json_decref(whole);

	/* Left open, or closed once too often: the document fails, and is still JSON. */
	doc_begin(&d);
	json_out_object_begin(&d.o, "a");
	json_out_member(&d.o, "b", json_integer(2));
	assert_int_equal(doc_end(&d), -1);
	json_t *back = json_loads(d.buf, 0, NULL);
	assert_non_null(back);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(back, "a"), "b")), 2);
	json_decref(back);
	free(d.buf);
	doc_begin(&d);
	json_out_object_end(&d.o);
	assert_int_equal(doc_end(&d), -1);
	free(d.buf);
}

static void test_what_cannot_be_built_fails_the_document(void **state)
{
	(void)state;
	struct doc d;
	doc_begin(&d);
	json_out_member(&d.o, "a", json_integer(1));
	json_out_member(&d.o, "nan", json_real(NAN)); /* jansson: no NaN, NULL */
	json_out_member(&d.o, "bad", json_string("\xff")); /* not UTF-8: NULL */
	json_out_array_begin(&d.o, "s");
	json_out_array_add(&d.o, json_integer(2));
	json_out_array_add(&d.o, NULL);
	json_out_array_end(&d.o);
	json_out_member(&d.o, "z", json_integer(3));
	assert_int_equal(doc_end(&d), -1);
	/* The rest is written, and is JSON. */
	json_t *back = json_loads(d.buf, 0, NULL);
	assert_non_null(back);
	assert_int_equal(json_object_size(back), 3);
	assert_int_equal(json_array_size(json_object_get(back, "s")), 1);
	json_decref(back);
	free(d.buf);
}

static void test_put_and_push_carry_a_failure_up(void **state)
{
	(void)state;
	json_t *o = json_put(json_object(), "a", json_integer(1));
	assert_non_null(o);
	assert_null(json_put(o, "b", NULL)); /* o is released: ASan would see a leak */
	assert_null(json_put(NULL, "c", json_integer(2))); /* the value is released */
	json_t *a = json_push(json_array(), json_integer(1));
	assert_non_null(a);
	assert_null(json_push(a, NULL));
	assert_null(json_push(NULL, json_string("x")));
	/* In a chain, the first failure wins and nothing leaks. */
	o = json_object();
	o = json_put(o, "x", json_real(NAN));
	o = json_put(o, "y", json_integer(1));
	assert_null(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_streamed_is_what_jansson_writes),
		cmocka_unit_test(test_nested_objects_are_what_jansson_writes),
		cmocka_unit_test(test_what_cannot_be_built_fails_the_document),
		cmocka_unit_test(test_put_and_push_carry_a_failure_up),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
