/*
 * Dirty page writeback (include/linux/writeback.h): the dirty limits, the dirtier's
 * throttle, and the writeback passes of the flushers, pdflush and the dirtiers of
 * the older eras. The era is writeback_model's, chosen once at boot as a struct
 * writeback_ops (mm/page-writeback.c), as kswapd_ops chooses kswapd's.
 */
#ifndef MM_WRITEBACK_H
#define MM_WRITEBACK_H
#include <kernel/blkdev.h> /* REQ_SYNC, REQ_BACKGROUND */
#include <kernel/types.h>
#include <mm/backing-dev.h>
#include <vmsweep/knobs.h>

struct address_space;
struct page;

enum writeback_sync_modes { WB_SYNC_NONE, WB_SYNC_ALL };

/* What one pass asks for and reports (struct writeback_control). */
struct writeback_control {
	long nr_to_write; /* pages still to start; decremented as they are */
	enum writeback_sync_modes sync_mode;
	enum vms_wb_writer by; /* whose writing it is, for the report */
	bool nonblocking;      /* 2.6: do not block on a congested queue */
	bool encountered_congestion;
	bool for_kupdate, for_background;
	u64 older_than_this_ns; /* kupdate: only disks dirtied before this (0: any) */
};

#define MAX_WRITEBACK_PAGES 1024 /* 4 MiB: a pass's chunk, as Linux's */

/* The bio flags of a writeback pass's writes, as Linux's wbc_to_write_flags. */
static inline u32 wbc_to_write_flags(const struct writeback_control *wbc)
{
	if (wbc->sync_mode == WB_SYNC_ALL)
		return REQ_SYNC;
	return wbc->for_kupdate || wbc->for_background ? REQ_BACKGROUND : 0;
}

/* The era's mechanisms (mm/page-writeback.c picks one at boot). */
struct writeback_ops {
	const char *name;
	bool per_bdi_thresh; /* the disk's share of the threshold applies */
	bool dirtier_writes; /* balance_dirty_pages writes pages itself (before 3.2) */
	bool reclaim_writes_file; /* direct reclaim writes dirty file pages (before 3.2) */
	unsigned long (*dirtyable_memory)(void);
	void (*balance_dirty_pages)(struct address_space *m, struct bdi_writeback *wb, unsigned long pages_dirtied);
	/* Background writeback is due (over the background threshold): start it. */
	void (*start_background)(struct bdi_writeback *wb);
	/* Write everything (laptop mode's flush, sync): started, not waited for. */
	void (*start_all)(enum wb_reason reason);
};
extern const struct writeback_ops *writeback_ops;
extern const struct writeback_ops writeback_pdflush_ops, writeback_bdi_ops, writeback_ioless_ops;

/* mm/dirty_limits.c */
struct dirty_limits {
	unsigned long dirtyable, bg_thresh, thresh; /* global_dirty_limits */
	unsigned long freerun, limit, setpoint;	    /* the IO-less control points */
};
void page_writeback_init(void); /* boot: the era, the ratios, ratelimit_pages */
void global_dirty_limits(struct dirty_limits *dl);
unsigned long wb_calc_thresh(struct bdi_writeback *wb, unsigned long thresh);
unsigned long global_dirty_limit(void); /* the slowly following hard limit (ioless) */
void update_dirty_limit(unsigned long thresh, unsigned long dirty);
unsigned long global_nr_dirty(void);	 /* NR_FILE_DIRTY */
unsigned long global_nr_writeback(void); /* NR_WRITEBACK of file pages */
extern unsigned long ratelimit_pages;
unsigned dirty_ratio_resolved(void), dirty_background_ratio_resolved(void);

/* mm/page-writeback.c: accounting, from the page cache */
void account_page_dirtied(struct page *page, struct address_space *m);
void account_page_cleaned(struct page *page, struct address_space *m); /* dirty -> writeback */
void account_page_redirtied(struct page *page, struct address_space *m); /* a failed write */
void account_page_undirtied(struct page *page, struct address_space *m); /* dirty -> clean, no I/O */
void wb_writeout_inc(struct bdi_writeback *wb); /* a page's writeback ended */
void wb_update_bandwidth(struct bdi_writeback *wb, const struct dirty_limits *dl, u64 start_ns);
unsigned long wb_writeout_fraction_permille(struct bdi_writeback *wb);
/* The dirtier's hook after each newly dirtied page (generic_perform_write's). */
void balance_dirty_pages_ratelimited(struct address_space *m);
bool over_bground_thresh(struct bdi_writeback *wb);

/* The eras' dirtyable memory (mm/dirty_limits.c). */
unsigned long dirtyable_memory_pdflush(void), dirtyable_memory_bdi(void), dirtyable_memory_ioless(void);

/* mm/balance_dirty_pages.c */
/* The IO-less control line at dirty pages (pos_ratio, in 1/1024). */
unsigned long wb_position_ratio(struct bdi_writeback *wb, const struct dirty_limits *dl, unsigned long dirty,
				unsigned long wb_thresh, unsigned long wb_dirty);
void balance_dirty_pages_ioless(struct address_space *m, struct bdi_writeback *wb, unsigned long pages_dirtied);
void balance_dirty_pages_writing(struct address_space *m, struct bdi_writeback *wb, unsigned long pages_dirtied);

/* mm/filemap.c: write_cache_pages over the disk's dirty pages */
long filemap_writepages(struct address_space *m, struct writeback_control *wbc);

/* mm/fs-writeback.c: the per-disk flushers (bdi, ioless) */
/* Background: write while over the background threshold; otherwise everything dirty. */
void wb_start_writeback(struct bdi_writeback *wb, enum wb_reason reason);
void wb_start_background_writeback(struct bdi_writeback *wb);
void wakeup_flusher_threads(enum wb_reason reason);
bool writeback_in_progress(struct bdi_writeback *wb);
void bdi_flusher_start(struct backing_dev_info *bdi);
/* One writeback pass over one disk's dirty mappings, oldest first (writeback_sb_inodes); pages started. */
long __writeback_inodes_wb(struct bdi_writeback *wb, struct writeback_control *wbc);
/* A writeback pass over every disk (writeback_inodes of 2.6, bdi NULL): congested ones skipped when nonblocking. */
long writeback_inodes(struct writeback_control *wbc);
void laptop_io_completion(struct backing_dev_info *bdi);

/* mm/pdflush.c */
void pdflush_init(void);
int pdflush_operation(void (*fn)(unsigned long), unsigned long arg); /* -1: every thread busy */
unsigned pdflush_nr_threads(void);
void pdflush_start_background(struct bdi_writeback *wb);
void pdflush_start_all(enum wb_reason reason);
void pdflush_tick(u64 now); /* the wb_timer that dispatches wb_kupdate */
void pdflush_report(struct vms_rec_wb *r);

/* mm/writeback_report.c */
void writeback_sample_tick(void);
u64 writeback_next_sample_ns(void); /* UINT64_MAX: none */
u64 pdflush_next_event(void); /* the wb_timer's expiry, UINT64_MAX: none */
void writeback_report(void);
#endif
