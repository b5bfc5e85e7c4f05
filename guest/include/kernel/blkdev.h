/*
 * The block layer, after Linux's blk-mq: a bio is what a submitter asks for; requests
 * are what the device sees, built from bios by plugging and merging adjacent ones;
 * each disk has a hardware queue per virtqueue with a depth limit; kblockd/N
 * dispatches what had to wait.
 */
#ifndef KERNEL_BLKDEV_H
#define KERNEL_BLKDEV_H
#include <kernel/list.h>
#include <kernel/spinlock.h>
#include <kernel/virtio.h>
#include <kernel/wait.h>
#include <mm/gfp.h>
#include <vmsweep/abi.h>
#include <vmsweep/knobs.h>

#define SECTOR_SHIFT 9
#define BLK_MAX_SEGMENTS 128
#define BLK_PLUG_MAX 32 /* requests a plug holds before it flushes itself, as BLK_MAX_REQUEST_COUNT */

/* REQ_OP_DRV_OUT: a driver's own request carrying data to the device (virtio-blk's log
 * mark), as Linux's; never merged, not counted in the disk's stats (blk_rq_is_passthrough). */
enum req_op { REQ_OP_READ, REQ_OP_WRITE, REQ_OP_FLUSH, REQ_OP_DRV_OUT };
/* A bio's flags, Linux's bi_opf bits: who is waiting for it (block/blk-wbt.c reads them). */
#define REQ_SYNC (1u << 0) /* someone waits: fsync's data, the journal, O_DIRECT, O_SYNC */
#define REQ_IDLE (1u << 1) /* with REQ_SYNC: no more I/O follows at once (O_DIRECT writes) */
#define REQ_BACKGROUND (1u << 2) /* background or periodic writeback (wbc_to_write_flags) */
#define REQ_META (1u << 3) /* file system metadata */
#define REQ_POLLED (1u << 4) /* fio's hipri (io_uring IOPOLL): its completion is found by polling only */

/* How completions are found: the blk_completion knob (vmsweep/knobs.h). */
enum blk_completion {
	BLK_COMPLETION_IRQ = VMS_BLK_COMPLETION_IRQ,
	BLK_COMPLETION_POLL = VMS_BLK_COMPLETION_POLL,
	BLK_COMPLETION_HYBRID = VMS_BLK_COMPLETION_HYBRID,
};
/* Who found a completion: the hardware queue's counts, reported per disk. */
enum blk_found {
	BLK_FOUND_IRQ = VMS_BLK_FOUND_IRQ,
	BLK_FOUND_IDLE_POLL = VMS_BLK_FOUND_IDLE_POLL,
	BLK_FOUND_SUBMITTER_POLL = VMS_BLK_FOUND_SUBMITTER_POLL,
	BLK_FOUND_NR = VMS_BLK_FOUND_NR,
};

struct bio;
typedef void (*bio_end_io_t)(struct bio *bio);

struct bio {
	enum req_op op;
	u32 opf; /* REQ_SYNC, ... */
	u64 sector; /* 512-byte sectors */
	u32 size; /* bytes */
	void *buf; /* kernel address = guest-physical */
	int error; /* 0, or -EIO when the device refused it */
	u64 submit_ns, issue_ns, complete_ns;
	bio_end_io_t end_io;
	void *private;
	struct bio *next; /* bios merged into one request */
};

struct blk_mq_hw_ctx;
struct rq_wb;
struct cfq_data;

struct request {
	struct list_head queuelist;
	struct blk_mq_hw_ctx *hctx;
	enum req_op op;
	u64 sector;
	u32 nr_bytes;
	unsigned nr_segs;
	struct bio *bio, *biotail;
	u64 issue_ns;
	u64 start_ns; /* made from its first bio: its time in the disk's stats starts here */
	u8 wbt_flags; /* block/blk-wbt.c: WBT_TRACKED, WBT_READ, WBT_KSWAPD */
	u32 cmd_flags; /* its first bio's opf (REQ_SYNC, ...) */
	/* virtio-blk's framing */
	struct {
		u32 type, ioprio;
		u64 sector;
	} hdr;
	u8 status;
};

struct blk_mq_hw_ctx {
	struct request_queue *q;
	unsigned index, cpu;
	struct virtqueue *vq;
	raw_spinlock_t lock;
	struct list_head dispatch; /* built, not yet given to the device */
	unsigned inflight;
	/* The tag set: queue_depth requests made at boot; a submitter waits for a free one. */
	struct request *static_rqs;
	struct list_head free_rqs;
	unsigned nr_free_rqs;
	wait_queue_head_t tag_wait;
	u64 nr_dispatched, nr_merges, nr_completed, nr_requeued_full;
	u64 nr_found[BLK_FOUND_NR];
	u64 last_complete_ns;
	u64 gap_ewma_ns; /* recent time per completion (block/blk-poll.c poll_budget), 1/8 weight */
	u64 idle_poll_ns, submitter_poll_ns; /* CPU time spent polling for its completions */
	u64 nr_poll_windows, nr_poll_expired; /* hybrid polls, and those that ran out of budget */
	/* block/blk-poll.c: pollers watching it (its interrupts off while there are any) */
	unsigned pollers;
	/* REQ_POLLED requests in flight: while there are any the queue counts as one more
	 * poller, a poll queue (HCTX_TYPE_POLL) in effect, whose completions never interrupt */
	unsigned polled_inflight;
	bool polled_held; /* the hold is on: it goes after the reap that leaves none in flight */
	bool idle_watched;
	struct blk_mq_hw_ctx *cpu_next; /* the queues whose completions come to cpu */
	bool run_pending; /* on its kblockd's list */
	bool congested; /* 2.6's request-queue congestion (mm/backing-dev.c) */
	struct blk_mq_hw_ctx *kblockd_next;
};

enum { BLK_STS_OK, BLK_STS_RESOURCE }; /* queue_rq: taken, or the device is full */

static inline bool blk_rq_is_passthrough(const struct request *rq)
{
	return rq->op == REQ_OP_DRV_OUT;
}


struct request_queue {
	struct gendisk *disk;
	int (*queue_rq)(struct blk_mq_hw_ctx *hctx, struct request *rq);
	void (*commit_rqs)(struct blk_mq_hw_ctx *hctx); /* after a batch: notify the device */
	unsigned (*poll)(struct blk_mq_hw_ctx *hctx); /* reaps completions, hctx->lock held; returns how many */
	/* Completion interrupts off while a CPU watches the queue; on again: false when
	 * completions came meanwhile (reap them: no interrupt will say so). hctx->lock held. */
	void (*irq_disable)(struct blk_mq_hw_ctx *hctx);
	bool (*irq_enable)(struct blk_mq_hw_ctx *hctx);
	unsigned nr_hw_queues;
	unsigned queue_depth; /* per hardware queue */
	unsigned max_segments;
	u32 max_bytes;
	enum blk_completion completion;
	bool poll_mode; /* completion == BLK_COMPLETION_POLL: submitters poll, no interrupts */
	struct blk_mq_hw_ctx *hctx[64];
	struct rq_wb *rq_wb; /* block/blk-wbt.c: writeback throttling, NULL when off */
	struct cfq_data *cfqd; /* block/cfq-iosched.c: the CFQ model, NULL for none */
};

/* What Linux shows in /sys/block/<disk>/stat (its part_stat), by enum req_op. */
struct disk_stats {
	u64 ios[3], merges[3], sectors[3], nsecs[3];
	u64 io_ticks_ns; /* time with a request in flight, up to busy_since_ns */
	u64 busy_since_ns;
	unsigned in_flight;
};

struct gendisk {
	char disk_name[8]; /* "vda" */
	unsigned index;
	u64 capacity; /* bytes */
	bool read_only;
	bool write_log; /* the host records its writes: it takes log marks (virtblk_log_mark) */
	struct request_queue *queue;
	struct address_space *mapping; /* its page cache (mm/filemap.c), made on first buffered I/O */
	struct backing_dev_info *bdi;  /* its writeback (mm/backing-dev.c) */
	struct virtio_device vdev;
	raw_spinlock_t stat_lock;
	struct disk_stats stats; /* block/blk-stat.c */
};

struct blk_plug {
	struct list_head list;
	unsigned count;
};

void init_bio(void); /* boot: the bio pool */
struct bio *bio_alloc(gfp_t gfp); /* zeroed; from the pool when memory is short */
void bio_put(struct bio *bio);
void submit_bio(struct gendisk *disk, struct bio *bio);
void blk_start_plug(struct blk_plug *plug);
void blk_finish_plug(struct blk_plug *plug);
/* Hands the plugged requests to the device, the plug staying in place: schedule() calls it for a task that blocks. */
void blk_flush_plug(struct blk_plug *plug);
/* block/blk-poll.c. */
/* Whoever waits for I/O on a polled disk must reap it: every queue of every polled disk (after its own plug). */
bool blk_any_polled_disk(void);
void blk_poll_disks(void);
/* Hybrid completions: the idle loop of a CPU whose queues have I/O in flight polls
 * them, interrupts off, for an adaptive window; then they are back on for the halt. */
void blk_idle_poll(unsigned cpu);
/* Hybrid completions: a task waiting for its own I/O polls this CPU's queue of disk
 * as the idle loop would, sparing two context switches. Returns done(arg); false when
 * it gave up (no completion within the budget, or another task wants the CPU): the
 * caller sleeps. */
bool blk_hybrid_poll_wait(struct gendisk *disk, bool (*done)(void *arg), void *arg);
/* fio's hipri, any mode: polls this CPU's queue of disk (and the others, when it finds
 * nothing there), its interrupts off, until done(arg). */
void blk_poll_until(struct gendisk *disk, bool (*done)(void *arg), void *arg);
/* A REQ_POLLED request goes to the device (hctx->lock held): the queue is held watched
 * until the last of them is reaped. */
void blk_mq_polled_issue(struct blk_mq_hw_ctx *hctx);
/* A queue whose completions come to hctx->cpu, for the idle poll and the interrupt. */
void blk_mq_map_cpu_queue(struct blk_mq_hw_ctx *hctx);
struct blk_mq_hw_ctx *blk_mq_cpu_queues(unsigned cpu); /* a list, through cpu_next */
/* Reaps hctx (taking its lock), counted as found by who; returns how many. */
unsigned blk_mq_poll(struct blk_mq_hw_ctx *hctx, enum blk_found who);

/* block/blk-stat.c: the disk's counts, as Linux's blk_account_io_* keep part_stat */
void blk_account_io_start(struct gendisk *disk, struct request *rq, u64 now);
void blk_account_io_done(struct gendisk *disk, struct request *rq, u64 now);
void blk_account_io_merge(struct gendisk *disk, enum req_op op);
/* The BLK record of each disk: how its completions were found (block/blk-poll.c). */
void blk_poll_report(void);
/* A consistent copy, io_ticks_ns counted up to now. */
void disk_stats_read(struct gendisk *disk, struct disk_stats *out);

/* blk-mq internals used by drivers */
void blk_mq_run_hw_queue(struct blk_mq_hw_ctx *hctx);
void blk_mq_complete_request(struct request *rq, int error);
void kblockd_schedule(struct blk_mq_hw_ctx *hctx);
struct request *blk_mq_get_request(struct blk_mq_hw_ctx *hctx); /* may wait for a tag */
void kblockd_init(void);
struct request_queue *blk_mq_init_queue(struct gendisk *disk, unsigned nr_hw_queues, unsigned depth);

/* block/cfq-iosched.c: the iosched knob. The next request of hctx's dispatch list the
 * scheduler lets go to the device (NULL: none may go now), with hctx->lock held; and
 * what it counts as a request goes and completes. */
void cfq_init(struct request_queue *q);
struct request *elv_next_request(struct blk_mq_hw_ctx *hctx);
bool elv_merge_queued(struct request_queue *q, struct blk_mq_hw_ctx *hctx, struct bio *bio,
		      bool (*merge)(struct request_queue *, struct request *, struct bio *));
void elv_dispatched(struct request_queue *q, struct request *rq);
void elv_completed(struct request_queue *q, struct request *rq, u64 now);
void elv_report(struct request_queue *q, struct vms_rec_blk *rec);
/* block/blk-wbt.c: buffered writeback throttling (Linux 4.10+), for the wbt_lat_usec knob. */
void wbt_init(struct request_queue *q, bool write_cache);
/* Before a request is made for bio: may wait while the disk has enough writeback in
 * flight. Returns the request's wbt_flags. */
u8 wbt_wait(struct request_queue *q, struct bio *bio);
void wbt_issue(struct request_queue *q, struct request *rq); /* rq goes to the device */
void wbt_done(struct request_queue *q, struct request *rq, u64 now); /* rq completed */
void wbt_report(struct request_queue *q, struct vms_rec_blk *rec);

extern struct gendisk *disks[];
extern unsigned nr_disks;
void virtio_blk_init(void);
/* A mark into the host's write log of the disk (vmsweep/abi.h VMS_VIRTIO_BLK_T_LOG_MARK),
 * after everything the guest has seen complete; waited for. 0, -EINVAL (a text the host
 * would refuse), -EOPNOTSUPP (no log), -EIO. */
int virtblk_log_mark(struct gendisk *disk, const char *text);
#endif
