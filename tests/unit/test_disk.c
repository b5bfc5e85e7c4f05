/* --disk specs as a user types them: the parts, the swap flag, and the errors they get back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "vmm/blk/disk.h"

static void parse_ok(const char *arg, struct disk_config *c)
{
	char err[512] = "";

	if (disk_config_parse(arg, c, err, sizeof(err)))
		fail_msg("--disk %s failed: %s", arg, err);
}

static void parse_err_equal(const char *arg, const char *want)
{
	struct disk_config c;
	char err[512] = "";

	assert_int_equal(disk_config_parse(arg, &c, err, sizeof(err)), -1);
	assert_string_equal(err, want);
}

static void test_parts(void **state)
{
	struct disk_config c;
	(void)state;

	parse_ok("/tmp/d.img", &c);
	assert_string_equal(c.path, "/tmp/d.img");
	assert_int_equal(c.size, 0);
	assert_int_equal(c.cache, DISK_CACHE_NONE);
	assert_int_equal(c.engine, DISK_ENGINE_IO_URING);
	assert_false(c.read_only);
	assert_false(c.swap);
	assert_int_equal(c.queues, 0);

	parse_ok("/tmp/d.img,size=1G,cache=writeback,engine=sync,queues=2,ro", &c);
	assert_int_equal(c.size, 1ull << 30);
	assert_int_equal(c.cache, DISK_CACHE_WRITEBACK);
	assert_int_equal(c.engine, DISK_ENGINE_SYNC);
	assert_int_equal(c.queues, 2);
	assert_true(c.read_only);
	assert_false(c.swap);
}

static void test_swap(void **state)
{
	struct disk_config c;
	(void)state;

	parse_ok("/tmp/swap.img,size=256M,swap", &c);
	assert_true(c.swap);
	assert_false(c.read_only);
	assert_int_equal(c.size, 256ull << 20);
	parse_ok("/tmp/swap.img,swap,cache=unsafe", &c);
	assert_true(c.swap);
	assert_int_equal(c.cache, DISK_CACHE_UNSAFE);

	parse_err_equal("/tmp/s.img,swap,ro", "--disk /tmp/s.img,swap,ro: swap and ro: the guest writes its "
					      "swapped-out pages to a swap disk (drop ro)");
	parse_err_equal("/tmp/s.img,ro,swap", "--disk /tmp/s.img,ro,swap: swap and ro: the guest writes its "
					      "swapped-out pages to a swap disk (drop ro)");
	parse_err_equal("/tmp/s.img,swap=1", "--disk /tmp/s.img,swap=1: 'swap=1': swap takes no value (write ,swap)");
	parse_err_equal("/tmp/s.img,swp", "--disk /tmp/s.img,swp: 'swp': expected size=, cache=, engine=, queues=, "
					  "ro, swap, prefill or a model's rate=, iops=, lat=, profile=... (did you mean 'swap'?)");
}

static void test_prefill(void **state)
{
	struct disk_config c;
	(void)state;

	parse_ok("/tmp/p.img,size=1M,prefill", &c);
	assert_true(c.prefill);
	parse_ok("/tmp/p.img,size=1M", &c);
	assert_false(c.prefill);
	parse_err_equal("/tmp/p.img,prefill=1", "--disk /tmp/p.img,prefill=1: 'prefill=1': prefill takes no value (write ,prefill)");
	parse_err_equal("/tmp/p.img,prefill,ro",
			"--disk /tmp/p.img,prefill,ro: prefill and ro: prefill writes the image (drop one)");
}

static void test_lat(void **state)
{
	struct disk_config c;
	(void)state;

	parse_ok("/tmp/l.img,size=1M,lat=2ms", &c);
	assert_int_equal(c.model.lat_ns, 2000000);
	parse_ok("/tmp/l.img,lat=150us", &c);
	assert_int_equal(c.model.lat_ns, 150000);
	parse_ok("/tmp/l.img", &c);
	assert_int_equal(c.model.lat_ns, 0);
	parse_err_equal("/tmp/l.img,lat=11s", "--disk /tmp/l.img,lat=11s: lat=11s: at most 10s");
	parse_err_equal("/tmp/l.img,lat", "--disk /tmp/l.img,lat: 'lat': lat takes a value (lat=...)");
}

static void test_typos(void **state)
{
	(void)state;
	parse_err_equal("d.img,szie=1G", "--disk d.img,szie=1G: 'szie=1G': expected size=, cache=, engine=, queues=, "
					 "ro, swap, prefill or a model's rate=, iops=, lat=, profile=... (did you mean 'size'?)");
	parse_err_equal("d.img,cache=writebak", "--disk d.img,cache=writebak: cache=writebak: expected none, "
						 "writeback or unsafe (did you mean 'writeback'?)");
	parse_err_equal("d.img,engine=iouring",
			"--disk d.img,engine=iouring: engine=iouring: expected io_uring or sync (did you mean "
			"'io_uring'?)");
	parse_err_equal("d.img,frobnicate", "--disk d.img,frobnicate: 'frobnicate': expected size=, cache=, engine=, "
					    "queues=, ro, swap, prefill or a model's rate=, iops=, lat=, profile=...");
	parse_err_equal("d.img,ro=1", "--disk d.img,ro=1: 'ro=1': ro takes no value (write ,ro)");
}

/* One swap disk per guest: the second is named, with the first. */
static void test_one_swap_disk(void **state)
{
	struct disk_config d[3];
	char err[512] = "";
	(void)state;

	parse_ok("/tmp/a.img", &d[0]);
	parse_ok("/tmp/b.img,swap", &d[1]);
	parse_ok("/tmp/c.img,size=1G", &d[2]);
	assert_int_equal(disk_configs_check(d, 3, err, sizeof(err)), 0);
	assert_int_equal(disk_configs_check(d, 0, err, sizeof(err)), 0);
	parse_ok("/tmp/c.img,size=1G,swap", &d[2]);
	assert_int_equal(disk_configs_check(d, 2, err, sizeof(err)), 0);
	assert_int_equal(disk_configs_check(d, 3, err, sizeof(err)), -1);
	assert_string_equal(err, "--disk /tmp/c.img,swap: a second swap disk (/dev/vdb /tmp/b.img is already the swap "
				 "disk; a guest has one swap device)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parts),
		cmocka_unit_test(test_swap),
		cmocka_unit_test(test_prefill),
		cmocka_unit_test(test_lat),
		cmocka_unit_test(test_typos),
		cmocka_unit_test(test_one_swap_disk),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
