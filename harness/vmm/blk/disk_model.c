/* A disk model's parameters: the --disk parts, their defaults per profile, their checks. */
#include <stdio.h>
#include <string.h>

#include "util/error.h"
#include "util/parse.h"
#include "util/suggest.h"
#include "vmm/blk/disk_model.h"

#define NS_PER_US 1000ull
#define NS_PER_MS 1000000ull
#define NS_PER_S 1000000000ull
#define MIB (1ull << 20)

/* profile=hdd: a 7200 rpm 3.5" SATA disk of about 2010 (Seagate Barracuda 7200.12,
 * WD Caviar Black: 8.5 ms average read seek, ~1 ms track to track, 120-130 MB/s). */
#define HDD_RPM 7200u
#define HDD_SEEK_MIN_NS (1 * NS_PER_MS)
#define HDD_SEEK_NS (8500 * NS_PER_US)
#define HDD_RATE (120 * MIB)
/* profile=ssd: a SATA SSD of about 2011 (Intel 320, Crucial C300: ~100 us a 4k request,
 * ~8k IOPS at depth 1 and ~35k at 32, 250 MB/s; a flush of its volatile cache ~1 ms). */
#define SSD_LAT_NS (100 * NS_PER_US)
#define SSD_CHANNELS 4u
#define SSD_RATE (250 * MIB)
#define SSD_FLUSH_NS (1 * NS_PER_MS)

enum kind { K_PROFILE, K_RATE, K_COUNT, K_DURATION, K_SIZE };
static const struct key {
	const char *name;
	unsigned bit;
	enum kind kind;
	uint64_t max; /* counts and durations */
} keys[] = {
	{ "profile", DM_PROFILE, K_PROFILE, 0 },
	{ "rate", DM_RATE, K_RATE, 0 },
	{ "iops", DM_IOPS, K_COUNT, 10000000 },
	{ "lat", DM_LAT, K_DURATION, 10 * NS_PER_S },
	{ "channels", DM_CHANNELS, K_COUNT, DISK_MODEL_CHANNELS_MAX },
	{ "rpm", DM_RPM, K_COUNT, 30000 },
	{ "seek", DM_SEEK, K_DURATION, NS_PER_S },
	{ "seek_min", DM_SEEK_MIN, K_DURATION, NS_PER_S },
	{ "seek_max", DM_SEEK_MAX, K_DURATION, NS_PER_S },
	{ "capacity", DM_CAPACITY, K_SIZE, 0 },
	{ "flush", DM_FLUSH, K_DURATION, 10 * NS_PER_S },
};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

const char *disk_profile_name(enum disk_profile p)
{
	return p == DISK_PROFILE_HDD ? "hdd" : p == DISK_PROFILE_SSD ? "ssd" : "none";
}

bool disk_model_active(const struct disk_model *m)
{
	return m->profile != DISK_PROFILE_NONE || m->rate || m->iops || m->lat_ns || m->flush_ns;
}

static int parse_value(struct disk_model *m, const struct key *k, const char *v, char *err, size_t errlen)
{
	char why[200] = "", buf[64];
	uint64_t u = 0;
	int64_t n;

	switch (k->kind) {
	case K_PROFILE: {
		static const char *const profiles[] = { "hdd", "ssd" };
		if (!strcmp(v, "hdd") || !strcmp(v, "ssd")) {
			m->profile = !strcmp(v, "hdd") ? DISK_PROFILE_HDD : DISK_PROFILE_SSD;
			return 0;
		}
		const char *near = name_suggest(v, profiles, 2);
		if (near)
			snprintf(why, sizeof(why), " (did you mean '%s'?)", near);
		else
			why[0] = 0;
		return errorf(err, errlen, "profile=%s: expected hdd or ssd%s", v, why);
	}
	case K_RATE: {
		/* "100M" or "100M/s": bytes a second, binary units as everywhere (fio's rate= too) */
		size_t l = strlen(v);
		snprintf(buf, sizeof(buf), "%.*s", (int)(l > 2 && !strcmp(v + l - 2, "/s") ? l - 2 : l), v);
		if (parse_size(buf, &u, why, sizeof(why)))
			return errorf(err, errlen, "rate=%s: %s", v, why);
		if (u < 1024)
			return errorf(err, errlen, "rate=%s: %s", v,
				      u ? "at least 1K (bytes a second)" : "must be more than 0 (leave rate= out for no limit)");
		m->rate = u;
		return 0;
	}
	case K_COUNT:
		if (parse_int_range(v, 1, (int64_t)k->max, &n, why, sizeof(why)))
			return errorf(err, errlen, "%s=%s: %s%s", k->name, v, why,
				      !strcmp(v, "0") && k->bit == DM_IOPS ? " (leave iops= out for no limit)" : "");
		if (k->bit == DM_RPM && n < 600)
			return errorf(err, errlen, "rpm=%s: at least 600", v);
		if (k->bit == DM_IOPS)
			m->iops = (uint64_t)n;
		else if (k->bit == DM_CHANNELS)
			m->channels = (unsigned)n;
		else
			m->rpm = (unsigned)n;
		return 0;
	case K_DURATION:
		if (parse_duration_ns(v, &u, why, sizeof(why)))
			return errorf(err, errlen, "%s=%s: %s", k->name, v, why);
		if (u > k->max)
			return errorf(err, errlen, "%s=%s: at most %s", k->name, v, k->max == NS_PER_S ? "1s" : "10s");
		*(k->bit == DM_LAT ? &m->lat_ns : k->bit == DM_SEEK ? &m->seek_ns : k->bit == DM_SEEK_MIN ? &m->seek_min_ns :
		  k->bit == DM_SEEK_MAX ? &m->seek_max_ns : &m->flush_ns) = u;
		return 0;
	case K_SIZE:
		if (!strcmp(v, "image")) { /* the default, as the text writes it */
			m->capacity = 0;
			return 0;
		}
		if (parse_size(v, &u, why, sizeof(why)))
			return errorf(err, errlen, "capacity=%s: %s", v, why);
		if (u < 512)
			return errorf(err, errlen, "capacity=%s: at least 512 bytes", v);
		m->capacity = u;
		return 0;
	}
	return 0;
}

int disk_model_parse_part(struct disk_model *m, const char *key, size_t klen, const char *v, char *err,
			  size_t errlen)
{
	for (size_t i = 0; i < NKEYS; i++) {
		const struct key *k = &keys[i];
		if (klen != strlen(k->name) || strncmp(key, k->name, klen))
			continue;
		if (!v)
			return errorf(err, errlen, "'%s': %s takes a value (%s=...)", k->name, k->name, k->name);
		if (parse_value(m, k, v, err, errlen))
			return -1;
		m->given |= k->bit;
		return 0;
	}
	return 1;
}

/* A duration as the shortest exact text parse_duration_ns reads back: "8.5ms", "100us". */
static const char *ns_text(uint64_t ns, char *buf, size_t len)
{
	uint64_t unit = ns >= NS_PER_MS ? NS_PER_MS : ns >= NS_PER_US ? NS_PER_US : 1;
	int digits = unit == NS_PER_MS ? 6 : unit == NS_PER_US ? 3 : 0;
	uint64_t frac = ns % unit;
	int n = snprintf(buf, len, "%llu", (unsigned long long)(ns / unit));
	if (frac && n > 0 && (size_t)n < len) {
		while (frac % 10 == 0) {
			frac /= 10;
			digits--;
		}
		snprintf(buf + n, len - (size_t)n, ".%0*llu", digits, (unsigned long long)frac);
	}
	size_t l = strlen(buf);
	snprintf(buf + l, len - l, "%s", unit == NS_PER_MS ? "ms" : unit == NS_PER_US ? "us" : ns ? "ns" : "");
	return buf;
}

/* Bytes with the largest binary unit that divides them: "120M", "1G", "1536". */
static const char *size_text(uint64_t b, char *buf, size_t len)
{
	static const char units[] = "TGMK";
	for (int i = 0; i < 4; i++) {
		uint64_t u = 1ull << (10 * (4 - i));
		if (b && b % u == 0) {
			snprintf(buf, len, "%llu%c", (unsigned long long)(b / u), units[i]);
			return buf;
		}
	}
	snprintf(buf, len, "%llu", (unsigned long long)b);
	return buf;
}

/* "key=value" of one parameter, as disk_model_text writes it. */
static const char *part_text(const struct disk_model *m, unsigned bit, char *buf, size_t len)
{
	char v[48];
	switch (bit) {
	case DM_RATE: snprintf(buf, len, "rate=%s", size_text(m->rate, v, sizeof(v))); break;
	case DM_IOPS: snprintf(buf, len, "iops=%llu", (unsigned long long)m->iops); break;
	case DM_LAT: snprintf(buf, len, "lat=%s", ns_text(m->lat_ns, v, sizeof(v))); break;
	case DM_CHANNELS: snprintf(buf, len, "channels=%u", m->channels); break;
	case DM_RPM: snprintf(buf, len, "rpm=%u", m->rpm); break;
	case DM_SEEK_MIN: snprintf(buf, len, "seek_min=%s", ns_text(m->seek_min_ns, v, sizeof(v))); break;
	case DM_SEEK: snprintf(buf, len, "seek=%s", ns_text(m->seek_ns, v, sizeof(v))); break;
	case DM_SEEK_MAX: snprintf(buf, len, "seek_max=%s", ns_text(m->seek_max_ns, v, sizeof(v))); break;
	case DM_CAPACITY: snprintf(buf, len, "capacity=%s", m->capacity ? size_text(m->capacity, v, sizeof(v)) : "image"); break;
	case DM_FLUSH: snprintf(buf, len, "flush=%s", ns_text(m->flush_ns, v, sizeof(v))); break;
	default: snprintf(buf, len, "profile=%s", disk_profile_name(m->profile)); break;
	}
	return buf;
}

/* The average seek over uniformly random pairs of positions: E[sqrt|x - y|] = 8/15. */
static uint64_t seek_avg(uint64_t min, uint64_t max)
{
	return min + (max - min) * 8 / 15;
}

/* The three seek figures from the ones given (two determine the third), or the defaults. */
static int seeks_fill(struct disk_model *m, char *err, size_t errlen)
{
	unsigned g = m->given & (DM_SEEK_MIN | DM_SEEK | DM_SEEK_MAX);
	char a[64], b[64], c[64];

	if (!(g & DM_SEEK_MIN) && (g & (DM_SEEK | DM_SEEK_MAX)) == (DM_SEEK | DM_SEEK_MAX)) {
		/* seek = (7 min + 8 max) / 15 */
		if (m->seek_ns > m->seek_max_ns)
			return errorf(err, errlen, "%s: more than %s", part_text(m, DM_SEEK, a, sizeof(a)),
				      part_text(m, DM_SEEK_MAX, b, sizeof(b)));
		if (m->seek_ns * 15 < m->seek_max_ns * 8)
			return errorf(err, errlen, "%s with %s: seek_max may be at most 15/8 of seek (the average seek "
				      "lies 8/15 of the way from seek_min to seek_max)", part_text(m, DM_SEEK, a, sizeof(a)),
				      part_text(m, DM_SEEK_MAX, b, sizeof(b)));
		m->seek_min_ns = (m->seek_ns * 15 - m->seek_max_ns * 8) / 7;
		return 0;
	}
	if (!(g & DM_SEEK_MIN))
		m->seek_min_ns = HDD_SEEK_MIN_NS;
	if (!(g & DM_SEEK) && !(g & DM_SEEK_MAX))
		m->seek_ns = HDD_SEEK_NS > m->seek_min_ns ? HDD_SEEK_NS : m->seek_min_ns;
	if (g & DM_SEEK_MAX && m->seek_max_ns < m->seek_min_ns)
		return errorf(err, errlen, "%s: less than %s%s", part_text(m, DM_SEEK_MAX, a, sizeof(a)),
			      part_text(m, DM_SEEK_MIN, b, sizeof(b)), g & DM_SEEK_MIN ? "" : " (the default; give seek_min= too)");
	if (!(g & DM_SEEK_MAX) && m->seek_ns < m->seek_min_ns)
		return errorf(err, errlen, "%s: less than %s%s", part_text(m, DM_SEEK, a, sizeof(a)),
			      part_text(m, DM_SEEK_MIN, b, sizeof(b)), g & DM_SEEK_MIN ? "" : " (the default; give seek_min= too)");
	if (!(g & DM_SEEK_MAX)) {
		m->seek_max_ns = m->seek_min_ns + (m->seek_ns - m->seek_min_ns) * 15 / 8;
		return 0;
	}
	uint64_t avg = seek_avg(m->seek_min_ns, m->seek_max_ns);
	char d[32];
	if (g & DM_SEEK && (m->seek_ns > avg + NS_PER_US || m->seek_ns + NS_PER_US < avg))
		return errorf(err, errlen, "%s, %s and %s disagree: those seek_min and seek_max make the average seek %s "
			      "(give two of the three)", part_text(m, DM_SEEK, a, sizeof(a)),
			      part_text(m, DM_SEEK_MIN, b, sizeof(b)), part_text(m, DM_SEEK_MAX, c, sizeof(c)),
			      ns_text(avg, d, sizeof(d)));
	if (!(g & DM_SEEK))
		m->seek_ns = avg;
	return 0;
}

/* A parameter given that the profile has no use for. */
static int refuse(const struct disk_model *m, unsigned bits, const char *why, char *err, size_t errlen)
{
	char a[64];
	for (unsigned bit = 1; bit <= DM_PROFILE; bit <<= 1)
		if (m->given & bits & bit)
			return errorf(err, errlen, "%s: %s", part_text(m, bit, a, sizeof(a)), why);
	return 0;
}

int disk_model_finish(struct disk_model *m, char *err, size_t errlen)
{
	char a[64];
	const unsigned hdd_only = DM_RPM | DM_SEEK | DM_SEEK_MIN | DM_SEEK_MAX | DM_CAPACITY;

	switch (m->profile) {
	case DISK_PROFILE_HDD:
		if (refuse(m, DM_IOPS, "not with profile=hdd (its IOPS follow from seek=, rpm= and rate=)", err, errlen) ||
		    refuse(m, DM_LAT, "not with profile=hdd (its service time follows from seek=, rpm= and rate=)", err,
			   errlen) ||
		    refuse(m, DM_CHANNELS, "not with profile=hdd (one request at a time)", err, errlen))
			return -1;
		if (!(m->given & DM_RPM))
			m->rpm = HDD_RPM;
		if (!(m->given & DM_RATE))
			m->rate = HDD_RATE;
		if (seeks_fill(m, err, errlen))
			return -1;
		if (!(m->given & DM_FLUSH))
			m->flush_ns = disk_model_revolution_ns(m);
		return 0;
	case DISK_PROFILE_SSD:
		if (refuse(m, hdd_only, "only with profile=hdd", err, errlen))
			return -1;
		if (m->given & DM_LAT && !m->lat_ns)
			return errorf(err, errlen, "lat=0: profile=ssd needs a time per request on its channels (lat= above 0)");
		if (!(m->given & DM_LAT))
			m->lat_ns = SSD_LAT_NS;
		if (!(m->given & DM_CHANNELS))
			m->channels = SSD_CHANNELS;
		if (!(m->given & DM_RATE))
			m->rate = SSD_RATE;
		if (!(m->given & DM_FLUSH))
			m->flush_ns = SSD_FLUSH_NS;
		return 0;
	case DISK_PROFILE_NONE:
		if (refuse(m, hdd_only, "only with profile=hdd", err, errlen))
			return -1;
		if (m->given & DM_CHANNELS && !m->lat_ns)
			return errorf(err, errlen, "%s: needs lat= (the time a request spends on a channel)",
				      part_text(m, DM_CHANNELS, a, sizeof(a)));
		return 0;
	}
	return 0;
}

int disk_model_resolve(struct disk_model *m, uint64_t image_bytes, char *err, size_t errlen)
{
	char a[64], b[48];
	if (m->profile != DISK_PROFILE_HDD)
		return 0;
	if (!m->capacity)
		m->capacity = image_bytes;
	else if (m->capacity < image_bytes)
		return errorf(err, errlen, "%s: smaller than the image (%s); the image is a part of the modelled disk",
			      part_text(m, DM_CAPACITY, a, sizeof(a)), size_text(image_bytes, b, sizeof(b)));
	return 0;
}

const char *disk_model_text(const struct disk_model *m, char *buf, size_t len)
{
	static const unsigned hdd[] = { DM_PROFILE, DM_RPM, DM_SEEK_MIN, DM_SEEK, DM_SEEK_MAX, DM_RATE, DM_CAPACITY, DM_FLUSH };
	static const unsigned other[] = { DM_PROFILE, DM_LAT, DM_CHANNELS, DM_RATE, DM_IOPS, DM_FLUSH };
	const unsigned *order = m->profile == DISK_PROFILE_HDD ? hdd : other;
	size_t n = m->profile == DISK_PROFILE_HDD ? sizeof(hdd) / sizeof(hdd[0]) : sizeof(other) / sizeof(other[0]);
	size_t off = 0;
	char part[80];

	buf[0] = 0;
	if (!disk_model_active(m))
		return buf;
	for (size_t i = 0; i < n && off < len; i++) {
		unsigned bit = order[i];
		/* what the model has: the profile's parameters, and the limits set */
		bool has = bit == DM_PROFILE ? m->profile != DISK_PROFILE_NONE :
			   bit == DM_RATE ? m->rate != 0 : bit == DM_IOPS ? m->iops != 0 :
			   bit == DM_LAT ? m->lat_ns != 0 : bit == DM_CHANNELS ? m->channels != 0 : true;
		if (has)
			off += (size_t)snprintf(buf + off, len - off, "%s%s", off ? "," : "", part_text(m, bit, part, sizeof(part)));
	}
	return buf;
}
