/* What determines a run, as "key=value" lines, and what differs between two of them. */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fio/sweep_options.h"
#include "backend/backend.h"
#include "sweep/point_workload.h"
#include "sweep/run_inputs.h"
#include "util/error.h"
#include "util/hash.h"
#include "util/knob.h"

/* "job=path fnv" of a job file's text: an edit changes it. */
static int job_digest(FILE *out, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char buf[8192];
	size_t n;
	uint64_t h = FNV1A64_INIT;
	if (!f)
		return errorf(err, errlen, "%s: %s", path, strerror(errno));
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		h = fnv1a64_update(h, buf, n);
	fclose(f);
	fprintf(out, "job=%s %016" PRIx64 "\n", path, h);
	return 0;
}

char *sweep_point_inputs(const struct sweep_config *c, const struct sweep_plan *p, size_t point,
			 const struct sweep_build *b, const void *wl, size_t wl_size, char *err, size_t errlen)
{
	const char *job = sweep_point_job(c, p, point);
	struct vm_config vm;
	char *text = NULL, buf[64];
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	if (!out) {
		errorf(err, errlen, "out of memory");
		return NULL;
	}
	memset(&vm, 0, sizeof(vm));
	sweep_point_apply(c, p, point, &vm);
	fprintf(out, "harness_build_id=%s\nguest_build_id=%s\n", b->harness_build_id, b->guest_build_id);
	if (job && job_digest(out, job, err, errlen)) {
		fclose(out);
		free(text);
		return NULL;
	}
	for (size_t i = 0; i < c->nr_params; i++)
		if (c->params[i].kind == SWEEP_PARAM_FIO)
			fprintf(out, "%s=%s\n", c->params[i].name,
				fio_sweep_value_text(c->params[i].knob, sweep_plan_point(p, point)[i], buf, sizeof(buf)));
	if (wl)
		fprintf(out, "workload=%016" PRIx64 "\n", fnv1a64(wl, wl_size));
	else
		fprintf(out, "workload=built-in\n");
	if (vm.mem_size % (1u << 20) == 0)
		fprintf(out, "memory=%" PRIu64 "M\n", vm.mem_size >> 20);
	else
		fprintf(out, "memory=%" PRIu64 "\n", vm.mem_size);
	fprintf(out, "vcpus=%u\nhz=%u\nblk_poll_ns=%" PRIu64 "\nprefault=%d\n", vm.nr_cpus, vm.hz, vm.blk_poll_ns,
		vm.prefault);
	if (vm.hugepages) /* only when set: the inputs of runs made before it existed stay as they were */
		fputs("hugepages=1\n", out);
	if (vm.topo.sockets) /* as hugepages: only when given (1 x vcpus x 1 is what runs had before) */
		fprintf(out, "topology=%s\n", cpu_topology_format(&vm.topo, buf, sizeof(buf)));
	if (vm.pin.mode != VM_PIN_NONE)
		fprintf(out, "pin=%s\n", vm_pin_format(&vm.pin, buf, sizeof(buf)));
	if (vm.backend != BACKEND_KVM) /* as pin: only when not our own (the runs before backends existed) */
		fprintf(out, "backend=%s\n", backend_name(vm.backend));
	for (int k = 0; k < VMS_KNOB_COUNT; k++)
		fprintf(out, "%s=%s\n", knob_table[k].name, knob_value_format(k, vm.knobs[k], buf, sizeof(buf)));
	for (unsigned d = 0; d < vm.nr_disks; d++) {
		const struct disk_config *dc = &vm.disks[d];
		/* Absolute: the same relative path from another directory is another image. */
		char cwd[4096] = "";
		if (dc->path[0] != '/' && !getcwd(cwd, sizeof(cwd)))
			cwd[0] = 0;
		fprintf(out, "disk.%u=%s%s%s size=%" PRIu64 " cache=%s engine=%s ro=%d swap=%d queues=%u prefill=%d\n", d,
			cwd, cwd[0] ? "/" : "", dc->path, dc->size, disk_cache_name(dc->cache), disk_engine_name(dc->engine), dc->read_only,
			dc->swap, dc->queues, dc->prefill);
		/* Only when set, so the inputs of runs made before a model existed stay as they were;
		 * a lat= alone as it was written before the other models came. */
		const struct disk_model *m = &dc->model;
		char model[512];
		if (m->profile == DISK_PROFILE_NONE && !m->rate && !m->iops && !m->channels && !m->flush_ns && m->lat_ns)
			fprintf(out, "disk.%u.lat_ns=%" PRIu64 "\n", d, m->lat_ns);
		else if (disk_model_active(m))
			fprintf(out, "disk.%u.model=%s\n", d, disk_model_text(m, model, sizeof(model)));
		if (dc->fs) /* only when set, as the model */
			fprintf(out, "disk.%u.fs=%s%s%s\n", d, disk_fs_name(dc->fs), dc->has_mkfs ? " mkfs=" : "",
				dc->has_mkfs ? dc->mkfs : "");
	}
	if (fclose(out) || !text) {
		free(text);
		errorf(err, errlen, "out of memory");
		return NULL;
	}
	return text;
}

/* The value of key in an inputs text ("" when absent), into buf. */
static const char *value_of(const char *text, const char *key, size_t keylen, char *buf, size_t len)
{
	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		size_t n = strcspn(l, "\n");
		if (n > keylen && !strncmp(l, key, keylen) && l[keylen] == '=') {
			snprintf(buf, len, "%.*s", (int)(n - keylen - 1), l + keylen + 1);
			return buf;
		}
	}
	snprintf(buf, len, "(none)");
	return buf;
}

/* Whether key is one of the space-separated words of list. */
static bool ignore_has(const char *list, const char *key)
{
	size_t n = strlen(key);
	for (const char *w = list; *w; w += strspn(w, " ")) {
		size_t wl = strcspn(w, " ");
		if (wl == n && !strncmp(w, key, n))
			return true;
		w += wl;
	}
	return false;
}

/* Counts the keys of a whose value differs in b (only_missing: that b lacks), leaving
 * out those in ignore, and appends the first few of all (*shown so far) to buf. */
static size_t diff_keys(const char *a, const char *b, bool a_is_there, bool only_missing, const char *ignore,
			char *buf, size_t len, size_t *off, size_t *shown)
{
	size_t found = 0;
	for (const char *l = a; *l; l += strcspn(l, "\n"), l += *l == '\n') {
		size_t n = strcspn(l, "\n"), k = strcspn(l, "=");
		char key[128], va[512], vb[512];
		if (k >= n || k >= sizeof(key))
			continue;
		snprintf(key, sizeof(key), "%.*s", (int)k, l);
		if (ignore && ignore_has(ignore, key))
			continue;
		value_of(a, key, k, va, sizeof(va));
		value_of(b, key, k, vb, sizeof(vb));
		if (!strcmp(va, vb) || (only_missing && strcmp(vb, "(none)")))
			continue;
		if ((*shown)++ < 3 && *off < len)
			*off += (size_t)snprintf(buf + *off, len - *off, "%s%s: %s there, %s here", *off ? "; " : "", key,
						 a_is_there ? va : vb, a_is_there ? vb : va);
		found++;
	}
	return found;
}

size_t run_inputs_diff(const char *there, const char *here, const char *ignore, char *buf, size_t len)
{
	size_t off = 0, shown = 0;
	buf[0] = 0;
	size_t n = diff_keys(there, here, true, false, ignore, buf, len, &off, &shown);
	n += diff_keys(here, there, false, true, ignore, buf, len, &off, &shown);
	if (n > 3 && off < len)
		snprintf(buf + off, len - off, "; and %zu more", n - 3);
	return n;
}
