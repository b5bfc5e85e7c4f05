/* `vmsweep replay-log`: lists a disk's write log or writes it onto an image, as xfstests' replay-log. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "util/error.h"
#include "util/parse.h"
#include "vmm/blk/write_log.h"

#define ALSO_MAX 4096

static void replay_log_usage(FILE *f)
{
	fprintf(f, "usage: vmsweep replay-log --log LOG --list\n"
		   "       vmsweep replay-log --log LOG --replay IMAGE [--limit N | --end-mark NAME] [--also LIST]\n"
		   "Reads a disk's write log (--disk ...,log=LOG: the format of Linux's dm-log-writes,\n"
		   "docs/WRITE_LOG.md) and lists its entries, or writes them onto an image as xfstests'\n"
		   "replay-log does. The log starts with the disk as it was before the run, so that\n"
		   "replaying it onto an all-zero image of the disk's size (truncate -s SIZE IMAGE)\n"
		   "rebuilds the disk.\n"
		   "\n"
		   "  --log LOG        the log to read\n"
		   "  --list           one line per entry: its index and kind, then a write's first sector\n"
		   "                   and sectors (512 bytes each), or a mark's text\n"
		   "  --replay IMAGE   write the entries onto IMAGE, which must exist\n"
		   "  --limit N        only the first N entries (default: all)\n"
		   "  --end-mark NAME  up to and including the first mark NAME (vmsweep-base: the disk\n"
		   "                   before the run)\n"
		   "  --also LIST      then these entries too: indices past the first ones, increasing,\n"
		   "                   comma-separated (a device that kept only some of the writes in\n"
		   "                   flight after the last flush)\n"
		   "  -h, --help       this text\n"
		   "\n"
		   "Exit status: 0 done, 1 the log or the image could not be read or written, 2 bad option.\n");
}

struct replay_opts {
	const char *log, *image, *end_mark;
	bool list, has_limit;
	uint64_t limit;
	uint64_t also[ALSO_MAX];
	size_t nr_also;
};

static int also_parse(const char *arg, struct replay_opts *o, char *err, size_t errlen)
{
	char buf[65536], why[200];
	if (snprintf(buf, sizeof(buf), "%s", arg) >= (int)sizeof(buf))
		return errorf(err, errlen, "--also: too long");
	for (char *save = NULL, *p = strtok_r(buf, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		int64_t v;
		if (o->nr_also == ALSO_MAX)
			return errorf(err, errlen, "--also: more than %d entries", ALSO_MAX);
		if (parse_int_range(p, 0, INT64_MAX, &v, why, sizeof(why)))
			return errorf(err, errlen, "--also %s: '%s': %s", arg, p, why);
		o->also[o->nr_also++] = (uint64_t)v;
	}
	return 0;
}

static int opts_parse(int argc, char **argv, struct replay_opts *o, char *err, size_t errlen)
{
	enum { OPT_LOG = 256, OPT_LIST, OPT_REPLAY, OPT_LIMIT, OPT_END_MARK, OPT_ALSO };
	static const struct option opts[] = {
		{ "log", required_argument, NULL, OPT_LOG },	       { "list", no_argument, NULL, OPT_LIST },
		{ "replay", required_argument, NULL, OPT_REPLAY },     { "limit", required_argument, NULL, OPT_LIMIT },
		{ "end-mark", required_argument, NULL, OPT_END_MARK }, { "also", required_argument, NULL, OPT_ALSO },
		{ "help", no_argument, NULL, 'h' },		       { NULL, 0, NULL, 0 }
	};
	char why[200];
	int opt;

	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		int64_t v;
		switch (opt) {
		case 'h':
			replay_log_usage(stdout);
			return 1;
		case OPT_LOG:
			o->log = optarg;
			break;
		case OPT_LIST:
			o->list = true;
			break;
		case OPT_REPLAY:
			o->image = optarg;
			break;
		case OPT_LIMIT:
			if (parse_int_range(optarg, 0, INT64_MAX, &v, why, sizeof(why)))
				return errorf(err, errlen, "--limit %s: %s", optarg, why);
			o->limit = (uint64_t)v;
			o->has_limit = true;
			break;
		case OPT_END_MARK:
			o->end_mark = optarg;
			break;
		case OPT_ALSO:
			if (also_parse(optarg, o, err, errlen))
				return -1;
			break;
		default:
			return errorf(err, errlen, "%s option '%s' (see vmsweep replay-log --help)",
				      opt == ':' ? "a value is missing for" : "unknown", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return errorf(err, errlen, "unexpected argument '%s' (see vmsweep replay-log --help)", argv[optind]);
	if (!o->log)
		return errorf(err, errlen, "--log LOG is needed (see vmsweep replay-log --help)");
	if (o->list == !!o->image)
		return errorf(err, errlen, "one of --list and --replay IMAGE is needed (see vmsweep replay-log --help)");
	if (o->list && (o->has_limit || o->end_mark || o->nr_also))
		return errorf(err, errlen, "--limit, --end-mark and --also go with --replay, not --list");
	if (o->has_limit && o->end_mark)
		return errorf(err, errlen, "--limit and --end-mark: give one (both say where the replay stops)");
	return 0;
}

static void entries_list(const struct write_log_reader *r)
{
	char kind[64];
	for (uint64_t i = 0; i < r->nr_entries; i++) {
		const struct write_log_entry *e = &r->entries[i];
		write_log_entry_kind(e, kind, sizeof(kind));
		if (e->flags & LOG_MARK_FLAG)
			printf("%llu %s %s\n", (unsigned long long)i, kind, e->mark);
		else if (e->nr_sectors)
			printf("%llu %s sector %llu sectors %llu\n", (unsigned long long)i, kind, (unsigned long long)e->sector,
			       (unsigned long long)e->nr_sectors);
		else
			printf("%llu %s\n", (unsigned long long)i, kind);
	}
}

/* Where the replay stops: --limit, --end-mark or the whole log. */
static int replay_count(const struct write_log_reader *r, const struct replay_opts *o, uint64_t *count, char *err,
			size_t errlen)
{
	*count = r->nr_entries;
	if (o->has_limit && o->limit > r->nr_entries)
		return errorf(err, errlen, "--limit %llu: the log has %llu entries", (unsigned long long)o->limit,
			      (unsigned long long)r->nr_entries);
	if (o->has_limit)
		*count = o->limit;
	if (!o->end_mark)
		return 0;
	for (uint64_t i = 0; i < r->nr_entries; i++)
		if ((r->entries[i].flags & LOG_MARK_FLAG) && !strcmp(r->entries[i].mark, o->end_mark)) {
			*count = i + 1;
			return 0;
		}
	return errorf(err, errlen, "--end-mark %s: the log has no such mark", o->end_mark);
}

/* --also: entries after the first count, in the log's order (write_log_replay's rule). */
static int also_check(const struct write_log_reader *r, uint64_t count, const struct replay_opts *o, char *err,
		      size_t errlen)
{
	for (size_t k = 0; k < o->nr_also; k++)
		if (o->also[k] < count || o->also[k] >= r->nr_entries || (k && o->also[k] <= o->also[k - 1]))
			return errorf(err, errlen, "--also: entry %llu: expected entries after the first %llu, in "
				      "increasing order, below %llu (the log's entries)", (unsigned long long)o->also[k],
				      (unsigned long long)count, (unsigned long long)r->nr_entries);
	return 0;
}

/* Every entry that will be applied lies inside the image: a log of another disk is refused. */
static int fits_check(const struct write_log_reader *r, uint64_t count, const struct replay_opts *o, uint64_t bytes,
		      char *err, size_t errlen)
{
	for (uint64_t k = 0; k < count + o->nr_also; k++) {
		uint64_t i = k < count ? k : o->also[k - count];
		if (i >= r->nr_entries)
			continue; /* write_log_replay names it */
		const struct write_log_entry *e = &r->entries[i];
		if (!(e->flags & LOG_MARK_FLAG) && e->nr_sectors &&
		    (e->sector > bytes / r->sectorsize || e->nr_sectors > bytes / r->sectorsize - e->sector))
			return errorf(err, errlen, "entry %llu writes sectors %llu..%llu, past the end of %s (%llu bytes): "
				      "the log of a larger disk?", (unsigned long long)i, (unsigned long long)e->sector,
				      (unsigned long long)(e->sector + e->nr_sectors - 1), o->image,
				      (unsigned long long)bytes);
	}
	return 0;
}

int cmd_replay_log(int argc, char **argv)
{
	struct replay_opts *o = calloc(1, sizeof(*o));
	struct write_log_reader r;
	char err[1024];
	int code = 0;

	if (!o) {
		fprintf(stderr, "vmsweep replay-log: out of memory\n");
		return EXIT_HOST;
	}
	int p = opts_parse(argc, argv, o, err, sizeof(err));
	if (p) {
		if (p < 0)
			fprintf(stderr, "vmsweep replay-log: %s\n", err);
		free(o);
		return p < 0 ? EXIT_USAGE : 0;
	}
	if (write_log_reader_open(&r, o->log, err, sizeof(err))) {
		fprintf(stderr, "vmsweep replay-log: --log %s\n", err);
		free(o);
		return EXIT_HOST;
	}
	if (o->list) {
		entries_list(&r);
	} else {
		uint64_t count = 0;
		struct stat st;
		int fd = open(o->image, O_WRONLY | O_CLOEXEC);
		if (fd < 0) {
			fprintf(stderr, "vmsweep replay-log: --replay %s: %s%s\n", o->image, strerror(errno),
				errno == ENOENT ? " (make an all-zero image of the disk's size: truncate -s SIZE IMAGE)" : "");
			code = EXIT_HOST;
		} else if (replay_count(&r, o, &count, err, sizeof(err)) || also_check(&r, count, o, err, sizeof(err))) {
			fprintf(stderr, "vmsweep replay-log: %s\n", err);
			code = EXIT_USAGE;
		} else if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
			   fits_check(&r, count, o, (uint64_t)st.st_size, err, sizeof(err))) {
			fprintf(stderr, "vmsweep replay-log: --replay %s\n", err);
			code = EXIT_HOST;
		} else if (write_log_replay(&r, fd, count, o->also, o->nr_also, err, sizeof(err))) {
			fprintf(stderr, "vmsweep replay-log: %s\n", err);
			code = EXIT_HOST;
		} else if (fsync(fd) != 0) {
			fprintf(stderr, "vmsweep replay-log: --replay %s: %s\n", o->image, strerror(errno));
			code = EXIT_HOST;
		}
		if (fd >= 0)
			close(fd);
	}
	if (!code && r.base_end != UINT64_MAX && !r.whole) /* a log of vmsweep's that was not closed */
		fprintf(stderr, "vmsweep replay-log: %s does not end with the mark %s: its run did not finish it "
				"(the entries up to its last completed flush are all there)\n",
			o->log, WRITE_LOG_MARK_END);
	write_log_reader_close(&r);
	free(o);
	return code;
}
