/* `vmsweep boot --backend libvirt`: the --job on the Linux guest, fio's JSON on stdout as
 * the guest's fio wrote it, a summary of the run's metrics on stderr. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "backend/backend.h"
#include "backend/libvirt_conn.h"
#include "backend/linux_image.h"
#include "backend/linux_sections.h"
#include "cmd/boot_options.h"
#include "cmd/cmd.h"
#include "store/store.h"

/* The metrics a person looks at first, as `vmsweep boot` summarises our own runs. */
static void summary_print(FILE *f, const struct store_run *rec)
{
	static const char *const first[] = { "linux.boot_s", "linux.run_s", "linux.fio_rc" };
	fprintf(f, "libvirt: %s%s%s\n", rec->status == STORE_DONE ? "done" : "failed", rec->cause[0] ? ": " : "",
		rec->cause);
	for (size_t i = 0; i < sizeof(first) / sizeof(first[0]); i++)
		for (size_t m = 0; m < rec->nr_metrics; m++)
			if (!strcmp(rec->metrics[m].name, first[i]))
				fprintf(f, "  %-40s %g\n", rec->metrics[m].name, rec->metrics[m].value);
	for (size_t m = 0; m < rec->nr_metrics; m++)
		if (!strncmp(rec->metrics[m].name, "fio.", 4) &&
		    (strstr(rec->metrics[m].name, ".iops") || strstr(rec->metrics[m].name, ".clat_p99_ns") ||
		     strstr(rec->metrics[m].name, ".sync_lat_mean_ns")))
			fprintf(f, "  %-40s %g\n", rec->metrics[m].name, rec->metrics[m].value);
}

int boot_libvirt(struct boot_options *o, const struct vms_workload *wl, volatile int *stop)
{
	struct store_run rec = { 0 };
	char err[1024];
	const char *tmpdir = getenv("TMPDIR");
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s/vmsweep-boot.XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
	if (!mkdtemp(dir)) {
		perror("vmsweep boot: mkdtemp");
		return EXIT_HOST;
	}
	const struct backend_ops *be = backend_get(BACKEND_LIBVIRT);
	struct backend_run br = { .vm = &o->vm, .wl = wl, .job_path = o->job_path, .files_dir = dir, .run_id = 1,
				  .rec = &rec, .dry_run = o->dry_run ? stdout : NULL };
	o->vm.stop_requested = stop;
	libvirt_uri_set(o->libvirt_uri);
	if (be->check(&o->vm, wl, err, sizeof(err))) {
		fprintf(stderr, "vmsweep boot: --backend libvirt: %s\n", err);
		return EXIT_USAGE;
	}
	int code;
	if (be->run(&br, err, sizeof(err))) {
		fprintf(stderr, "vmsweep boot: --backend libvirt: %s\n", err);
		code = EXIT_HOST;
	} else if (o->dry_run) {
		code = 0;
	} else if (br.interrupted) {
		fprintf(stderr, "vmsweep boot: interrupted\n");
		code = 130;
	} else {
		char why[160];
		const char *type = linux_domain_type(why, sizeof(why));
		fprintf(stderr, "vmsweep boot: libvirt: %s; a domain of type %s (%s)\n", libvirt_conn_describe(), type, why);
		/* fio's JSON as the guest's fio wrote it: the run's files hold it gzip'd */
		char path[4200], buf[8192];
		snprintf(path, sizeof(path), "%s/runs/1.fio.json.gz", dir);
		gzFile gz = gzopen(path, "rb");
		int n;
		while (gz && (n = gzread(gz, buf, sizeof(buf))) > 0)
			fwrite(buf, 1, (size_t)n, stdout);
		if (gz)
			gzclose(gz);
		summary_print(stderr, &rec);
		if (o->log_path && rec.console) {
			FILE *lf = fopen(o->log_path, "w");
			if (lf) {
				fputs(rec.console, lf);
				fclose(lf);
			}
		}
		code = rec.status == STORE_DONE ? 0 : rec.exit_status ? rec.exit_status : 1;
	}
	store_run_free(&rec);
	libvirt_close();
	static const char *const files[] = { "runs/1.fio.json.gz", "runs/1.linux.gz", "runs/1.console.log.gz", "runs" };
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char path[4200];
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		if (unlink(path) && errno == EISDIR)
			rmdir(path);
	}
	rmdir(dir);
	return code;
}
