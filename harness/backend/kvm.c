/* The `kvm` backend: our own KVM driver booting the built-in guest kernel (vmm/vm.c). */
#include <stdlib.h>
#include <string.h>

#include "backend/backend.h"
#include "cmd/run_files.h"
#include "fio/fio_json.h"
#include "records/fio.h"
#include "util/error.h"

static int kvm_check(const struct vm_config *vm, const struct vms_workload *wl, char *err, size_t errlen)
{
	(void)vm, (void)wl, (void)err, (void)errlen;
	return 0; /* the knobs are the built-in kernel's own: each was checked when parsed */
}

static int kvm_run(struct backend_run *r, char *err, size_t errlen)
{
	/* large (every record of a run): not on a worker's stack */
	struct vm_result *res = calloc(1, sizeof(*res));
	int ret = 0;

	if (!res)
		return errorf(err, errlen, "out of memory");
	r->interrupted = r->files_failed = false;
	if (vm_run(r->vm, res, err, errlen) != 0) {
		free(res);
		return -1;
	}
	if (res->status == VM_INTERRUPTED) {
		r->interrupted = true;
		goto out;
	}
	if (store_run_from_vm_result(res, r->wl, r->rec) != 0) {
		ret = errorf(err, errlen, "out of memory converting the results");
		goto out;
	}
	/* The run's fio JSON is json+: the bins of the latencies cost a few KiB */
	fio_records_json_set(res, r->json_opts, FIO_JSON_PLUS);
	/* Its files before the run is stored: a run stored without them would not be run again */
	if (r->files_dir && run_files_write(r->files_dir, r->run_id, res, r->wl, err, errlen) != 0) {
		store_run_free(r->rec);
		r->files_failed = true;
		ret = -1;
	}
out:
	vm_result_free(res);
	free(res);
	return ret;
}

const struct backend_ops backend_kvm_ops = {
	.name = "kvm",
	.check = kvm_check,
	.run = kvm_run,
};
