/*
 * The guest's text made safe (harness/util/guest_text.c): the terminal form escapes
 * controls (ESC above all), C1 controls and bytes that are not UTF-8 as \xNN, is cut
 * only between whole characters or escapes, and is idempotent; the JSON form is valid
 * UTF-8 with U+FFFD for bad bytes, which jansson accepts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "util/guest_text.h"

#define S(lit) (lit), sizeof(lit) - 1

static const char *term(const char *src, size_t n, unsigned flags)
{
	static char buf[256];
	return guest_text_terminal(buf, sizeof(buf), src, n, flags);
}

static void test_escape_sequences_are_neutralised(void **state)
{
	(void)state;
	assert_string_equal(term(S("a\x1b[2Jb\x1b]0;pwned\x07"), 0), "a\\x1b[2Jb\\x1b]0;pwned\\x07");
	assert_string_equal(term(S("cr\rdel\x7f nul\0end"), 0), "cr\\x0ddel\\x7f nul\\x00end");
	/* C1 controls: CSI as U+009B, and as a lone byte (not UTF-8: escaped as well). */
	assert_string_equal(term(S("\xc2\x9b" "2J \x9b" "2J"), 0), "\\xc2\\x9b2J \\x9b2J");
	/* Newlines and tabs stay, unless the text must stay on one line. */
	assert_string_equal(term(S("l1\n\tl2"), 0), "l1\n\tl2");
	assert_string_equal(term(S("l1\n\tl2"), GUEST_TEXT_ONE_LINE), "l1\\x0a\\x09l2");
}

static void test_utf8_stays_and_bad_bytes_are_escaped(void **state)
{
	(void)state;
	assert_string_equal(term(S("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"), 0),
			    "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	/* A stray continuation, a lead without its tail, an overlong '/', a surrogate, > U+10FFFF. */
	assert_string_equal(term(S("\x80|\xc3|\xc0\xaf|\xed\xa0\x80|\xf4\x90\x80\x80"), 0),
			    "\\x80|\\xc3|\\xc0\\xaf|\\xed\\xa0\\x80|\\xf4\\x90\\x80\\x80");
	assert_true(guest_text_utf8_valid(S("caf\xc3\xa9")));
	assert_false(guest_text_utf8_valid(S("caf\xe9")));
}

static void test_terminal_form_is_idempotent_and_valid(void **state)
{
	(void)state;
	char once[256], twice[256];
	char all[256];
	for (int i = 0; i < 256; i++)
		all[i] = (char)i;
	guest_text_terminal(once, sizeof(once), all, 64, 0);
	guest_text_terminal(twice, sizeof(twice), once, strlen(once), 0);
	assert_string_equal(once, twice);
	char *big = guest_text_terminal_dup(all, sizeof(all), 0);
	assert_non_null(big);
	assert_true(guest_text_utf8_valid(big, strlen(big)));
	for (const char *p = big; *p; p++)
		if ((uint8_t)*p < 0x20 && *p != '\n' && *p != '\t')
			fail_msg("control %#x left in the terminal form", (unsigned)(uint8_t)*p);
	free(big);
}

static void test_a_full_buffer_is_cut_between_whole_units(void **state)
{
	(void)state;
	char b[8];
	/* "ab" fits, then \x1b (4) would end at 6 + NUL = 7: fits; "c" fits; \x1b does not. */
	assert_string_equal(guest_text_terminal(b, sizeof(b), S("ab\x1b" "c\x1b"), 0), "ab\\x1bc");
	/* Never half an escape ... */
	assert_string_equal(guest_text_terminal(b, 4, S("a\x1b"), 0), "a");
	/* ... nor half a character. */
	assert_string_equal(guest_text_terminal(b, 4, S("a\xe2\x82\xac"), 0), "a");
	assert_string_equal(guest_text_terminal(b, 5, S("a\xe2\x82\xac"), 0), "a\xe2\x82\xac");
	assert_string_equal(guest_text_terminal(b, 1, S("abc"), 0), "");
}

static void test_in_place_for_fixed_fields(void **state)
{
	(void)state;
	char reason[16] = "x\x1b[2Jy\xff";
	guest_text_terminal_inplace(reason, sizeof(reason), GUEST_TEXT_ONE_LINE);
	assert_string_equal(reason, "x\\x1b[2Jy\\xff");
	char small[8] = "\x1b\x1b\x1b";
	guest_text_terminal_inplace(small, sizeof(small), 0);
	assert_string_equal(small, "\\x1b");
}

static void test_json_form_is_valid_utf8_with_controls_escaped(void **state)
{
	(void)state;
	json_t *s = guest_text_json(S("boom \x1b[2J \xff end"));
	assert_non_null(s);
	assert_string_equal(json_string_value(s), "boom \x1b[2J \xef\xbf\xbd end");
	char *doc = json_dumps(s, JSON_ENCODE_ANY);
	assert_non_null(doc);
	assert_string_equal(doc, "\"boom \\u001B[2J \xef\xbf\xbd end\"");
	free(doc);
	json_decref(s);
	/* A fixed field without its NUL: only max bytes are read. */
	char task[4] = { 'a', 'b', '\xc3', '\xa9' };
	assert_non_null(s = guest_text_json_str(task, sizeof(task)));
	assert_string_equal(json_string_value(s), "ab\xc3\xa9");
	json_decref(s);
	assert_non_null(s = guest_text_json(S("")));
	assert_string_equal(json_string_value(s), "");
	json_decref(s);
}

static void test_a_character_cut_by_a_chunk_waits_for_the_rest(void **state)
{
	(void)state;
	assert_int_equal(guest_text_complete(S("ab")), 2);
	assert_int_equal(guest_text_complete(S("ab\xe2")), 2);
	assert_int_equal(guest_text_complete(S("ab\xe2\x82")), 2);
	assert_int_equal(guest_text_complete(S("ab\xe2\x82\xac")), 5);
	assert_int_equal(guest_text_complete(S("ab\xf0\x9f\x98")), 2);
	/* Bytes that can never become a character are not held back. */
	assert_int_equal(guest_text_complete(S("ab\xff")), 3);
	assert_int_equal(guest_text_complete(S("ab\xe2\x41")), 4);
	assert_int_equal(guest_text_complete(S("ab\xe0\x80")), 4); /* overlong from the start */
	assert_int_equal(guest_text_complete(S("\x80\x80\x80\x80")), 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_sequences_are_neutralised),
		cmocka_unit_test(test_utf8_stays_and_bad_bytes_are_escaped),
		cmocka_unit_test(test_terminal_form_is_idempotent_and_valid),
		cmocka_unit_test(test_a_full_buffer_is_cut_between_whole_units),
		cmocka_unit_test(test_in_place_for_fixed_fields),
		cmocka_unit_test(test_json_form_is_valid_utf8_with_controls_escaped),
		cmocka_unit_test(test_a_character_cut_by_a_chunk_waits_for_the_rest),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
