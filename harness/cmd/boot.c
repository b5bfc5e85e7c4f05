/* `vmsweep boot`: one guest run, summarised as text, JSON, or fio's JSON for --job. */
#include <stdio.h>
#include <stdlib.h>

#include <vmsweep/workload.h>

#include "backend/backend.h"
#include "cmd/boot_options.h"
#include "cmd/boot_report.h"
#include "cmd/cmd.h"
#include "fio/fio_json.h"
#include "fio/fio_json_opts.h"
#include "fio/sparse_reads.h"
#include "fio/job_compile.h"
#include "records/family.h"
#include "records/fio.h"
#include "records/iolog.h"
#include "records/sched_procfs.h"
#include "util/signals.h"

static volatile int stop_requested;

/* Ctrl-C or a kill ends the run cleanly: the guest is stopped, the console kept. */
static void on_stop_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

int cmd_boot(int argc, char **argv)
{
	struct boot_options o;
	struct fio_json_opts *opts = NULL;
	char err[1024];
	int r = boot_options_parse(argc, argv, &o, stdout, err, sizeof(err));

	if (r == 1)
		return 0;
	if (r < 0) {
		fprintf(stderr, "vmsweep boot: %s\n", err);
		return EXIT_USAGE;
	}
	if (o.job_path) {
		struct vms_workload *wl;
		struct fio_compile_sel sel = { .sections = o.sections, .nr_sections = o.nr_sections };
		if (fio_compile_for_disks_sel(o.job_path, o.vm.disks, o.vm.nr_disks, &sel, &wl, &o.vm.workload_size, err,
					      sizeof(err)) != 0) {
			fprintf(stderr, "vmsweep boot: %s\n", err);
			return EXIT_USAGE;
		}
		o.vm.workload = wl;
		sparse_reads_warn(wl, o.vm.disks, o.vm.nr_disks, stderr, "vmsweep boot: ");
		/* fio's "global options" and "job options": the file's text */
		if (fio_json_opts_read(o.job_path, NULL, 0, wl, &opts, err, sizeof(err)) != 0) {
			fprintf(stderr, "vmsweep boot: %s\n", err);
			free(wl);
			return EXIT_HOST;
		}
	}
	if (o.vm.backend == BACKEND_LIBVIRT) {
		stop_signals_catch(on_stop_signal, NULL);
		int code = boot_libvirt(&o, o.vm.workload, &stop_requested);
		free((void *)o.vm.workload);
		fio_json_opts_free(opts);
		return code;
	}
	o.vm.console_log = o.log_path;
	o.vm.console_live = o.console ? stderr : NULL;
	o.vm.stop_requested = &stop_requested;
	stop_signals_catch(on_stop_signal, NULL);
	struct vm_result *res = calloc(1, sizeof(*res));
	if (!res) {
		fprintf(stderr, "vmsweep boot: out of memory\n");
		return EXIT_HOST;
	}
	if (vm_run(&o.vm, res, err, sizeof(err)) != 0) {
		fprintf(stderr, "vmsweep boot: %s\n", err);
		free(res);
		free((void *)o.vm.workload);
		fio_json_opts_free(opts);
		return EXIT_HOST;
	}
	fio_records_json_set(res, opts, o.json_plus ? FIO_JSON_PLUS : 0);
	int json_failed = 0;
	if (o.json)
		json_failed = boot_report_json(stdout, &o, res);
	else if (o.job_path && res->status == VM_DONE)
		json_failed = boot_report_fio(stdout, &o, res); /* fio's JSON on stdout, as fio --output-format=json */
	if (!o.json || res->status != VM_DONE)
		boot_report_text(o.job_path ? stderr : stdout, stderr, &o, res);
	int code = vm_status_exit_code(res->status);
	/* Whoever reads the JSON must know it is not whole: measured results would be lost. */
	if (json_failed) {
		fprintf(stderr, "vmsweep boot: the JSON results are not whole: %s\n",
			ferror(stdout) ? "writing them to stdout failed" : "a part of them could not be built");
		if (code == 0)
			code = EXIT_HOST;
	}
	/* A file system e2fsck finds fault with does not fail the run: a test decides what it means. */
	for (unsigned i = 0; i < res->nr_disks; i++) {
		if (!res->disks[i].fsck.ran || res->disks[i].fsck.clean)
			continue;
		if (res->disks[i].fsck.exit < 0) /* it could not run: why */
				fprintf(stderr, "vmsweep boot: %s: fsck: %s\n", res->disks[i].name, res->disks[i].fsck.output);
			else
				fprintf(stderr, "vmsweep boot: %s: e2fsck -fn %s after the run: not clean (exit %d%s)\n",
					res->disks[i].name, res->disks[i].path, res->disks[i].fsck.exit,
					o.json ? "; its last lines are in disks[].fsck" : "");
	}
	const struct vms_workload *wl = o.vm.workload;
	/* fio's log files (write_lat_log and the like), in the working directory as fio writes them */
	if (wl && res->status == VM_DONE && iolog_files_write(res, wl, stderr, "vmsweep boot: ", err, sizeof(err))) {
		fprintf(stderr, "vmsweep boot: %s\n", err);
		if (code == 0)
			code = EXIT_HOST;
	}
	if (o.schedstat_path && schedstat_file_write(o.schedstat_path, res, err, sizeof(err)) != 0) {
		fprintf(stderr, "vmsweep boot: %s\n", err);
		if (code == 0)
			code = EXIT_HOST;
	}
	/* A job that failed fails the command, as fio exits 1; the JSON above keeps its error. */
	for (unsigned i = 0; i < RECORD_NR_FAMILIES && code == 0; i++)
		if (record_families[i]->failures && record_families[i]->failures(stderr, res, wl))
			code = EXIT_JOB_FAILED;
	free((void *)o.vm.workload);
	fio_json_opts_free(opts);
	vm_result_free(res);
	free(res);
	return code;
}
