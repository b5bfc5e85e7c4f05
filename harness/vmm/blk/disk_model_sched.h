/*
 * A disk model's clock: the due time of each request as the device would finish it.
 * One per disk, shared by the disk's queues, each served by its own host I/O thread:
 * the state is under a mutex, and requests are served in the order they take it.
 */
#ifndef VMM_DISK_MODEL_SCHED_H
#define VMM_DISK_MODEL_SCHED_H
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "vmm/blk/disk_model.h"

enum disk_model_op { DISK_MODEL_READ, DISK_MODEL_WRITE, DISK_MODEL_FLUSH };

struct disk_model_sched {
	pthread_mutex_t lock;
	struct disk_model m; /* resolved: capacity filled in */
	uint64_t serial_free; /* when the serial stage is next free (ns, the caller's clock) */
	uint64_t last_due; /* the latest due time handed out: a flush with work waits for it */
	uint64_t head; /* hdd: the byte after the previous request */
	bool dirty; /* writes since the previous flush */
	uint64_t chan_free[DISK_MODEL_CHANNELS_MAX]; /* when each channel is next free */
};

void disk_model_sched_init(struct disk_model_sched *s, const struct disk_model *m);
/* The device starts idle, its head at byte 0 (a reset of the virtio device). */
void disk_model_sched_reset(struct disk_model_sched *s);
void disk_model_sched_destroy(struct disk_model_sched *s);
/* A request of the guest's, taken by the host at now: when it is due (>= now). */
uint64_t disk_model_sched_due(struct disk_model_sched *s, uint64_t now, enum disk_model_op op, uint64_t offset,
			      uint64_t bytes);
#endif
