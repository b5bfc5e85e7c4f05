/*
 * Sweep configs (the .ini files of configs/, documented in configs/README.md): what to
 * run, on which guest, over which grid of parameters. Read with the fio job-file reader
 * (fio/job_file.h: comments, bare keys, include, ${VAR}), so both file kinds follow one
 * syntax. Every error names file:line and the cause, e.g.
 *   configs/x.ini:7: [params] dirty_raito: unknown parameter (did you mean 'dirty_ratio'?)
 *   configs/x.ini:12: constraint 'a < (b': column 7: expected ')' to close the '(' at column 5, ...
 *   configs/x.ini:10: [constraints]: no run left after the constraints (12 grid points, all filtered out)
 */
#ifndef SWEEP_CONFIG_H
#define SWEEP_CONFIG_H
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#include "sweep/noise.h"
#include "vmm/vm.h"

#define SWEEP_NAME_MAX 64
/* Bounds that keep a typo ("1..1000000 step 1") from planning for hours. */
#define SWEEP_VALUES_MAX 10000 /* values of one parameter */
#define SWEEP_GRID_MAX 10000000 /* grid points before the constraints */
#define SWEEP_POINTS_MAX 100000 /* points after them */
#define SWEEP_RUNS_MAX 1000000 /* points x repeat */

enum sweep_order { SWEEP_ORDER_RANDOM, SWEEP_ORDER_SEQUENTIAL };

/* What a parameter sets: a field of struct vm_config, an fio option of the job
 * ("fio.iodepth", fio/sweep_options.h) or which job file runs ("job"). */
enum sweep_param_kind {
	SWEEP_PARAM_KNOB,
	SWEEP_PARAM_MEMORY,
	SWEEP_PARAM_VCPUS,
	SWEEP_PARAM_HZ,
	SWEEP_PARAM_FIO,
	SWEEP_PARAM_JOB,
	SWEEP_PARAM_TOPOLOGY, /* values: cpu_topology_pack(); sets vcpus too */
	SWEEP_PARAM_PIN, /* values: enum vm_pin_mode (none, compact, scatter; a list only for boot) */
	SWEEP_PARAM_BACKEND, /* values: enum backend_kind (kvm, libvirt) */
};

struct sweep_param {
	char *name;
	enum sweep_param_kind kind;
	int knob; /* enum vms_knob for SWEEP_PARAM_KNOB, the fio option for SWEEP_PARAM_FIO, else -1 */
	int64_t *values; /* in the order written, ranges expanded; memory and fio sizes in bytes,
			  * fio words (rw) their index, job the index into job_paths */
	char **job_paths; /* SWEEP_PARAM_JOB: the files, resolved like [workload] job */
	size_t nr_values;
	int zip; /* its zip group (index into sweep_config.zips), or -1 */
	unsigned line;
};

/* Parameters that vary together: value i of each goes with value i of the others. */
struct sweep_zip {
	size_t *params; /* indexes into sweep_config.params, in the order written */
	size_t nr_params;
	unsigned line;
};

struct sweep_constraint {
	char *text;
	struct sweep_expr *expr;
	unsigned line;
};

struct sweep_job_file {
	char *path; /* as written, resolved against the config's directory when relative */
	unsigned line;
};

/* [sweep] repeat = auto (config_repeat.c): repeat until each metric's 95 % interval is
 * within ci of its mean, min..max runs. */
struct sweep_repeat {
	bool on;
	unsigned min, max; /* defaults 3 and 20 */
	double ci; /* half-width / mean, default 0.02 */
	char **metrics; /* ci_metric: store metric names */
	size_t nr_metrics;
	unsigned line, first_line, metrics_line; /* of repeat, of the first other setting, of ci_metric (0: none) */
};

struct sweep_config {
	char *path; /* the config file, as given */

	/* [sweep] */
	char name[SWEEP_NAME_MAX + 1]; /* default: the config file's name without .ini */
	unsigned repeat; /* runs of each point, default 3; with repeat = auto, at most (max_repeat) */
	struct sweep_repeat auto_repeat;
	uint64_t seed; /* default 1 */
	enum sweep_order order; /* default random */
	uint64_t timeout_ns; /* per run, default 60s; 0: none */
	unsigned jobs; /* runs at a time, default 1 */
	unsigned timeout_line, memory_line; /* where set, 0 if not: for the checks before a run */
	struct noise_limits noise; /* noise_others_cpu, noise_steal, noise_calibration, noise_cpu_freq, noise_retries */

	/* [guest]: the settings of every run, before a point's parameters */
	uint64_t mem_size; /* default 128M */
	unsigned nr_cpus; /* default 2 */
	struct cpu_topology topo; /* [guest] topology; all 0: 1 x nr_cpus x 1 */
	struct vm_pin pin; /* [guest] pin; default none */
	unsigned hz; /* default 250 */
	uint64_t blk_poll_ns;
	bool hugepages; /* [guest] hugepages = yes: guest RAM from the host's huge pages */
	unsigned nr_disks;
	struct disk_config disks[VMS_MAX_DISKS];
	int64_t knobs[VMS_KNOB_COUNT]; /* knob defaults, with [guest]'s fixed knobs */

	/* [workload]: none means the built-in workload */
	struct sweep_job_file *job_files;
	size_t nr_job_files;
	/* [workload] section = NAME (repeatable): only these job sections of the job file(s),
	 * and [global], as fio's --section; none: every section */
	char **sections;
	size_t nr_sections;
	unsigned sections_line; /* of the first, 0 if none */

	/* [params], in the order written */
	struct sweep_param *params;
	size_t nr_params;
	struct sweep_zip *zips;
	size_t nr_zips;
	unsigned params_line; /* of the [params] header, 0 if none */

	/* [constraints] */
	struct sweep_constraint *constraints;
	size_t nr_constraints;
	unsigned constraints_line;

	/* [report] */
	char **metrics;
	size_t nr_metrics;
	int report_x, report_lines; /* parameter indexes, -1 when not given */
};

/*
 * Reads and checks path into *c, including that the grid is not empty after the
 * constraints and that the workload's job files compile. 0, or -1 with err naming
 * file:line and the cause. Free c with sweep_config_free either way.
 */
int sweep_config_load(const char *path, struct sweep_config *c, char *err, size_t errlen);

void sweep_config_free(struct sweep_config *c);

/* Compiles a job file of the sweep as its runs do: for its disks, only [workload]'s
 * section = sections, overrides (fio.<option> parameters) set in each job section. */
struct fio_option;
struct vms_workload;
int sweep_job_compile(const struct sweep_config *c, const char *path, const struct fio_option *overrides,
		      size_t nr_overrides, struct vms_workload **wl, size_t *size, char *err, size_t errlen);

/* Index of the parameter with this name, or -1. */
int sweep_config_param_find(const struct sweep_config *c, const char *name);

/* The name of a parameter kind: "knob", "memory", "vcpus", "hz". */
const char *sweep_param_kind_name(enum sweep_param_kind k);

const char *sweep_order_name(enum sweep_order o);

#endif
