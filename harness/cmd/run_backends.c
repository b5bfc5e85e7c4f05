/*
 * A sweep's backends: each one its points use is set up before the first run (the
 * libvirt backend's connection, our own libvirtd if none runs) and closed after the
 * last; what it runs on goes into the manifest; points it cannot run are named first.
 */
#include <stdio.h>
#include <string.h>

#include "backend/backend.h"
#include "backend/libvirt_conn.h"
#include "backend/linux_image.h"
#include "cmd/run.h"
#include "util/error.h"

/* Which backends the plan's points use */
static void backends_used(const struct sweep_ctx *ctx, bool used[BACKEND_NR])
{
	struct vm_config vm;
	memset(used, 0, BACKEND_NR * sizeof(bool));
	for (size_t p = 0; p < ctx->plan->nr_points; p++) {
		memset(&vm, 0, sizeof(vm));
		sweep_point_apply(ctx->cfg, ctx->plan, p, &vm);
		if (vm.backend < BACKEND_NR)
			used[vm.backend] = true;
	}
}

/* The points a backend refuses (a knob Linux has no equivalent for), said before any run:
 * their runs are recorded failed with the same cause, without booting. */
static void refusals_warn(const struct sweep_ctx *ctx)
{
	struct vm_config vm;
	char err[1024];
	for (size_t p = 0; p < ctx->plan->nr_points; p++) {
		memset(&vm, 0, sizeof(vm));
		sweep_point_apply(ctx->cfg, ctx->plan, p, &vm);
		const struct backend_ops *be = backend_get(vm.backend);
		if (be && be->check(&vm, ctx->workloads[p], err, sizeof(err)))
			fprintf(stderr, "vmsweep run: point %zu (backend %s): %s: its runs fail without booting\n", p + 1,
				be->name, err);
	}
}

int run_backends_begin(struct sweep_ctx *ctx, char *err, size_t errlen)
{
	bool used[BACKEND_NR];
	backends_used(ctx, used);
	refusals_warn(ctx);
	for (int b = 0; b < BACKEND_NR; b++) {
		const struct backend_ops *be = backend_get(b);
		if (!used[b] || !be->sweep_begin)
			continue;
		if (be->sweep_begin(err, errlen))
			return -1;
	}
	if (used[BACKEND_LIBVIRT]) {
		char why[160], kerr[256];
		struct linux_image im;
		const char *type = linux_domain_type(why, sizeof(why));
		char text[400];
		snprintf(text, sizeof(text), "%s (%s)", type, why);
		fprintf(stderr, "vmsweep run: libvirt: %s; domains of type %s\n", libvirt_conn_describe(), text);
		if (store_manifest_set(ctx->store, "libvirt.uri", libvirt_conn_describe(), err, errlen) ||
		    store_manifest_set(ctx->store, "libvirt.domain_type", text, err, errlen))
			return -1;
		if (linux_image_find(&im, kerr, sizeof(kerr)) == 0 &&
		    store_manifest_set(ctx->store, "linux.kernel", im.version, err, errlen))
			return -1;
	}
	return 0;
}

void run_backends_end(const struct sweep_ctx *ctx)
{
	bool used[BACKEND_NR];
	backends_used(ctx, used);
	for (int b = 0; b < BACKEND_NR; b++)
		if (used[b] && backend_get(b)->sweep_end)
			backend_get(b)->sweep_end();
}
