/* Guest records made by hand, as the guest writes them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <vmsweep/abi.h>

#include "helpers.h"
#include "record_helpers.h"

void record_put(struct buf *b, uint32_t type, const void *p, uint32_t len)
{
	static const uint8_t pad[8];
	struct vms_rec_hdr h = { .type = type, .len = len };
	assert_int_equal(buf_append(b, &h, sizeof(h)), 0);
	assert_int_equal(buf_append(b, p, len), 0);
	assert_int_equal(buf_append(b, pad, (8 - len % 8) % 8), 0);
}

struct record_vm *record_vm_new(unsigned nr_cpus, const struct vms_workload *wl)
{
	struct record_vm *rv = calloc(1, sizeof(*rv));
	assert_non_null(rv);
	assert_non_null(rv->vm = calloc(1, sizeof(*rv->vm)));
	assert_non_null(rv->res = calloc(1, sizeof(*rv->res)));
	rv->cfg.workload = wl;
	rv->vm->cfg = &rv->cfg;
	rv->vm->res = rv->res;
	rv->vm->wake_fd = -1;
	rv->vm->nr_vcpus = nr_cpus;
	rv->res->nr_vcpus = nr_cpus;
	rv->res->cpu = -1;
	atomic_init(&rv->vm->status, VM_DONE); /* the guest said done: what follows decides */
	struct vms_rec_boot boot = { .tsc_first = 1, .tsc_done = 2 };
	record_put(&rv->vm->results_buf, VMS_REC_BOOT, &boot, sizeof(boot));
	for (uint32_t i = 0; i < nr_cpus; i++) {
		struct vms_rec_cpu cpu = { .cpu = i };
		record_put(&rv->vm->results_buf, VMS_REC_CPU, &cpu, sizeof(cpu));
	}
	return rv;
}

void record_vm_free(struct record_vm *rv)
{
	buf_free(&rv->vm->results_buf);
	buf_free(&rv->vm->samples_buf);
	buf_free(&rv->vm->console_buf);
	vm_result_free(rv->res);
	free(rv->res);
	free(rv->vm);
	free(rv);
}

void record_vm_finish_refused(struct record_vm *rv, const char *phrase)
{
	vm_results_finish(rv->vm);
	if (rv->res->status != VM_BAD_GUEST)
		fail_msg("status %s (%s), expected a protocol violation with \"%s\"", vm_status_name(rv->res->status),
			 rv->res->reason, phrase);
	assert_has(rv->res->reason, phrase);
}
