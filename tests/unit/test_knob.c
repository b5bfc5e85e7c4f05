/* The knob table on the host: --set as a user types it, and the errors they get back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "helpers.h"
#include "sweep/config.h"
#include "util/knob.h"

/* Applies arg to fresh defaults and checks that it succeeded. */
static void set_ok(int64_t *v, const char *arg)
{
	char err[512] = "";
	knob_defaults(v);
	if (knob_set(v, arg, err, sizeof(err)) != 0)
		fail_msg("--set %s failed: %s", arg, err);
}

/* Checks that arg fails with phrase in the message and leaves the values alone. */
static void set_bad(const char *arg, const char *phrase)
{
	char err[512] = "";
	int64_t v[VMS_KNOB_COUNT], before[VMS_KNOB_COUNT];
	knob_defaults(v);
	memcpy(before, v, sizeof(v));
	if (knob_set(v, arg, err, sizeof(err)) != -1)
		fail_msg("--set %s accepted", arg);
	assert_err_has(err, "--set");
	assert_err_has(err, phrase);
	assert_memory_equal(v, before, sizeof(v));
}

static void set_err_equal(const char *arg, const char *want)
{
	char err[512] = "";
	int64_t v[VMS_KNOB_COUNT];
	knob_defaults(v);
	assert_int_equal(knob_set(v, arg, err, sizeof(err)), -1);
	assert_string_equal(err, want);
}

static void test_table_matches_knobs_h(void **state)
{
	(void)state;
	assert_string_equal(knob_table[VMS_KNOB_spin_ms].name, "spin_ms");
	assert_int_equal(knob_table[VMS_KNOB_spin_ms].def, 2);
	assert_int_equal(knob_table[VMS_KNOB_spin_ms].min, 0);
	assert_int_equal(knob_table[VMS_KNOB_spin_ms].max, 3600000);
	assert_string_equal(knob_table[VMS_KNOB_spin_ms].unit, "ms");
	assert_string_equal(knob_table[VMS_KNOB_compute_iters].name, "compute_iters");
	assert_true(knob_table[VMS_KNOB_compute_iters].max == 1000000000000ll);
	assert_string_equal(knob_table[VMS_KNOB_fault_test].name, "fault_test");
	for (int i = 0; i < VMS_KNOB_COUNT; i++) {
		const struct knob_desc *k = &knob_table[i];
		assert_non_null(k->name);
		assert_non_null(k->unit);
		assert_non_null(k->help);
		assert_true(k->min <= k->def && k->def <= k->max);
		assert_int_equal(knob_find(k->name), i);
	}
}

static void test_defaults(void **state)
{
	int64_t v[VMS_KNOB_COUNT];
	(void)state;

	memset(v, 0xff, sizeof(v));
	knob_defaults(v);
	for (int i = 0; i < VMS_KNOB_COUNT; i++)
		assert_int_equal(v[i], knob_table[i].def);
	assert_int_equal(v[VMS_KNOB_duration_ms], 100);
	assert_int_equal(v[VMS_KNOB_timeslice_ms], 4);
}

static void test_find(void **state)
{
	(void)state;
	assert_int_equal(knob_find("pingpong"), VMS_KNOB_pingpong);
	assert_int_equal(knob_find("nosuch"), -1);
	assert_int_equal(knob_find("spin"), -1); /* no prefix matching */
	assert_int_equal(knob_find("SPIN_MS"), -1);
	assert_int_equal(knob_find(""), -1);
	assert_int_equal(knob_find(NULL), -1);
}

static void test_suggest(void **state)
{
	(void)state;
	assert_string_equal(knob_suggest("spin_msx"), "spin_ms");
	assert_string_equal(knob_suggest("spni_ms"), "spin_ms"); /* swapped letters */
	/* Two swaps are two edits (four without counting swaps as one). */
	assert_string_equal(knob_suggest("psni_ms"), "spin_ms");
	assert_string_equal(knob_suggest("pnigpnog"), "pingpong");
	assert_string_equal(knob_suggest("SPIN_MS"), "spin_ms");
	assert_string_equal(knob_suggest("spin-ms"), "spin_ms");
	assert_string_equal(knob_suggest("slep_ms"), "sleep_ms");
	assert_string_equal(knob_suggest("pingpnog"), "pingpong");
	assert_string_equal(knob_suggest("watchdog_thres"), "watchdog_thresh");
	assert_string_equal(knob_suggest("timeslice"), "timeslice_ms");
	assert_string_equal(knob_suggest("sample"), "sample_ms");
	assert_null(knob_suggest("frobnicate"));
	assert_null(knob_suggest("x"));
	assert_null(knob_suggest(""));
	assert_null(knob_suggest("a_very_long_name_that_is_nothing_like_any_knob_at_all_spin_ms"));
}

static void test_set_one(void **state)
{
	int64_t v[VMS_KNOB_COUNT];
	(void)state;

	set_ok(v, "spin_ms=7");
	assert_int_equal(v[VMS_KNOB_spin_ms], 7);
	for (int i = 0; i < VMS_KNOB_COUNT; i++)
		if (i != VMS_KNOB_spin_ms)
			assert_int_equal(v[i], knob_table[i].def);
	set_ok(v, "pingpong=0x10");
	assert_int_equal(v[VMS_KNOB_pingpong], 16);
	set_ok(v, "compute_iters=1000000000000");
	assert_true(v[VMS_KNOB_compute_iters] == 1000000000000ll);
}

static void test_set_messages_from_the_brief(void **state)
{
	(void)state;
	set_err_equal("spin_msx=3", "--set spin_msx=3: unknown knob 'spin_msx' (did you mean 'spin_ms'?)");
	set_err_equal("spin_ms=-1", "--set spin_ms=-1: out of range 0..3600000 ms");
	set_err_equal("spin_ms", "--set spin_ms: expected key=value");
	set_err_equal("spin_ms=", "--set spin_ms=: empty value");
}

static void test_set_malformed(void **state)
{
	(void)state;
	set_bad("", "expected key=value");
	set_bad("=5", "expected key=value");
	set_bad("frobnicate=1", "unknown knob 'frobnicate'");
	set_bad("frobnicate=1", "--help");
	set_bad("spin_ms=5,", "empty entry");
	set_bad(",spin_ms=5", "empty entry");
	set_bad("spin_ms=5,,sleep_ms=1", "empty entry");
	set_bad("spin_ms=abc", "expected an integer number of ms");
	set_bad("spin_ms=1.5", "expected an integer number of ms");
	set_bad("spin_ms=12 ", "expected an integer number of ms");
	set_bad("pingpong=2s", "expected an integer number of rounds");
	set_bad("compute_iters=1k", "expected an integer number of iters");
	set_bad("fault_test=x", "expected an integer");
	set_bad("pingpong=true", "expected an integer");
}

/* For every knob: min and max are accepted, one past either end is refused. */
/* Linux's sysctl handlers: writing one form of a dirty threshold clears the other. */
static void test_dirty_forms_clear_each_other(void **state)
{
	int64_t v[VMS_KNOB_COUNT];

	(void)state;
	set_ok(v, "dirty_ratio=30,dirty_bytes=8m");
	assert_int_equal(v[VMS_KNOB_dirty_bytes], 8 << 20);
	assert_int_equal(v[VMS_KNOB_dirty_ratio], 0);
	set_ok(v, "dirty_bytes=8m,dirty_ratio=30");
	assert_int_equal(v[VMS_KNOB_dirty_bytes], 0);
	assert_int_equal(v[VMS_KNOB_dirty_ratio], 30);
	set_ok(v, "dirty_background_bytes=1048576");
	assert_int_equal(v[VMS_KNOB_dirty_background_bytes], 1 << 20);
	assert_int_equal(v[VMS_KNOB_dirty_background_ratio], 0);
	assert_int_equal(v[VMS_KNOB_dirty_ratio], VMS_KNOB_AUTO); /* the other pair is left alone */
	set_ok(v, "dirty_background_ratio=auto");
	assert_int_equal(v[VMS_KNOB_dirty_background_bytes], 0);
	/* bytes = 0 is "not set": it leaves the ratio as it was */
	set_ok(v, "dirty_ratio=15,dirty_bytes=0");
	assert_int_equal(v[VMS_KNOB_dirty_ratio], 15);
	set_bad("dirty_bytes=1.5k", "dirty_bytes");
}

static void test_set_boundaries(void **state)
{
	(void)state;
	for (int i = 0; i < VMS_KNOB_COUNT; i++) {
		const struct knob_desc *k = &knob_table[i];
		int64_t v[VMS_KNOB_COUNT];
		char arg[128], want[128];

		if (knob_words(i))
			continue; /* words, not numbers: test_words */
		bool has_auto = k->min == VMS_KNOB_AUTO; /* -1 is the word auto, not a number */
		long long lo = has_auto ? 0 : (long long)k->min;
		snprintf(arg, sizeof(arg), "%s=%lld", k->name, lo);
		set_ok(v, arg);
		assert_int_equal(v[i], lo);
		snprintf(arg, sizeof(arg), "%s=%lld", k->name, (long long)k->max);
		set_ok(v, arg);
		assert_int_equal(v[i], k->max);

		snprintf(want, sizeof(want), "out of range %s%lld..%lld", has_auto ? "auto or " : "", lo, (long long)k->max);
		snprintf(arg, sizeof(arg), "%s=%lld", k->name, lo - 1);
		set_bad(arg, want);
		set_bad(arg, k->name);
		snprintf(arg, sizeof(arg), "%s=%lld", k->name, (long long)k->max + 1);
		set_bad(arg, want);
	}
	/* Beyond 64 bits is out of range too, not a syntax error. */
	set_bad("spin_ms=99999999999999999999", "out of range 0..3600000 ms");
	set_bad("spin_ms=-99999999999999999999", "out of range 0..3600000 ms");
	/* Units are named where they are quantities, not for flags and modes. */
	set_err_equal("pingpong=10000001", "--set pingpong=10000001: out of range 0..10000000 rounds");
	set_err_equal("panic_test=2", "--set panic_test=2: out of range 0..1");
	set_err_equal("fault_test=3", "--set fault_test=3: out of range 0..2");
}

static void test_set_time_units(void **state)
{
	int64_t v[VMS_KNOB_COUNT];
	(void)state;

	set_ok(v, "spin_ms=2s");
	assert_int_equal(v[VMS_KNOB_spin_ms], 2000);
	set_ok(v, "spin_ms=1.5s");
	assert_int_equal(v[VMS_KNOB_spin_ms], 1500);
	set_ok(v, "spin_ms=1m");
	assert_int_equal(v[VMS_KNOB_spin_ms], 60000);
	set_ok(v, "spin_ms=1h");
	assert_int_equal(v[VMS_KNOB_spin_ms], 3600000); /* exactly the max */
	set_ok(v, "spin_ms=250ms");
	assert_int_equal(v[VMS_KNOB_spin_ms], 250);
	set_ok(v, "spin_ms=1000us");
	assert_int_equal(v[VMS_KNOB_spin_ms], 1);
	set_ok(v, "duration_ms=24h");
	assert_int_equal(v[VMS_KNOB_duration_ms], 86400000);
	set_ok(v, "watchdog_thresh=1m");
	assert_int_equal(v[VMS_KNOB_watchdog_thresh], 60);
	set_ok(v, "watchdog_thresh=30s");
	assert_int_equal(v[VMS_KNOB_watchdog_thresh], 30);
	set_ok(v, "watchdog_thresh=5000ms");
	assert_int_equal(v[VMS_KNOB_watchdog_thresh], 5);

	set_err_equal("spin_ms=2h", "--set spin_ms=2h: out of range 0..3600000 ms (2h is 7200000 ms)");
	set_bad("watchdog_thresh=61s", "out of range 0..60 s");
	set_bad("watchdog_thresh=2m", "out of range 0..60 s");
	set_bad("spin_ms=1500us", "not a whole number of ms");
	set_bad("watchdog_thresh=500ms", "not a whole number of s");
	set_err_equal("spin_ms=5x", "--set spin_ms=5x: unknown unit 'x' (use ns, us, ms, s, m or h)");
	set_err_equal("spin_ms=-1s", "--set spin_ms=-1s: negative");
	set_bad("spin_ms=2sx", "junk 'x' after the unit");
	set_bad("spin_ms=99999999999h", "too large");
	set_bad("timeslice_ms=0s", "out of range 1..1000 ms");
}

static void test_set_bool(void **state)
{
	static const char *const on[] = { "1", "true", "yes", "on", "TRUE", "On" };
	static const char *const off[] = { "0", "false", "no", "off", "OFF" };
	int64_t v[VMS_KNOB_COUNT];
	char arg[64];
	(void)state;

	for (size_t i = 0; i < sizeof(on) / sizeof(on[0]); i++) {
		snprintf(arg, sizeof(arg), "softlockup_panic=%s", on[i]);
		set_ok(v, arg);
		assert_int_equal(v[VMS_KNOB_softlockup_panic], 1);
	}
	for (size_t i = 0; i < sizeof(off) / sizeof(off[0]); i++) {
		snprintf(arg, sizeof(arg), "softlockup_panic=1,softlockup_panic=%s", off[i]);
		set_ok(v, arg);
		assert_int_equal(v[VMS_KNOB_softlockup_panic], 0);
	}
	set_bad("softlockup_panic=maybe", "expected 0/1, true/false, yes/no or on/off");
	set_bad("softlockup_panic=2", "out of range 0..1");
}

/* Knobs of unit "model" take words, which cover exactly their range. */
static void test_words(void **state)
{
	int64_t v[VMS_KNOB_COUNT];
	(void)state;

	for (int i = 0; i < VMS_KNOB_COUNT; i++) {
		const struct knob_desc *k = &knob_table[i];
		const char *const *w = knob_words(i);
		char arg[128], buf[32];
		int64_t n = 0;

		assert_int_equal(!!w, !strcmp(k->unit, "model"));
		if (!w && k->min == VMS_KNOB_AUTO) {
			snprintf(arg, sizeof(arg), "%s=AUTO", k->name);
			set_ok(v, arg);
			assert_int_equal(v[i], VMS_KNOB_AUTO);
			assert_string_equal(knob_value_word(i, VMS_KNOB_AUTO), "auto");
			assert_null(knob_value_word(i, 7));
			continue;
		}
		if (!w) {
			assert_null(knob_value_word(i, k->def));
			assert_string_equal(knob_value_format(i, 42, buf, sizeof(buf)), "42");
			continue;
		}
		for (; w[n]; n++) {
			snprintf(arg, sizeof(arg), "%s=%s", k->name, w[n]);
			set_ok(v, arg);
			assert_int_equal(v[i], k->min + n);
			assert_string_equal(knob_value_word(i, k->min + n), w[n]);
			assert_string_equal(knob_value_format(i, k->min + n, buf, sizeof(buf)), w[n]);
		}
		assert_int_equal(n, k->max - k->min + 1);
		assert_null(knob_value_word(i, k->min - 1));
		assert_null(knob_value_word(i, k->max + 1));
		assert_non_null(knob_value_word(i, k->def));
	}
	set_ok(v, "watermark_model=2.6"); /* the old name of 2.6.10, and its number */
	assert_int_equal(v[VMS_KNOB_watermark_model], 1);
	set_ok(v, "watermark_model=modern"); /* of 4.6 */
	assert_int_equal(v[VMS_KNOB_watermark_model], 2);
	set_ok(v, "watermark_model=2.6.0");
	assert_int_equal(v[VMS_KNOB_watermark_model], 3);
	set_ok(v, "watermark_model=2.4,kswapd_model=auto");
	assert_int_equal(v[VMS_KNOB_watermark_model], 0);
	assert_int_equal(v[VMS_KNOB_kswapd_model], 3);
	set_ok(v, "kswapd_model=Modern"); /* case does not matter */
	assert_int_equal(v[VMS_KNOB_kswapd_model], 2);
	assert_string_equal(knob_value_word(VMS_KNOB_watermark_model, knob_table[VMS_KNOB_watermark_model].def),
			    "4.6");
	assert_string_equal(knob_value_word(VMS_KNOB_kswapd_model, knob_table[VMS_KNOB_kswapd_model].def), "auto");
	assert_null(knob_value_word(-1, 0));
	assert_null(knob_value_word(VMS_KNOB_COUNT, 0));

	set_err_equal("watermark_model=2.5",
		      "--set watermark_model=2.5: expected one of 2.4, 2.6.10, 4.6, 2.6.0 (did you mean '2.4'?)");
	set_err_equal("watermark_model=4.8",
		      "--set watermark_model=4.8: expected one of 2.4, 2.6.10, 4.6, 2.6.0 (did you mean '4.6'?)");
	set_err_equal("kswapd_model=atuo", "--set kswapd_model=atuo: expected one of 2.4, 2.6, 4.8, auto (did you "
					   "mean 'auto'?)");
	set_ok(v, "reclaim_model=5.9,thp=madvise,swappiness=200");
	assert_int_equal(v[VMS_KNOB_reclaim_model], 1);
	assert_int_equal(v[VMS_KNOB_thp], 1);
	/* The numbers behind the words are refused: "2" is not an era. */
	set_err_equal("watermark_model=2",
		      "--set watermark_model=2: expected one of 2.4, 2.6.10, 4.6, 2.6.0 (this knob takes the words, not "
		      "numbers)");
	set_bad("watermark_model=0", "this knob takes the words");
	set_bad("watermark_model=frobnicate", "expected one of 2.4, 2.6.10, 4.6, 2.6.0");
	set_bad("kswapd_model=auto,watermark_model=2.8", "--set watermark_model=2.8: expected one of");
}

/* A sweep config's [params] and [guest] read knob values through knob_set: words there too. */
static void test_words_in_a_sweep_config(void **state)
{
	static const char text[] = "[sweep]\nname = wm\n[guest]\nmemory = 64M\nkswapd_model = 2.6\n"
				   "[params]\nwatermark_model = 2.4, 2.6, modern\nmin_free_kbytes = 1m, 2048\n";
	char path[] = "/tmp/test_knob.XXXXXX", err[1024] = "";
	struct sweep_config c;
	int fd = mkstemp(path);
	(void)state;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	int r = sweep_config_load(path, &c, err, sizeof(err));
	unlink(path);
	if (r)
		fail_msg("%s", err);
	assert_int_equal(c.nr_params, 2);
	assert_int_equal(c.params[0].knob, VMS_KNOB_watermark_model);
	assert_int_equal(c.params[0].nr_values, 3);
	for (int64_t i = 0; i < 3; i++)
		assert_int_equal(c.params[0].values[i], i);
	assert_int_equal(c.params[1].values[0], 1024);
	assert_int_equal(c.params[1].values[1], 2048);
	assert_int_equal(c.knobs[VMS_KNOB_kswapd_model], 1);
	sweep_config_free(&c);
}

/* KiB knobs: plain numbers are KiB, sizes with a unit are converted. */
static void test_set_kib(void **state)
{
	int64_t v[VMS_KNOB_COUNT];
	(void)state;

	set_ok(v, "min_free_kbytes=1536");
	assert_int_equal(v[VMS_KNOB_min_free_kbytes], 1536);
	set_ok(v, "min_free_kbytes=8m");
	assert_int_equal(v[VMS_KNOB_min_free_kbytes], 8192);
	set_ok(v, "min_free_kbytes=512k");
	assert_int_equal(v[VMS_KNOB_min_free_kbytes], 512);
	set_ok(v, "min_free_kbytes=4G");
	assert_int_equal(v[VMS_KNOB_min_free_kbytes], 4194304);
	set_ok(v, "min_free_kbytes=1.5m");
	assert_int_equal(v[VMS_KNOB_min_free_kbytes], 1536);
	set_err_equal("min_free_kbytes=1000b", "--set min_free_kbytes=1000b: not a whole number of KiB");
	set_err_equal("min_free_kbytes=8g",
		      "--set min_free_kbytes=8g: out of range 0..4194304 KiB (8g is 8388608 KiB)");
	set_bad("min_free_kbytes=12x", "unknown unit");
	set_bad("min_free_kbytes=abc", "expected an integer number of KiB, or a size with a unit");
	set_bad("min_free_kbytes=-1", "out of range 0..4194304 KiB");
}

static void test_set_list_in_order(void **state)
{
	int64_t v[VMS_KNOB_COUNT];
	(void)state;

	set_ok(v, "spin_ms=5,sleep_ms=7,pingpong=3");
	assert_int_equal(v[VMS_KNOB_spin_ms], 5);
	assert_int_equal(v[VMS_KNOB_sleep_ms], 7);
	assert_int_equal(v[VMS_KNOB_pingpong], 3);
	set_ok(v, "spin_ms=5,spin_ms=9");
	assert_int_equal(v[VMS_KNOB_spin_ms], 9);
	/* Successive calls accumulate, as repeated --set options do. */
	char err[256];
	assert_int_equal(knob_set(v, "sleep_ms=11", err, sizeof(err)), 0);
	assert_int_equal(knob_set(v, "pingpong=4,sample_ms=10", err, sizeof(err)), 0);
	assert_int_equal(v[VMS_KNOB_spin_ms], 9);
	assert_int_equal(v[VMS_KNOB_sleep_ms], 11);
	assert_int_equal(v[VMS_KNOB_pingpong], 4);
	assert_int_equal(v[VMS_KNOB_sample_ms], 10);
}

static void test_set_list_failure_names_the_key(void **state)
{
	char err[256];
	int64_t v[VMS_KNOB_COUNT], before[VMS_KNOB_COUNT];
	(void)state;

	set_err_equal("spin_ms=5,sleep_msx=7,pingpong=3",
		      "--set sleep_msx=7: unknown knob 'sleep_msx' (did you mean 'sleep_ms'?)");
	set_err_equal("spin_ms=5,sleep_ms=-1", "--set sleep_ms=-1: out of range 0..3600000 ms");
	set_err_equal("spin_ms=5,sleep_ms", "--set sleep_ms: expected key=value");
	set_err_equal("spin_ms=5,pingpong=", "--set pingpong=: empty value");

	/* All or nothing: the good entries before the bad one are not applied. */
	knob_defaults(v);
	v[VMS_KNOB_spin_ms] = 42;
	memcpy(before, v, sizeof(v));
	assert_int_equal(knob_set(v, "spin_ms=5,sleep_ms=7,pingpong=-3", err, sizeof(err)), -1);
	assert_memory_equal(v, before, sizeof(v));
	assert_err_has(err, "pingpong=-3");
}

static void test_set_error_buffer(void **state)
{
	int64_t v[VMS_KNOB_COUNT];
	char err[12];
	(void)state;

	knob_defaults(v);
	assert_int_equal(knob_set(v, "spin_msx=3", NULL, 0), -1);
	memset(err, 'Z', sizeof(err));
	assert_int_equal(knob_set(v, "spin_msx=3", err, sizeof(err)), -1);
	assert_string_equal(err, "--set spin_"); /* 11 characters and the NUL */
}

static void test_print_help(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	(void)state;

	assert_non_null(f);
	knob_print_help(f);
	assert_int_equal(fclose(f), 0);
	assert_non_null(buf);
	assert_err_has(buf, "default");
	assert_err_has(buf, "0..3600000");
	assert_err_has(buf, "0..1000000000000");
	/* word knobs: the default as a word, the words as the range */
	assert_err_has(buf, " 4.6  2.4|2.6.10|4.6|2.6.0 ");
	assert_err_has(buf, " auto  2.4|2.6|4.8|auto ");

	/* One line per knob after the header, names and help at the same columns. */
	long help_col = -1;
	int lines = 0;
	char *save = NULL;
	for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save), lines++) {
		if (lines == 0)
			continue;
		const struct knob_desc *k = &knob_table[lines - 1];
		char *name = strstr(line, k->name), *help = strstr(line, k->help);
		assert_non_null(name);
		assert_non_null(help);
		assert_int_equal(name - line, 2);
		if (help_col < 0)
			help_col = help - line;
		assert_int_equal(help - line, help_col);
	}
	assert_int_equal(lines, VMS_KNOB_COUNT + 1);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_matches_knobs_h),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_suggest),
		cmocka_unit_test(test_set_one),
		cmocka_unit_test(test_set_messages_from_the_brief),
		cmocka_unit_test(test_set_malformed),
		cmocka_unit_test(test_set_boundaries),
		cmocka_unit_test(test_dirty_forms_clear_each_other),
		cmocka_unit_test(test_set_time_units),
		cmocka_unit_test(test_set_bool),
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_words_in_a_sweep_config),
		cmocka_unit_test(test_set_kib),
		cmocka_unit_test(test_set_list_in_order),
		cmocka_unit_test(test_set_list_failure_names_the_key),
		cmocka_unit_test(test_set_error_buffer),
		cmocka_unit_test(test_print_help),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
