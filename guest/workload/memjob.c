/*
 * Memory jobs (ioengine=mem, vmsweep's extension of the job file): a kernel
 * thread with its own anonymous memory (mm/memory.c) of the job's size, touched
 * sequentially, at random within a working set, or churned (allocated and freed
 * again), for the job's runtime. A page's first touch writes it (the job fills its
 * memory); later accesses read it with probability rwmixread percent, so that a page
 * swapped in by a read stays clean in the swap cache. Every access is timed and filed
 * by where its time went: a page allocation on the fast path, one that woke or waited
 * for kswapd, one that entered direct reclaim, a resident page, or a swap-in (a fault
 * on a swapped-out page, read from swap or found in the swap cache).
 */
#include <kernel/errno.h>
#include <asm/tsc.h>
#include <kernel/boot.h>
#include <kernel/kernel.h>
#include <kernel/kthread.h>
#include <kernel/printk.h>
#include <kernel/results.h>
#include <kernel/slab.h>
#include <kernel/timer.h>
#include <kernel/wait.h>
#include <mm/gfp.h>
#include <mm/mm_types.h>
#include <mm/mmzone.h>
#include <lib/random.h>
#include <vmsweep/hist.h>
#include "memjob.h"


struct mem_job_run {
	const struct vms_job *job;
	struct mm_struct *mm;
	u64 rand_state;
	u64 deadline_ns, measure_start_ns;
	struct completion *done;
	struct vms_rec_mem_job rec;
};

struct mem_job_run *mem_job_create(const struct vms_job *j, unsigned index)
{
	struct mem_job_run *run = kzalloc(sizeof(*run));
	if (!run)
		panic("memjob: no memory for job %u", index);
	run->job = j;
	run->rec.job = index;
	/* As a disk job's (fio_job_setup): each clone its own sequence, and randrepeat=0
	 * mixes in the run's seed; the memory jobs ignored both, so clones touched the same
	 * random pages and randrepeat=0 changed nothing. */
	run->rand_state = (j->randseed ? j->randseed : 0x89abcdefull) ^ ((u64)j->clone * 0x9e3779b97f4a7c15ull);
	if (!(j->flags & VMS_JOB_RANDREPEAT))
		run->rand_state ^= boot_params->seed * 0xbf58476d1ce4e5b9ull;
	if (!run->rand_state)
		run->rand_state = 1;
	return run;
}

static u64 mem_rand(struct mem_job_run *run)
{
	return xorshift64_star(&run->rand_state);
}

static void lat_add(struct vms_mem_lat_hist *h, u64 ns)
{
	if (!h->samples || ns < h->min_ns)
		h->min_ns = ns;
	if (ns > h->max_ns)
		h->max_ns = ns;
	h->samples++;
	h->sum_ns += ns;
	h->buckets[vms_hist_index(ns)]++;
}

static bool mem_job_expired(struct mem_job_run *run)
{
	return run->deadline_ns && ktime_get_ns() >= run->deadline_ns;
}

/*
 * Whether an access after the first touch writes: rwmixread percent of them read. The
 * draw comes after the page's (random jobs) and only for a mix, so that write-only
 * jobs touch the pages they always did; linux-guest/memjob.c draws the same way.
 */
static bool mem_rw_write(struct mem_job_run *run)
{
	u32 rd = run->job->rwmixread;
	if (rd == 0 || rd >= 100)
		return rd == 0;
	return mem_rand(run) % 100 >= rd;
}

/* One timed access of page idx; false when the job must stop (the OOM killer chose it). */
static bool mem_access(struct mem_job_run *run, unsigned long idx, bool write)
{
	bool swapped_in;
	int stage;
	u64 t0 = ktime_get_ns();
	int err = handle_mm_access(run->mm, idx, write, &swapped_in, &stage);
	u64 t1 = ktime_get_ns();

	if (err) {
		run->rec.error = (u32)-err;
		return false;
	}
	run->rec.accesses++;
	if (swapped_in)
		run->rec.swapins++;
	else if (stage >= 0)
		run->rec.pages_allocated++;
	if (run->mm->rss > run->rec.rss_max)
		run->rec.rss_max = run->mm->rss;
	if (t0 >= run->measure_start_ns) {
		enum vms_mem_lat cls = swapped_in	       ? VMS_MEM_ACCESS_SWAPIN
				       : stage == ALLOC_STAGE_DIRECT ? VMS_MEM_ALLOC_DIRECT
				       : stage == ALLOC_STAGE_KSWAPD ? VMS_MEM_ALLOC_KSWAPD
				       : stage == ALLOC_STAGE_FAST   ? VMS_MEM_ALLOC_FAST
								     : VMS_MEM_ACCESS_HIT;
		lat_add(&run->rec.lat[cls], t1 - t0);
	}
	if (run->job->thinktime_ns) {
		u64 until = t1 + run->job->thinktime_ns;
		if (run->job->thinktime_ns >= NSEC_PER_MSEC)
			msleep((unsigned)(run->job->thinktime_ns / NSEC_PER_MSEC));
		while (ktime_get_ns() < until)
			cpu_relax();
	}
	return true;
}

static void mem_job_body(struct mem_job_run *run, unsigned long nr_pages)
{
	const struct vms_job *j = run->job;
	bool timed = run->deadline_ns != 0;

	switch (j->mem_access) {
	case VMS_MEM_SEQ:
		for (bool first = true; first || timed; first = false)
			for (unsigned long i = 0; i < nr_pages; i++)
				if (!mem_access(run, i, first || mem_rw_write(run)) || mem_job_expired(run))
					return;
		break;
	case VMS_MEM_RANDOM: {
		unsigned long ws = j->mem_working_set ? j->mem_working_set / PAGE_SIZE : nr_pages;
		ws = ws ? min(ws, nr_pages) : 1;
		for (unsigned long i = 0; i < nr_pages; i++) /* commit the whole region first */
			if (!mem_access(run, i, true) || mem_job_expired(run))
				return;
		for (unsigned long n = 0; timed || n < nr_pages; n++) {
			unsigned long idx = mem_rand(run) % ws;
			if (!mem_access(run, idx, mem_rw_write(run)) || mem_job_expired(run))
				return;
		}
		break;
	}
	case VMS_MEM_CHURN: /* every pass touches fresh pages: writes (the compiler refuses rwmixread) */
		do {
			for (unsigned long i = 0; i < nr_pages; i++)
				if (!mem_access(run, i, true) || mem_job_expired(run))
					return;
			for (unsigned long i = 0; i < nr_pages; i++)
				zap_page(run->mm, i);
			run->rec.pages_freed += nr_pages;
		} while (timed && !mem_job_expired(run));
		break;
	}
}

static int mem_job_thread(void *data)
{
	struct mem_job_run *run = data;
	const struct vms_job *j = run->job;
	unsigned long nr_pages = j->size / PAGE_SIZE;

	if (run->job->startdelay_ns) /* fio's startdelay */
		msleep((unsigned)max(run->job->startdelay_ns / NSEC_PER_MSEC, 1ul));
	run->rec.start_ns = ktime_get_ns();
	run->measure_start_ns = run->rec.start_ns + j->ramp_ns;
	if (j->runtime_ns)
		run->deadline_ns = run->rec.start_ns + j->ramp_ns + j->runtime_ns;
	run->mm = mm_alloc(current, nr_pages);
	if (!run->mm) {
		run->rec.error = ENOMEM;
		printk("memjob %s: no memory for the page table of %lu pages\n", j->name, nr_pages);
	} else {
		current->mm = run->mm;
		mem_job_body(run, nr_pages);
		if (run->rec.error)
			printk("memjob %s: stopped with error %u after %lu accesses\n", j->name, run->rec.error,
			       run->rec.accesses);
		run->rec.pages_freed += run->mm->rss;
		current->mm = NULL;
		mmput(run->mm); /* exit_mmap: frees its pages and swap slots */
		run->mm = NULL;
	}
	run->rec.end_ns = ktime_get_ns();
	complete(run->done);
	return 0;
}

void mem_job_start(struct mem_job_run *run, struct completion *done)
{
	run->done = done;
	struct task_struct *p = kthread_create(mem_job_thread, run, "mem/%s", run->job->name);
	if (run->job->cpus_allowed)
		kthread_bind_mask(p, run->job->cpus_allowed);
	wake_up_process(p);
}

void mem_job_finish(struct mem_job_run *run)
{
	results_record(VMS_REC_MEM_JOB, &run->rec, sizeof(run->rec));
	kfree(run);
}
