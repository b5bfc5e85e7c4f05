/*
 * vmsweep merge DIR: the shard stores of a sweep run as shards (DIR/shards/<I>, made by
 * `vmsweep run --shard I/N`, usually through `vmsweep submit --slurm`) joined into
 * DIR/results.sqlite, which report, export and compare then read as any sweep's. Each
 * run is taken once, from the shard that recorded it, with its files (DIR/runs/); a
 * shard of another plan or build is refused and named. Safe to run again at any time,
 * also while shards are still running: it adds what is new.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/merge.h"
#include "cmd/run_files.h"
#include "cmd/shard_dirs.h"
#include "store/store.h"
#include "util/dir_lock.h"
#include "util/error.h"
#include "util/file_copy.h"

struct files_arg {
	const char *dir, *shard_dir;
};

static int id_compare(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	return x < y ? -1 : x > y;
}

/* One file into dir's runs/: a hard link where both are on one file system, else a copy,
 * through a temporary name so that no half file is left. */
static int file_merge(const char *from, const char *to, char *err, size_t errlen)
{
	char tmp[8600];
	snprintf(tmp, sizeof(tmp), "%s.merge-tmp", to);
	unlink(tmp);
	if (link(from, tmp) != 0 && file_copy_sparse(from, tmp, err, errlen) != 0)
		return -1;
	if (rename(tmp, to) != 0) {
		errorf(err, errlen, "%s: %s", to, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* The files of runs ids[] (ascending) from the shard's runs/ to dir's: <id>.<what>, the
 * shard's directory read once. */
static int files_merge(void *arg, const size_t *ids, size_t n, char *err, size_t errlen)
{
	const struct files_arg *a = arg;
	char from_dir[4200], to_dir[4200];
	struct dirent *e;
	snprintf(from_dir, sizeof(from_dir), "%s/%s", a->shard_dir, RUN_FILES_DIR);
	snprintf(to_dir, sizeof(to_dir), "%s/%s", a->dir, RUN_FILES_DIR);
	DIR *d = opendir(from_dir);
	if (!d)
		return errno == ENOENT ? 0 : errorf(err, errlen, "%s: %s", from_dir, strerror(errno));
	if (mkdir(to_dir, 0755) != 0 && errno != EEXIST) {
		closedir(d);
		return errorf(err, errlen, "%s: %s", to_dir, strerror(errno));
	}
	int r = 0;
	while (!r && (e = readdir(d))) {
		char *end, from[8500], to[8500];
		size_t id = (size_t)strtoull(e->d_name, &end, 10);
		size_t len = strlen(e->d_name);
		/* not a half-written file of a run's (run_file_gz_write's NAME.tmp) */
		if (e->d_name[0] < '0' || e->d_name[0] > '9' || *end != '.' ||
		    (len > 4 && !strcmp(e->d_name + len - 4, ".tmp")) || !bsearch(&id, ids, n, sizeof(*ids), id_compare))
			continue;
		snprintf(from, sizeof(from), "%s/%s", from_dir, e->d_name);
		snprintf(to, sizeof(to), "%s/%s", to_dir, e->d_name);
		r = file_merge(from, to, err, errlen);
	}
	closedir(d);
	return r;
}

/* What the merged store holds now: its runs are ids 0 .. runs - 1 (store_plan_write). */
static int totals_count(struct store *s, struct merge_totals *t, char *err, size_t errlen)
{
	enum store_status *st;
	if (store_run_statuses(s, &st, &t->runs, err, errlen))
		return -1;
	t->recorded = t->failed = t->missing = 0;
	for (size_t i = 0; i < t->runs; i++) {
		t->failed += st[i] == STORE_FAILED;
		t->missing += st[i] == STORE_PLANNED;
	}
	t->recorded = t->runs - t->missing;
	free(st);
	return 0;
}

int merge_dir(const char *dir, FILE *report, struct merge_totals *t, char *err, size_t errlen)
{
	struct shard_dir *shards = NULL;
	struct store *s = NULL;
	size_t n = 0;
	int r = -1;
	char first_refusal[1024] = "";

	memset(t, 0, sizeof(*t));
	if (shard_dirs_list(dir, &shards, &n, err, errlen))
		return -1;
	t->shards = n;
	if (!n) {
		struct stat st;
		char path[4200];
		snprintf(path, sizeof(path), "%s/%s", dir, STORE_FILE);
		if (stat(path, &st) != 0) {
			free(shards);
			return errorf(err, errlen, "%s: neither a results store nor shard stores (%s/<I>/%s)", dir,
				      SHARDS_SUBDIR, STORE_FILE);
		}
	}
	if (store_open(dir, true, &s, err, errlen))
		goto out;
	for (size_t i = 0; i < n; i++) {
		struct store_merge m;
		struct files_arg fa = { dir, shards[i].path };
		char why[1024] = "";
		if (store_merge_shard(s, shards[i].path, files_merge, &fa, &m, why, sizeof(why))) {
			t->refused++;
			if (report)
				fprintf(report, "vmsweep merge: %s: not merged: %s\n", shards[i].path, why);
			if (!first_refusal[0])
				snprintf(first_refusal, sizeof(first_refusal), "%s", why);
			continue;
		}
		t->added += m.added;
		t->duplicates += m.duplicates;
		if (report && m.empty)
			fprintf(report, "vmsweep merge: %s: not begun (an empty store): nothing to merge\n", shards[i].path);
		else if (report)
			fprintf(report, "vmsweep merge: %s: %zu run%s added, %zu merged before\n", shards[i].path, m.added,
				m.added == 1 ? "" : "s", m.already);
		if (report && m.duplicates)
			fprintf(report, "vmsweep merge: %s: %zu of its runs were recorded by another shard too: the"
					" record merged first is kept\n",
				shards[i].path, m.duplicates);
	}
	if (totals_count(s, t, err, errlen))
		goto out;
	if (first_refusal[0]) {
		errorf(err, errlen, "%zu of %zu shard stores not merged; the first: %s", t->refused, n, first_refusal);
		goto out;
	}
	r = 0;
out:
	store_close(s);
	free(shards);
	return r;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: vmsweep merge DIR\n"
		   "Joins the shard stores DIR/%s/<I> (vmsweep run --shard I/N, as `vmsweep submit\n"
		   "--slurm` runs them) into DIR/%s: each run once, from the shard that recorded\n"
		   "it, with its files (DIR/%s/); then `vmsweep report DIR` reads the whole sweep.\n"
		   "A shard made from another config, plan or build is refused and named; the\n"
		   "others are merged. Safe to run again, also while shards still run: it adds what\n"
		   "is new. Each shard's host goes into the manifest as shard.<I>.<key>.\n"
		   "Exit status: 0 merged (runs may still be missing: it says how many), 1 a store\n"
		   "that cannot be read or written, 2 a shard refused.\n",
		SHARDS_SUBDIR, STORE_FILE, RUN_FILES_DIR);
}

int cmd_merge(int argc, char **argv)
{
	static const struct option opts[] = { { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
	struct merge_totals t;
	char err[2048];
	int opt;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (opt == 'h') {
			usage(stdout);
			return 0;
		}
		usage(stderr);
		return EXIT_USAGE;
	}
	if (argc - optind != 1) {
		usage(stderr);
		return EXIT_USAGE;
	}
	const char *dir = argv[optind];
	int lock = dir_lock_take(dir, "vmsweep merge", err, sizeof(err));
	if (lock < 0) {
		fprintf(stderr, "vmsweep merge: %s\n", err);
		return EXIT_HOST;
	}
	int r = merge_dir(dir, stderr, &t, err, sizeof(err));
	dir_lock_release(lock);
	if (r && !t.runs) {
		fprintf(stderr, "vmsweep merge: %s\n", err);
		return t.refused ? EXIT_USAGE : EXIT_HOST;
	}
	fprintf(stderr, "vmsweep merge: %s: %zu of %zu runs recorded (%zu failed), %zu missing%s\n", dir, t.recorded,
		t.runs, t.failed, t.missing,
		t.missing ? ": once the shards are done, merge again; to run what is missing, vmsweep submit --resume" : "");
	if (r) {
		fprintf(stderr, "vmsweep merge: %s\n", err);
		return t.refused ? EXIT_USAGE : EXIT_HOST;
	}
	printf("%s\n", dir);
	return 0;
}
