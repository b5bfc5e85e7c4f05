/*
 * The ways one sweep point can be run, as an ops table (fio's ioengine_ops): `kvm`, our
 * own KVM driver booting the built-in guest kernel (the default), and `libvirt`, a real
 * Debian Linux guest running real fio through libvirt (QEMU). Both take the same
 * vm_config (memory, CPUs, topology, pinning, disks, knobs, timeout) and fill the same
 * store_run under the same metric names, so that a sweep holds both side by side.
 */
#ifndef BACKEND_BACKEND_H
#define BACKEND_BACKEND_H
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "store/store.h"
#include "vmm/vm.h"

enum backend_kind { BACKEND_KVM, BACKEND_LIBVIRT, BACKEND_NR };

struct fio_json_opts;
struct vms_workload;

/* One run. The runner fills the inputs; the backend the outputs. */
struct backend_run {
	struct vm_config *vm; /* the run's configuration; its disks are the run's own copies */
	const struct vms_workload *wl; /* the compiled job file (NULL: the built-in workload) */
	const char *job_path; /* the job file wl was compiled from (NULL: none) */
	const struct fio_json_opts *json_opts; /* its options, for fio's JSON */
	const char *files_dir; /* the run's files go to files_dir/runs/<run_id>.*; NULL: none */
	size_t run_id;
	FILE *fio_json; /* not NULL: the guest fio's JSON is also written here, as it came (boot's stdout) */
	FILE *dry_run; /* not NULL: write what would run here (the libvirt backend: its domain XML, run.conf
			* and job file) and run nothing */

	struct store_run *rec; /* out: status, cause, metrics, histograms, series, console */
	bool interrupted; /* out: stopped by the user: not to be recorded (it stays planned) */
	bool files_failed; /* out: its files could not be written (err says why): the sweep stops */
};

struct backend_ops {
	const char *name;
	/* Before a sweep starts (only for a sweep that has points of this backend): e.g. a
	 * private libvirtd. -1 with err. NULL: nothing to do. */
	int (*sweep_begin)(char *err, size_t errlen);
	void (*sweep_end)(void);
	/* Whether this backend can run the point as configured (knobs it has no equivalent
	 * for, a job it cannot run), before anything boots: -1 with err naming the knob or
	 * option and the backend. */
	int (*check)(const struct vm_config *vm, const struct vms_workload *wl, char *err, size_t errlen);
	/*
	 * Runs it and fills r->rec (status STORE_DONE or STORE_FAILED with its cause:
	 * a guest that fails is a failed run, not an error). -1 with err only when the host
	 * could not run it at all (the runner records it failed with err as its cause).
	 */
	int (*run)(struct backend_run *r, char *err, size_t errlen);
};

extern const struct backend_ops backend_kvm_ops, backend_libvirt_ops;

/* The backend named name ("kvm", "libvirt"), or NULL. */
const struct backend_ops *backend_find(const char *name);
const struct backend_ops *backend_get(enum backend_kind k);
/* "kvm", "libvirt" */
const char *backend_name(enum backend_kind k);
/* enum backend_kind of name, or -1 */
int backend_parse(const char *name);
#endif
