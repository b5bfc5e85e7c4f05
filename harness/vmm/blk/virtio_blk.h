/*
 * The virtio-blk device: config space, and one I/O thread per queue that polls while
 * there is work (notifications suppressed with EVENT_IDX), sleeps on the queue's
 * ioeventfd when idle, does the I/O through an engine and signals completions
 * through the queue's irqfd.
 */
#ifndef VMM_VIRTIO_BLK_H
#define VMM_VIRTIO_BLK_H
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

#include <vmsweep/poll_window.h>

#include "vmm/blk/blk_due.h"
#include "vmm/blk/blk_engine.h"
#include "vmm/blk/disk.h"
#include "vmm/blk/disk_fs.h"
#include "vmm/blk/disk_model_sched.h"
#include "vmm/blk/write_log.h"
#include "vmm/virtio/virtio_mmio.h"
#include "vmm/virtio/virtq.h"

struct blk_stats {
	atomic_ullong reads, writes, flushes, bytes_read, bytes_written;
	atomic_ullong io_errors; /* the host's I/O failed: IOERR to the guest */
	atomic_ullong refused; /* malformed requests: IOERR to the guest */
	atomic_ullong unsupported;
	atomic_ullong notifications; /* ioeventfd wake-ups */
	atomic_ullong interrupts, interrupts_suppressed;
	/* The disk model: completions held until due, and those whose host I/O ended after
	 * their due time (the host's disk, not the model, set their time). */
	atomic_ullong model_held, model_late;
};

struct virtio_blk_dev;

/* Request slots are made as requests come, BLK_IO_CHUNK at a time, up to the queue's
 * size: a slot holds an iovec per possible segment (2.1 KiB), so slots for the whole
 * of a 1024-entry queue took 2.2 MiB of host memory per queue, ready or not, while a
 * guest keeps a few dozen requests in flight. */
#define BLK_IO_CHUNK 16
struct blk_io_chunk {
	struct blk_io_chunk *next;
	struct blk_io io[BLK_IO_CHUNK];
};

struct blk_queue {
	struct virtio_blk_dev *dev;
	unsigned index;
	int notify_fd; /* ioeventfd on QueueNotify, datamatch = index */
	int irq_fd; /* irqfd: MSI to the queue's CPU */
	struct virtq vq;
	struct blk_queue_io qio;
	struct blk_io *free_ios;
	struct blk_io_chunk *chunks; /* every slot made, for the free */
	unsigned nr_ios, max_ios; /* slots made; at most the queue's size */
	unsigned inflight; /* with the engine */
	struct vms_poll_window poll_window; /* how long the thread spins before it blocks */
	unsigned lone_streak; /* requests in a row that came alone, nothing else in flight */
	uint64_t requests; /* taken from the ring (this queue's thread only; read after it stops) */
	struct blk_due due; /* done by the engine, held until the disk model's due time */
	pthread_t thread;
	bool running;
};

/* How the device's queues run; the same for every disk of a VM. */
struct virtio_blk_tuning {
	uint64_t poll_ns; /* the most a queue thread spins (for work or a completion) before it blocks */
	bool io_pinned; /* the queue threads run on io_cpus (vm_place: with --pin, the CPUs left) */
	cpu_set_t io_cpus;
};

struct virtio_blk_dev {
	struct virtio_mmio_dev mmio;
	char name[8]; /* vda */
	struct disk_config cfg;
	int fd;
	uint64_t capacity; /* bytes */
	const struct guest_mem *mem;
	const struct blk_engine_ops *engine;
	struct virtio_blk_tuning tuning;
	bool modelled; /* the disk has a model (cfg.model): model below times its requests */
	struct disk_model_sched model; /* shared by the queues */
	unsigned nr_queues;
	struct blk_queue q[VIRTIO_MMIO_MAX_QUEUES];
	atomic_bool stopping;
	struct blk_stats stats;
	pthread_mutex_t log_lock;
	char first_error[256]; /* the first I/O error or refusal, for the report */
	/* The guest broke a queue beyond repair: the VM ends the run with this message. */
	void (*fatal)(void *ctx, const char *msg);
	void *fatal_ctx;
	/* The host cannot go on with the disk (its write log failed): the run ends as a host error. */
	void (*host_error)(void *ctx, const char *msg);
	struct write_log *log; /* log=: every write and flush that reached the image; NULL: none */
	atomic_bool log_failed; /* host_error was told */
	struct write_log_stats log_stats; /* as the log was closed (virtio_blk_finish) */
	struct disk_fsck fsck; /* e2fsck -fn after the run (fsck) */
};

/* Opens the backing file and sets up the device registers at base; the queues'
 * notify and irq eventfds are created here for the VM to register with KVM. */
int virtio_blk_create(struct virtio_blk_dev *d, unsigned index, const struct disk_config *cfg, uint64_t base,
		      unsigned nr_queues, const struct guest_mem *mem, const struct virtio_blk_tuning *tuning, char *err,
		      size_t errlen);
/* After the guest has stopped and the queues with it: closes the write log (its final
 * super) and runs e2fsck when asked. -1 with err when the log could not be finished. */
int virtio_blk_finish(struct virtio_blk_dev *d, char *err, size_t errlen);
void virtio_blk_destroy(struct virtio_blk_dev *d);
#endif
