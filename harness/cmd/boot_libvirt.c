/* `vmsweep boot --backend libvirt`: the --job on the Linux guest, fio's JSON on stdout as
 * the guest's fio wrote it, a summary of the run's metrics on stderr. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/backend.h"
#include "backend/libvirt_conn.h"
#include "backend/linux_image.h"
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
	const struct backend_ops *be = backend_get(BACKEND_LIBVIRT);
	/* no files: fio's JSON goes to stdout as the guest's fio wrote it, the console to --log */
	struct backend_run br = { .vm = &o->vm, .wl = wl, .job_path = o->job_path, .rec = &rec, .fio_json = stdout,
				  .dry_run = o->dry_run ? stdout : NULL };
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
	return code;
}
