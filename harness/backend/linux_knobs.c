/* The knobs of a run on the Linux guest: see linux_knobs.h. */
#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

#include "backend/linux_knobs.h"
#include "util/error.h"
#include "util/knob.h"

enum linux_knob_kind {
	LK_SYSCTL, /* a /proc/sys file: target "vm.dirty_ratio" */
	LK_QUEUE, /* each disk's /sys/block/vdX/queue/<target> */
	LK_MOUNT, /* an ext3 mount option: applied with the mounts */
	LK_DEFAULT_ONLY, /* Linux has it only as the knob's default; why says what Linux does */
	LK_IGNORED, /* the built-in workload's or the harness's own: no meaning for a job on Linux */
	LK_MODEL_ONLY, /* the model's stand-in for what Linux has of itself: accepted, nothing to set */
	LK_SAMPLE, /* sample_ms: init's vmstat sampler (run.conf's `sample MS`) */
	LK_THP, /* thp: run.conf's `thp MODE` (linux-guest/init) */
};

struct linux_knob {
	int knob;
	enum linux_knob_kind kind;
	const char *target; /* LK_SYSCTL, LK_QUEUE: where it goes */
	const char *why; /* LK_DEFAULT_ONLY: what Linux 6.1 does instead */
};

#define LINUX_SAMPLE_MS_MIN 50
/* QEMU's virtio-blk queue size (queue-size=256): blk-mq's tags, the most nr_requests takes */
#define LINUX_VIRTQUEUE_SIZE 256

#define K(name) VMS_KNOB_##name
static const struct linux_knob linux_knobs[] = {
	{ K(sched_migration_cost_ns), LK_SYSCTL, "/sys/kernel/debug/sched/migration_cost_ns", NULL },
	{ K(watchdog_thresh), LK_SYSCTL, "kernel.watchdog_thresh", NULL },
	{ K(softlockup_panic), LK_SYSCTL, "kernel.softlockup_panic", NULL },
	/*
	 * thp before min_free_kbytes, as a booted system has them: the kernel turns THP on
	 * (and khugepaged raises min_free_kbytes) before sysctl.conf is applied, so a
	 * min_free_kbytes the run sets is the one kept, as in the model (mm/page_alloc.c).
	 */
	{ K(thp), LK_THP, NULL, NULL },
	{ K(kernel_reserved_kbytes), LK_MODEL_ONLY, NULL, NULL }, /* Linux's footprint is its own */
	{ K(kernel_init_kbytes), LK_MODEL_ONLY, NULL, NULL },
	{ K(nohz), LK_MODEL_ONLY, NULL, NULL }, /* Debian's kernel is CONFIG_NO_HZ_IDLE and boots nohz=on */
	{ K(min_free_kbytes), LK_SYSCTL, "vm.min_free_kbytes", NULL },
	{ K(watermark_scale_factor), LK_SYSCTL, "vm.watermark_scale_factor", NULL },
	{ K(swappiness), LK_SYSCTL, "vm.swappiness", NULL },
	{ K(page_cluster), LK_SYSCTL, "vm.page-cluster", NULL },
	{ K(dirty_ratio), LK_SYSCTL, "vm.dirty_ratio", NULL },
	{ K(dirty_background_ratio), LK_SYSCTL, "vm.dirty_background_ratio", NULL },
	{ K(dirty_bytes), LK_SYSCTL, "vm.dirty_bytes", NULL },
	{ K(dirty_background_bytes), LK_SYSCTL, "vm.dirty_background_bytes", NULL },
	{ K(dirty_writeback_centisecs), LK_SYSCTL, "vm.dirty_writeback_centisecs", NULL },
	{ K(dirty_expire_centisecs), LK_SYSCTL, "vm.dirty_expire_centisecs", NULL },
	{ K(laptop_mode), LK_SYSCTL, "vm.laptop_mode", NULL },
	/* the scheduler first: switching it resets nr_requests to the queue's depth */
	{ K(iosched), LK_QUEUE, "scheduler", NULL },
	{ K(blk_queue_depth), LK_QUEUE, "nr_requests", NULL },
	{ K(read_ahead_kb), LK_QUEUE, "read_ahead_kb", NULL },
	{ K(wbt_lat_usec), LK_QUEUE, "wbt_lat_usec", NULL },
	{ K(journal_mode), LK_MOUNT, "data", NULL },
	{ K(commit), LK_MOUNT, "commit", NULL },
	{ K(barrier), LK_MOUNT, "barrier", NULL },
	{ K(timeslice_ms), LK_DEFAULT_ONLY, NULL, "CFS has no fixed round-robin slice" },
	{ K(sched_balance), LK_DEFAULT_ONLY, NULL, "its load balancing cannot be switched off" },
	{ K(sched_domain_flags_clear), LK_DEFAULT_ONLY, NULL,
	  "its sched domains' flags are read-only since 5.13 (/sys/kernel/debug/sched/domains)" },
	{ K(guest_halt_poll_us), LK_DEFAULT_ONLY, NULL, "the model's halt polling is its own; Linux's cpuidle-haltpoll is a KVM guest driver, not mapped" },
	{ K(blk_completion), LK_DEFAULT_ONLY, NULL, "virtio-blk completes by interrupt (irq and the default are accepted)" },
	{ K(blk_hybrid_poll_us), LK_DEFAULT_ONLY, NULL, "virtio-blk completes by interrupt" },
	{ K(watermark_model), LK_DEFAULT_ONLY, NULL, "it has the modern watermarks only" },
	{ K(kswapd_model), LK_DEFAULT_ONLY, NULL, "it has the modern kswapd only" },
	{ K(reclaim_model), LK_DEFAULT_ONLY, NULL, "it has 5.9's reclaim (lru_note_cost, workingset refaults) only" },
	{ K(writeback_model), LK_DEFAULT_ONLY, NULL, "it has the IO-less writeback (ioless) only" },
	{ K(writeback_congestion_avoid), LK_DEFAULT_ONLY, NULL, "it has no pdflush (a pdflush-era knob)" },
	{ K(deferred_struct_page_init), LK_DEFAULT_ONLY, NULL, "Debian's kernel is built with CONFIG_DEFERRED_STRUCT_PAGE_INIT" },
	{ K(panic_test), LK_DEFAULT_ONLY, NULL, "it is a test of the built-in kernel" },
	{ K(hang_test), LK_DEFAULT_ONLY, NULL, "it is a test of the built-in kernel" },
	{ K(fault_test), LK_DEFAULT_ONLY, NULL, "it is a test of the built-in kernel" },
	{ K(spin_ms), LK_IGNORED, NULL, NULL },
	{ K(sleep_ms), LK_IGNORED, NULL, NULL },
	{ K(duration_ms), LK_IGNORED, NULL, NULL },
	{ K(tasks_per_cpu), LK_IGNORED, NULL, NULL },
	{ K(tasks), LK_IGNORED, NULL, NULL },
	{ K(tasks_packed), LK_IGNORED, NULL, NULL },
	{ K(pingpong), LK_IGNORED, NULL, NULL },
	{ K(pingpong_pinned), LK_IGNORED, NULL, NULL },
	{ K(compute_iters), LK_IGNORED, NULL, NULL },
	{ K(sample_ms), LK_SAMPLE, NULL, NULL },
};
#undef K
_Static_assert(sizeof(linux_knobs) / sizeof(linux_knobs[0]) == VMS_KNOB_COUNT, "every knob has a Linux rule");

/* The value Linux takes for a knob set away from its default (a word, or the number). */
static const char *linux_value(int knob, int64_t v, char *buf, size_t len)
{
	switch (knob) {
	case VMS_KNOB_iosched:
		return v == VMS_IOSCHED_NONE ? "none" : NULL; /* 6.1 has no cfq */
	case VMS_KNOB_journal_mode: {
		static const char *const data[] = { "journal", "ordered", "writeback" };
		return v >= 0 && v < 3 ? data[v] : NULL;
	}
	default:
		snprintf(buf, len, "%" PRId64, v);
		return buf;
	}
}

static bool knob_is_default(const struct vm_config *vm, int k)
{
	return vm->knobs[k] == knob_table[k].def;
}

/* The workload's knobs are refused when the run has a job (their workload is not run) */
static int ignored_check(const struct vm_config *vm, int k, char *err, size_t errlen)
{
	if (knob_is_default(vm, k))
		return 0;
	return errorf(err, errlen, "knob %s: the built-in workload's, which the libvirt backend does not run "
		      "(it runs fio jobs only)", knob_table[k].name);
}

static void queue_writes(const struct vm_config *vm, FILE *conf, const char *file, const char *value)
{
	for (unsigned d = 0; d < vm->nr_disks; d++)
		fprintf(conf, "write /sys/block/vd%c/queue/%s %s\n", 'a' + d, file, value);
}

static void mounts_write(const struct vm_config *vm, FILE *conf)
{
	char v[32];
	for (unsigned d = 0; d < vm->nr_disks; d++) {
		if (vm->disks[d].fs != DISK_FS_EXT3)
			continue;
		/* ext3 through the ext4 driver (Debian's has no ext3 of its own), as our guest mounts it */
		fprintf(conf, "mkdir /mnt/vd%c\nmount /dev/vd%c /mnt/vd%c ext3 data=%s,commit=%" PRId64 ",barrier=%" PRId64 "\n",
			'a' + d, 'a' + d, 'a' + d, linux_value(VMS_KNOB_journal_mode, vm->knobs[VMS_KNOB_journal_mode], v, sizeof(v)),
			vm->knobs[VMS_KNOB_commit], vm->knobs[VMS_KNOB_barrier]);
	}
	/* Linux wants a swap signature (our kernel uses the disk raw): the run's swap disk's
	 * contents are nobody's, so mkswap writes one at every boot */
	for (unsigned d = 0; d < vm->nr_disks; d++)
		if (vm->disks[d].swap)
			fprintf(conf, "mkswap /dev/vd%c\nswapon /dev/vd%c\n", 'a' + d, 'a' + d);
}

int linux_knobs_conf(const struct vm_config *vm, FILE *conf, char *err, size_t errlen)
{
	char buf[32];
	FILE *sink = conf;

	if (vm->hz != VM_DEFAULT_HZ)
		return errorf(err, errlen, "hz=%u: Debian's kernel ticks at %d Hz (CONFIG_HZ_250), fixed at build", vm->hz,
			      VM_DEFAULT_HZ);
	if (!sink && !(sink = fopen("/dev/null", "w")))
		return errorf(err, errlen, "/dev/null: cannot open");
	if (vm->knobs[VMS_KNOB_sched_migration_cost_ns] != knob_table[VMS_KNOB_sched_migration_cost_ns].def)
		fputs("mount debugfs /sys/kernel/debug debugfs\n", sink);
	int ret = 0;
	for (size_t i = 0; i < VMS_KNOB_COUNT && !ret; i++) {
		const struct linux_knob *lk = &linux_knobs[i];
		int k = lk->knob;
		int64_t v = vm->knobs[k];
		const char *val;
		switch (lk->kind) {
		case LK_IGNORED:
			ret = ignored_check(vm, k, err, errlen);
			break;
		case LK_MODEL_ONLY:
			break; /* the sweep sets it for the model's side of a comparison */
		case LK_DEFAULT_ONLY:
			if (knob_is_default(vm, k) || (k == VMS_KNOB_blk_completion && v == VMS_BLK_COMPLETION_IRQ))
				break;
			ret = errorf(err, errlen, "knob %s=%s: Linux 6.1 has no equivalent (%s)", knob_table[k].name,
				     knob_value_format(k, v, buf, sizeof(buf)), lk->why);
			break;
		case LK_MOUNT:
			break; /* mounts_write, for every ext3 disk */
		case LK_THP:
			/*
			 * The kernel boots with transparent_hugepage=never (linux_image.c); init
			 * then sets the mode through sysfs, which works at any size (the command
			 * line's is dropped under 512 MiB by hugepage_init), or applies
			 * hugepage_init's own rule for auto. Every run states it, default included.
			 */
			fprintf(sink, "thp %s\n", knob_value_word(k, v));
			break;
		case LK_SAMPLE:
			if (!v)
				break;
			/* a sample is a grep and a sleep in the guest's shell, about 15 ms of a vCPU under
			 * TCG (linux-guest/README.md): a shorter period would be mostly the sampler */
			if (v < LINUX_SAMPLE_MS_MIN) {
				ret = errorf(err, errlen, "knob sample_ms=%" PRId64 ": the Linux guest samples every %d ms at "
					     "the most often (a sample costs milliseconds under TCG)", v, LINUX_SAMPLE_MS_MIN);
				break;
			}
			fprintf(sink, "sample %" PRId64 "\n", v);
			break;
		case LK_SYSCTL:
		case LK_QUEUE:
			/* Linux's own default, but for the scheduler and the depth, whose defaults
			 * (none, 128) are the model's, not Linux's (mq-deadline on one queue, 256) */
			if (knob_is_default(vm, k) && k != VMS_KNOB_iosched && k != VMS_KNOB_blk_queue_depth)
				break;
			if (k == VMS_KNOB_blk_queue_depth && v > LINUX_VIRTQUEUE_SIZE) {
				ret = errorf(err, errlen, "knob blk_queue_depth=%" PRId64 ": more than the %d requests QEMU's "
					     "virtio-blk queue holds (Linux's nr_requests cannot pass its tags)", v,
					     LINUX_VIRTQUEUE_SIZE);
				break;
			}
			if (k == VMS_KNOB_iosched && v == VMS_IOSCHED_AUTO)
				v = VMS_IOSCHED_NONE; /* the ioless era's: blk-mq's none, as the model has it */
			if (!(val = linux_value(k, v, buf, sizeof(buf)))) {
				ret = errorf(err, errlen, "knob %s=%s: Linux 6.1 has no such I/O scheduler (it has none, "
					     "mq-deadline, bfq and kyber)", knob_table[k].name, knob_value_word(k, v));
				break;
			}
			if (lk->kind == LK_QUEUE)
				queue_writes(vm, sink, lk->target, val);
			else if (lk->target[0] == '/')
				fprintf(sink, "write %s %s\n", lk->target, val);
			else
				fprintf(sink, "sysctl %s=%s\n", lk->target, val);
			break;
		}
	}
	if (!ret)
		mounts_write(vm, sink);
	if (sink != conf)
		fclose(sink);
	return ret;
}
