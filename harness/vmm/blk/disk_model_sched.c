/* A disk model's arithmetic (transfer, seek, positioning) and its per-disk clock. */
#include <math.h>
#include <string.h>

#include "vmm/blk/disk_model_sched.h"

#define NS_PER_S 1000000000ull

/* Rounded up: a model never goes faster than its parameters. */
static uint64_t ns_for(uint64_t units, uint64_t per_second)
{
	return per_second ? (uint64_t)(((unsigned __int128)units * NS_PER_S + per_second - 1) / per_second) : 0;
}

uint64_t disk_model_transfer_ns(const struct disk_model *m, uint64_t bytes)
{
	return ns_for(bytes, m->rate);
}

uint64_t disk_model_revolution_ns(const struct disk_model *m)
{
	return m->rpm ? 60 * NS_PER_S / m->rpm : 0;
}

uint64_t disk_model_seek_ns(const struct disk_model *m, uint64_t distance)
{
	if (!distance)
		return 0;
	double stroke = m->capacity && distance < m->capacity ? (double)distance / (double)m->capacity : 1.0;
	return m->seek_min_ns + (uint64_t)llround((double)(m->seek_max_ns - m->seek_min_ns) * sqrt(stroke));
}

uint64_t disk_model_position_ns(const struct disk_model *m, uint64_t head, uint64_t offset)
{
	if (offset == head)
		return 0;
	uint64_t seek = disk_model_seek_ns(m, offset > head ? offset - head : head - offset) +
			disk_model_revolution_ns(m) / 2;
	if (offset < head)
		return seek;
	/* Forward: the platter turns the gap past the head, unless a seek is sooner. */
	uint64_t pass = disk_model_transfer_ns(m, offset - head);
	return pass < seek ? pass : seek;
}

void disk_model_sched_init(struct disk_model_sched *s, const struct disk_model *m)
{
	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->lock, NULL);
	s->m = *m;
}

void disk_model_sched_reset(struct disk_model_sched *s)
{
	pthread_mutex_lock(&s->lock);
	s->serial_free = s->last_due = s->head = 0;
	s->dirty = false;
	memset(s->chan_free, 0, sizeof(s->chan_free));
	pthread_mutex_unlock(&s->lock);
}

void disk_model_sched_destroy(struct disk_model_sched *s)
{
	pthread_mutex_destroy(&s->lock);
}

/* How long a request holds the serial stage; a flush's is the caller's to decide. */
static uint64_t serial_ns(struct disk_model_sched *s, uint64_t offset, uint64_t bytes)
{
	const struct disk_model *m = &s->m;
	if (m->profile == DISK_PROFILE_HDD) {
		uint64_t t = disk_model_position_ns(m, s->head, offset) + disk_model_transfer_ns(m, bytes);
		s->head = offset + bytes;
		return t;
	}
	uint64_t xfer = disk_model_transfer_ns(m, bytes), op = ns_for(1, m->iops);
	return xfer > op ? xfer : op;
}

uint64_t disk_model_sched_due(struct disk_model_sched *s, uint64_t now, enum disk_model_op op, uint64_t offset,
			      uint64_t bytes)
{
	const struct disk_model *m = &s->m;

	pthread_mutex_lock(&s->lock);
	uint64_t start = now > s->serial_free ? now : s->serial_free, hold = 0;
	if (op == DISK_MODEL_FLUSH) {
		/* Writes to make durable: wait for every request before it (the drain), then hold
		 * the device, as SATA's FLUSH CACHE, which is not queued. Else a no-data request. */
		if (s->dirty && m->flush_ns) {
			start = start > s->last_due ? start : s->last_due;
			hold = m->flush_ns;
		}
		s->dirty = false;
	} else {
		hold = serial_ns(s, offset, bytes);
		s->dirty |= op == DISK_MODEL_WRITE;
	}
	uint64_t due = start + hold;
	s->serial_free = due;
	if (m->lat_ns && m->channels) { /* the channel free soonest, in arrival order */
		unsigned c = 0;
		for (unsigned i = 1; i < m->channels; i++)
			if (s->chan_free[i] < s->chan_free[c])
				c = i;
		due = (due > s->chan_free[c] ? due : s->chan_free[c]) + m->lat_ns;
		s->chan_free[c] = due;
	} else {
		due += m->lat_ns;
	}
	s->last_due = due > s->last_due ? due : s->last_due;
	pthread_mutex_unlock(&s->lock);
	return due;
}
