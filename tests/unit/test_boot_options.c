/*
 * `vmsweep boot` options (harness/cmd/boot_options.c): the defaults a user gets without
 * options, the values each option accepts, and for each value refused, a message that
 * names the option and says what is wrong. Parsing runs several times in this one
 * process, as it does in the tests of the harness: the parser must reset getopt.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cmd/boot_options.h"
#include "util/knob.h"

#define MIB (1ull << 20)
#define GIB (1ull << 30)
#define NS_PER_MS 1000000ull
#define NS_PER_S 1000000000ull

/* argv for `vmsweep boot ARGS...`, NULL-terminated as main() gets it. */
#define ARGV(...) ((char *[]){ "boot", __VA_ARGS__, NULL })
#define ARGC(v) ((int)(sizeof(v) / sizeof((v)[0])) - 1)

static int run_parse(int argc, char **argv, struct boot_options *o, FILE *out, char *err, size_t errlen)
{
	memset(err, 0, errlen);
	return boot_options_parse(argc, argv, o, out, err, errlen);
}

/* The options must be accepted; o holds the result. */
#define PARSE_OK(o, ...)                                                                  \
	do {                                                                              \
		char *argv_[] = { "boot", __VA_ARGS__, NULL };                            \
		char err_[512];                                                           \
		int r_ = run_parse(ARGC(argv_), argv_, (o), stderr, err_, sizeof(err_));  \
		if (r_ != 0)                                                              \
			fail_msg("boot_options_parse returned %d: %s", r_, err_);         \
	} while (0)

/* The options must be refused with a message carrying every phrase given. */
static void refused(int argc, char **argv, const char *const *phrases)
{
	struct boot_options o;
	char err[512];
	int r = run_parse(argc, argv, &o, stderr, err, sizeof(err));

	if (r != -1) {
		char cmd[512] = "";
		for (int i = 1; i < argc; i++) {
			strncat(cmd, argv[i], sizeof(cmd) - strlen(cmd) - 2);
			strcat(cmd, " ");
		}
		fail_msg("`boot %s` returned %d, want -1", cmd, r);
	}
	if (!err[0])
		fail_msg("refused without a message");
	/* Shown with control characters escaped, should there be any. */
	char shown[4 * sizeof(err)], *w = shown;
	for (const char *c = err; *c; c++)
		w += (unsigned char)*c < 0x20 ? sprintf(w, "\\x%02x", (unsigned char)*c) : sprintf(w, "%c", *c);
	*w = 0;
	for (const char *const *p = phrases; *p; p++)
		if (!strstr(err, *p))
			fail_msg("error \"%s\" lacks \"%s\"", shown, *p);
	/* One line, printable: it goes after "vmsweep boot: " on the terminal. */
	if (strcmp(shown, err) != 0)
		fail_msg("error \"%s\" holds control characters", shown);
}

#define REFUSED(args, ...)                                                                \
	do {                                                                              \
		char **argv_ = args;                                                      \
		int argc_ = 0;                                                            \
		while (argv_[argc_])                                                      \
			argc_++;                                                          \
		refused(argc_, argv_, (const char *const[]){ __VA_ARGS__, NULL });        \
	} while (0)

static void assert_knobs_default_except(const struct boot_options *o, int skip1, int skip2)
{
	for (int i = 0; i < VMS_KNOB_COUNT; i++) {
		if (i == skip1 || i == skip2)
			continue;
		if (o->vm.knobs[i] != knob_table[i].def)
			fail_msg("knob %s = %lld, want its default %lld", knob_table[i].name, (long long)o->vm.knobs[i],
				 (long long)knob_table[i].def);
	}
}

/* ---- defaults ---- */

static void test_no_options_gives_the_documented_defaults(void **state)
{
	struct boot_options o;
	char err[256];
	char *argv[] = { "boot", NULL };

	memset(&o, 0xa5, sizeof(o)); /* the parser must set everything itself */
	assert_int_equal(run_parse(1, argv, &o, stderr, err, sizeof(err)), 0);
	assert_int_equal(o.vm.mem_size, 128 * MIB);
	assert_int_equal(o.vm.nr_cpus, 2);
	/* The tick was 1000 Hz until commit 3aa890a made it 250 (Debian's CONFIG_HZ_250). */
	assert_int_equal(o.vm.hz, VM_DEFAULT_HZ);
	assert_int_equal(VM_DEFAULT_HZ, 250);
	assert_int_equal(o.vm.timeout_ns, 30 * NS_PER_S);
	assert_true(o.vm.prefault);
	assert_int_equal(o.vm.seed, 1);
	assert_false(o.vm.verbose);
	assert_false(o.json);
	assert_false(o.console);
	assert_non_null(o.log_path);
	assert_string_equal(o.log_path, "vmsweep-console.log");
	assert_knobs_default_except(&o, -1, -1);
	/* The knobs the built-in workload reads, by value, as --help documents them. */
	assert_int_equal(o.vm.knobs[VMS_KNOB_spin_ms], 2);
	assert_int_equal(o.vm.knobs[VMS_KNOB_sleep_ms], 2);
	assert_int_equal(o.vm.knobs[VMS_KNOB_duration_ms], 100);
	assert_int_equal(o.vm.knobs[VMS_KNOB_timeslice_ms], 4);
	assert_int_equal(o.vm.knobs[VMS_KNOB_watchdog_thresh], 10);
	/* The built-in kernel of this tree. */
	assert_non_null(o.vm.kernel_path);
	size_t l = strlen(o.vm.kernel_path), s = strlen("guest/guest.elf");
	assert_true(l >= s);
	assert_string_equal(o.vm.kernel_path + l - s, "guest/guest.elf");
}

/* ---- accepted values ---- */

static void test_memory_accepts_16M_1G_64G(void **state)
{
	struct boot_options o;

	PARSE_OK(&o, "--memory", "16M");
	assert_int_equal(o.vm.mem_size, 16 * MIB);
	PARSE_OK(&o, "--memory", "1G");
	assert_int_equal(o.vm.mem_size, 1 * GIB);
	PARSE_OK(&o, "--memory", "64G");
	assert_int_equal(o.vm.mem_size, 64 * GIB);
	PARSE_OK(&o, "--memory", "1.5G");
	assert_int_equal(o.vm.mem_size, 1536 * MIB);
	PARSE_OK(&o, "--memory=256M"); /* the --opt=value form */
	assert_int_equal(o.vm.mem_size, 256 * MIB);
}

static void test_vcpus_accepts_1_and_64(void **state)
{
	struct boot_options o;

	PARSE_OK(&o, "--vcpus", "1");
	assert_int_equal(o.vm.nr_cpus, 1);
	PARSE_OK(&o, "--vcpus", "64");
	assert_int_equal(o.vm.nr_cpus, 64);
}

static void test_hz_accepts_5000_and_0_without_sleeping(void **state)
{
	struct boot_options o;

	PARSE_OK(&o, "--hz", "5000");
	assert_int_equal(o.vm.hz, 5000);
	PARSE_OK(&o, "--hz", "0", "--set", "sleep_ms=0");
	assert_int_equal(o.vm.hz, 0);
	assert_int_equal(o.vm.knobs[VMS_KNOB_sleep_ms], 0);
	/* Order does not matter: the check is made once every option is read. */
	PARSE_OK(&o, "--set", "sleep_ms=0", "--hz", "0");
	assert_int_equal(o.vm.hz, 0);
	/* A workload that runs for 0 ms never sleeps either. */
	PARSE_OK(&o, "--hz", "0", "--set", "duration_ms=0");
	assert_int_equal(o.vm.hz, 0);
	assert_int_equal(o.vm.knobs[VMS_KNOB_sleep_ms], 2);
}

static void test_timeout_accepts_500ms_2m_and_0_for_never(void **state)
{
	struct boot_options o;

	PARSE_OK(&o, "--timeout", "500ms");
	assert_int_equal(o.vm.timeout_ns, 500 * NS_PER_MS);
	PARSE_OK(&o, "--timeout", "2m");
	assert_int_equal(o.vm.timeout_ns, 120 * NS_PER_S);
	PARSE_OK(&o, "--timeout", "0");
	assert_int_equal(o.vm.timeout_ns, 0);
	PARSE_OK(&o, "--timeout", "45"); /* a plain number is seconds */
	assert_int_equal(o.vm.timeout_ns, 45 * NS_PER_S);
}

static void test_set_repeated_and_comma_lists_apply_in_order(void **state)
{
	struct boot_options o;

	PARSE_OK(&o, "--set", "spin_ms=5");
	assert_int_equal(o.vm.knobs[VMS_KNOB_spin_ms], 5);
	assert_knobs_default_except(&o, VMS_KNOB_spin_ms, -1);

	PARSE_OK(&o, "--set", "spin_ms=5", "--set", "sleep_ms=7");
	assert_int_equal(o.vm.knobs[VMS_KNOB_spin_ms], 5);
	assert_int_equal(o.vm.knobs[VMS_KNOB_sleep_ms], 7);
	assert_knobs_default_except(&o, VMS_KNOB_spin_ms, VMS_KNOB_sleep_ms);

	PARSE_OK(&o, "--set", "spin_ms=3,sleep_ms=1s");
	assert_int_equal(o.vm.knobs[VMS_KNOB_spin_ms], 3);
	assert_int_equal(o.vm.knobs[VMS_KNOB_sleep_ms], 1000);

	/* A later --set of the same knob wins, across options and within a list. */
	PARSE_OK(&o, "--set", "spin_ms=5", "--set", "spin_ms=9");
	assert_int_equal(o.vm.knobs[VMS_KNOB_spin_ms], 9);
	PARSE_OK(&o, "--set", "spin_ms=5,spin_ms=11");
	assert_int_equal(o.vm.knobs[VMS_KNOB_spin_ms], 11);
}

static void test_kernel_log_seed_and_flags_are_recorded(void **state)
{
	struct boot_options o;

	PARSE_OK(&o, "--kernel", "/tmp/my.elf", "--log", "/tmp/console.txt", "--seed", "42");
	assert_string_equal(o.vm.kernel_path, "/tmp/my.elf");
	assert_string_equal(o.log_path, "/tmp/console.txt");
	assert_int_equal(o.vm.seed, 42);
	assert_false(o.json);
	assert_false(o.console);
	assert_false(o.vm.verbose);
	assert_true(o.vm.prefault);

	PARSE_OK(&o, "--json");
	assert_true(o.json);
	assert_false(o.console);
	PARSE_OK(&o, "--console");
	assert_true(o.console);
	assert_false(o.json);
	PARSE_OK(&o, "--verbose");
	assert_true(o.vm.verbose);
	PARSE_OK(&o, "--no-prefault");
	assert_false(o.vm.prefault);

	PARSE_OK(&o, "--json", "--console", "--verbose", "--no-prefault");
	assert_true(o.json);
	assert_true(o.console);
	assert_true(o.vm.verbose);
	assert_false(o.vm.prefault);
}

/* ---- refused values: the message names the option and the cause ---- */

static void test_memory_refuses_out_of_range_unaligned_and_bad_unit(void **state)
{
	REFUSED(ARGV("--memory", "15M"), "--memory 15M", "out of range 16M..64G");
	REFUSED(ARGV("--memory", "65G"), "--memory 65G", "out of range 16M..64G");
	REFUSED(ARGV("--memory", "17M"), "--memory 17M", "multiple of 2M");
	REFUSED(ARGV("--memory", "12X"), "--memory 12X", "unknown unit 'X'");
	REFUSED(ARGV("--memory", "-1G"), "--memory -1G", "negative");
}

static void test_vcpus_refuses_0_65_and_non_numbers(void **state)
{
	REFUSED(ARGV("--vcpus", "0"), "--vcpus", "'0'", "out of range 1..64");
	REFUSED(ARGV("--vcpus", "65"), "--vcpus", "'65'", "out of range 1..64");
	REFUSED(ARGV("--vcpus", "abc"), "--vcpus", "'abc'", "expected a number");
}

static void test_hz_refuses_5001_and_negative(void **state)
{
	REFUSED(ARGV("--hz", "5001"), "--hz", "'5001'", "out of range 0..5000");
	REFUSED(ARGV("--hz", "-1"), "--hz", "'-1'", "out of range 0..5000");
}

static void test_hz_0_refuses_a_sleeping_workload(void **state)
{
	/* The default workload sleeps 2 ms per cycle: with no tick nothing would wake it. */
	REFUSED(ARGV("--hz", "0"), "--hz 0", "sleeps", "sleep_ms=0");
	REFUSED(ARGV("--hz", "0", "--set", "sleep_ms=3"), "--hz 0", "sleeps");
}

static void test_set_refuses_unknown_knob_and_out_of_range(void **state)
{
	REFUSED(ARGV("--set", "nosuch=1"), "--set nosuch=1", "unknown knob 'nosuch'");
	REFUSED(ARGV("--set", "spin_msx=1"), "--set spin_msx=1", "unknown knob 'spin_msx'",
		"did you mean 'spin_ms'");
	REFUSED(ARGV("--set", "spin_ms=-1"), "--set spin_ms=-1", "out of range 0..3600000");
	/* In a list, the message names the entry that failed. */
	REFUSED(ARGV("--set", "spin_ms=1,sleep_ms=-5"), "sleep_ms=-5", "out of range");
}

static void test_timeout_refuses_negative(void **state)
{
	REFUSED(ARGV("--timeout", "-1s"), "--timeout", "'-1s'", "negative");
	REFUSED(ARGV("--timeout", "5 parsecs"), "--timeout", "'5 parsecs'");
}

static void test_unknown_option_is_named(void **state)
{
	REFUSED(ARGV("--bogus"), "unknown option '--bogus'");
	REFUSED(ARGV("-x"), "unknown option '-x'");
	REFUSED(ARGV("--bogus=1"), "'--bogus=1'");
}

static void test_stray_argument_is_named(void **state)
{
	REFUSED(ARGV("stray"), "unexpected argument 'stray'");
	REFUSED(ARGV("--vcpus", "4", "stray"), "unexpected argument 'stray'");
	/* Options are not looked for after an argument (the "+" of the optstring). */
	REFUSED(ARGV("stray", "--vcpus", "4"), "unexpected argument 'stray'");
}

/* A missing value, or a value given to a flag, is named with its option. */
static void test_missing_value_names_the_option(void **state)
{
	REFUSED(ARGV("--memory"), "--memory", "value");
	REFUSED(ARGV("--vcpus"), "--vcpus", "value");
}

static void test_value_given_to_a_flag_names_the_option(void **state)
{
	REFUSED(ARGV("--json=1"), "--json");
	REFUSED(ARGV("--no-prefault=yes"), "--no-prefault");
}

/* ---- help ---- */

static char *help_text(int argc, char **argv, int *ret)
{
	struct boot_options o;
	char err[256];
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	*ret = run_parse(argc, argv, &o, f, err, sizeof(err));
	assert_int_equal(fclose(f), 0);
	assert_non_null(buf);
	return buf;
}

static void test_help_returns_1_and_prints_usage_to_the_given_file(void **state)
{
	char *argv_h[] = { "boot", "-h", NULL }, *argv_help[] = { "boot", "--help", NULL };
	char *argv_late[] = { "boot", "--vcpus", "4", "--help", NULL };
	int r;

	char *text = help_text(2, argv_h, &r);
	assert_int_equal(r, 1);
	assert_non_null(strstr(text, "usage: vmsweep boot"));
	assert_non_null(strstr(text, "--memory"));
	assert_non_null(strstr(text, "--no-prefault"));
	/* The knob table, so that --set keys are discoverable. */
	for (int i = 0; i < VMS_KNOB_COUNT; i++)
		if (!strstr(text, knob_table[i].name))
			fail_msg("--help does not list knob %s", knob_table[i].name);
	char *text2 = help_text(2, argv_help, &r);
	assert_int_equal(r, 1);
	assert_string_equal(text, text2);
	free(text2);
	text2 = help_text(4, argv_late, &r);
	assert_int_equal(r, 1);
	assert_string_equal(text, text2);
	free(text2);
	free(text);
}

/* What --help says each default is, is what a run without options gets. */
static void test_help_states_the_defaults_the_parser_uses(void **state)
{
	char *argv_help[] = { "boot", "--help", NULL }, *none[] = { "boot", NULL };
	struct boot_options o;
	char err[256], want[64];
	int r;

	char *text = help_text(2, argv_help, &r);
	assert_int_equal(run_parse(1, none, &o, stderr, err, sizeof(err)), 0);
	const char *hz = strstr(text, "--hz");
	assert_non_null(hz);
	snprintf(want, sizeof(want), "(default %u)", o.vm.hz);
	const char *eol = strchr(hz, '\n'), *d = strstr(hz, want);
	if (!d || (eol && d > eol))
		fail_msg("the --hz line of --help does not say \"%s\"", want);
	const char *mem = strstr(text, "--memory"), *cpus = strstr(text, "--vcpus"), *to = strstr(text, "--timeout");
	assert_non_null(mem);
	assert_non_null(cpus);
	assert_non_null(to);
	assert_int_equal(o.vm.mem_size, 128 * MIB);
	assert_non_null(strstr(mem, "(default 128M)"));
	assert_int_equal(o.vm.nr_cpus, 2);
	assert_non_null(strstr(cpus, "(default 2)"));
	assert_int_equal(o.vm.timeout_ns, 30 * NS_PER_S);
	assert_non_null(strstr(to, "default 30s"));
	free(text);
}

/* ---- parsing more than once ---- */

static void test_parsing_again_starts_from_scratch(void **state)
{
	struct boot_options o;
	char err[256];
	int r;

	PARSE_OK(&o, "--memory", "1G", "--vcpus", "8", "--no-prefault", "--json", "--set", "spin_ms=9");
	assert_int_equal(o.vm.mem_size, GIB);

	/* Nothing of the previous parse survives. */
	char *none[] = { "boot", NULL };
	assert_int_equal(run_parse(1, none, &o, stderr, err, sizeof(err)), 0);
	assert_int_equal(o.vm.mem_size, 128 * MIB);
	assert_int_equal(o.vm.nr_cpus, 2);
	assert_true(o.vm.prefault);
	assert_false(o.json);
	assert_int_equal(o.vm.knobs[VMS_KNOB_spin_ms], 2);

	/* After an error in the middle of the list, the next parse reads from the start. */
	char *bad[] = { "boot", "--vcpus", "4", "--bogus", "--hz", "10", NULL };
	assert_int_equal(run_parse(6, bad, &o, stderr, err, sizeof(err)), -1);
	PARSE_OK(&o, "--vcpus", "3");
	assert_int_equal(o.vm.nr_cpus, 3);
	assert_int_equal(o.vm.hz, VM_DEFAULT_HZ);

	/* Help in the middle of a cluster of short options ("-hx"): getopt stops inside
	 * the word; the next parse must not resume at the 'x'. */
	char *cluster[] = { "boot", "-hx", NULL };
	char *text = help_text(2, cluster, &r);
	assert_int_equal(r, 1);
	free(text);
	PARSE_OK(&o, "--vcpus", "5");
	assert_int_equal(o.vm.nr_cpus, 5);

	/* Many times over: still the same answers. */
	for (int i = 0; i < 100; i++) {
		PARSE_OK(&o, "--hz", "333");
		assert_int_equal(o.vm.hz, 333);
		REFUSED(ARGV("--hz", "5001"), "--hz", "out of range");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_options_gives_the_documented_defaults),
		cmocka_unit_test(test_memory_accepts_16M_1G_64G),
		cmocka_unit_test(test_vcpus_accepts_1_and_64),
		cmocka_unit_test(test_hz_accepts_5000_and_0_without_sleeping),
		cmocka_unit_test(test_timeout_accepts_500ms_2m_and_0_for_never),
		cmocka_unit_test(test_set_repeated_and_comma_lists_apply_in_order),
		cmocka_unit_test(test_kernel_log_seed_and_flags_are_recorded),
		cmocka_unit_test(test_memory_refuses_out_of_range_unaligned_and_bad_unit),
		cmocka_unit_test(test_vcpus_refuses_0_65_and_non_numbers),
		cmocka_unit_test(test_hz_refuses_5001_and_negative),
		cmocka_unit_test(test_hz_0_refuses_a_sleeping_workload),
		cmocka_unit_test(test_set_refuses_unknown_knob_and_out_of_range),
		cmocka_unit_test(test_timeout_refuses_negative),
		cmocka_unit_test(test_unknown_option_is_named),
		cmocka_unit_test(test_stray_argument_is_named),
		cmocka_unit_test(test_missing_value_names_the_option),
		cmocka_unit_test(test_value_given_to_a_flag_names_the_option),
		cmocka_unit_test(test_help_returns_1_and_prints_usage_to_the_given_file),
		cmocka_unit_test(test_help_states_the_defaults_the_parser_uses),
		cmocka_unit_test(test_parsing_again_starts_from_scratch),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
