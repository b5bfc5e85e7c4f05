/*
 * The disk's I/O statistics, as Linux keeps them for /sys/block/<disk>/stat (which fio
 * reads for its disk_util): requests done per direction, bios merged into requests,
 * sectors, each request's time from its making to its completion (ticks), and the time
 * the disk had any request in flight (io_ticks), here in ns rather than jiffies.
 * Completions come in interrupt context on any CPU: one lock per disk.
 */
#include <asm/tsc.h>
#include <kernel/blkdev.h>
#include <kernel/kernel.h>
#include <lib/string.h>

void blk_account_io_start(struct gendisk *disk, struct request *rq, u64 now)
{
	unsigned long flags;

	rq->start_ns = now;
	spin_lock_irqsave(&disk->stat_lock, flags);
	if (!disk->stats.in_flight++)
		disk->stats.busy_since_ns = now;
	spin_unlock_irqrestore(&disk->stat_lock, flags);
}

void blk_account_io_done(struct gendisk *disk, struct request *rq, u64 now)
{
	struct disk_stats *s = &disk->stats;
	unsigned op = rq->op <= REQ_OP_FLUSH ? rq->op : REQ_OP_FLUSH;
	unsigned long flags;

	if (blk_rq_is_passthrough(rq)) /* Linux's blk_do_io_stat: not the disk's I/O */
		return;
	spin_lock_irqsave(&disk->stat_lock, flags);
	s->ios[op]++;
	s->sectors[op] += rq->nr_bytes >> SECTOR_SHIFT;
	s->nsecs[op] += now > rq->start_ns ? now - rq->start_ns : 0;
	if (s->in_flight && !--s->in_flight && now > s->busy_since_ns)
		s->io_ticks_ns += now - s->busy_since_ns;
	spin_unlock_irqrestore(&disk->stat_lock, flags);
}

void blk_account_io_merge(struct gendisk *disk, enum req_op op)
{
	unsigned long flags;

	spin_lock_irqsave(&disk->stat_lock, flags);
	disk->stats.merges[op <= REQ_OP_FLUSH ? op : REQ_OP_FLUSH]++;
	spin_unlock_irqrestore(&disk->stat_lock, flags);
}

void disk_stats_read(struct gendisk *disk, struct disk_stats *out)
{
	unsigned long flags;
	u64 now = ktime_get_ns();

	spin_lock_irqsave(&disk->stat_lock, flags);
	*out = disk->stats;
	spin_unlock_irqrestore(&disk->stat_lock, flags);
	if (out->in_flight && now > out->busy_since_ns) {
		out->io_ticks_ns += now - out->busy_since_ns;
		out->busy_since_ns = now;
	}
}
