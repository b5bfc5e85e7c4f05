/* What the store's files share: the handle, its cached statements, error helpers. */
#ifndef VMSWEEP_STORE_INTERNAL_H
#define VMSWEEP_STORE_INTERNAL_H
#include <limits.h>
#include <pthread.h>
#include <stddef.h>
#include <sqlite3.h>

#include "store/store.h"

/* Statements prepared once per handle (SQLITE_PREPARE_PERSISTENT) and reused. */
enum store_stmt {
	ST_MANIFEST_SET,
	ST_MANIFEST_GET,
	ST_MANIFEST_DELETE,
	ST_RUN_UPDATE,
	ST_RUN_STATUS,
	ST_METRIC_INSERT,
	ST_HIST_INSERT,
	ST_HIST_GET,
	ST_HIST_POINT,
	ST_SAMPLE_INSERT,
	ST_CONSOLE_INSERT,
	ST_PENDING,
	ST_INPUTS_INSERT,
	ST_INPUTS_ID,
	ST_RECORDED_INPUTS,
	ST_NR
};

struct store {
	sqlite3 *db;
	pthread_mutex_t lock; /* one transaction at a time per handle */
	sqlite3_stmt *stmt[ST_NR];
	char path[PATH_MAX];
};

/* The connection: for the unit tests, which look at the tables directly. Everything
 * else reads through store.h and query.h, so that the SQL stays in store/. */
sqlite3 *store_db(struct store *s);
/* The cached statement, reset and unbound; NULL with err set. */
sqlite3_stmt *store_stmt(struct store *s, enum store_stmt which, char *err, size_t errlen);
/* -1 with "what: <sqlite's message>" in err. */
int store_db_error(struct store *s, const char *what, char *err, size_t errlen);
/* Runs SQL without results; -1 with err. */
int store_exec(struct store *s, const char *sql, char *err, size_t errlen);
/* Runs a one-integer query ("SELECT count(*) ..."); -1 with err. */
int store_query_int(struct store *s, const char *sql, int64_t *v, char *err, size_t errlen);

/* Little-endian uint64 counts <-> blob of 8 * VMS_HIST_NR bytes. */
void store_counts_pack(const uint64_t *counts, unsigned char *blob);
uint64_t store_counts_unpack_one(const unsigned char *blob, unsigned i);

/* ---- The metric set of a guest run (metrics.c, and each record family's ops) ---- */
struct vm_result;
struct vms_workload;

/* Errors (out of memory, a name too long) are counted in bad rather than stopping at each. */
struct emit {
	struct store_run *r;
	int bad;
};
/* Metric printf(fmt, ...) = v. */
void emit_put(struct emit *e, double v, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* "<prefix>p50<suffix>" .. "<prefix>p999<suffix>" from merged counts, as fio computes them. */
void emit_pcts(struct emit *e, const char *prefix, const char *suffix, const uint64_t *counts);

/* A record's uint64_t counter and the name it is stored under: the records' counters
 * are many, and listed once this way. A member of another type would be read wrong, so
 * _Generic refuses it at compile time. EMIT_FIELD names the metric after the member. */
struct emit_field {
	const char *name;
	size_t off;
};
#define EMIT_FIELD_AS(type, member, name) \
	{ name, offsetof(type, member) + _Generic(((type *)0)->member, uint64_t: 0) }
#define EMIT_FIELD(type, member) EMIT_FIELD_AS(type, member, #member)
/* Metric "<prefix><name>" = the counter, for each of fields[n] in rec. */
void emit_fields(struct emit *e, const char *prefix, const void *rec, const struct emit_field *fields, size_t n);
/* Where job k's numbers add up in a report with one entry a name (a job, its clones, its
 * group): the index in entries[ne] (each size bytes, opening with the char name[] fio
 * reports under), or ne for a new entry, its name then written there. */
unsigned job_entry_find(const struct vms_workload *wl, unsigned k, void *entries, size_t size, unsigned ne);

/* The guest TSC that every time series counts from: CPU 0's first instruction, or
 * without a boot record the earliest sample of any kind (CPU or a family's). */
uint64_t series_t0(const struct vm_result *res);
#endif
