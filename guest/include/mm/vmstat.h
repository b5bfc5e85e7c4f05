/*
 * /proc/vmstat counters (include/linux/vmstat.h). Events are per-CPU and summed
 * when read; states (levels) are global. Both use the names of vmsweep/vmstat.h.
 */
#ifndef MM_VMSTAT_H
#define MM_VMSTAT_H
#include <kernel/types.h>
#include <vmsweep/vmstat.h>

extern long vm_node_stat[VMS_NR_VMSTAT]; /* levels: only the gauge items */
void __count_vm_events(enum vms_vmstat_item item, unsigned long delta);
#define count_vm_event(item) __count_vm_events(VMS_VM_##item, 1)
#define count_vm_events(item, n) __count_vm_events(VMS_VM_##item, (n))

static inline void mod_node_page_state(enum vms_vmstat_item item, long delta)
{
	__atomic_add_fetch(&vm_node_stat[item], delta, __ATOMIC_RELAXED);
}
#define inc_node_state(item) mod_node_page_state(VMS_VM_##item, 1)
#define dec_node_state(item) mod_node_page_state(VMS_VM_##item, -1)

/* Every counter, gauges read now and events summed over the CPUs. */
void vmstat_snapshot(u64 counters[VMS_NR_VMSTAT]);
void vmstat_sample_tick(void); /* the do_timer CPU's tick: a VMS_REC_VMSTAT_SAMPLE every sample_ms */
u64 vmstat_next_sample_ns(void);
void vmstat_report(void);      /* the VMS_REC_VMSTAT record at the end of the run */
#endif
