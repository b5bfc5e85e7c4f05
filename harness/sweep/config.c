/*
 * Loading a sweep config: the sections, their keys and values. See config.h, and
 * configs/README.md for the format as users read it.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fio/job_compile.h"
#include "sweep/config_internal.h"
#include "sweep/expr.h"
#include "sweep/grid.h"
#include "util/error.h"
#include "util/knob.h"
#include "util/parse.h"
#include "util/suggest.h"

#define DEFAULT_TIMEOUT_NS (60ull * 1000000000ull)
#define JOBS_MAX 1024

static const char *const sweep_keys[] = { "name", "repeat", "seed", "order", "timeout", "jobs", "backend",
					   "noise_others_cpu", "noise_steal", "noise_calibration", "noise_cpu_freq", "noise_retries",
					   "min_repeat", "max_repeat", "ci", "ci_metric" };
#define NOISE_RETRIES_MAX 10
/* What a disk of `vmsweep boot` may have and a sweep's may not (yet): a sweep's fs= disk is
 * a template made once, each run booting a fresh copy of it (sweep/run_disks.c). */
static int disk_sweep_check(const struct disk_config *d, char *err, size_t errlen)
{
	if (d->log[0])
		return errorf(err, errlen, "log= records one run's writes, and every run of a sweep would write it "
			      "again (use it with vmsweep boot)");
	if (d->has_mkfs)
		return errorf(err, errlen, "mkfs= makes a new image, and a resumed sweep must find the one it began with "
			      "(make it first with mkfs.ext3 -b 4096 %s %s, then give fs=ext3 alone)", d->mkfs, d->path);
	if (d->fsck)
		return errorf(err, errlen, "fsck is reported by vmsweep boot --json (disks[].fsck); a sweep does not "
			      "store it (use vmsweep boot)");
	return 0;
}

static const char *const guest_keys[] = { "memory", "vcpus", "hz", "disk", "blk_poll_us", "hugepages", "topology", "pin" };
static const char *const report_keys[] = { "metrics", "x", "lines" };

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Where each [guest] setting was made, to refuse sweeping it as well. */
struct guest_lines {
	unsigned memory, vcpus, hz, topology, pin, knobs[VMS_KNOB_COUNT];
};

static int unknown_key(const struct fio_option *o, const char *section, const char *const *keys, size_t n,
		       bool knobs, char *err, size_t errlen)
{
	const char *cands[VMS_KNOB_COUNT + 16];
	size_t nc = 0;

	for (size_t i = 0; i < n && nc < NELEM(cands); i++)
		cands[nc++] = keys[i];
	for (int i = 0; knobs && i < VMS_KNOB_COUNT; i++)
		cands[nc++] = knob_table[i].name;
	const char *hint = name_suggest(o->key, cands, nc);
	if (hint)
		return errorf_at(err, errlen, o->file, o->line, "unknown key '%s' in [%s] (did you mean '%s'?)",
				 o->key, section, hint);
	return errorf_at(err, errlen, o->file, o->line, "unknown key '%s' in [%s]%s", o->key, section,
			 knobs ? " (keys: memory, vcpus, hz, topology, pin, disk, blk_poll_us, hugepages and the guest knobs)" : "");
}

/* Refuses a key given twice in one section (only disk and job repeat). */
static int key_once(const struct fio_section *s, size_t i, char *err, size_t errlen)
{
	const struct fio_option *o = &s->opts[i];

	for (size_t j = 0; j < i; j++)
		if (!strcmp(s->opts[j].key, o->key))
			return errorf_at(err, errlen, o->file, o->line, "%s: set twice (first at line %u)", o->key,
					 s->opts[j].line);
	if (!o->value || !*o->value)
		return errorf_at(err, errlen, o->file, o->line, "%s: expected '%s = VALUE'", o->key, o->key);
	return 0;
}

static int int_value(const struct fio_option *o, int64_t min, int64_t max, int64_t *v, char *err, size_t errlen)
{
	char why[256];

	if (parse_int_range(o->value, min, max, v, why, sizeof(why)))
		return errorf_at(err, errlen, o->file, o->line, "%s = %s: %s", o->key, o->value, why);
	return 0;
}

/* "10%" or "0.1": a fraction in (0, 1]. */
static int fraction_value(const struct fio_option *o, double *v, char *err, size_t errlen)
{
	char *end;
	double x = strtod(o->value, &end);
	if (end != o->value && *end == '%') {
		x /= 100;
		end++;
	}
	if (end == o->value || *end || !(x > 0 && x <= 1))
		return errorf_at(err, errlen, o->file, o->line, "%s = %s: expected a percentage (10%%) or a fraction (0.1)",
				 o->key, o->value);
	*v = x;
	return 0;
}

static int sweep_section(struct sweep_config *c, const struct fio_section *s, char *err, size_t errlen)
{
	char why[256];
	int64_t v;

	for (size_t i = 0; i < s->nr_opts; i++) {
		const struct fio_option *o = &s->opts[i];
		const char *k = o->key;
		size_t ki;
		for (ki = 0; ki < NELEM(sweep_keys) && strcmp(k, sweep_keys[ki]); ki++)
			;
		if (ki == NELEM(sweep_keys))
			return unknown_key(o, "sweep", sweep_keys, NELEM(sweep_keys), false, err, errlen);
		if (key_once(s, i, err, errlen))
			return -1;
		if (!strcmp(k, "backend")) { /* kvm, libvirt: a parameter of the sweep, as in [params] */
			if (sweep_param_add(c, o, err, errlen))
				return -1;
		} else if (!strcmp(k, "name")) {
			size_t n = strlen(o->value);
			if (n > SWEEP_NAME_MAX || strspn(o->value, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
								   "0123456789._-") != n)
				return errorf_at(err, errlen, o->file, o->line,
						 "name = %s: expected up to %d letters, digits, '.', '_' or '-' (it "
						 "names directories)",
						 o->value, SWEEP_NAME_MAX);
			snprintf(c->name, sizeof(c->name), "%s", o->value);
		} else if (sweep_repeat_key_is(k)) {
			if (sweep_repeat_key(c, o, err, errlen))
				return -1;
		} else if (!strcmp(k, "seed")) {
			if (int_value(o, 0, INT64_MAX, &v, err, errlen))
				return -1;
			c->seed = (uint64_t)v;
		} else if (!strcmp(k, "order")) {
			if (!strcmp(o->value, "random"))
				c->order = SWEEP_ORDER_RANDOM;
			else if (!strcmp(o->value, "sequential"))
				c->order = SWEEP_ORDER_SEQUENTIAL;
			else
				return errorf_at(err, errlen, o->file, o->line,
						 "order = %s: expected random or sequential", o->value);
		} else if (!strcmp(k, "timeout")) {
			if (parse_duration_ns(o->value, &c->timeout_ns, why, sizeof(why)))
				return errorf_at(err, errlen, o->file, o->line, "timeout = %s: %s", o->value, why);
			c->timeout_line = o->line;
		} else if (!strcmp(k, "jobs")) {
			if (int_value(o, 1, JOBS_MAX, &v, err, errlen))
				return -1;
			c->jobs = (unsigned)v;
		} else if (!strcmp(k, "noise_others_cpu")) {
			if (fraction_value(o, &c->noise.others_cpu, err, errlen))
				return -1;
		} else if (!strcmp(k, "noise_steal")) {
			if (fraction_value(o, &c->noise.steal, err, errlen))
				return -1;
		} else if (!strcmp(k, "noise_calibration")) {
			if (fraction_value(o, &c->noise.calibration, err, errlen))
				return -1;
		} else if (!strcmp(k, "noise_cpu_freq")) {
			if (fraction_value(o, &c->noise.cpu_freq, err, errlen))
				return -1;
		} else if (!strcmp(k, "noise_retries")) {
			if (int_value(o, 0, NOISE_RETRIES_MAX, &v, err, errlen))
				return -1;
			c->noise.retries = (unsigned)v;
		}
	}
	return 0;
}

static int guest_section(struct sweep_config *c, const struct fio_section *s, struct guest_lines *gl, char *err,
			 size_t errlen)
{
	char why[512];
	int64_t v;

	for (size_t i = 0; i < s->nr_opts; i++) {
		const struct fio_option *o = &s->opts[i];
		const char *k = o->key;
		int knob = knob_find(k);
		bool disk = !strcmp(k, "disk");

		if (!disk && knob < 0 && strcmp(k, "memory") && strcmp(k, "vcpus") && strcmp(k, "hz") &&
		    strcmp(k, "blk_poll_us") && strcmp(k, "hugepages") && strcmp(k, "topology") && strcmp(k, "pin"))
			return unknown_key(o, "guest", guest_keys, NELEM(guest_keys), true, err, errlen);
		if (disk) {
			if (!o->value || !*o->value)
				return errorf_at(err, errlen, o->file, o->line, "disk: expected 'disk = PATH[,size=1G]...'");
			if (c->nr_disks >= VMS_MAX_DISKS)
				return errorf_at(err, errlen, o->file, o->line, "disk = %s: at most %d disks", o->value,
						 VMS_MAX_DISKS);
			if (disk_config_parse(o->value, &c->disks[c->nr_disks], why, sizeof(why))) {
				const char *cause = strncmp(why, "--disk ", 7) ? why : why + 7;
				return errorf_at(err, errlen, o->file, o->line, "disk = %s", cause);
			}
			if (disk_sweep_check(&c->disks[c->nr_disks], why, sizeof(why)))
				return errorf_at(err, errlen, o->file, o->line, "disk = %s: %s", o->value, why);
			c->nr_disks++;
			if (disk_configs_check(c->disks, c->nr_disks, why, sizeof(why)))
				return errorf_at(err, errlen, o->file, o->line, "disk = %s",
						 strncmp(why, "--disk ", 7) ? why : why + 7);
			continue;
		}
		if (key_once(s, i, err, errlen))
			return -1;
		if (!strcmp(k, "hugepages")) {
			const char *val = o->value ? o->value : "";
			if (!strcasecmp(val, "yes") || !strcasecmp(val, "true") || !strcasecmp(val, "on") || !strcmp(val, "1"))
				c->hugepages = true;
			else if (!strcasecmp(val, "no") || !strcasecmp(val, "false") || !strcasecmp(val, "off") ||
				 !strcmp(val, "0"))
				c->hugepages = false;
			else
				return errorf_at(err, errlen, o->file, o->line, "hugepages = %s: expected yes or no", val);
			continue;
		}
		if (!strcmp(k, "blk_poll_us")) {
			if (int_value(o, 0, 1000000, &v, err, errlen))
				return -1;
			c->blk_poll_ns = (uint64_t)v * 1000;
			continue;
		}
		enum sweep_param_kind kind = knob >= 0 ? SWEEP_PARAM_KNOB :
					     !strcmp(k, "memory") ? SWEEP_PARAM_MEMORY :
					     !strcmp(k, "vcpus") ? SWEEP_PARAM_VCPUS :
					     !strcmp(k, "topology") ? SWEEP_PARAM_TOPOLOGY :
					     !strcmp(k, "pin") ? SWEEP_PARAM_PIN : SWEEP_PARAM_HZ;
		if (sweep_value_parse(kind, knob, o->value, &v, why, sizeof(why)))
			return errorf_at(err, errlen, o->file, o->line, "%s = %s: %s", k, o->value, why);
		switch (kind) {
		case SWEEP_PARAM_KNOB: knob_assign(c->knobs, knob, v); gl->knobs[knob] = o->line; break;
		case SWEEP_PARAM_MEMORY: c->mem_size = (uint64_t)v; gl->memory = c->memory_line = o->line; break;
		case SWEEP_PARAM_VCPUS: c->nr_cpus = (unsigned)v; gl->vcpus = o->line; break;
		case SWEEP_PARAM_HZ: c->hz = (unsigned)v; gl->hz = o->line; break;
		case SWEEP_PARAM_TOPOLOGY: c->topo = cpu_topology_unpack(v); gl->topology = o->line; break;
		case SWEEP_PARAM_PIN: c->pin = (struct vm_pin){ .mode = (enum vm_pin_mode)v }; gl->pin = o->line; break;
		case SWEEP_PARAM_FIO:
		case SWEEP_PARAM_BACKEND: /* [sweep] or [params] */
		case SWEEP_PARAM_JOB: break; /* [params] only: the job file says the rest */
		}
	}
	return 0;
}

/* The job file compiled as every run compiles it: for the disks, only the sections asked for. */
int sweep_job_compile(const struct sweep_config *c, const char *path, const struct fio_option *overrides,
		      size_t nr_overrides, struct vms_workload **wl, size_t *size, char *err, size_t errlen)
{
	struct fio_compile_sel sel = { .sections = (const char *const *)c->sections, .nr_sections = c->nr_sections,
				       .overrides = overrides, .nr_overrides = nr_overrides };
	return fio_compile_for_disks_sel(path, c->disks, c->nr_disks, &sel, wl, size, err, errlen);
}

static int workload_section(struct sweep_config *c, const struct fio_section *s, char *err, size_t errlen)
{
	/* section = first: the job is checked with them */
	for (size_t i = 0; i < s->nr_opts; i++) {
		const struct fio_option *o = &s->opts[i];
		if (strcmp(o->key, "section"))
			continue;
		if (!o->value || !*o->value)
			return errorf_at(err, errlen, o->file, o->line, "section: expected 'section = NAME' (a job section of "
					 "the job file)");
		char **v = realloc(c->sections, (c->nr_sections + 1) * sizeof(*v));
		if (!v || !(v[c->nr_sections] = strdup(o->value))) {
			if (v)
				c->sections = v;
			return errorf_at(err, errlen, o->file, o->line, "out of memory");
		}
		c->sections = v;
		if (!c->nr_sections)
			c->sections_line = o->line;
		c->nr_sections++;
	}
	for (size_t i = 0; i < s->nr_opts; i++) {
		const struct fio_option *o = &s->opts[i];
		static const char *const keys[] = { "job", "section" };
		if (!strcmp(o->key, "section"))
			continue;
		if (strcmp(o->key, "job"))
			return unknown_key(o, "workload", keys, 2, false, err, errlen);
		if (!o->value || !*o->value)
			return errorf_at(err, errlen, o->file, o->line, "job: expected 'job = FILE.fio'");
		if (c->nr_job_files)
			return errorf_at(err, errlen, o->file, o->line,
					 "job = %s: one job file per sweep (the first is at line %u); put its jobs"
					 " in that file as sections",
					 o->value, c->job_files[0].line);
		struct sweep_job_file *j = realloc(c->job_files, (c->nr_job_files + 1) * sizeof(*j));
		if (!j)
			return errorf_at(err, errlen, o->file, o->line, "out of memory");
		c->job_files = j;
		j += c->nr_job_files;
		/* relative to the config, as the reader takes includes */
		const char *slash = strrchr(o->file, '/');
		int r = o->value[0] != '/' && slash
				? asprintf(&j->path, "%.*s%s", (int)(slash - o->file + 1), o->file, o->value)
				: asprintf(&j->path, "%s", o->value);
		if (r < 0)
			return errorf_at(err, errlen, o->file, o->line, "out of memory");
		j->line = o->line;
		c->nr_job_files++;

		char why[1024];
		struct vms_workload *wl = NULL;
		size_t size = 0;
		/* Checked now so that a bad job fails the plan, not run 1. */
		if (sweep_job_compile(c, j->path, NULL, 0, &wl, &size, why, sizeof(why)))
			return errorf_at(err, errlen, o->file, o->line, "job = %s: %s", o->value, why);
		free(wl);
	}
	return 0;
}

static int report_param(struct sweep_config *c, const struct fio_option *o, int *out, char *err, size_t errlen)
{
	*out = sweep_config_param_find(c, o->value);
	if (*out >= 0)
		return 0;
	const char **names = calloc(c->nr_params + 1, sizeof(*names));
	for (size_t i = 0; names && i < c->nr_params; i++)
		names[i] = c->params[i].name;
	const char *hint = names ? name_suggest(o->value, names, c->nr_params) : NULL;
	errorf_at(err, errlen, o->file, o->line, "%s = %s: not a parameter of [params]%s%s%s", o->key, o->value,
		  hint ? " (did you mean '" : "", hint ? hint : "", hint ? "'?)" : "");
	free(names);
	return -1;
}

static int report_section(struct sweep_config *c, const struct fio_section *s, char *err, size_t errlen)
{
	char why[256];

	for (size_t i = 0; i < s->nr_opts; i++) {
		const struct fio_option *o = &s->opts[i];
		if (strcmp(o->key, "metrics") && strcmp(o->key, "x") && strcmp(o->key, "lines"))
			return unknown_key(o, "report", report_keys, NELEM(report_keys), false, err, errlen);
		if (key_once(s, i, err, errlen))
			return -1;
		if (!strcmp(o->key, "metrics")) {
			if (sweep_list_split(o->value, &c->metrics, &c->nr_metrics, why, sizeof(why)))
				return errorf_at(err, errlen, o->file, o->line, "metrics: %s", why);
		} else if (report_param(c, o, !strcmp(o->key, "x") ? &c->report_x : &c->report_lines, err, errlen)) {
			return -1;
		}
	}
	if (c->report_x >= 0 && c->report_x == c->report_lines)
		return errorf_at(err, errlen, s->file, s->line, "[report]: x and lines are both '%s'",
				 c->params[c->report_x].name);
	return 0;
}

/* A knob parameter's word in a constraint: "blk_completion != poll". */
static int constraint_word(void *ctx, size_t param, const char *text, int64_t *v, char *cause, size_t len)
{
	const struct sweep_param *prm = &((const struct sweep_config *)ctx)->params[param];

	if (prm->kind != SWEEP_PARAM_KNOB || !knob_words(prm->knob))
		return 1;
	return knob_parse(prm->knob, text, v, cause, len) ? -1 : 0;
}

static int constraints_parse(struct sweep_config *c, const struct sweep_ini *ini, char *err, size_t errlen)
{
	const char **names = calloc(c->nr_params + 1, sizeof(*names));
	char cause[512];
	int ret = -1;

	if (!names)
		return errorf(err, errlen, "%s: out of memory", c->path);
	for (size_t i = 0; i < c->nr_params; i++)
		names[i] = c->params[i].name;
	c->constraints = calloc(ini->nr_constraints + 1, sizeof(*c->constraints));
	if (!c->constraints) {
		errorf(err, errlen, "%s: out of memory", c->path);
		goto out;
	}
	for (size_t i = 0; i < ini->nr_constraints; i++) {
		const struct sweep_raw_line *l = &ini->constraints[i];
		struct sweep_constraint *k = &c->constraints[c->nr_constraints];
		unsigned col = 0;
		if (sweep_expr_parse_words(l->text, names, c->nr_params, constraint_word, c, &k->expr, &col, cause,
					   sizeof(cause))) {
			errorf_at(err, errlen, c->path, l->line, "constraint '%s': column %u: %s", l->text,
				  l->col + col - 1, cause);
			goto out;
		}
		k->line = l->line;
		k->text = strdup(l->text);
		c->nr_constraints++;
		if (!k->text) {
			errorf(err, errlen, "%s: out of memory", c->path);
			goto out;
		}
	}
	ret = 0;
out:
	free(names);
	return ret;
}

/* A setting both fixed in [guest] and swept is a mistake either way it is meant. */
static int guest_conflicts(const struct sweep_config *c, const struct guest_lines *gl, char *err, size_t errlen)
{
	for (size_t i = 0; i < c->nr_params; i++) {
		const struct sweep_param *p = &c->params[i];
		unsigned at = p->kind == SWEEP_PARAM_KNOB ? gl->knobs[p->knob] :
			      p->kind == SWEEP_PARAM_MEMORY ? gl->memory :
			      p->kind == SWEEP_PARAM_VCPUS ? gl->vcpus :
			      p->kind == SWEEP_PARAM_TOPOLOGY ? gl->topology :
			      p->kind == SWEEP_PARAM_PIN ? gl->pin :
			      p->kind == SWEEP_PARAM_HZ ? gl->hz : 0;
		if (at)
			return errorf_at(err, errlen, c->path, p->line,
					 "[params] %s: also set in [guest] at line %u (a setting is fixed or swept, "
					 "not both)",
					 p->name, at);
	}
	return 0;
}

/* topology sets the vCPUs (S*C*T): vcpus beside it is a second answer to one question. */
static int topology_conflicts(struct sweep_config *c, const struct guest_lines *gl, char *err, size_t errlen)
{
	int tp = sweep_config_param_find(c, "topology"), vp = sweep_config_param_find(c, "vcpus");
	unsigned t_line = tp >= 0 ? c->params[tp].line : gl->topology, v_line = vp >= 0 ? c->params[vp].line : gl->vcpus;

	if (!t_line)
		return 0;
	if (gl->topology && tp < 0 && vp < 0 && cpu_topology_nr_cpus(&c->topo) == c->nr_cpus)
		return 0; /* [guest] vcpus = 4 and topology = 2x2x1 agree */
	if (v_line)
		return errorf_at(err, errlen, c->path, t_line,
				 "topology: vcpus is set too, at line %u (a topology of SxCxT is S*C*T vCPUs: give "
				 "topology alone)", v_line);
	if (gl->topology)
		c->nr_cpus = cpu_topology_nr_cpus(&c->topo);
	return 0;
}

/* A job parameter and [workload] job are one setting, fixed or swept; fio options need a
 * job file to be set in; each swept job file compiles for the disks. */
static int jobs_check(const struct sweep_config *c, char *err, size_t errlen)
{
	int job = sweep_config_param_find(c, "job");
	char why[1024];

	if (job >= 0 && c->nr_job_files)
		return errorf_at(err, errlen, c->path, c->params[job].line,
				 "[params] job: also set in [workload] at line %u (a setting is fixed or swept, not both)",
				 c->job_files[0].line);
	for (size_t i = 0; i < c->nr_params; i++)
		if (c->params[i].kind == SWEEP_PARAM_FIO && job < 0 && !c->nr_job_files)
			return errorf_at(err, errlen, c->path, c->params[i].line,
					 "[params] %s: no job file to set it in ([workload] job = FILE.fio, or a job"
					 " parameter)",
					 c->params[i].name);
	if (c->nr_sections && job < 0 && !c->nr_job_files)
		return errorf_at(err, errlen, c->path, c->sections_line,
				 "section = %s: no job file to pick it from ([workload] job = FILE.fio, or a job parameter)",
				 c->sections[0]);
	for (size_t k = 0; job >= 0 && k < c->params[job].nr_values; k++) {
		struct vms_workload *wl = NULL;
		size_t size = 0;
		if (sweep_job_compile(c, c->params[job].job_paths[k], NULL, 0, &wl, &size, why, sizeof(why)))
			return errorf_at(err, errlen, c->path, c->params[job].line, "[params] job: %s", why);
		free(wl);
	}
	return 0;
}

/* `vmsweep boot` refuses it too: without a tick a sleeping task never wakes up. */
static int points_runnable(const struct sweep_config *c, const struct sweep_plan *p, const struct guest_lines *gl,
			   char *err, size_t errlen)
{
	int hz = sweep_config_param_find(c, "hz"), sl = sweep_config_param_find(c, "sleep_ms"),
	    du = sweep_config_param_find(c, "duration_ms");

	if (c->nr_job_files || sweep_config_param_find(c, "job") >= 0)
		return 0;
	for (size_t i = 0; i < p->nr_points; i++) {
		const int64_t *v = sweep_plan_point(p, i);
		int64_t h = hz >= 0 ? v[hz] : c->hz, s = sl >= 0 ? v[sl] : c->knobs[VMS_KNOB_sleep_ms],
			d = du >= 0 ? v[du] : c->knobs[VMS_KNOB_duration_ms];
		if (h == 0 && s && d)
			return errorf_at(err, errlen, c->path, hz >= 0 ? c->params[hz].line : gl->hz,
					 "hz 0 (no tick) cannot run the built-in workload while it sleeps (sleep_ms=%lld, "
					 "duration_ms=%lld): set sleep_ms = 0, or add a constraint such as "
					 "'hz > 0 || sleep_ms == 0'",
					 (long long)s, (long long)d);
	}
	return 0;
}

static void config_defaults(struct sweep_config *c, const char *path)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	size_t n = strlen(base);

	if (n > 4 && !strcmp(base + n - 4, ".ini"))
		n -= 4;
	snprintf(c->name, sizeof(c->name), "%.*s", (int)(n < SWEEP_NAME_MAX ? n : SWEEP_NAME_MAX), base);
	c->repeat = 3;
	c->noise.retries = 2; /* used only when a noise_ bound is set */
	c->seed = 1;
	c->order = SWEEP_ORDER_RANDOM;
	c->timeout_ns = DEFAULT_TIMEOUT_NS;
	c->jobs = 1;
	struct vm_config vm;
	vm_config_init(&vm);
	c->mem_size = vm.mem_size;
	c->nr_cpus = vm.nr_cpus;
	c->hz = vm.hz;
	c->blk_poll_ns = vm.blk_poll_ns;
	memcpy(c->knobs, vm.knobs, sizeof(c->knobs));
	c->report_x = c->report_lines = -1;
}

/* Finds each section once; refuses unknown and repeated ones. */
static int sections_index(const struct sweep_ini *ini, const struct fio_section **by_name, char *err,
			  size_t errlen)
{
	const struct fio_job_file *jf = &ini->jf;

	for (size_t i = 0; i < jf->nr_sections; i++) {
		const struct fio_section *s = &jf->sections[i];
		size_t k;
		for (k = 0; k < sweep_nr_sections && strcmp(s->name, sweep_sections[k]); k++)
			;
		if (k == sweep_nr_sections) {
			const char *hint = name_suggest(s->name, sweep_sections, sweep_nr_sections);
			if (hint)
				return errorf_at(err, errlen, s->file, s->line, "unknown section [%s] (did you mean [%s]?)",
						 s->name, hint);
			return errorf_at(err, errlen, s->file, s->line,
					 "unknown section [%s] (sections: [sweep], [guest], [workload], [params], "
					 "[constraints], [report])",
					 s->name);
		}
		if (by_name[k])
			return errorf_at(err, errlen, s->file, s->line, "section [%s] appears twice (first at line %u)",
					 s->name, by_name[k]->line);
		by_name[k] = s;
	}
	if (!jf->nr_sections)
		return errorf_at(err, errlen, jf->files[0], 1, "no sections: an empty config");
	return 0;
}

int sweep_config_load(const char *path, struct sweep_config *c, char *err, size_t errlen)
{
	struct sweep_ini ini;
	const struct fio_section *sec[8] = { 0 };
	struct guest_lines gl = { 0 };
	struct sweep_plan plan;
	int ret = -1;

	memset(c, 0, sizeof(*c));
	config_defaults(c, path);
	if (!(c->path = strdup(path)))
		return errorf(err, errlen, "%s: out of memory", path);
	if (sweep_ini_read(path, &ini, err, errlen))
		return -1;
	/* In the order of their dependencies: [workload] needs the disks, [report] and
	 * [constraints] the parameters. */
	if (sections_index(&ini, sec, err, errlen) || (sec[0] && sweep_section(c, sec[0], err, errlen)) ||
	    (sec[1] && guest_section(c, sec[1], &gl, err, errlen)) ||
	    (sec[2] && workload_section(c, sec[2], err, errlen)) ||
	    (sec[3] && sweep_params_parse(c, sec[3], err, errlen)) || guest_conflicts(c, &gl, err, errlen) ||
	    topology_conflicts(c, &gl, err, errlen) ||
	    jobs_check(c, err, errlen) ||
	    (sec[5] && report_section(c, sec[5], err, errlen)) || sweep_repeat_check(c, err, errlen))
		goto out;
	if (sec[4])
		c->constraints_line = sec[4]->line;
	if (constraints_parse(c, &ini, err, errlen))
		goto out;
	ret = sweep_plan(c, &plan, err, errlen) || points_runnable(c, &plan, &gl, err, errlen) ? -1 : 0;
	sweep_plan_free(&plan);
out:
	sweep_ini_free(&ini);
	return ret;
}

void sweep_config_free(struct sweep_config *c)
{
	free(c->path);
	for (size_t i = 0; i < c->nr_job_files; i++)
		free(c->job_files[i].path);
	free(c->job_files);
	for (size_t i = 0; i < c->nr_sections; i++)
		free(c->sections[i]);
	free(c->sections);
	for (size_t i = 0; i < c->nr_params; i++) {
		free(c->params[i].name);
		free(c->params[i].values);
		for (size_t k = 0; c->params[i].job_paths && k < c->params[i].nr_values; k++)
			free(c->params[i].job_paths[k]);
		free(c->params[i].job_paths);
	}
	free(c->params);
	for (size_t i = 0; i < c->nr_zips; i++)
		free(c->zips[i].params);
	free(c->zips);
	for (size_t i = 0; i < c->nr_constraints; i++) {
		free(c->constraints[i].text);
		sweep_expr_free(c->constraints[i].expr);
	}
	free(c->constraints);
	sweep_list_free(c->metrics, c->nr_metrics);
	sweep_repeat_free(&c->auto_repeat);
	memset(c, 0, sizeof(*c));
}

int sweep_config_param_find(const struct sweep_config *c, const char *name)
{
	for (size_t i = 0; i < c->nr_params; i++)
		if (!strcmp(c->params[i].name, name))
			return (int)i;
	return -1;
}

const char *sweep_param_kind_name(enum sweep_param_kind k)
{
	static const char *const names[] = { "knob", "memory", "vcpus", "hz", "fio", "job", "topology", "pin", "backend" };
	return (unsigned)k < NELEM(names) ? names[k] : "?";
}

const char *sweep_order_name(enum sweep_order o)
{
	return o == SWEEP_ORDER_SEQUENTIAL ? "sequential" : "random";
}
