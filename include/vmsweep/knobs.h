/*
 * The guest kernel's knobs, set per run with `--set key=value` (and, later, swept).
 * One table for host and guest: the host refuses unknown keys and out-of-range values
 * by name; the guest reads knobs[VMS_KNOB_<name>].
 *
 * X(name, default, min, max, unit, help)
 */
#ifndef VMSWEEP_KNOBS_H
#define VMSWEEP_KNOBS_H

#define VMS_KNOBS(X)                                                                                        \
	X(spin_ms, 2, 0, 3600000, "ms", "built-in workload: milliseconds each CPU computes per cycle")      \
	X(sleep_ms, 2, 0, 3600000, "ms", "built-in workload: milliseconds each CPU sleeps per cycle")       \
	X(duration_ms, 100, 0, 86400000, "ms", "built-in workload: how long it runs (0: boot and stop)")     \
	X(tasks_per_cpu, 1, 1, 64, "tasks", "built-in workload: tasks per CPU (more than 1: they share it by preemption)") \
	X(tasks, 0, 0, 4096, "tasks", "built-in workload: this many tasks, not pinned: the scheduler places and balances them (0: tasks_per_cpu on each CPU, pinned)") \
	X(tasks_packed, 0, 0, 2, "mode", "built-in workload with tasks=N: 1: all start on CPU 0 and free themselves once running, so the balancer alone spreads them (its convergence shows in the samples' nr_running); 2: they start on the threads of CPU 0's core in turn, each running alone, so only active balance can move one to an idle core") \
	X(pingpong, 0, 0, 10000000, "rounds", "cross-CPU wake-ups from CPU 0 to a task on the last CPU")    \
	X(pingpong_pinned, 1, 0, 1, "bool", "pingpong: both tasks pinned (1), or free, waking each other as a pipe does (sync wake-ups: wake_affine may bring the pair onto one CPU)") \
	X(compute_iters, 0, 0, 1000000000000, "iters", "run the compute benchmark loop this many times")    \
	X(timeslice_ms, 4, 1, 1000, "ms", "round-robin slice of normal tasks (preemption at the tick)")    \
	X(sched_balance, 1, 0, 1, "bool", "balance the fair class's tasks across CPUs (periodic, newidle and active balancing, wake-up placement); 0: tasks stay where they were made or woke") \
	X(sched_migration_cost_ns, 500000, 0, 100000000, "ns", "kernel.sched_migration_cost_ns: a task that ran this recently is cache-hot (balancing leaves it until it failed cache_nice_tries times), and a CPU idle for less on average does no newidle balancing") \
	X(sched_domain_flags_clear, 0, 0, 0xffff, "mask", "SD_* flags taken off every sched domain, as writing /proc/sys/kernel/sched_domain/cpu*/domain*/flags did: 1 SD_BALANCE_NEWIDLE (no newidle balancing), 16 SD_WAKE_AFFINE (no wake_affine), 4096 SD_PREFER_SIBLING (spread by load, not by task counts)") \
	X(watchdog_thresh, 10, 0, 60, "s", "soft-lockup detector threshold (0: off), as kernel.watchdog_thresh") \
	X(softlockup_panic, 0, 0, 1, "bool", "panic on a soft lockup, as kernel.softlockup_panic")          \
	X(sample_ms, 0, 0, 60000, "ms", "period of the per-CPU time-series samples (0: none)")              \
	X(guest_halt_poll_us, 0, 0, 10000, "us", "idle CPUs poll this long before halting, as cpuidle-haltpoll's guest_halt_poll_ns") \
	X(nohz, 1, 0, 1, "bool", "1: idle CPUs stop their periodic tick until their next event (CONFIG_NO_HZ_IDLE, Linux's boot parameter nohz=on); 0: every CPU ticks at HZ, idle or not (nohz=off)") \
	X(blk_queue_depth, 128, 1, 1024, "requests", "block layer: requests in flight per hardware queue (nr_requests)") \
	X(blk_completion, 2, 0, 2, "model", "block layer: how completions are found: irq, poll (no interrupts: waiters poll) or hybrid (an idle CPU with I/O in flight polls, else interrupts)") \
	X(iosched, 2, 0, 2, "model", "block layer: the I/O scheduler of each disk: none (blk-mq's, FIFO), cfq (2.6's CFQ as it treats sync and async requests: reads and REQ_SYNC writes first, async writes held while sync ones are in flight, their depth ramped up after the last sync I/O, and served by sector with elevator merging) or auto (the era's: cfq for pdflush and bdi, none in the ioless era, where virtio-blk is blk-mq)") \
	X(wbt_lat_usec, -1, -1, 10000000, "us", "block layer: writeback throttling's read latency target, as the disk's queue/wbt_lat_usec (0: off; auto: 75 ms in the ioless era, as Linux 4.10+ on a rotational disk, off before): writeback writes have a few requests in flight, background ones fewest") \
	X(blk_hybrid_poll_us, 500, 0, 100000, "us", "hybrid completions: a CPU waiting for I/O polls until no completion came for this long; a disk whose completions lately came further apart is left to interrupts") \
	X(min_free_kbytes, 0, 0, 4194304, "KiB", "vm.min_free_kbytes (0: the era's default, 6.1's int_sqrt(16 * managed KiB) in the 4.6 era, raised by thp; kept over thp's when set; the 2.4 era has none and reports 0)") \
	X(watermark_scale_factor, 10, 1, 1000, "", "vm.watermark_scale_factor, in 1/10000 of a zone (modern model only)") \
	X(watermark_model, 2, 0, 3, "model", "zone watermarks as the kernels from: 2.4 (pages_min = zone/128 in 20..255; low 2*min, high 3*min), 2.6.0 (min_free_kbytes = int_sqrt(lowmem KiB); low 2*min, high 3*min), 2.6.10 (min_free_kbytes = int_sqrt(16 * lowmem KiB); low min*5/4, high min*3/2) or 4.6 (6.1's numbers: int_sqrt(16 * managed KiB), watermark_scale_factor); 2.6 and modern are the old names of 2.6.10 and 4.6; zones DMA (< 16 MiB) and DMA32 in every era") \
	X(kswapd_model, 3, 0, 3, "model", "kswapd and direct reclaim's throttling as the kernels from: 2.4 (sleeps until a zone needs balance; naps 5 s when reclaim fails), 2.6 (zone-by-zone balance_pgdat, congestion_wait naps), 4.8 (node-based balance_pgdat, allow_direct_reclaim), or auto (the era of watermark_model); modern is the old name of 4.8. Only kswapd's loop, sleep and wake-up and the throttling are the era's: the LRU and scan balance are reclaim_model's") \
	X(reclaim_model, 2, 0, 2, "model", "how reclaim weighs anon against file: 4.8 (4.8-5.8: recent scanned/rotated ratios, new anon pages active) or 5.9 (5.9+: lru_note_cost, new anon pages inactive, workingset refaults), or auto (5.9 with kswapd 4.8, else 4.8; the 2.4 and 2.6 eras have no reclaim of their own: their LRU and scan balance are 4.8's: node LRU, split anon/file lists, DEF_PRIORITY 12). With 4.8, swappiness above 100 acts as 100 (4.8's sysctl took no more)") \
	X(thp, 3, 0, 3, "model", "transparent_hugepage: never, madvise or always (either raises min_free_kbytes as khugepaged's set_recommended_min_free_kbytes), or auto (as Linux 6.1 boots: never under 512 MiB of managed memory, else always as Debian's kernel); the 4.6 era only: older eras report never") \
	X(kernel_reserved_kbytes, 0, 0, 4194304, "KiB", "memory kept out of the zones at boot besides the model kernel's own, as a distribution kernel keeps its image and early allocations (memblock): Debian 6.1 with vmsweep's initramfs keeps about 46 MiB more than the model (configs/fidelity.ini), which moves every watermark and threshold of a small guest") \
	X(kernel_init_kbytes, 0, 0, 4194304, "KiB", "memory a distribution kernel holds while it sets its watermarks and frees at the end of its boot (its initramfs image, __init sections): the watermarks see that much less than the zones end with (Debian 6.1 with vmsweep's initramfs: about 9.6 MiB, configs/fidelity.ini)") \
	X(swappiness, 60, 0, 200, "", "vm.swappiness: reclaim's preference for anonymous pages (0..100 before 5.8; up to 200 with reclaim_model 5.9: anon cheaper than file)") \
	X(page_cluster, 3, 0, 5, "", "vm.page-cluster: swap readahead reads 2^page_cluster pages around a faulting one (0: none)") \
	X(read_ahead_kb, 128, 0, 65536, "KiB", "page cache: the most a sequential buffered reader reads ahead (0: none), as the disk's read_ahead_kb") \
	X(writeback_model, 2, 0, 2, "model", "writeback era: pdflush (2.6.9-2.6.31: a pdflush pool, dirtiers write), bdi (2.6.32-3.1: a flusher per disk, dirtiers write), ioless (3.2+: dirtiers only sleep)") \
	X(dirty_ratio, -1, -1, 100, "%", "vm.dirty_ratio: dirtiers are throttled above this share of dirtyable memory (auto: the era's, 40 pdflush, 20 since 2.6.30); setting it clears dirty_bytes") \
	X(dirty_background_ratio, -1, -1, 100, "%", "vm.dirty_background_ratio: background writeback starts above this share (auto: the era's, 10); setting it clears dirty_background_bytes") \
	X(dirty_bytes, 0, 0, 1099511627776, "bytes", "vm.dirty_bytes: the throttling threshold in bytes (0: dirty_ratio's; at least 2 pages); setting it clears dirty_ratio") \
	X(dirty_background_bytes, 0, 0, 1099511627776, "bytes", "vm.dirty_background_bytes (0: dirty_background_ratio's); setting it clears dirty_background_ratio") \
	X(dirty_writeback_centisecs, 500, 0, 8640000, "cs", "vm.dirty_writeback_centisecs: period of the kupdate-style writeback of old data (0: none)") \
	X(dirty_expire_centisecs, 3000, 0, 8640000, "cs", "vm.dirty_expire_centisecs: data dirty this long is old, written by the next periodic writeback") \
	X(laptop_mode, 0, 0, 3600, "s", "vm.laptop_mode: defer writeback until the disk is busy anyway, then flush everything this many seconds after its last I/O (0: off)") \
	X(writeback_congestion_avoid, 1, 0, 1, "bool", "pdflush era: background writeback skips a disk whose queue is congested (the 2.6 request queue's 7/8 full) and writes the others") \
	X(journal_mode, 1, 0, 2, "model", "ext3's data= mount option: journal (data through the journal too), ordered (a transaction's data reaches its home before its commit block) or writeback (only metadata is journaled)") \
	X(commit, 5, 1, 3600, "s", "ext3's commit= mount option: kjournald commits the running transaction at least this often") \
	X(barrier, 1, 0, 1, "bool", "ext3's barrier= mount option: a commit block follows its log blocks only after a cache flush, and is written with FUA") \
	X(deferred_struct_page_init, 1, 0, 1, "bool", "initialise struct pages as the zones grow, not all at boot (CONFIG_DEFERRED_STRUCT_PAGE_INIT)") \
	X(panic_test, 0, 0, 1, "bool", "test: panic once the workload has started")                         \
	X(hang_test, 0, 0, 1, "bool", "test: init spins forever with interrupts masked")                    \
	X(fault_test, 0, 0, 2, "mode", "test: 1 writes to the null page, 2 reads past the end of RAM")

/* blk_completion's values (harness/util/knob.c has their words). */
enum vms_blk_completion { VMS_BLK_COMPLETION_IRQ, VMS_BLK_COMPLETION_POLL, VMS_BLK_COMPLETION_HYBRID };
/* journal_mode's values (ext3's data=). */
enum vms_journal_mode { VMS_DATA_JOURNAL, VMS_DATA_ORDERED, VMS_DATA_WRITEBACK };
/* iosched's values. */
enum vms_iosched { VMS_IOSCHED_NONE, VMS_IOSCHED_CFQ, VMS_IOSCHED_AUTO };
/* writeback_model's values. */
enum vms_writeback_model { VMS_WB_PDFLUSH, VMS_WB_BDI, VMS_WB_IOLESS };
/* A knob of numbers whose range starts at -1 takes the word auto for -1 (dirty_ratio). */
#define VMS_KNOB_AUTO (-1)

enum vms_knob {
#define VMS_KNOB_ENUM(name, def, min, max, unit, help) VMS_KNOB_##name,
	VMS_KNOBS(VMS_KNOB_ENUM)
#undef VMS_KNOB_ENUM
		VMS_KNOB_COUNT
};

#endif
