/*
 * A disk's write stream (`--disk ...,log=PATH`) in the on-disk format of Linux's
 * dm-log-writes (drivers/md/dm-log-writes.c), which xfstests' replay-log reads, and the
 * reader a crash tool rebuilds images with (docs/WRITE_LOG.md has the format and rules).
 *
 * Sector 0 holds the super; each entry takes one 512-byte sector (its header, and a
 * mark's text), followed by its data. The log starts with the image as it was before the
 * run (its blocks that are not zero, then a FLUSH and the mark "vmsweep-base"), so that a
 * replay onto an all-zero image of the disk's size rebuilds it. Then come the run's
 * writes, in the order the host's I/O completed them, and its flushes: a flush's entry
 * stands where the flush was issued, after every write that had completed by then (what
 * it makes durable), and becomes a FLUSH when the flush completes. The log ends with the
 * mark "vmsweep-end" when it was closed whole.
 */
#ifndef VMM_WRITE_LOG_H
#define VMM_WRITE_LOG_H
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#define WRITE_LOG_MAGIC 0x6a736677736872ull
#define WRITE_LOG_VERSION 1
#define WRITE_LOG_SECTOR 512 /* the log's sectorsize: virtio-blk's sector */
#define LOG_FLUSH_FLAG 1u
#define LOG_FUA_FLAG 2u
#define LOG_DISCARD_FLAG 4u
#define LOG_MARK_FLAG 8u
#define WRITE_LOG_MARK_MAX (WRITE_LOG_SECTOR - 32) /* a mark's text, in its entry's sector */

#define WRITE_LOG_MARK_BASE "vmsweep-base" /* the image before the run ends here */
#define WRITE_LOG_MARK_END "vmsweep-end" /* the log was closed whole */
#define WRITE_LOG_MARK_FLUSH_PENDING "vmsweep-flush-pending" /* a flush issued, not completed */
#define WRITE_LOG_MARK_FLUSH_FAILED "vmsweep-flush-failed" /* the host's fdatasync failed */

/* ---- writing (the disk's queues, any number of threads) ---- */

struct write_log;

struct write_log_stats {
	uint64_t entries; /* in the log, the base's included */
	uint64_t base_writes, base_bytes; /* the image before the run */
	uint64_t writes, bytes, flushes; /* the run's */
	uint64_t marks; /* the guest's (write_log_mark) */
};

/* Creates (truncates) the log at path and writes the base: the blocks of the image at
 * image_path (image_bytes long) that are not zero. -1 with err naming the log. */
int write_log_open(struct write_log **lp, const char *path, const char *image_path, uint64_t image_bytes,
		   char *err, size_t errlen);
/* A write that reached the image: bytes (a multiple of 512) at byte offset, its data in iov. */
int write_log_write(struct write_log *l, uint64_t offset, const struct iovec *iov, unsigned niov, uint64_t bytes);
/* A flush issued to the host: its entry's place, after the writes completed so far. Returns
 * the ticket for write_log_flush_end (0 once the log has failed). */
uint64_t write_log_flush_begin(struct write_log *l);
/* The flush completed (ok) or failed: its entry becomes a FLUSH, or the mark
 * "vmsweep-flush-failed"; the super then counts every entry written. */
int write_log_flush_end(struct write_log *l, uint64_t ticket, bool ok);
/* A mark of the guest's (a VMS_VIRTIO_BLK_T_LOG_MARK request, checked by the device's
 * parser: at most VMS_BLK_LOG_MARK_MAX printable characters), after the entries so far. */
int write_log_mark(struct write_log *l, const char *text);
/* Once a call has failed the log stays failed (later calls do nothing and return -1);
 * this says why, naming the log: "" while it is whole. */
const char *write_log_error(struct write_log *l);
void write_log_stats_get(struct write_log *l, struct write_log_stats *s);
/* Ends the log with the mark "vmsweep-end" and the final super, and frees it; -1 with err
 * when that, or an earlier write, failed. */
int write_log_close(struct write_log *l, char *err, size_t errlen);

/* ---- reading ---- */

struct write_log_entry {
	uint64_t sector, nr_sectors, flags; /* sector and count in the log's sectorsize */
	uint64_t data_off; /* byte of the log where its data (nr_sectors sectors) starts */
	char mark[WRITE_LOG_MARK_MAX + 1]; /* a MARK's text, else "" */
};

struct write_log_reader {
	int fd;
	uint32_t sectorsize;
	uint64_t nr_entries;
	struct write_log_entry *entries; /* all of them, read at open */
	uint64_t base_end; /* index of the "vmsweep-base" mark; UINT64_MAX in a log without one */
	bool whole; /* the last entry is the "vmsweep-end" mark */
};

/* Reads the super and every entry's header, checking that each lies inside the file.
 * Reads logs of dm-log-writes as well (any power-of-two sectorsize from 512 to 64 KiB). */
int write_log_reader_open(struct write_log_reader *r, const char *path, char *err, size_t errlen);
void write_log_reader_close(struct write_log_reader *r);
/* The name of an entry's kind: "write", "flush", "fua", "discard", "mark" (flags combined: "write|fua"). */
const char *write_log_entry_kind(const struct write_log_entry *e, char *buf, size_t len);
/* Applies entry i to the image open at fd: a write's data at its sector, a discard as
 * zeros; a flush or a mark changes nothing. */
int write_log_apply(const struct write_log_reader *r, uint64_t i, int fd, char *err, size_t errlen);
/* The crash tool's image: entries 0..count-1, then the entries of extra (each >= count, in
 * increasing order), each as write_log_apply. */
int write_log_replay(const struct write_log_reader *r, int fd, uint64_t count, const uint64_t *extra, size_t nr_extra,
		     char *err, size_t errlen);
#endif
