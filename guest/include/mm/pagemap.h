/*
 * The page cache (include/linux/pagemap.h, mm/filemap.c, block/fops.c): buffered I/O
 * on a raw disk (fio's direct=0) goes through pages of the disk's address_space, a
 * file's through its inode's (a_ops maps its pages to the disk's blocks). They sit on
 * the file LRU lists; reclaim drops the clean ones. Dirty ones are written back by the
 * flushers, the dirtiers or reclaim as the era of writeback_model has it
 * (mm/writeback.h); a mapping with dirty pages is on its disk's dirty list
 * (fs-writeback.c), oldest dirtied first, as Linux's inodes on b_dirty.
 */
#ifndef MM_PAGEMAP_H
#define MM_PAGEMAP_H
#include <kernel/blkdev.h>
#include <kernel/list.h>
#include <kernel/types.h>
#include <mm/buddy.h> /* the page flags */

struct page;
struct gendisk;
struct address_space;

/*
 * How a file's pages map to its disk (a file system's address_space_operations):
 * bmap gives the disk block (of PAGE_SIZE) of page index, 0 for a hole (reads as
 * zeros; a write must have mapped it before dirtying the page), or a negative errno.
 */
struct address_space_operations {
	long long (*bmap)(struct address_space *m, unsigned long index);
	u64 (*size)(struct address_space *m); /* bytes: readahead stops there */
	/*
	 * A buffered write, page by page: write_begin maps (allocates) the page's block
	 * before its data is copied in (*new: a new block, whose page starts as zeros);
	 * write_end after the page (still referenced, unlocked; NULL when the write failed
	 * before it) is dirty, with the write's end (i_size grows), given back what
	 * write_begin left in *fsdata (a journal handle held across the copy). NULL: nothing
	 * to do.
	 */
	int (*write_begin)(struct address_space *m, unsigned long index, bool *new, void **fsdata);
	/* With the page locked and no write of it in flight, just before the copy (NULL: none). */
	int (*write_prepare)(struct address_space *m, struct page *page, void *fsdata);
	int (*write_end)(struct address_space *m, struct page *page, u64 end, void *fsdata);
};

struct address_space {
	struct gendisk *host; /* the disk its pages are read from and written to */
	const struct address_space_operations *a_ops; /* NULL: the disk itself, page index = block */
	void *private_data; /* the file system's inode */
	/* On the disk's dirty list while it has dirty pages (__mark_inode_dirty's I_DIRTY_PAGES). */
	struct list_head io_list;
	u64 dirtied_when_ns; /* when its first page was dirtied since it was last clean */
	long nr_dirty; /* its dirty pages */
	bool dirty_listed;
	bool writing; /* I_SYNC: a flusher, pdflush or dirtier is writing it */
	unsigned long nrpages; /* pages in the cache */
	/*
	 * A failed write-back since the last fsync (AS_EIO): set at the write's end,
	 * test-and-cleared by filemap_write_and_wait, so the error reaches one fsync
	 * even when reclaim, not the fsync, wrote the page.
	 */
	int wb_err;
	/* mm/page_tags.c: a bit per page index that is (or may be) dirty or under writeback */
	unsigned long *dirty_tags, *dirty_summary;
	unsigned long tag_pages;
	unsigned long writeback_index; /* where the last writeback pass stopped (range_cyclic) */
};

/* mm/page_tags.c. Tags for pages indexes of the mapping; false (and none) without memory. */
bool mapping_tags_init(struct address_space *m, unsigned long pages);
/* After SetPageDirty (or TestSetPageDirty) of the page at index. */
void mapping_tag_dirty(struct address_space *m, unsigned long index);
/* Up to max tagged indexes from *pos on, in order, their tags cleared; *pos moves past them. */
unsigned mapping_take_tagged(struct address_space *m, unsigned long *pos, unsigned long *out, unsigned max);
/* One past the highest tagged index (0: none): where a data-integrity pass stops, so
 * that a writer appending meanwhile cannot keep it going (Linux's TOWRITE tags). */
unsigned long mapping_tagged_end(struct address_space *m);

/* struct file_ra_state, one reader's readahead state: mm/readahead_policy.h (mm/readahead.c). */
#include <mm/readahead_policy.h>

/* PG_readahead is PG_reclaim's bit, as in Linux: a page being read is not being written. */
static inline bool PageReadahead(struct page *page)
{
	return PageReclaim(page);
}
static inline void SetPageReadahead(struct page *page)
{
	SetPageReclaim(page);
}
static inline void ClearPageReadahead(struct page *page)
{
	ClearPageReclaim(page);
}
static inline bool TestClearPageReadahead(struct page *page)
{
	return TestClearPageReclaim(page);
}

/* A file's mapping on disk (max_pages: the most its dirty tags cover); false without memory. */
bool address_space_init(struct address_space *m, struct gendisk *disk, const struct address_space_operations *a_ops,
			void *private_data, unsigned long max_pages);
/* The disk's address_space, created on first use; NULL when no memory is left for it. */
struct address_space *bdev_mapping(struct gendisk *disk);

/* Buffered I/O of len bytes at pos through the page cache: 0, -EIO or -ENOMEM. */
int filemap_read(struct address_space *mapping, struct file_ra_state *ra, u64 pos, void *buf, u32 len);
int filemap_write(struct address_space *mapping, u64 pos, const void *buf, u32 len);
/* fsync's data part: writes every dirty page of the mapping and waits; 0 or -EIO. */
int filemap_write_and_wait(struct address_space *mapping);
/* The same for the pages of [pos, pos + len) (O_SYNC writes). */
int filemap_write_and_wait_range(struct address_space *mapping, u64 pos, u64 len);

/* The page of (m, index), uptodate, with a reference (put_page drops it); NULL and *err. */
struct page *read_mapping_page(struct address_space *m, unsigned long index, int *err);
void put_page(struct page *page);
/* The cached page of (m, index) with a reference, or NULL: nothing is read. */
struct page *find_cached_page(struct address_space *m, unsigned long index);
/* The page of (m, index) for a block written whole: not read, zeroed, uptodate, with a reference. */
struct page *grab_cache_page_zeroed(struct address_space *m, unsigned long index, int *err);
/* A dirty cached page is clean again without I/O (the journal holds it now); true if it was dirty. */
bool cancel_dirty_page(struct page *page);
void get_page(struct page *page); /* one more reference: the page stays cached */
/* A cached page becomes dirty (its mapping's writeback writes it); true when it was clean. */
bool set_page_dirty(struct page *page);

/* For reclaim, the page locked: */
bool page_is_file_cache(const struct page *page);
/* dirty page -> writeback, its bio flagged opf (REQ_SYNC, REQ_BACKGROUND: wbc_to_write_flags); unlocks it */
int blkdev_writepage(struct page *page, u32 opf);
bool remove_mapping(struct page *page);	 /* a clean page only reclaim holds leaves the cache */

/* Two touches activate a page (mark_page_accessed); reclaim reads PG_referenced. */
void mark_page_accessed(struct page *page);
/* mm/page_io.c: one page of I/O, for the swap cache and the page cache. */
int submit_page_bio(struct gendisk *disk, struct page *page, u64 sector, enum req_op op, u32 opf,
		    bio_end_io_t end_io);
bool page_endio(struct page *page, enum req_op op, int error); /* true: a failed write re-dirtied it */
/* The disk's cache to stable storage (a flush request), waited for: 0 or -EIO. */
int blkdev_issue_flush(struct gendisk *disk);
#endif
