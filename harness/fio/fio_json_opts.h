/*
 * fio's "global options" and "job options" in its JSON: every option a [global] section
 * or a job's section gives, in fio's order, under fio's name for it (readwrite is "rw",
 * blocksize "bs": fio's add_to_dump_list keeps the option's name, not the alias used),
 * with the value as the file wrote it (${VAR} expanded). Bare flags (time_based, ...)
 * have no value and fio leaves them out. A sweep's fio.<option> parameters are options
 * of every job section, after its own, as the compiler sees them.
 */
#ifndef FIO_JSON_OPTS_H
#define FIO_JSON_OPTS_H
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <vmsweep/workload.h>

#include "fio/job_file.h"

struct fio_json_optlist {
	bool present; /* fio writes the object when the section has any option, even only flags */
	const struct fio_option **opts; /* with a value, in fio's order */
	size_t nr;
};

struct fio_json_opts {
	struct fio_job_file jf; /* owns the text */
	struct fio_option *extra; /* the overrides, owned */
	size_t nr_extra;
	struct fio_json_optlist global;
	unsigned nr_jobs;
	struct fio_json_optlist *job; /* per job of the workload (its section's); present false if not found */
	const char **desc; /* per job: its description= (its own, else [global]'s), or NULL */
};

/* Reads path and maps the workload's jobs to its sections (the sections in order, a job
 * and its clones to the next section of its name). 0, or -1 with err. */
int fio_json_opts_read(const char *path, const struct fio_option *overrides, size_t nr_overrides,
		       const struct vms_workload *wl, struct fio_json_opts **out, char *err, size_t errlen);
void fio_json_opts_free(struct fio_json_opts *o);
/* fio's name for an option name or alias (blocksize: "bs"). */
const char *fio_json_opt_name(const char *key);
/* The list as fio's json_add_job_opts writes it. */
json_t *fio_json_optlist_json(const struct fio_json_optlist *l);
#endif
