/* struct task_struct and `current`, kept apart from the locks so that both can use them. */
#ifndef KERNEL_TASK_H
#define KERNEL_TASK_H
#include <kernel/list.h>
#include <kernel/types.h>

struct blk_plug;
struct vms_rec_wb_writer;
struct vms_rec_jbd2_fsync;
struct mm_struct;

/* task->flags, as Linux's PF_ */
#define PF_MEMALLOC 0x800u /* reclaiming: allocations may use the reserves below min */
#define PF_KSWAPD 0x20000u /* kswapd itself */

#define TASK_RUNNING 0
#define TASK_INTERRUPTIBLE 1
#define TASK_UNINTERRUPTIBLE 2
#define TASK_DEAD 64

/* Scheduling classes, highest first: stop (migration/N), rt (watchdog/N), normal. */
enum { PRIO_STOP, PRIO_RT, PRIO_NORMAL, NR_PRIO };

#define TASK_COMM_LEN 16
#define THREAD_SIZE (16 << 10)

struct task_struct {
	u64 sp; /* saved by __switch_to */
	volatile long state;
	int preempt_count;
	volatile int need_resched; /* TIF_NEED_RESCHED */
	int prio;
	unsigned cpu;
	u64 cpus_allowed; /* bit per CPU */
	int on_rq; /* queued or running */
	volatile int on_cpu; /* running, or still switching out */
	pid_t pid;
	char comm[TASK_COMM_LEN];
	struct list_head run_list;
	struct list_head tasks; /* every task */
	void *stack; /* lowest address; THREAD_SIZE bytes */
	u64 wake_tsc; /* when woken; 0 once it runs */
	u64 slice_start_ns;
	u64 nr_switches;
	u64 sum_exec_ns; /* time it ran, up to its last switch out (getrusage's utime + stime) */
	u64 nvcsw, nivcsw; /* switches out: it blocked, it was preempted (getrusage's ru_nvcsw, ru_nivcsw) */
	u64 nr_migrations; /* moves to another CPU (se.nr_migrations) */
	u64 nr_wakeups; /* times it was woken (se.statistics.nr_wakeups) */
	u64 wake_lat_sum_tsc, wake_lat_max_tsc, wake_lat_n; /* its wake-up to running latencies */
	u64 last_queued_ns; /* sched_info: when it was queued and not yet run (0: not waiting) */
	u64 moved_ns; /* when the balancer moved it, until it runs (the migration's cost) */
	u64 last_ran_ns; /* when it last left a CPU (task_hot's exec_start) */
	int exit_code;
	struct blk_plug *plug; /* requests held back to merge (block/blk-core.c) */
	unsigned flags; /* PF_* */
	struct mm_struct *mm; /* memory jobs: their anonymous memory (mm/memory.c) */
	int alloc_stage; /* enum alloc_stage of the last allocation (mm/page_alloc.c) */
	int (*threadfn)(void *);
	void *data;
	/* balance_dirty_pages (mm/page-writeback.c): pages dirtied since the last look, the
	 * look's interval, when the last pause ended; and where a writer's time goes. */
	unsigned long nr_dirtied, nr_dirtied_pause;
	u64 dirty_paused_when;
	struct vms_rec_wb_writer *wb_stats; /* NULL: not a measured writer */
	struct vms_rec_jbd2_fsync *fsync_stats; /* where its fsyncs' time goes (fs/ext3/fsync.c); NULL: not measured */
};

/* struct cpu (kernel/percpu.h) keeps the running task at this offset from GS base. */
#define CPU_CURRENT_OFFSET 104

static inline struct task_struct *get_current(void)
{
	struct task_struct *t;
	asm volatile("movq %%gs:%c1, %0" : "=r"(t) : "i"(CPU_CURRENT_OFFSET));
	return t;
}
#define current get_current()
#endif
