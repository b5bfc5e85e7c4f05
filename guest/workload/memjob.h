/* Memory jobs (workload/memjob.c), run by the fio engine's job groups (workload/fio.c). */
#ifndef WORKLOAD_MEMJOB_H
#define WORKLOAD_MEMJOB_H
#include <kernel/wait.h>
#include <vmsweep/workload.h>

struct mem_job_run;
struct mem_job_run *mem_job_create(const struct vms_job *j, unsigned index);
void mem_job_start(struct mem_job_run *run, struct completion *done);
void mem_job_finish(struct mem_job_run *run); /* its record, then frees it */
#endif
