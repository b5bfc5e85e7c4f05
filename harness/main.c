/* vmsweep: the command. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "baseline.h"
#include "boot_job.h"
#include "boot_options.h"
#include "boot_report.h"
#include "boot_report_mm.h"
#include "report/report_cmd.h"
#include "sweep/export_cmd.h"
#include "sweep/plan_cmd.h"
#include "sweep/run_cmd.h"
#include <vmsweep/workload.h>

#define EXIT_USAGE 2
#define EXIT_JOB_FAILED 9

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vmsweep COMMAND [options]\n"
		"A hypervisor-based benchmarking harness: boots minimal guests on its own KVM\n"
		"driver and measures the guest kernel's memory management and writeback.\n"
		"\n"
		"commands:\n"
		"  boot      boot the built-in guest kernel, run its built-in workload, summarise\n"
		"  plan      print the runs a sweep config expands to, without running them\n"
		"  run       run a sweep config into a results store (SQLite), resumable\n"
		"  export    a sweep's runs as CSV or JSON\n"
		"  report    a sweep's statistics, figures (gnuplot), report.html and report.md\n"
		"  baseline  run the host's fio with a job file on the same disk images, to compare\n"
		"  help      this text; `vmsweep COMMAND --help` for a command's options\n"
		"\n"
		"Exit status: 0 success, 1 host error, 2 bad usage; `vmsweep boot --help` lists\n"
		"the statuses of a guest run.\n");
}

static volatile int stop_requested;

static void on_stop_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/* Ctrl-C or a kill ends the run cleanly: the guest is stopped, the console kept. */
static void catch_stop_signals(void)
{
	struct sigaction sa = { .sa_handler = on_stop_signal };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static int cmd_boot(int argc, char **argv)
{
	struct boot_options o;
	char err[1024];
	int r = boot_options_parse(argc, argv, &o, stdout, err, sizeof(err));

	if (r == 1)
		return 0;
	if (r < 0) {
		fprintf(stderr, "vmsweep boot: %s\n", err);
		return EXIT_USAGE;
	}
	if (o.job_path && boot_job_compile(&o, err, sizeof(err)) != 0) {
		fprintf(stderr, "vmsweep boot: %s\n", err);
		return EXIT_USAGE;
	}
	o.vm.console_log = o.log_path;
	o.vm.console_live = o.console ? stderr : NULL;
	o.vm.stop_requested = &stop_requested;
	catch_stop_signals();
	struct vm_result *res = calloc(1, sizeof(*res));
	if (!res) {
		fprintf(stderr, "vmsweep boot: out of memory\n");
		return 1;
	}
	if (vm_run(&o.vm, res, err, sizeof(err)) != 0) {
		fprintf(stderr, "vmsweep boot: %s\n", err);
		free(res);
		free((void *)o.vm.workload);
		return 1;
	}
	if (o.json)
		boot_report_json(stdout, &o, res);
	else if (o.job_path && res->status == VM_DONE)
		boot_report_fio(stdout, &o, res); /* fio's JSON on stdout, as fio --output-format=json */
	if (!o.json || res->status != VM_DONE)
		boot_report_text(o.job_path ? stderr : stdout, stderr, &o, res);
	int code = vm_status_exit_code(res->status);
	/* A job that failed fails the command, as fio exits 1; the JSON above keeps its error. */
	const struct vms_workload *wl = o.vm.workload;
	for (unsigned i = 0; code == 0 && wl && res->fio_jobs && i < wl->nr_jobs; i++)
		if (res->fio_jobs[i].error) {
			fprintf(stderr, "vmsweep boot: fio job '%s' failed: error %u (%s)\n", wl->jobs[i].name,
				res->fio_jobs[i].error,
				res->fio_jobs[i].error == VMS_FIO_EVERIFY ? "verify: the data read back did not match the pattern" :
							       "the disk answered an I/O with an error");
			code = EXIT_JOB_FAILED;
		}
	if (code == 0 && boot_report_mm_failures(stderr, wl, res))
		code = EXIT_JOB_FAILED;
	free((void *)o.vm.workload);
	vm_result_free(res);
	free(res);
	return code;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	const char *cmd = argv[1];
	if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(cmd, "boot"))
		return cmd_boot(argc - 1, argv + 1);
	if (!strcmp(cmd, "plan"))
		return cmd_plan(argc - 1, argv + 1);
	if (!strcmp(cmd, "run"))
		return cmd_run(argc - 1, argv + 1);
	if (!strcmp(cmd, "export"))
		return cmd_export(argc - 1, argv + 1);
	if (!strcmp(cmd, "report"))
		return cmd_report(argc - 1, argv + 1);
	if (!strcmp(cmd, "baseline"))
		return baseline_run(argc - 1, argv + 1);
	fprintf(stderr, "vmsweep: unknown command '%s' (see vmsweep --help)\n", cmd);
	return EXIT_USAGE;
}
