/* --disk specs as a user types them: the parts, the swap flag, and the errors they get back. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "helpers.h"
#include "vmm/blk/disk.h"
#include "vmm/blk/disk_fs.h"
#include "vmm/blk/ext3_super.h"

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
					  "ro, swap, prefill, fs=, fsck, log=, mkfs= or a model's rate=, iops=, lat=, profile=... (did you mean "
					  "'swap'?)");
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
					 "ro, swap, prefill, fs=, fsck, log=, mkfs= or a model's rate=, iops=, lat=, profile=... (did you "
					 "mean 'size'?)");
	parse_err_equal("d.img,cache=writebak", "--disk d.img,cache=writebak: cache=writebak: expected none, "
						 "writeback or unsafe (did you mean 'writeback'?)");
	parse_err_equal("d.img,engine=iouring",
			"--disk d.img,engine=iouring: engine=iouring: expected io_uring or sync (did you mean "
			"'io_uring'?)");
	parse_err_equal("d.img,frobnicate", "--disk d.img,frobnicate: 'frobnicate': expected size=, cache=, engine=, "
					    "queues=, ro, swap, prefill, fs=, fsck, log=, mkfs= or a model's rate=, iops=, "
					    "lat=, profile=...");
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

static void test_fs_parts(void **state)
{
	struct disk_config c;
	(void)state;

	parse_ok("/tmp/f.img,size=64M,fs=ext3", &c);
	assert_int_equal(c.fs, DISK_FS_EXT3);
	assert_false(c.has_mkfs);
	assert_false(c.fsck);
	assert_string_equal(c.log, "");
	parse_ok("/tmp/f.img,fs=ext3,fsck,log=/tmp/f.log,cache=writeback", &c);
	assert_true(c.fsck);
	assert_string_equal(c.log, "/tmp/f.log");
	assert_int_equal(c.cache, DISK_CACHE_WRITEBACK);
	/* mkfs= comes last and takes the rest, commas and all: mkfs's own lists */
	parse_ok("/tmp/f.img,size=64M,fs=ext3,fsck,mkfs=-J size=8 -O ^dir_index,^resize_inode -E stride=4,stripe_width=8", &c);
	assert_true(c.has_mkfs);
	assert_true(c.fsck);
	assert_string_equal(c.mkfs, "-J size=8 -O ^dir_index,^resize_inode -E stride=4,stripe_width=8");
	parse_ok("/tmp/f.img,fs=ext3,mkfs=-Jsize=8 -qI 128", &c);
	assert_string_equal(c.mkfs, "-Jsize=8 -qI 128");
	/* log= alone, on a raw disk */
	parse_ok("/tmp/r.img,size=1M,log=r.log,engine=sync", &c);
	assert_int_equal(c.fs, DISK_FS_NONE);
	assert_string_equal(c.log, "r.log");
}

static void test_fs_errors(void **state)
{
	(void)state;
	parse_err_equal("/tmp/f.img,fs=ext4", "--disk /tmp/f.img,fs=ext4: fs=ext4: expected ext3, the file system the "
					      "guest mounts (did you mean 'ext3'?)");
	parse_err_equal("/tmp/f.img,fs", "--disk /tmp/f.img,fs: 'fs': fs takes a value (fs=...)");
	parse_err_equal("/tmp/f.img,log=", "--disk /tmp/f.img,log=: 'log=': log takes a value (log=...)");
	parse_err_equal("/tmp/f.img,fsck=1", "--disk /tmp/f.img,fsck=1: 'fsck=1': fsck takes no value (write ,fsck)");
	parse_err_equal("/tmp/f.img,fsck", "--disk /tmp/f.img,fsck: fsck without fs=ext3: e2fsck checks the disk's "
					   "ext3 file system (add fs=ext3)");
	parse_err_equal("/tmp/f.img,mkfs=-J size=8", "--disk /tmp/f.img,mkfs=-J size=8: mkfs= without fs=ext3: it gives "
						     "mkfs.ext3's options for fs=ext3 (add fs=ext3)");
	parse_err_equal("/tmp/f.img,fs=ext3,swap", "--disk /tmp/f.img,fs=ext3,swap: fs=ext3 and swap: a swap disk holds "
						   "no file system (drop one)");
	parse_err_equal("/tmp/f.img,fs=ext3,ro,mkfs=-j", "--disk /tmp/f.img,fs=ext3,ro,mkfs=-j: mkfs= and ro: a "
							 "read-only image is used as it is, never made (drop one)");
	parse_err_equal("/tmp/f.img,ro,log=/tmp/l", "--disk /tmp/f.img,ro,log=/tmp/l: log= and ro: a read-only disk is "
						    "never written, there is nothing to log (drop one)");
	parse_err_equal("/tmp/f.img,log=/tmp/f.img", "--disk /tmp/f.img,log=/tmp/f.img: log=/tmp/f.img: that is the "
						     "image itself (the log needs a file of its own)");
	/* a disk option after mkfs= would go to mkfs: refused, named */
	parse_err_equal("/tmp/f.img,fs=ext3,mkfs=-J size=8,fsck", "--disk /tmp/f.img,fs=ext3,mkfs=-J size=8,fsck: "
								  "mkfs= comes last: ',fsck' after it would go to "
								  "mkfs.ext3 (put it before mkfs=)");
	parse_err_equal("/tmp/f.img,fs=ext3,mkfs=-j,log=x", "--disk /tmp/f.img,fs=ext3,mkfs=-j,log=x: mkfs= comes last: "
							    "',log=x' after it would go to mkfs.ext3 (put it before "
							    "mkfs=)");
	/* what mkfs.ext3 would get wrong is refused before it runs */
	parse_err_equal("/tmp/f.img,fs=ext3,mkfs=-b 1024", "--disk /tmp/f.img,fs=ext3,mkfs=-b 1024: mkfs=-b 1024: "
							   "'-b': the block size is 4096, the guest's page size "
							   "(drop -b)");
	parse_err_equal("/tmp/f.img,fs=ext3,mkfs=-qb1024", "--disk /tmp/f.img,fs=ext3,mkfs=-qb1024: mkfs=-qb1024: "
							   "'-qb1024': the block size is 4096, the guest's page size "
							   "(drop -b)");
	parse_err_equal("/tmp/f.img,fs=ext3,mkfs=-J size=8 10000", "--disk /tmp/f.img,fs=ext3,mkfs=-J size=8 10000: "
								   "mkfs=-J size=8 10000: '10000' is not an option "
								   "(the image and its size come from the disk)");
	parse_err_equal("/tmp/f.img,fs=ext3,mkfs=-x", "--disk /tmp/f.img,fs=ext3,mkfs=-x: mkfs=-x: '-x': mkfs.ext3 has "
						      "no option -x");
	parse_err_equal("/tmp/f.img,fs=ext3,mkfs=-n", "--disk /tmp/f.img,fs=ext3,mkfs=-n: mkfs=-n: '-n': -n makes no "
						      "file system");
	parse_err_equal("/tmp/f.img,fs=ext3,mkfs=-I", "--disk /tmp/f.img,fs=ext3,mkfs=-I: mkfs=-I: '-I': -I takes a "
						      "value");
	parse_err_equal("/tmp/f.img,fs=ext3,mkfs=", "--disk /tmp/f.img,fs=ext3,mkfs=: 'mkfs=': mkfs= takes mkfs.ext3's "
						    "options (mkfs=-J size=8; drop it for mkfs's defaults)");
}

static char dir[64];

static const char *tmp_path(const char *name, char *buf, size_t len)
{
	if (!dir[0]) {
		snprintf(dir, sizeof(dir), "/tmp/test_disk.XXXXXX");
		assert_non_null(mkdtemp(dir));
	}
	snprintf(buf, len, "%s/%s", dir, name);
	unlink(buf);
	return buf;
}

static int dir_remove(void **state)
{
	char cmd[128];
	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return dir[0] && system(cmd) != 0 ? -1 : 0;
}

/* A new image with fs=ext3 gets mkfs.ext3 with the options; an existing one is used as it is. */
static void test_fs_open(void **state)
{
	char path[128], spec[512], err[1024] = "";
	struct disk_config c;
	struct ext3_super s;
	int fd;
	uint64_t size;
	(void)state;

	tmp_path("fs.img", path, sizeof(path));
	snprintf(spec, sizeof(spec), "%s,size=64M,fs=ext3,mkfs=-J size=8 -I 128 -O ^dir_index", path);
	parse_ok(spec, &c);
	if (disk_open(&c, &fd, &size, err, sizeof(err)))
		fail_msg("%s", err);
	close(fd);
	assert_int_equal(size, 64u << 20);
	assert_int_equal(ext3_super_read(path, &s, err, sizeof(err)), 0);
	assert_int_equal(s.inode_size, 128); /* the options reached mkfs */
	assert_false(s.features[EXT3_COMPAT] & 0x20); /* ^dir_index */
	char cmd[300], line[256] = "";
	snprintf(cmd, sizeof(cmd), "dumpe2fs -h %s 2>/dev/null | grep '^Total journal size:'", path);
	FILE *p = popen(cmd, "r");
	assert_non_null(fgets(line, sizeof(line), p));
	pclose(p);
	assert_has(line, "8M");
	/* it exists now: mkfs= is refused, at the options' check and at the open */
	assert_int_equal(disk_configs_check(&c, 1, err, sizeof(err)), -1);
	snprintf(spec, sizeof(spec), "--disk %s,mkfs=-J size=8 -I 128 -O ^dir_index: %s exists: remove it to make a new "
		 "file system (or drop mkfs= to use it as it is)", path, path);
	assert_string_equal(err, spec);
	assert_int_equal(disk_open(&c, &fd, &size, err, sizeof(err)), -1);
	assert_string_equal(err, spec);
	/* without mkfs= it is used as it is */
	snprintf(spec, sizeof(spec), "%s,fs=ext3", path);
	parse_ok(spec, &c);
	assert_int_equal(disk_configs_check(&c, 1, err, sizeof(err)), 0);
	assert_int_equal(disk_open(&c, &fd, &size, err, sizeof(err)), 0);
	close(fd);

	/* an existing image that is no ext3: refused, named */
	tmp_path("raw.img", path, sizeof(path));
	assert_int_equal(close(open(path, O_CREAT | O_WRONLY, 0644)), 0);
	assert_int_equal(truncate(path, 1 << 20), 0);
	snprintf(spec, sizeof(spec), "%s,fs=ext3", path);
	parse_ok(spec, &c);
	assert_int_equal(disk_configs_check(&c, 1, err, sizeof(err)), -1);
	snprintf(spec, sizeof(spec), "--disk %s,fs=ext3: not an ext2/ext3 file system (no superblock magic 0xEF53 at "
		 "byte 1080)", path);
	assert_string_equal(err, spec);
	assert_int_equal(disk_open(&c, &fd, &size, err, sizeof(err)), -1);
	assert_string_equal(err, spec);

	/* mkfs failing: its words in the error, and no image left behind */
	tmp_path("small.img", path, sizeof(path));
	snprintf(spec, sizeof(spec), "%s,size=64M,fs=ext3,mkfs=-J size=1", path);
	parse_ok(spec, &c);
	assert_int_equal(disk_open(&c, &fd, &size, err, sizeof(err)), -1);
	assert_err_has(err, ",fs=ext3: mkfs.ext3 -b 4096 -J size=1 failed (exit 1): The total requested journal size is "
			    "256 blocks; it must be between 1024 and 10240000 blocks.");
	assert_int_equal(access(path, F_OK), -1);
	/* mkfs making what the guest cannot mount: refused after mkfs, and removed */
	snprintf(spec, sizeof(spec), "%s,size=64M,fs=ext3,mkfs=-O extent", path);
	parse_ok(spec, &c);
	assert_int_equal(disk_open(&c, &fd, &size, err, sizeof(err)), -1);
	assert_err_has(err, ",fs=ext3: ext3 features the guest does not support: extent (");
	assert_int_equal(access(path, F_OK), -1);
}

/* Shards of a sweep starting together on one node: each opens the fs= image that does not
 * exist yet (as a sweep's template, without mkfs=). Each must get the one whole image,
 * made once, none seeing it half made. */
static void test_fs_open_concurrent(void **state)
{
	char path[128], spec[512];
	int go[2];
	pid_t kids[4];
	(void)state;

	tmp_path("together.img", path, sizeof(path));
	unlink(path);
	snprintf(spec, sizeof(spec), "%s,size=64M,fs=ext3", path);
	assert_int_equal(pipe(go), 0);
	for (int i = 0; i < 4; i++) {
		if ((kids[i] = fork()) == 0) {
			struct disk_config c;
			char err[1024] = "", b;
			int fd;
			uint64_t size;
			close(go[1]);
			if (read(go[0], &b, 1) != 0) /* all start at once: when the pipe closes */
				_exit(3);
			if (disk_config_parse(spec, &c, err, sizeof(err)) || disk_open(&c, &fd, &size, err, sizeof(err))) {
				fprintf(stderr, "child %d: %s\n", i, err);
				_exit(1);
			}
			_exit(size == 64u << 20 ? 0 : 2);
		}
		assert_true(kids[i] > 0);
	}
	close(go[0]);
	close(go[1]);
	for (int i = 0; i < 4; i++) {
		int status;
		assert_int_equal(waitpid(kids[i], &status, 0), kids[i]);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	struct ext3_super sb;
	char err[512];
	assert_int_equal(ext3_super_read(path, &sb, err, sizeof(err)), 0);
}

static void test_fsck(void **state)
{
	char path[128], spec[300], err[1024] = "";
	struct disk_config c;
	struct disk_fsck r;
	int fd;
	uint64_t size;
	(void)state;

	tmp_path("ck.img", path, sizeof(path));
	snprintf(spec, sizeof(spec), "%s,size=16M,fs=ext3,fsck", path);
	parse_ok(spec, &c);
	assert_int_equal(disk_open(&c, &fd, &size, err, sizeof(err)), 0);
	close(fd);
	disk_fsck_run(path, &r);
	assert_true(r.ran);
	assert_int_equal(r.exit, 0);
	assert_true(r.clean);
	assert_has(r.output, "files"); /* e2fsck's summary: "11/4096 files (0.0% non-contiguous), ..." */
	/* lost+found's link count made wrong: e2fsck -n finds it and fixes nothing */
	snprintf(spec, sizeof(spec), "debugfs -w -R 'sif <11> links_count 5' %s >/dev/null 2>&1", path);
	assert_int_equal(system(spec), 0);
	disk_fsck_run(path, &r);
	assert_int_equal(r.exit, 4);
	assert_false(r.clean);
	assert_has(r.output, "Inode 11 ref count is 5, should be 2.  Fix? no");
	assert_has(r.output, "WARNING: Filesystem still has errors");
	disk_fsck_run("/nonexistent.img", &r);
	assert_int_equal(r.exit, 8); /* e2fsck's own: an operational error */
	assert_false(r.clean);
}

static void test_mkfs_options(void **state)
{
	char err[300];
	(void)state;
	assert_int_equal(disk_mkfs_options_check("-J size=8", err, sizeof(err)), 0);
	assert_int_equal(disk_mkfs_options_check("  -J   size=8  -I 256 -L label -m 0 -j -T small", err, sizeof(err)), 0);
	assert_int_equal(disk_mkfs_options_check("-E stride=4,stripe_width=8 -O ^dir_index", err, sizeof(err)), 0);
	assert_int_equal(disk_mkfs_options_check("-b4096", err, sizeof(err)), -1);
	assert_int_equal(disk_mkfs_options_check("-V", err, sizeof(err)), -1);
	assert_int_equal(disk_mkfs_options_check("-", err, sizeof(err)), -1);
	assert_int_equal(disk_mkfs_options_check("--", err, sizeof(err)), -1);
	assert_string_equal(err, "mkfs=--: '--': mkfs.ext3 has no option --");
	/* the value of an option may look like anything, even -b */
	assert_int_equal(disk_mkfs_options_check("-L -b", err, sizeof(err)), 0);
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
		cmocka_unit_test(test_fs_parts),
		cmocka_unit_test(test_fs_errors),
		cmocka_unit_test(test_fs_open),
		cmocka_unit_test(test_fs_open_concurrent),
		cmocka_unit_test(test_fsck),
		cmocka_unit_test(test_mkfs_options),
	};
	return cmocka_run_group_tests(tests, NULL, dir_remove);
}
