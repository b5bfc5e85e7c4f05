/*
 * Finding completions without interrupts. On this project's hosts an interrupt that
 * finds its vCPU halted costs ~130 us before the handler runs (the wake-up, the
 * emulated CPL-0 entry, the next kick), while one that reaches a running vCPU costs a
 * few: so a CPU that waits for I/O should watch its queues rather than halt.
 *
 *  - blk_completion=poll: the queues never interrupt; whoever waits polls (blk_poll).
 *  - blk_completion=hybrid: a CPU whose queues have I/O in flight and nothing to run
 *    polls them from its idle loop, their interrupts off, and a task waiting for its
 *    own I/O polls in its place; each until no completion came for blk_hybrid_poll_us,
 *    or not at all for a disk slower than that (poll_budget); then the interrupts are
 *    back on, the rings checked once more, and the CPU halts. Running tasks get
 *    interrupts, which are cheap at CPL 3.
 *  - fio's hipri (any mode): its requests are REQ_POLLED, as io_uring's IOPOLL makes them
 *    in Linux, where they go to a poll queue that has no interrupt at all: here the
 *    queue they go to is watched from the first one's issue until the last one is
 *    reaped, and the submitter polls, its own queue first, then the others (requests it
 *    issued before it moved to another CPU).
 *
 * A queue is watched (interrupts off) while it has pollers; the last one to leave turns
 * them back on and reaps what came meanwhile, so no completion waits for an interrupt
 * that will not come.
 */
#include <asm/irqflags.h>
#include <asm/tsc.h>
#include <kernel/blkdev.h>
#include <kernel/boot.h>
#include <kernel/kernel.h>
#include <kernel/percpu.h>
#include <kernel/preempt.h>
#include <kernel/results.h>
#include <kernel/sched.h>

/* The queues whose completions come to one CPU (its idle loop polls them). */
struct blk_cpu_poll {
	struct blk_mq_hw_ctx *queues; /* through cpu_next */
};

static struct blk_cpu_poll cpu_poll[VMS_MAX_CPUS];

void blk_mq_map_cpu_queue(struct blk_mq_hw_ctx *hctx)
{
	struct blk_cpu_poll *p = &cpu_poll[hctx->cpu];
	struct blk_mq_hw_ctx **tail = &p->queues;

	while (*tail)
		tail = &(*tail)->cpu_next;
	*tail = hctx;
}

struct blk_mq_hw_ctx *blk_mq_cpu_queues(unsigned cpu)
{
	return cpu < VMS_MAX_CPUS ? cpu_poll[cpu].queues : NULL;
}

static void hctx_unwatch_locked(struct blk_mq_hw_ctx *h, enum blk_found who);

/* With hctx->lock held: reaps, counting who found them. When the last REQ_POLLED request
 * was among them, its hold on the queue goes (not inside the reap: letting go reaps). */
static unsigned hctx_reap(struct blk_mq_hw_ctx *h, enum blk_found who)
{
	unsigned n = h->q->poll(h);
	h->nr_found[who] += n;
	if (h->polled_held && !h->polled_inflight) {
		h->polled_held = false;
		hctx_unwatch_locked(h, who);
	}
	return n;
}

/* A poller arrives (hctx->lock held): the first one turns the queue's interrupts off. A
 * polled queue's are off for good. */
static void hctx_watch_locked(struct blk_mq_hw_ctx *h)
{
	if (h->q->completion != BLK_COMPLETION_POLL && !h->pollers++)
		h->q->irq_disable(h);
}

static void hctx_watch(struct blk_mq_hw_ctx *h)
{
	unsigned long flags;

	spin_lock_irqsave(&h->lock, flags);
	hctx_watch_locked(h);
	spin_unlock_irqrestore(&h->lock, flags);
}

/* A poller leaves (hctx->lock held): the last one turns interrupts back on and reaps
 * what came before that (the device may have decided not to interrupt for it). */
static void hctx_unwatch_locked(struct blk_mq_hw_ctx *h, enum blk_found who)
{
	if (h->q->completion != BLK_COMPLETION_POLL && !--h->pollers)
		while (!h->q->irq_enable(h)) {
			h->q->irq_disable(h);
			hctx_reap(h, who);
		}
}

static void hctx_unwatch(struct blk_mq_hw_ctx *h, enum blk_found who)
{
	unsigned long flags;

	spin_lock_irqsave(&h->lock, flags);
	hctx_unwatch_locked(h, who);
	spin_unlock_irqrestore(&h->lock, flags);
}

void blk_mq_polled_issue(struct blk_mq_hw_ctx *h)
{
	h->polled_inflight++;
	if (!h->polled_held) {
		h->polled_held = true;
		hctx_watch_locked(h);
	}
}

unsigned blk_mq_poll(struct blk_mq_hw_ctx *h, enum blk_found who)
{
	unsigned long flags;

	spin_lock_irqsave(&h->lock, flags);
	unsigned n = hctx_reap(h, who);
	spin_unlock_irqrestore(&h->lock, flags);
	return n;
}

static struct blk_mq_hw_ctx *this_cpu_hctx(struct gendisk *disk)
{
	struct request_queue *q = disk->queue;

	preempt_disable();
	struct blk_mq_hw_ctx *h = q->hctx[smp_processor_id() % q->nr_hw_queues];
	preempt_enable();
	return h;
}

/*
 * A task polls its queue of disk, interrupts off, until done(arg). budget 0 (hipri,
 * or a polled disk): until done, letting the CPU go at the end of its time slice and
 * coming back. Otherwise (hybrid): it gives up when budget passes without a
 * completion or another task wants the CPU. Whether done.
 */
static bool submitter_poll(struct gendisk *disk, bool (*done)(void *arg), void *arg, u64 budget)
{
	u64 start = ktime_get_ns(), since = start;
	bool ok, expired = false;

	if (current->plug) /* what we wait for may still be in our own plug */
		blk_flush_plug(current->plug);
	/* Not preempted while watching: the queue's other waiters would get no interrupt. */
	preempt_disable();
	struct blk_mq_hw_ctx *h = this_cpu_hctx(disk);
	hctx_watch(h);
	while (!(ok = done(arg))) {
		if (need_resched() || (budget && READ_ONCE(this_cpu()->rq.nr_queued))) {
			if (budget)
				break; /* the others first; the caller sleeps */
			hctx_unwatch(h, BLK_FOUND_SUBMITTER_POLL);
			preempt_enable(); /* the time slice is over: run the others, come back */
			preempt_disable();
			h = this_cpu_hctx(disk);
			hctx_watch(h);
			continue;
		}
		u64 now = ktime_get_ns();
		if (blk_mq_poll(h, BLK_FOUND_SUBMITTER_POLL)) {
			since = now;
			continue;
		}
		/* A polled disk, or a hipri request, interrupts nobody: I/O this task issued
		 * before it moved to this CPU is on another queue, and only a poller finds it. */
		for (unsigned i = 0; !budget && i < disk->queue->nr_hw_queues; i++)
			if (disk->queue->hctx[i] != h)
				blk_mq_poll(disk->queue->hctx[i], BLK_FOUND_SUBMITTER_POLL);
		if (budget && now - since >= budget) {
			expired = true;
			break;
		}
		cpu_relax();
	}
	hctx_unwatch(h, BLK_FOUND_SUBMITTER_POLL);
	h->submitter_poll_ns += ktime_get_ns() - start;
	if (budget) {
		h->nr_poll_windows++;
		h->nr_poll_expired += expired;
	}
	preempt_enable();
	return ok || done(arg);
}

void blk_poll_until(struct gendisk *disk, bool (*done)(void *arg), void *arg)
{
	submitter_poll(disk, done, arg, 0);
}

bool blk_any_polled_disk(void)
{
	for (unsigned i = 0; i < nr_disks; i++)
		if (disks[i] && disks[i]->queue->poll_mode)
			return true;
	return false;
}

void blk_poll_disks(void)
{
	if (current->plug) /* what we wait for may still be in our own plug */
		blk_flush_plug(current->plug);
	for (unsigned i = 0; i < nr_disks; i++) {
		struct request_queue *q = disks[i] ? disks[i]->queue : NULL;
		for (unsigned h = 0; q && q->poll_mode && h < q->nr_hw_queues; h++)
			blk_mq_poll(q->hctx[h], BLK_FOUND_SUBMITTER_POLL);
	}
}

static bool hybrid_waiting(const struct blk_mq_hw_ctx *h)
{
	return h->q->completion == BLK_COMPLETION_HYBRID && READ_ONCE(h->inflight);
}

/*
 * How long to poll for the next completion of h: up to limit, unless h's completions
 * have lately come further apart than that (a slow disk, where a halt's ~130 us are a
 * small part of each I/O): then not at all, and the interrupt comes. The gap is each
 * completion's time since the one before it or since its request was issued,
 * whichever is later: the device's time per request at any depth (at depth 1 its
 * latency; at depth 32 the gap between completions, which come in bursts, while the
 * latency, queueing included, is several times the limit).
 */
static u64 poll_budget(const struct blk_mq_hw_ctx *h, u64 limit)
{
	return READ_ONCE(h->gap_ewma_ns) > limit ? 0 : limit;
}

void blk_idle_poll(unsigned cpu)
{
	struct blk_cpu_poll *p = &cpu_poll[cpu];
	struct cpu *c = this_cpu();
	u64 limit = (u64)knob(blk_hybrid_poll_us) * NSEC_PER_USEC, budget = 0;
	unsigned nr = 0;

	/* Not preempted while the queues' interrupts are off: a task woken here would run
	 * with its CPU's completions unseen. */
	preempt_disable();
	for (struct blk_mq_hw_ctx *h = p->queues; h; h = h->cpu_next) {
		u64 b = hybrid_waiting(h) ? poll_budget(h, limit) : 0;
		if ((h->idle_watched = b != 0)) {
			hctx_watch(h);
			budget = max(budget, b);
			nr++;
		}
	}
	if (!nr) {
		preempt_enable_no_resched();
		return;
	}
	u64 start = ktime_get_ns(), now = start, since = start;
	bool expired = false;
	while (!need_resched() && !READ_ONCE(c->rq.nr_queued)) {
		unsigned found = 0, busy = 0;
		for (struct blk_mq_hw_ctx *h = p->queues; h; h = h->cpu_next)
			if (h->idle_watched) {
				found += blk_mq_poll(h, BLK_FOUND_IDLE_POLL);
				busy += READ_ONCE(h->inflight) != 0;
			}
		now = ktime_get_ns();
		if (found)
			since = now;
		if (!busy)
			break;
		if (now - since >= budget) {
			expired = true;
			break;
		}
		cpu_relax();
	}
	for (struct blk_mq_hw_ctx *h = p->queues; h; h = h->cpu_next)
		if (h->idle_watched) {
			h->idle_watched = false;
			hctx_unwatch(h, BLK_FOUND_IDLE_POLL);
			h->idle_poll_ns += (now - start) / nr; /* the CPU's time, shared by what it watched */
			h->nr_poll_windows++;
			h->nr_poll_expired += expired;
		}
	/* The idle loop schedules, then polls again for what the woken task submits. */
	preempt_enable_no_resched();
}

bool blk_hybrid_poll_wait(struct gendisk *disk, bool (*done)(void *arg), void *arg)
{
	u64 limit = (u64)knob(blk_hybrid_poll_us) * NSEC_PER_USEC;
	struct blk_mq_hw_ctx *h = this_cpu_hctx(disk);
	u64 budget = poll_budget(h, limit);

	if (disk->queue->completion != BLK_COMPLETION_HYBRID || !budget || !READ_ONCE(h->inflight))
		return done(arg);
	return submitter_poll(disk, done, arg, budget);
}

void blk_poll_report(void)
{
	for (unsigned i = 0; i < nr_disks; i++) {
		struct request_queue *q = disks[i] ? disks[i]->queue : NULL;
		if (!q)
			continue;
		struct vms_rec_blk r = { .disk = i, .completion = q->completion };
		for (unsigned k = 0; k < q->nr_hw_queues; k++) {
			struct blk_mq_hw_ctx *h = q->hctx[k];
			unsigned long flags;
			/* completed and found[] change together under the lock: read them so */
			spin_lock_irqsave(&h->lock, flags);
			r.completed += h->nr_completed;
			for (unsigned f = 0; f < BLK_FOUND_NR; f++)
				r.found[f] += h->nr_found[f];
			r.idle_poll_ns += h->idle_poll_ns;
			r.submitter_poll_ns += h->submitter_poll_ns;
			r.poll_windows += h->nr_poll_windows;
			r.poll_windows_expired += h->nr_poll_expired;
			r.kicks += h->vq->nr_kicks;
			r.kicks_suppressed += h->vq->nr_kicks_suppressed;
			spin_unlock_irqrestore(&h->lock, flags);
		}
		wbt_report(q, &r);
		elv_report(q, &r);
		results_record(VMS_REC_BLK, &r, sizeof(r));
	}
}
