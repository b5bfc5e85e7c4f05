/*
 * Disk models: the parameters as --disk takes them (defaults per profile, in any order,
 * the errors), the arithmetic (transfer, seek, positioning), the clock of one disk (rate
 * and iops serialise, lat does not, channels, the hdd's one request at a time, flushes),
 * the hdd's random-IOPS formula of docs/DISK_MODELS.md against the clock, the held
 * completions' heap, and the clock shared by threads.
 */
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "vmm/blk/blk_due.h"
#include "vmm/blk/disk.h"
#include "vmm/blk/disk_model_sched.h"

#define US 1000ull
#define MS 1000000ull
#define MIB (1ull << 20)
#define GIB (1ull << 30)

static struct disk_model model_ok(const char *parts)
{
	struct disk_config c;
	char arg[512], err[512] = "";
	snprintf(arg, sizeof(arg), "/tmp/m.img,%s", parts);
	if (disk_config_parse(arg, &c, err, sizeof(err)))
		fail_msg("--disk %s failed: %s", arg, err);
	return c.model;
}

static void model_err(const char *parts, const char *want)
{
	struct disk_config c;
	char arg[512], err[512] = "", full[700];
	snprintf(arg, sizeof(arg), "/tmp/m.img,%s", parts);
	snprintf(full, sizeof(full), "--disk %s: %s", arg, want);
	assert_int_equal(disk_config_parse(arg, &c, err, sizeof(err)), -1);
	assert_string_equal(err, full);
}

static const char *text(const struct disk_model *m)
{
	static char buf[512];
	return disk_model_text(m, buf, sizeof(buf));
}

static void test_defaults(void **state)
{
	(void)state;
	struct disk_model m = model_ok("size=1G");
	assert_false(disk_model_active(&m));
	assert_string_equal(text(&m), "");

	m = model_ok("profile=hdd");
	assert_int_equal(m.rpm, 7200);
	assert_int_equal(m.rate, 120 * MIB);
	assert_int_equal(m.seek_min_ns, 1 * MS);
	assert_int_equal(m.seek_ns, 8500 * US);
	assert_int_equal(m.seek_max_ns, 15062500); /* 1 + 7.5 * 15/8 ms */
	assert_int_equal(m.flush_ns, 8333333); /* a revolution at 7200 rpm */
	assert_int_equal(m.capacity, 0); /* the image's, when it is opened */
	assert_string_equal(text(&m), "profile=hdd,rpm=7200,seek_min=1ms,seek=8.5ms,seek_max=15.0625ms,rate=120M,"
				      "capacity=image,flush=8.333333ms");

	m = model_ok("profile=ssd");
	assert_int_equal(m.lat_ns, 100 * US);
	assert_int_equal(m.channels, 4);
	assert_int_equal(m.rate, 250 * MIB);
	assert_int_equal(m.flush_ns, 1 * MS);
	assert_string_equal(text(&m), "profile=ssd,lat=100us,channels=4,rate=250M,flush=1ms");

	m = model_ok("rate=100M/s,iops=500,lat=2ms");
	assert_int_equal(m.profile, DISK_PROFILE_NONE);
	assert_int_equal(m.rate, 100 * MIB);
	assert_int_equal(m.iops, 500);
	assert_int_equal(m.lat_ns, 2 * MS);
	assert_int_equal(m.channels, 0);
	assert_int_equal(m.flush_ns, 0);
	assert_string_equal(text(&m), "lat=2ms,rate=100M,iops=500,flush=0");
}

/* Parameters override the profile's defaults wherever they stand; rpm moves the flush. */
static void test_overrides(void **state)
{
	(void)state;
	struct disk_model a = model_ok("rate=80M,profile=hdd,rpm=5400"), b = model_ok("profile=hdd,rpm=5400,rate=80M");
	assert_memory_equal(&a, &b, sizeof(a));
	assert_int_equal(a.rate, 80 * MIB);
	assert_int_equal(a.flush_ns, 11111111);
	a = model_ok("profile=hdd,seek_min=2ms,seek_max=17ms");
	assert_int_equal(a.seek_ns, 10 * MS); /* 2 + 15 * 8/15 */
	a = model_ok("profile=hdd,seek=10ms,seek_max=17ms");
	assert_int_equal(a.seek_min_ns, 2 * MS);
	a = model_ok("profile=hdd,seek_max=16ms");
	assert_int_equal(a.seek_min_ns, 1 * MS);
	assert_int_equal(a.seek_ns, 9 * MS);
	a = model_ok("profile=hdd,capacity=1T,flush=0");
	assert_int_equal(a.capacity, 1ull << 40);
	assert_int_equal(a.flush_ns, 0);
	a = model_ok("channels=8,profile=ssd,lat=20us,iops=100000");
	assert_int_equal(a.channels, 8);
	assert_int_equal(a.lat_ns, 20 * US);
	assert_int_equal(a.iops, 100000);
	assert_int_equal(a.rate, 250 * MIB);
}

/* The text gives the model back: the manifest's text pasted into --disk is the same disk. */
static void test_text_round_trip(void **state)
{
	(void)state;
	static const char *const specs[] = { "profile=hdd", "profile=hdd,rpm=5400,seek=12ms,capacity=500G",
					     "profile=hdd,seek_min=333us,seek_max=7777777ns", "profile=ssd,iops=30000",
					     "rate=7M,lat=1.5ms,channels=3,flush=2ms", "iops=10" };
	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		struct disk_model a = model_ok(specs[i]), b;
		char t[512];
		disk_model_text(&a, t, sizeof(t));
		b = model_ok(t);
		a.given = b.given = 0; /* the text gives every parameter */
		if (memcmp(&a, &b, sizeof(a)))
			fail_msg("%s -> %s is another model", specs[i], t);
	}
}

static void test_errors(void **state)
{
	(void)state;
	model_err("profile=ssdd", "profile=ssdd: expected hdd or ssd (did you mean 'ssd'?)");
	model_err("profile=tape", "profile=tape: expected hdd or ssd");
	model_err("rate=0", "rate=0: must be more than 0 (leave rate= out for no limit)");
	model_err("rate=100", "rate=100: at least 1K (bytes a second)");
	model_err("rate=fast", "rate=fast: invalid size 'fast': expected a number");
	model_err("iops=0", "iops=0: invalid integer '0': out of range 1..10000000 (leave iops= out for no limit)");
	model_err("lat=11s", "lat=11s: at most 10s");
	model_err("lat", "'lat': lat takes a value (lat=...)");
	model_err("profile", "'profile': profile takes a value (profile=...)");
	model_err("channels=0,lat=1ms", "channels=0: invalid integer '0': out of range 1..256");
	model_err("channels=4", "channels=4: needs lat= (the time a request spends on a channel)");
	model_err("rpm=7200", "rpm=7200: only with profile=hdd");
	model_err("profile=ssd,seek=4ms", "seek=4ms: only with profile=hdd");
	model_err("profile=hdd,rpm=100", "rpm=100: at least 600");
	model_err("profile=hdd,iops=200", "iops=200: not with profile=hdd (its IOPS follow from seek=, rpm= and rate=)");
	model_err("lat=4ms,profile=hdd",
		  "lat=4ms: not with profile=hdd (its service time follows from seek=, rpm= and rate=)");
	model_err("profile=hdd,channels=2", "channels=2: not with profile=hdd (one request at a time)");
	model_err("profile=ssd,lat=0", "lat=0: profile=ssd needs a time per request on its channels (lat= above 0)");
	model_err("profile=hdd,seek=500us", "seek=500us: less than seek_min=1ms (the default; give seek_min= too)");
	model_err("profile=hdd,seek_min=3ms,seek_max=2ms", "seek_max=2ms: less than seek_min=3ms");
	model_err("profile=hdd,seek_min=1ms,seek=5ms,seek_max=20ms",
		  "seek=5ms, seek_min=1ms and seek_max=20ms disagree: those seek_min and seek_max make the average "
		  "seek 11.133333ms (give two of the three)");
	model_err("profile=hdd,seek=5ms,seek_max=20ms",
		  "seek=5ms with seek_max=20ms: seek_max may be at most 15/8 of seek (the average seek lies 8/15 of "
		  "the way from seek_min to seek_max)");
	model_err("profile=hdd,seek=9ms,seek_max=8ms", "seek=9ms: more than seek_max=8ms");
	model_err("profile=hdd,seek=2s", "seek=2s: at most 1s");
	model_err("profile=hdd,capacity=100", "capacity=100: at least 512 bytes");

	/* all three seeks, when they agree (as the text writes them) */
	struct disk_model m = model_ok("profile=hdd,seek_min=1ms,seek=8.5ms,seek_max=15.0625ms");
	assert_int_equal(m.seek_max_ns, 15062500);

	/* the capacity against the image */
	m = model_ok("profile=hdd,capacity=1G");
	char err[256];
	assert_int_equal(disk_model_resolve(&m, 2 * GIB, err, sizeof(err)), -1);
	assert_string_equal(err, "capacity=1G: smaller than the image (2G); the image is a part of the modelled disk");
	m = model_ok("profile=hdd");
	assert_int_equal(disk_model_resolve(&m, 2 * GIB, err, sizeof(err)), 0);
	assert_int_equal(m.capacity, 2 * GIB);
}

static void test_arithmetic(void **state)
{
	(void)state;
	struct disk_model m = model_ok("profile=hdd,capacity=1G");
	assert_int_equal(disk_model_transfer_ns(&m, 120 * MIB), 1000 * MS);
	assert_int_equal(disk_model_transfer_ns(&m, 4096), 32553); /* rounded up */
	assert_int_equal(disk_model_revolution_ns(&m), 8333333);
	assert_int_equal(disk_model_seek_ns(&m, 0), 0);
	assert_int_equal(disk_model_seek_ns(&m, 1 * GIB), m.seek_max_ns);
	assert_int_equal(disk_model_seek_ns(&m, 2 * GIB), m.seek_max_ns); /* beyond the stroke: a full stroke */
	assert_int_equal(disk_model_seek_ns(&m, GIB / 4), 1 * MS + (m.seek_max_ns - 1 * MS) / 2); /* sqrt(1/4) */
	/* positioning: sequential is free; back costs a seek and half a revolution */
	assert_int_equal(disk_model_position_ns(&m, 4096, 4096), 0);
	assert_int_equal(disk_model_position_ns(&m, 8192, 0), disk_model_seek_ns(&m, 8192) + 8333333 / 2);
	/* a short gap forward turns past the head: 64 KiB at 120 MiB/s */
	assert_int_equal(disk_model_position_ns(&m, 0, 64 << 10), disk_model_transfer_ns(&m, 64 << 10));
	/* a long one is a seek: sooner than waiting for 512 MiB to pass */
	assert_int_equal(disk_model_position_ns(&m, 0, GIB / 2), disk_model_seek_ns(&m, GIB / 2) + 8333333 / 2);
}

static uint64_t due(struct disk_model_sched *s, uint64_t now, enum disk_model_op op, uint64_t off, uint64_t bytes)
{
	return disk_model_sched_due(s, now, op, off, bytes);
}

/* rate= serialises: the second 1 MiB starts when the first ends; an idle device starts at once. */
static void test_rate_serialises(void **state)
{
	(void)state;
	struct disk_model m = model_ok("rate=100M");
	struct disk_model_sched s;
	disk_model_sched_init(&s, &m);
	assert_int_equal(due(&s, 1000, DISK_MODEL_WRITE, 0, MIB), 1000 + 10 * MS);
	assert_int_equal(due(&s, 1000, DISK_MODEL_WRITE, MIB, MIB), 1000 + 20 * MS);
	assert_int_equal(due(&s, 1000, DISK_MODEL_READ, 0, MIB / 2), 1000 + 25 * MS);
	assert_int_equal(due(&s, 100 * MS, DISK_MODEL_WRITE, 0, MIB), 110 * MS); /* idle meanwhile */
	disk_model_sched_destroy(&s);
}

/* rate and iops: whichever is slower for the request; lat= is added, in parallel. */
static void test_rate_iops_lat(void **state)
{
	(void)state;
	struct disk_model m = model_ok("rate=100M,iops=1000,lat=5ms");
	struct disk_model_sched s;
	disk_model_sched_init(&s, &m);
	/* 4 KiB: the iops limit (1 ms) is slower than the transfer (39 us) */
	assert_int_equal(due(&s, 0, DISK_MODEL_WRITE, 0, 4096), 1 * MS + 5 * MS);
	assert_int_equal(due(&s, 0, DISK_MODEL_WRITE, 0, 4096), 2 * MS + 5 * MS);
	/* 1 MiB: the transfer (10 ms) is slower */
	assert_int_equal(due(&s, 0, DISK_MODEL_WRITE, 0, MIB), 12 * MS + 5 * MS);
	disk_model_sched_destroy(&s);

	/* lat= alone: every request lat after it came, however many at once (as the old lat=) */
	m = model_ok("lat=2ms");
	disk_model_sched_init(&s, &m);
	for (int i = 0; i < 100; i++)
		assert_int_equal(due(&s, 7, DISK_MODEL_WRITE, (uint64_t)i * 4096, 4096), 7 + 2 * MS);
	assert_int_equal(due(&s, 7, DISK_MODEL_FLUSH, 0, 0), 7 + 2 * MS); /* flush=0: a request of no data */
	disk_model_sched_destroy(&s);

	/* iops= alone: 1/iops per request whatever its size */
	m = model_ok("iops=200");
	disk_model_sched_init(&s, &m);
	assert_int_equal(due(&s, 0, DISK_MODEL_READ, 0, 4096), 5 * MS);
	assert_int_equal(due(&s, 0, DISK_MODEL_READ, 0, MIB), 10 * MS);
	disk_model_sched_destroy(&s);
}

/* ssd: channels requests in service at once, after the serial transfer. */
static void test_ssd_channels(void **state)
{
	(void)state;
	struct disk_model m = model_ok("profile=ssd,rate=1G,channels=4,lat=100us");
	struct disk_model_sched s;
	disk_model_sched_init(&s, &m);
	uint64_t x = disk_model_transfer_ns(&m, 4096); /* 3815 ns */
	uint64_t d[9];
	for (int i = 0; i < 9; i++)
		d[i] = due(&s, 0, DISK_MODEL_WRITE, 0, 4096);
	for (int i = 0; i < 4; i++) /* the first four: each its transfer, then its channel */
		assert_int_equal(d[i], (uint64_t)(i + 1) * x + 100 * US);
	for (int i = 4; i < 8; i++) /* the next four wait for the channel the first four hold */
		assert_int_equal(d[i], d[i - 4] + 100 * US);
	assert_int_equal(d[8], d[4] + 100 * US);
	/* throughput: 4 channels of 100 us: 40000 IOPS at most */
	disk_model_sched_reset(&s);
	uint64_t last = 0;
	for (int i = 0; i < 4000; i++)
		last = due(&s, 0, DISK_MODEL_WRITE, 0, 4096);
	assert_true(last >= 100 * MS && last <= 100 * MS + 100 * US + 4 * x);
	disk_model_sched_destroy(&s);
}

/* hdd: sequential requests stream at the media rate; random ones pay seek and rotation,
 * one at a time; sequential 4k beats random 4k by two orders of magnitude. */
static void test_hdd_sequential_random(void **state)
{
	(void)state;
	struct disk_model m = model_ok("profile=hdd,capacity=1G");
	struct disk_model_sched s;
	disk_model_sched_init(&s, &m);
	uint64_t t = 0;
	for (uint64_t i = 0; i < 1000; i++)
		t = due(&s, 0, DISK_MODEL_WRITE, i * 4096, 4096);
	assert_int_equal(t, 1000 * disk_model_transfer_ns(&m, 4096)); /* head at 0: no positioning */
	uint64_t seq = t;
	disk_model_sched_reset(&s);
	uint64_t x = 12345;
	for (int i = 0; i < 1000; i++) {
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		t = due(&s, 0, DISK_MODEL_WRITE, (x >> 33) % (GIB / 4096) * 4096, 4096);
	}
	assert_true(t > 100 * seq);
	disk_model_sched_destroy(&s);
}

/* The prediction of docs/DISK_MODELS.md for random requests over a region R of the
 * capacity C: seek_min + (seek_max - seek_min) * 8/15 * sqrt(R/C) + 30/rpm + bs/rate. */
static double predicted_ns(const struct disk_model *m, double region, double bs)
{
	return (double)m->seek_min_ns + (double)(m->seek_max_ns - m->seek_min_ns) * 8.0 / 15.0 * sqrt(region / (double)m->capacity) +
	       30e9 / m->rpm + bs * 1e9 / (double)m->rate;
}

static void test_hdd_prediction(void **state)
{
	(void)state;
	static const char *const specs[] = { "profile=hdd,capacity=1G", "profile=hdd,capacity=100G",
					     "profile=hdd,rpm=15000,seek=3.5ms,seek_min=200us,capacity=10G,rate=200M" };
	for (size_t k = 0; k < sizeof(specs) / sizeof(specs[0]); k++) {
		struct disk_model m = model_ok(specs[k]);
		struct disk_model_sched s;
		disk_model_sched_init(&s, &m);
		uint64_t x = 99, t = 0, region = GIB, n = 20000;
		for (uint64_t i = 0; i < n; i++) {
			x = x * 6364136223846793005ull + 1442695040888963407ull;
			t = due(&s, 0, DISK_MODEL_WRITE, (x >> 33) % (region / 4096) * 4096, 4096);
		}
		double got = (double)t / (double)n, want = predicted_ns(&m, (double)region, 4096);
		if (fabs(got / want - 1) > 0.02)
			fail_msg("%s: %.0f ns per random 4k, the formula says %.0f", specs[k], got, want);
		disk_model_sched_destroy(&s);
	}
	/* the defaults over the whole image: 12.7 ms, 79 IOPS */
	struct disk_model m = model_ok("profile=hdd,capacity=1G");
	assert_true(fabs(1e9 / predicted_ns(&m, (double)GIB, 4096) - 78.7) < 0.1);
}

/* A flush after writes waits for them (the drain) and holds the device for flush=; a
 * flush with no write before it costs nothing more. */
static void test_flush(void **state)
{
	(void)state;
	struct disk_model m = model_ok("profile=hdd,capacity=1G");
	struct disk_model_sched s;
	disk_model_sched_init(&s, &m);
	uint64_t w = due(&s, 0, DISK_MODEL_WRITE, 0, MIB);
	uint64_t f = due(&s, 0, DISK_MODEL_FLUSH, 0, 0);
	assert_int_equal(f, w + 8333333);
	assert_int_equal(due(&s, f, DISK_MODEL_FLUSH, 0, 0), f); /* nothing written since */
	assert_int_equal(due(&s, 0, DISK_MODEL_WRITE, MIB, 4096), f + disk_model_transfer_ns(&m, 4096)); /* after it */
	disk_model_sched_destroy(&s);

	/* with lat=: the drain waits for the writes' latency too */
	m = model_ok("lat=1ms,flush=3ms");
	disk_model_sched_init(&s, &m);
	assert_int_equal(due(&s, 0, DISK_MODEL_WRITE, 0, 4096), 1 * MS);
	assert_int_equal(due(&s, 0, DISK_MODEL_FLUSH, 0, 0), 1 * MS + 3 * MS + 1 * MS);
	assert_int_equal(due(&s, 0, DISK_MODEL_READ, 0, 4096), 4 * MS + 1 * MS);
	disk_model_sched_destroy(&s);
}

/* Completions held come out soonest first, whatever order they went in. */
static void test_due_heap(void **state)
{
	(void)state;
	struct blk_due h = { 0 };
	struct blk_io io[64];
	assert_int_equal(blk_due_init(&h, 64), 0);
	assert_null(blk_due_peek(&h));
	for (int i = 0; i < 64; i++) {
		io[i].due_ns = (uint64_t)((i * 37) % 64) * 10 + 10;
		blk_due_push(&h, &io[i]);
	}
	assert_int_equal(blk_due_peek(&h)->due_ns, 10);
	assert_null(blk_due_pop(&h, 9));
	uint64_t prev = 0;
	for (int i = 0; i < 64; i++) {
		struct blk_io *p = blk_due_pop(&h, 10000);
		assert_non_null(p);
		assert_true(p->due_ns >= prev);
		prev = p->due_ns;
	}
	assert_null(blk_due_pop(&h, 10000));
	blk_due_free(&h);
}

/* One clock per disk, taken by each queue's thread: every request holds the serial stage
 * alone, so n requests of t each end n * t after they all came. */
struct racer {
	struct disk_model_sched *s;
	uint64_t last;
};
static void *race(void *arg)
{
	struct racer *r = arg;
	for (int i = 0; i < 20000; i++) {
		uint64_t d = disk_model_sched_due(r->s, 0, DISK_MODEL_WRITE, 0, 4096);
		r->last = d > r->last ? d : r->last;
	}
	return NULL;
}

static void test_shared_clock(void **state)
{
	(void)state;
	struct disk_model m = model_ok("iops=1000");
	struct disk_model_sched s;
	struct racer r[4] = { { &s, 0 }, { &s, 0 }, { &s, 0 }, { &s, 0 } };
	pthread_t t[4];
	disk_model_sched_init(&s, &m);
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, race, &r[i]), 0);
	uint64_t last = 0;
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		last = r[i].last > last ? r[i].last : last;
	}
	assert_int_equal(last, 80000 * MS);
	disk_model_sched_destroy(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_overrides),
		cmocka_unit_test(test_text_round_trip),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_arithmetic),
		cmocka_unit_test(test_rate_serialises),
		cmocka_unit_test(test_rate_iops_lat),
		cmocka_unit_test(test_ssd_channels),
		cmocka_unit_test(test_hdd_sequential_random),
		cmocka_unit_test(test_hdd_prediction),
		cmocka_unit_test(test_flush),
		cmocka_unit_test(test_due_heap),
		cmocka_unit_test(test_shared_clock),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
