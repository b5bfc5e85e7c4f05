/*
 * The OOM killer (mm/oom_kill.c): when reclaim cannot make room, choose the
 * memory job holding the most memory (oom_badness: resident plus swapped pages),
 * mark it, and report who asked for what and who held memory, as Linux's
 * dump_header does. The victim notices at its next access or allocation, fails
 * with ENOMEM and exits, which frees its memory (there is no signal to send).
 */
#include <kernel/kernel.h>
#include <kernel/printk.h>
#include <kernel/results.h>
#include <kernel/task.h>
#include <asm/tsc.h>
#include <lib/string.h>
#include <mm/mm_types.h>
#include <mm/mmzone.h>
#include <mm/swap.h>
#include <mm/vmstat.h>

static unsigned long oom_badness(const struct mm_struct *mm)
{
	return mm->rss + mm->swapents;
}

static void oom_record_task(struct vms_rec_oom *r, const struct mm_struct *mm)
{
	unsigned n = r->nr_tasks, i;

	/* Keep the VMS_OOM_TASKS largest, largest first (insertion into a short sorted list). */
	for (i = n; i > 0 && oom_badness(mm) > r->tasks[i - 1].rss + r->tasks[i - 1].swapents; i--)
		if (i < VMS_OOM_TASKS)
			r->tasks[i] = r->tasks[i - 1];
	if (i >= VMS_OOM_TASKS)
		return;
	r->tasks[i].pid = (u32)mm->owner->pid;
	r->tasks[i].rss = mm->rss;
	r->tasks[i].swapents = mm->swapents;
	memcpy(r->tasks[i].comm, mm->owner->comm, VMS_TASK_COMM_LEN);
	if (n < VMS_OOM_TASKS)
		r->nr_tasks = n + 1;
}

bool out_of_memory(unsigned gfp_mask, unsigned order)
{
	static struct vms_rec_oom r; /* under mmlist_lock */
	struct mm_struct *mm, *victim = NULL;
	unsigned long flags;

	spin_lock_irqsave(&mmlist_lock, flags);
	list_for_each_entry(mm, &mmlist_head, mmlist) {
		if (mm->oom_victim) { /* one victim at a time: wait for it to exit */
			spin_unlock_irqrestore(&mmlist_lock, flags);
			return true;
		}
		if (!victim || oom_badness(mm) > oom_badness(victim))
			victim = mm;
	}
	if (!victim || !oom_badness(victim)) {
		spin_unlock_irqrestore(&mmlist_lock, flags);
		return false;
	}
	memset(&r, 0, sizeof(r));
	r.ns = ktime_get_ns();
	r.pid = (u32)current->pid;
	r.order = order;
	r.gfp_mask = gfp_mask;
	memcpy(r.comm, current->comm, VMS_TASK_COMM_LEN);
	r.victim_pid = (u32)victim->owner->pid;
	memcpy(r.victim_comm, victim->owner->comm, VMS_TASK_COMM_LEN);
	r.victim_rss = victim->rss;
	r.victim_swapents = victim->swapents;
	r.nr_free = node_free_pages();
	r.swap_free = get_nr_swap_pages();
	r.swap_total = nr_swap_pages_total();
	list_for_each_entry(mm, &mmlist_head, mmlist)
		oom_record_task(&r, mm);
	vmstat_snapshot(r.counters);
	victim->oom_victim = true;
	count_vm_event(oom_kill);
	r.counters[VMS_VM_oom_kill]++;

	printk("%s invoked oom-killer: gfp_mask=%#x, order=%u\n", r.comm, gfp_mask, order);
	printk("Free pages: %lu, free swap: %lu of %lu pages\n", r.nr_free, r.swap_free, r.swap_total);
	printk("Tasks state (memory values in pages):\n[  pid  ]   rss  swapents name\n");
	for (unsigned i = 0; i < r.nr_tasks; i++)
		printk("[%7u] %5lu %9lu %s\n", r.tasks[i].pid, r.tasks[i].rss, r.tasks[i].swapents, r.tasks[i].comm);
	printk("Out of memory: Killed process %u (%s) anon-rss:%lukB swapents:%lu\n", r.victim_pid, r.victim_comm,
	       r.victim_rss * 4, r.victim_swapents);
	results_record(VMS_REC_OOM, &r, sizeof(r));
	spin_unlock_irqrestore(&mmlist_lock, flags);
	return true;
}
