/*
 * Record families: a subsystem's records on the host, behind one ops table. The VMM
 * takes the records it is handed (vmm/results.c), the store turns them into metrics
 * and time series (store/metrics.c), `vmsweep boot` prints them as text and JSON
 * (cmd/boot_report.c); each asks the families rather than knowing the subsystems.
 *
 * Adding a subsystem's records: its record types in vmsweep/records.h (with the
 * family's name), the guest code that writes them, one X(name) line below, and
 * harness/records/<name>.c with its ops table `<name>_records_ops` (docs/ARCHITECTURE.md).
 *
 * A family keeps what it takes in its own data (record_family_data), so vm_result
 * does not grow a field per subsystem. Everything it takes is the guest's word and
 * is checked before anything uses it.
 */
#ifndef RECORDS_FAMILY_H
#define RECORDS_FAMILY_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct vm_result;
struct vms_workload;
struct emit;
struct json_out;

/* A metric the store accepts: an fnmatch(3) pattern ('*' is any text, a job's name
 * say) and what it means, for `vmsweep export --list-metrics` and the store's check. */
struct metric_doc {
	const char *pattern;
	const char *doc;
};

struct record_family_ops {
	const char *name;
	/* A record of one of the family's types, its length checked against the type.
	 * -1 with err when the guest broke the protocol (the run becomes a bad guest). */
	int (*take)(struct vm_result *res, const struct vms_workload *wl, uint32_t type, const void *payload,
		    uint32_t len, char *err, size_t errlen);
	/* The guest said done: -1 with why when the family's records are incomplete. */
	int (*check_done)(const struct vm_result *res, const struct vms_workload *wl, char *why, size_t len);
	void (*free)(void *data);
	/* The run's metrics, histograms and time series (store/store_internal.h's emit). */
	void (*metrics)(struct emit *e, const struct vm_result *res, const struct vms_workload *wl);
	void (*series)(struct emit *e, const struct vm_result *res);
	/* The guest TSC of the family's first sample, UINT64_MAX if none: a run without a
	 * boot record counts its time series from the earliest sample of any kind. */
	uint64_t (*series_start)(const struct vm_result *res);
	const struct metric_doc *metric_docs; /* ends with a NULL pattern */
	/* `vmsweep boot`: a summary for people, members of the JSON summary (written one by
	 * one, util/json_out.h: a long series element by element), and the number of the
	 * workload's jobs that failed (each said on err). */
	void (*text)(FILE *out, const struct vm_result *res, const struct vms_workload *wl);
	void (*json)(struct json_out *out, const struct vm_result *res, const struct vms_workload *wl);
	unsigned (*failures)(FILE *err, const struct vm_result *res, const struct vms_workload *wl);
};

/* The families, in the order their reports appear. */
#define RECORD_FAMILIES(X) X(fio) X(mm) X(iolog) X(blk) X(wb) X(jbd2) X(sched)

enum record_family_id {
	RECORD_FAMILY_vmm = -1, /* the VMM's own records (vmm/results.c), not a family */
#define RECORD_FAMILY_ENUM(f) RECORD_FAMILY_##f,
	RECORD_FAMILIES(RECORD_FAMILY_ENUM)
#undef RECORD_FAMILY_ENUM
	RECORD_NR_FAMILIES
};

extern const struct record_family_ops *const record_families[RECORD_NR_FAMILIES];

/* The family of a record type; NULL for the VMM's own records and unknown types. */
const struct record_family_ops *record_family_of(uint32_t type);

/* A family's data in res, NULL before its first record. */
void *record_family_data(const struct vm_result *res, enum record_family_id id);
/* The same, made zeroed of size bytes on first use; NULL when out of memory. */
void *record_family_data_get(struct vm_result *res, enum record_family_id id, size_t size);
/* Frees every family's data (their free op, then the block). */
void record_families_free(struct vm_result *res);
#endif
