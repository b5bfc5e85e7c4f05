/* The writeback family's data (records/wb.c), for its metrics, series and reports. */
#ifndef RECORDS_WB_H
#define RECORDS_WB_H
#include <stdbool.h>
#include <stddef.h>
#include <vmsweep/abi.h>

struct vm_result;

struct wb_records {
	struct vms_rec_wb end;
	bool have_end;
	struct vms_rec_wb_sample *samples;
	size_t nr_samples, cap_samples;
	struct vms_rec_wb_writer *writers;
	size_t nr_writers, cap_writers;
};

/* The run's writeback records; an empty set when the guest sent none. */
const struct wb_records *wb_records(const struct vm_result *res);
#endif
