/*
 * vmsweep rerun DIR --out NEW [--force]: runs a stored sweep again from its manifest alone
 * (the config's and job files' texts, hence its seeds and knobs), then says for each
 * figure whether it reproduced: the rerun's and the original's 95 % intervals overlapping
 * (NEW/rerun.md), and compares the two (NEW/compare.md). A harness or guest build other
 * than the one that made DIR is refused unless --force: the figure would not be the same
 * experiment. Exit status: 0 reproduced, 1 some point did not, 2 bad usage or a refused
 * build, 3 runs failed, another of `vmsweep run`'s on its errors.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd/cmd.h"
#include "cmd/run.h"
#include "compare/compare.h"
#include "store/store.h"
#include "sweep/rerun_inputs.h"
#include "util/build_info.h"
#include "util/error.h"
#include "vmm/vm.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: vmsweep rerun DIR --out NEW [--force]\n"
		   "Runs the sweep stored in DIR again into NEW from DIR's manifest alone: its config and\n"
		   "job files are written back from the texts kept there (NEW/inputs/), so the plan, seeds\n"
		   "and knobs are the original's whatever the files on disk say now. Then NEW/rerun.md\n"
		   "says for each figure (a metric of the report) and point whether the rerun reproduced\n"
		   "it: the 95%% intervals of its mean and the original's overlap; NEW/compare.md is `vmsweep compare\n"
		   "DIR NEW`. The summary goes to standard output.\n"
		   "  --out NEW   where the rerun goes (a new sweep directory)\n"
		   "  --force     run although this harness or guest build is not the one that made DIR\n"
		   "Exit status: 0 every point reproduced, 1 some did not, 2 bad usage or another build,\n"
		   "3 runs failed (as vmsweep run).\n");
}

/* 0 when this build made DIR (or force); 2 with the reason printed otherwise. */
static int builds_check(struct store *s, const char *dir, bool force)
{
	char self[41], guest[41], kernel[4096], err[256], *was_h = NULL, *was_g = NULL;
	int rc = 0;
	build_id_self(self);
	vm_default_kernel_path(kernel, sizeof(kernel));
	run_guest_build_id(kernel, guest);
	if (store_manifest_get(s, "harness_build_id", &was_h, err, sizeof(err)) ||
	    store_manifest_get(s, "guest_build_id", &was_g, err, sizeof(err))) {
		fprintf(stderr, "vmsweep rerun: %s: %s\n", dir, err);
		rc = 2;
	} else {
		const char *what = was_h && strcmp(was_h, self) ? "harness" : was_g && strcmp(was_g, guest) ? "guest" : NULL;
		if (what) {
			fprintf(stderr, "vmsweep rerun: %s was made by another %s build (%s there, %s here)%s\n", dir, what,
				!strcmp(what, "harness") ? was_h : was_g, !strcmp(what, "harness") ? self : guest,
				force ? ": rerun anyway (--force)" : ": not the same experiment; --force runs it anyway");
			rc = force ? 0 : 2;
		}
	}
	free(was_h);
	free(was_g);
	return rc;
}

/* NEW/rerun.md and NEW/compare.md; the summary lines on stdout. */
static int reproduce(const char *dir, const char *out)
{
	static struct compare c;
	const char *dirs[] = { dir, out };
	char err[1024], path[4200];
	size_t nr_not = 0;
	int rc;
	memset(&c, 0, sizeof(c));
	c.opt = (struct compare_options){ .threshold = 0.05, .alpha = 0.05, .conf = 0.95, .test = COMPARE_TEST_AUTO };
	snprintf(path, sizeof(path), "%s/rerun.md", out);
	FILE *f = NULL;
	rc = compare_load(&c, dirs, 2, NULL, 0, err, sizeof(err));
	if (!rc && !(f = fopen(path, "w")))
		rc = errorf(err, sizeof(err), "%s: %s", path, strerror(errno));
	if (!rc)
		rc = reproduce_write(&c, f, &nr_not, err, sizeof(err));
	if (f && (ferror(f) | fclose(f)) && !rc)
		rc = errorf(err, sizeof(err), "%s: write error", path);
	if (!rc && !compare_compute(&c, err, sizeof(err))) {
		snprintf(path, sizeof(path), "%s/compare.md", out);
		FILE *m = fopen(path, "w");
		if (!m || compare_write(m, &c, "md") || fclose(m))
			fprintf(stderr, "vmsweep rerun: warning: %s not written\n", path);
	}
	compare_free(&c);
	if (rc) {
		fprintf(stderr, "vmsweep rerun: %s\n", err);
		return 2;
	}
	/* The figures' verdict lines, for the terminal. */
	snprintf(path, sizeof(path), "%s/rerun.md", out);
	if ((f = fopen(path, "r"))) {
		char line[1024];
		while (fgets(line, sizeof(line), f))
			if (!strncmp(line, "Figure ", 7))
				fputs(line, stdout);
		fclose(f);
	}
	printf("%s/rerun.md\n", out);
	return nr_not ? 1 : 0;
}

int cmd_rerun(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = NULL, *dir = NULL;
	bool force = false;
	char err[1024] = "", cfg[4096];
	struct store *s = NULL;
	int ch, rc;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (ch) {
		case 'o': out = optarg; break;
		case 'f': force = true; break;
		case 'h': usage(stdout); return 0;
		case ':': fprintf(stderr, "vmsweep rerun: %s needs a value\n", argv[optind - 1]); return EXIT_USAGE;
		default:
			fprintf(stderr, "vmsweep rerun: unknown option '%s' (see vmsweep rerun --help)\n", argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (optind < argc)
		dir = argv[optind++];
	if (!dir || optind < argc || !out) {
		fprintf(stderr, "vmsweep rerun: %s (vmsweep rerun DIR --out NEW)\n",
			!dir ? "which sweep?" : !out ? "where to? --out NEW" : "one sweep at a time");
		return EXIT_USAGE;
	}
	struct stat st;
	if (!stat(out, &st)) {
		fprintf(stderr, "vmsweep rerun: %s exists: a rerun goes into a new directory\n", out);
		return EXIT_USAGE;
	}
	if (store_open(dir, false, &s, err, sizeof(err))) {
		fprintf(stderr, "vmsweep rerun: %s\n", err);
		return EXIT_USAGE;
	}
	rc = builds_check(s, dir, force);
	if (!rc && mkdir(out, 0777))
		rc = errorf(err, sizeof(err), "%s: %s", out, strerror(errno));
	if (!rc && rerun_inputs_write(s, out, cfg, sizeof(cfg), err, sizeof(err)))
		rc = -1;
	if (rc < 0) {
		fprintf(stderr, "vmsweep rerun: %s\n", err);
		rc = EXIT_USAGE;
	}
	store_close(s);
	if (rc)
		return rc;
	printf("vmsweep rerun: %s from %s's manifest (config %s)\n", out, dir, cfg);
	fflush(stdout);
	char *run_argv[] = { "run", cfg, "--out", (char *)out, NULL };
	rc = cmd_run(4, run_argv);
	if (rc && rc != EXIT_RUNS_FAILED)
		return rc;
	int rep = reproduce(dir, out);
	return rc ? rc : rep;
}
