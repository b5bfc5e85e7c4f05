/* The journal's log writes (log_io.c): a batch of bios waited for together. */
#ifndef FS_JBD2_LOG_IO_H
#define FS_JBD2_LOG_IO_H
#include <kernel/wait.h>
#include <fs/jbd2.h>

struct jbd2_io_batch {
	int pending;
	int error;
	struct completion done;
};

void jbd2_batch_init(struct jbd2_io_batch *b);
/* Writes buf (a page, kept until the batch is waited for) to log block log_block. */
int jbd2_batch_write(journal_t *j, struct jbd2_io_batch *b, u32 log_block, void *buf);
/* Writes buf (a page) to disk block home: a checkpoint's saved copy. */
int jbd2_batch_write_home(journal_t *j, struct jbd2_io_batch *b, u32 home, void *buf);
/* Waits for every write of the batch: 0 or -EIO. */
int jbd2_batch_wait(journal_t *j, struct jbd2_io_batch *b);
#endif
