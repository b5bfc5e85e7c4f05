/*
 * The block devices' page cache (mm/filemap.c, block/fops.c): buffered reads and
 * writes of fio jobs with direct=0 copy through pages indexed by (address_space,
 * page index) in one hash table. A cached page holds one reference for the cache;
 * lookups take another under page_cache_lock, and reclaim removes a page only when
 * the cache and reclaim's isolation are all that hold it (__remove_mapping), so a
 * racing lookup keeps it alive. The hash chain runs through page->private, which
 * a page-cache page does not otherwise use.
 */
#include <kernel/blkdev.h>
#include <kernel/boot.h>
#include <kernel/errno.h>
#include <kernel/kernel.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/slab.h>
#include <lib/string.h>
#include <mm/gfp.h>
#include <mm/mmzone.h>
#include <mm/pagemap.h>
#include <mm/swap.h>
#include <mm/vmstat.h>
#include <mm/workingset.h>
#include <mm/writeback.h>
#include <asm/tsc.h>
#include "readahead.h"

static struct page **page_cache_hash;
static unsigned long page_cache_buckets; /* a power of two */
static raw_spinlock_t page_cache_lock;

/* The table is made on first use, so guests without buffered I/O never pay for it. */
static bool page_cache_init(void)
{
	static raw_spinlock_t init_lock;
	unsigned long flags;

	if (READ_ONCE(page_cache_hash))
		return true;
	unsigned long n = 256;
	while (n < max_pfn / 4)
		n <<= 1;
	struct page **t = kzalloc(n * sizeof(*t));
	if (!t)
		return false;
	spin_lock_irqsave(&init_lock, flags);
	if (!page_cache_hash) {
		spin_lock_init(&page_cache_lock);
		page_cache_buckets = n;
		__atomic_store_n(&page_cache_hash, t, __ATOMIC_RELEASE);
		t = NULL;
	}
	spin_unlock_irqrestore(&init_lock, flags);
	kfree(t);
	return true;
}

bool address_space_init(struct address_space *m, struct gendisk *disk, const struct address_space_operations *a_ops,
			void *private_data, unsigned long max_pages)
{
	if (!page_cache_init())
		return false;
	memset(m, 0, sizeof(*m));
	m->host = disk;
	m->a_ops = a_ops;
	m->private_data = private_data;
	INIT_LIST_HEAD(&m->io_list);
	mapping_tags_init(m, max_pages); /* without: fsync walks the cache */
	return true;
}

struct address_space *bdev_mapping(struct gendisk *disk)
{
	if (!page_cache_init())
		return NULL;
	if (!READ_ONCE(disk->mapping)) {
		struct address_space *m = kzalloc(sizeof(*m));
		if (!m)
			return NULL;
		address_space_init(m, disk, NULL, NULL, disk->capacity >> PAGE_SHIFT);
		if (!__atomic_compare_exchange_n(&disk->mapping, &(struct address_space *){ NULL }, m, false,
						 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			kfree(m);
	}
	return disk->mapping;
}

static struct page **page_hash_slot(const struct address_space *m, unsigned long index)
{
	unsigned long h = ((unsigned long)m >> 4) * 0x9e3779b97f4a7c15ul ^ index * 0xc2b2ae3d27d4eb4ful;
	return &page_cache_hash[(h >> 17) & (page_cache_buckets - 1)];
}

static struct page *page_hash_find(const struct address_space *m, unsigned long index)
{
	for (struct page *p = *page_hash_slot(m, index); p; p = (struct page *)p->private)
		if (p->mapping == m && p->index == index)
			return p;
	return NULL;
}

bool page_is_file_cache(const struct page *page)
{
	return !PageSwapBacked(page) && !PageSlab(page) && page->mapping;
}

/* find_get_page: the cached page with a reference taken, or NULL. */
static struct page *find_get_page(struct address_space *m, unsigned long index)
{
	unsigned long flags;

	spin_lock_irqsave(&page_cache_lock, flags);
	struct page *page = page_hash_find(m, index);
	if (page)
		__atomic_add_fetch(&page->_refcount, 1, __ATOMIC_RELAXED);
	spin_unlock_irqrestore(&page_cache_lock, flags);
	return page;
}

/*
 * add_to_page_cache_lru: a new, locked page becomes (m, index), with the cache's
 * reference added to the caller's; -EEXIST if another task cached that index first.
 */
static int add_to_page_cache_lru(struct page *page, struct address_space *m, unsigned long index)
{
	unsigned long flags;

	spin_lock_irqsave(&page_cache_lock, flags);
	if (page_hash_find(m, index)) {
		spin_unlock_irqrestore(&page_cache_lock, flags);
		return -EEXIST;
	}
	struct page **slot = page_hash_slot(m, index);
	page->mapping = m;
	page->index = index;
	page->private = (unsigned long)*slot;
	*slot = page;
	__atomic_add_fetch(&page->_refcount, 1, __ATOMIC_RELAXED);
	m->nrpages++;
	spin_unlock_irqrestore(&page_cache_lock, flags);
	inc_node_state(nr_file_pages);
	workingset_refault(page, m, index); /* evicted recently: may start active (lru_cache_add sees it) */
	lru_cache_add(page, LRU_INACTIVE_FILE);
	return 0;
}

static void page_hash_unlink(struct page *page)
{
	struct page **pp = page_hash_slot(page->mapping, page->index);
	while (*pp != page)
		pp = (struct page **)&(*pp)->private;
	*pp = (struct page *)page->private;
	page->private = 0;
}

bool remove_mapping(struct page *page)
{
	struct address_space *m = page->mapping;
	unsigned long flags;
	bool ok;

	spin_lock_irqsave(&page_cache_lock, flags);
	ok = page_count(page) == 2 && !PageDirty(page) && !PageWriteback(page);
	if (ok) {
		page_hash_unlink(page);
		page->mapping = NULL;
		m->nrpages--;
		page->_refcount = 1; /* reclaim's isolation reference only */
	}
	spin_unlock_irqrestore(&page_cache_lock, flags);
	if (ok) {
		dec_node_state(nr_file_pages);
		workingset_eviction(page, m, page->index); /* the shadow entry __remove_mapping leaves */
	}
	return ok;
}

void mark_page_accessed(struct page *page)
{
	if (!PageReferenced(page)) {
		SetPageReferenced(page);
	} else if (!PageActive(page) && activate_page(page)) {
		/*
		 * Only once it moved: a page reclaim has isolated keeps PG_referenced,
		 * so page_check_references or the next touch still sees this one.
		 */
		ClearPageReferenced(page);
	}
}

void put_page(struct page *page)
{
	__free_pages(page, 0); /* drops a reference; frees only the last */
}

/* ---- I/O ---- */

static void end_bdev_read(struct bio *bio)
{
	struct page *page = bio->private;
	int error = bio->error;
	bio_put(bio);
	page_endio(page, REQ_OP_READ, error);
}

static void end_bdev_write(struct bio *bio)
{
	struct page *page = bio->private;
	struct address_space *m = page->mapping; /* still cached: writeback pins it there */
	int error = bio->error;
	bio_put(bio);
	if (error) {
		printk("Write-error on %s, page %lu\n", m->host->disk_name, page->index);
		WRITE_ONCE(m->wb_err, -EIO);
	}
	wb_writeout_inc(&m->host->bdi->wb); /* test_clear_page_writeback's __wb_writeout_inc */
	if (page_endio(page, REQ_OP_WRITE, error)) {
		inc_node_state(nr_dirty);
		account_page_redirtied(page, m);
		mapping_tag_dirty(m, page->index);
	}
}

/*
 * One page's I/O to its disk block: the page index itself for the disk's own mapping,
 * a_ops->bmap's block for a file's. A file's hole reads as zeros without I/O (the
 * page ends its "read" at once); writing one is a bug of the file system, which maps
 * the blocks of a page before it is dirtied.
 */
static int bdev_submit(struct page *page, enum req_op op, u32 opf, bio_end_io_t end_io)
{
	struct address_space *m = page->mapping;
	long long block = (long long)page->index;
	if (m->a_ops) {
		block = m->a_ops->bmap(m, page->index);
		if (block < 0)
			return (int)block;
		if (!block) {
			if (op != REQ_OP_READ) {
				printk("%s: page %lu of a file written to a hole\n", m->host->disk_name, page->index);
				return -EIO;
			}
			memset(page_address(page), 0, PAGE_SIZE);
			page_endio(page, REQ_OP_READ, 0);
			return 0;
		}
	}
	int err = submit_page_bio(m->host, page, (u64)block * (PAGE_SIZE >> SECTOR_SHIFT), op, opf, end_io);
	if (err)
		return err;
	if (op != REQ_OP_READ) /* write amplification's split: file data, or the disk's own pages */
		__atomic_add_fetch(m->a_ops ? &m->host->bdi->bytes_written_file : &m->host->bdi->bytes_written_bdev,
				   PAGE_SIZE, __ATOMIC_RELAXED);
	return 0; /* pgpgin/pgpgout: submit_bio counts every bio */
}

int blkdev_writepage(struct page *page, u32 opf)
{
	struct address_space *m = page->mapping;

	if (TestClearPageDirty(page)) {
		dec_node_state(nr_dirty);
		account_page_cleaned(page, m); /* reclaimable -> under writeback */
	} else {
		wb_stat_mod(&m->host->bdi->wb, WB_WRITEBACK, 1); /* balanced by the write's end */
	}
	SetPageWriteback(page);
	inc_node_state(nr_writeback);
	int err = bdev_submit(page, REQ_OP_WRITE, opf, end_bdev_write);
	if (err) {
		if (!TestSetPageDirty(page)) {
			inc_node_state(nr_dirty);
			account_page_redirtied(page, m);
		}
		mapping_tag_dirty(m, page->index);
		wb_stat_mod(&m->host->bdi->wb, WB_WRITEBACK, -1);
		end_page_writeback(page);
	}
	unlock_page(page);
	return err;
}

/* Declared in readahead.h: readahead's page reads. */
int page_cache_read_async(struct address_space *m, unsigned long index, gfp_t gfp, bool mark)
{
	struct page *page = alloc_page(gfp);
	if (!page)
		return -ENOMEM;
	BUG_ON(!trylock_page(page)); /* nobody else knows the page yet */
	if (mark)
		SetPageReadahead(page); /* before anyone can find it */
	int err = add_to_page_cache_lru(page, m, index);
	if (err) {
		ClearPageReadahead(page);
		unlock_page(page);
	} else if ((err = bdev_submit(page, REQ_OP_READ, 0, end_bdev_read))) {
		unlock_page(page); /* cached, not uptodate: a reader will try again */
	}
	put_page(page);
	return err;
}

/*
 * The page of (m, index) with a reference, uptodate: from the cache, or a new page
 * read from the disk. When the caller overwrites the whole page a new page is not
 * read: it comes back locked and not uptodate, with *fresh set, so that no reader
 * sees it before the caller's data is in it.
 */
static struct page *get_cache_page(struct address_space *m, unsigned long index, bool overwrite, bool *fresh,
				   int *err)
{
	for (;;) {
		struct page *page = find_get_page(m, index);
		if (!page) {
			page = alloc_page(GFP_KERNEL);
			if (!page) {
				*err = -ENOMEM;
				return NULL;
			}
			BUG_ON(!trylock_page(page)); /* nobody else knows the page yet */
			if (add_to_page_cache_lru(page, m, index)) {
				unlock_page(page);
				put_page(page);
				continue; /* someone else cached it meanwhile */
			}
			if (overwrite) {
				*fresh = true;
				return page;
			}
			if ((*err = bdev_submit(page, REQ_OP_READ, 0, end_bdev_read))) {
				unlock_page(page);
				put_page(page);
				return NULL;
			}
		}
		if (!PageUptodate(page)) {
			/*
			 * Locked while its read (or an overwriting writer) is under way. If it is
			 * still not uptodate once ours, its read failed or never started
			 * (readahead ran out of bios): once more, by us.
			 */
			lock_page(page);
			if (PageUptodate(page) || (*err = bdev_submit(page, REQ_OP_READ, 0, end_bdev_read)))
				unlock_page(page);
			else
				wait_on_page_locked(page);
			if (!PageUptodate(page)) {
				put_page(page);
				*err = *err ? *err : -EIO;
				return NULL;
			}
		}
		return page;
	}
}

/*
 * __set_page_dirty_nobuffers / mark_buffer_dirty: a cached page (a file system's
 * metadata block in the disk's mapping) is dirty and will be written back with the
 * rest. Returns whether it was clean.
 */
bool set_page_dirty(struct page *page)
{
	struct address_space *m = page->mapping;
	bool newly = !TestSetPageDirty(page);
	if (newly)
		account_page_dirtied(page, m);
	mapping_tag_dirty(m, page->index);
	return newly;
}

bool cancel_dirty_page(struct page *page)
{
	if (!TestClearPageDirty(page))
		return false;
	dec_node_state(nr_dirty);
	account_page_undirtied(page, page->mapping);
	return true;
}

void get_page(struct page *page)
{
	__atomic_add_fetch(&page->_refcount, 1, __ATOMIC_RELAXED);
}

struct page *find_cached_page(struct address_space *m, unsigned long index)
{
	return find_get_page(m, index);
}

struct page *read_mapping_page(struct address_space *m, unsigned long index, int *err)
{
	bool fresh = false;
	*err = 0;
	return get_cache_page(m, index, false, &fresh, err);
}

struct page *grab_cache_page_zeroed(struct address_space *m, unsigned long index, int *err)
{
	bool fresh = false;
	*err = 0;
	struct page *page = get_cache_page(m, index, true, &fresh, err);
	if (!page)
		return NULL;
	if (!fresh)
		lock_page(page);
	memset(page_address(page), 0, PAGE_SIZE);
	if (fresh)
		page_mark_uptodate(page);
	unlock_page(page);
	return page;
}

int filemap_read(struct address_space *m, struct file_ra_state *ra, u64 pos, void *buf, u32 len)
{
	int err = 0;
	while (len) {
		u32 off = (u32)(pos & (PAGE_SIZE - 1)), n = min(len, (u32)(PAGE_SIZE - off));
		bool fresh = false;
		unsigned long index = pos >> PAGE_SHIFT;
		if (ra) /* 6.1's filemap_get_pages: readahead for the pages the read still wants */
			page_cache_ra(m, ra, index, ((pos + len - 1) >> PAGE_SHIFT) - index + 1);
		struct page *page = get_cache_page(m, index, false, &fresh, &err);
		if (!page)
			return err;
		memcpy(buf, (char *)page_address(page) + off, n);
		mark_page_accessed(page);
		put_page(page);
		buf = (char *)buf + n;
		pos += n;
		len -= n;
		if (ra)
			ra->prev_pos = pos; /* one past the last byte read, as 6.1's filemap_read keeps it */
	}
	return 0;
}

/*
 * generic_perform_write for the disk: copy into each page, dirty it (accounted to the
 * disk), then balance_dirty_pages_ratelimited, which may throttle the writer. A writer
 * with wb_stats (fio's buffered writers) learns where the time went.
 */
int filemap_write(struct address_space *m, u64 pos, const void *buf, u32 len)
{
	struct vms_rec_wb_writer *ws = current->wb_stats;
	u64 t_start = ws ? ktime_get_ns() : 0, t_wait = 0, t_throttle = 0, t_reclaim = 0;
	u64 pauses = ws ? ws->pauses : 0;
	int err = 0;

	while (len) {
		u32 off = (u32)(pos & (PAGE_SIZE - 1)), n = min(len, (u32)(PAGE_SIZE - off));
		bool fresh = false, new_block = false;
		void *fsdata = NULL;
		if (m->a_ops && m->a_ops->write_begin &&
		    (err = m->a_ops->write_begin(m, pos >> PAGE_SHIFT, &new_block, &fsdata)))
			break;
		u64 t0 = ws ? ktime_get_ns() : 0;
		current->alloc_stage = ALLOC_STAGE_FAST;
		struct page *page = get_cache_page(m, pos >> PAGE_SHIFT, n == PAGE_SIZE || new_block, &fresh, &err);
		if (ws && current->alloc_stage != ALLOC_STAGE_FAST)
			t_reclaim += ktime_get_ns() - t0;
		if (!page) {
			if (m->a_ops && m->a_ops->write_end)
				m->a_ops->write_end(m, NULL, 0, fsdata); /* the handle back, nothing written */
			break;
		}
		if (!fresh) {
			lock_page(page); /* not while reclaim writes it out */
			if (PageWriteback(page)) {
				u64 w0 = ws ? ktime_get_ns() : 0;
				wait_on_page_writeback(page);
				if (ws)
					t_wait += ktime_get_ns() - w0;
			}
		}
		if (!fresh && m->a_ops && m->a_ops->write_prepare &&
		    (err = m->a_ops->write_prepare(m, page, fsdata))) {
			unlock_page(page);
			m->a_ops->write_end(m, NULL, 0, fsdata);
			put_page(page);
			break;
		}
		if (fresh && n != PAGE_SIZE) /* a new block: what the write does not cover reads as zeros */
			memset(page_address(page), 0, PAGE_SIZE);
		memcpy((char *)page_address(page) + off, buf, n);
		if (m->a_ops)
			__atomic_add_fetch(&m->host->bdi->bytes_copied_file, n, __ATOMIC_RELAXED);
		if (fresh)
			page_mark_uptodate(page);
		bool newly = !TestSetPageDirty(page);
		if (newly)
			account_page_dirtied(page, m);
		mapping_tag_dirty(m, page->index);
		unlock_page(page);
		mark_page_accessed(page);
		if (ws)
			ws->pages_dirtied += newly;
		buf = (const char *)buf + n;
		pos += n;
		len -= n;
		/* generic_perform_write: write_end, then the throttle (not with a handle held) */
		if (m->a_ops && m->a_ops->write_end)
			err = m->a_ops->write_end(m, page, pos, fsdata);
		put_page(page);
		if (err)
			break;
		if (newly) {
			u64 b0 = ws ? ktime_get_ns() : 0;
			balance_dirty_pages_ratelimited(m);
			if (ws)
				t_throttle += ktime_get_ns() - b0;
		}
	}
	if (ws) {
		u64 total = ktime_get_ns() - t_start, other = t_wait + t_throttle + t_reclaim;
		ws->writes++;
		ws->time_ns[VMS_WB_TIME_WRITEBACK] += t_wait;
		ws->time_ns[VMS_WB_TIME_THROTTLE] += t_throttle;
		ws->time_ns[VMS_WB_TIME_RECLAIM] += t_reclaim;
		ws->time_ns[VMS_WB_TIME_COPY] += total > other ? total - other : 0;
		ws->throttled_writes += ws->pauses != pauses;
	}
	return err;
}

/*
 * The same from the dirty tags: up to max pages, from page index *pos up to end. A page
 * still dirty or under writeback is tagged again (another fsync must wait for it too);
 * one that is clean, or no longer cached, loses its tag here.
 */
static unsigned gather_tagged_pages(struct address_space *m, unsigned long *pos, unsigned long end, struct page **out,
				    unsigned max)
{
	unsigned long index[64];
	unsigned n = 0;

	if (max > ARRAY_SIZE(index))
		max = ARRAY_SIZE(index);
	while (!n) {
		unsigned k = mapping_take_tagged(m, pos, index, max);
		if (!k)
			return 0;
		for (unsigned i = 0; i < k; i++) {
			if (index[i] >= end) { /* past the pass's end: left tagged, the pass over */
				mapping_tag_dirty(m, index[i]);
				*pos = m->tag_pages;
				continue;
			}
			struct page *p = find_get_page(m, index[i]);
			if (p && (PageDirty(p) || PageWriteback(p))) {
				mapping_tag_dirty(m, index[i]);
				out[n++] = p;
			} else if (p) {
				put_page(p);
			}
		}
	}
	return n;
}

/*
 * Pages of the mapping that are dirty or under writeback, each with a reference:
 * whole hash buckets from *bucket on, as many as fit in max; *bucket is left at the
 * first bucket not gathered. One pass over the table, so a writer dirtying pages
 * meanwhile cannot keep an fsync going (Linux tags PAGECACHE_TAG_TOWRITE for that);
 * with tags, one pass up to end, a page index (~0ul: to the end of the mapping).
 */
static unsigned gather_dirty_pages(struct address_space *m, unsigned long *bucket, unsigned long end, struct page **out,
				   unsigned max)
{
	unsigned n = 0;
	unsigned long flags;

	if (m->dirty_tags)
		return gather_tagged_pages(m, bucket, end, out, max);

	spin_lock_irqsave(&page_cache_lock, flags);
	for (; *bucket < page_cache_buckets; ++*bucket) {
		unsigned in_bucket = 0;
		for (struct page *p = page_cache_hash[*bucket]; p; p = (struct page *)p->private)
			in_bucket += p->mapping == m && (PageDirty(p) || PageWriteback(p));
		if (n + in_bucket > max && n)
			break; /* the next call starts with this bucket */
		for (struct page *p = page_cache_hash[*bucket]; p && n < max; p = (struct page *)p->private)
			if (p->mapping == m && (PageDirty(p) || PageWriteback(p))) {
				__atomic_add_fetch(&p->_refcount, 1, __ATOMIC_RELAXED);
				out[n++] = p;
			}
		if (in_bucket > max)
			break; /* a chain longer than a batch: taken again, its first pages now clean */
	}
	spin_unlock_irqrestore(&page_cache_lock, flags);
	return n;
}

/*
 * write_cache_pages for the flushers and the dirtiers of the older eras: starts
 * writeback of the mapping's dirty pages from where the last pass stopped
 * (range_cyclic's writeback_index), wrapping once, until wbc->nr_to_write are
 * started. Pages already under writeback are skipped (WB_SYNC_NONE); a nonblocking
 * pass stops once the disk's queue is congested. Returns the pages started.
 */
long filemap_writepages(struct address_space *m, struct writeback_control *wbc)
{
	enum { BATCH = 64 };
	struct page *batch[BATCH];
	unsigned long pos = m->writeback_index;
	bool wrapped = pos == 0, done = false;
	long written = 0;
	struct blk_plug plug;

	blk_start_plug(&plug);
	while (!done) {
		unsigned max = (unsigned)min((long)BATCH, max(wbc->nr_to_write, 1l));
		unsigned n = gather_dirty_pages(m, &pos, ~0ul, batch, max);
		if (!n) {
			if (wrapped)
				break;
			wrapped = true;
			pos = 0;
			continue;
		}
		for (unsigned i = 0; i < n; i++) {
			struct page *page = batch[i];
			if (done) {
				put_page(page);
				continue;
			}
			lock_page(page);
			if (page->mapping != m || !PageDirty(page) || PageWriteback(page)) {
				unlock_page(page);
				put_page(page);
				continue;
			}
			if (!blkdev_writepage(page, wbc_to_write_flags(wbc))) { /* unlocks it */
				written++;
				/* counted as started: a pass the disk holds up (blk-wbt) may last long */
				bdi_count_written(m->host->bdi, wbc->by);
			}
			put_page(page);
			if (--wbc->nr_to_write <= 0)
				done = true;
			if (wbc->nonblocking && bdi_write_congested(m->host->bdi)) {
				wbc->encountered_congestion = true;
				done = true;
			}
		}
	}
	m->writeback_index = pos;
	blk_finish_plug(&plug);
	return written;
}

/*
 * A data-integrity write of one page (WB_SYNC_ALL): whatever writeback it is under ends
 * first, then it is written if still dirty and still m's. -EIO when the write could not
 * be started.
 */
static int fsync_write_page(struct address_space *m, struct page *page)
{
	lock_page(page);
	wait_on_page_writeback(page);
	if (!PageDirty(page) || page->mapping != m) {
		unlock_page(page);
		return 0;
	}
	bdi_count_written(m->host->bdi, VMS_WB_BY_FSYNC);
	return blkdev_writepage(page, REQ_SYNC) ? -EIO : 0; /* WB_SYNC_ALL; unlocks it */
}

/*
 * fsync's data part: every page dirty when it started is written and waited for,
 * including pages reclaim was already writing. A write that failed since the last
 * fsync, by whoever issued it, is reported once (wb_err), as Linux's AS_EIO.
 */
int filemap_write_and_wait(struct address_space *m)
{
	enum { BATCH = 64 };
	struct page *batch[BATCH];
	unsigned long bucket = 0;
	/* the pages tagged now, and no further: a writer appending meanwhile (ext3 ordered's
	 * commit writing a streaming writer's file) cannot keep the pass going, as Linux's
	 * tag_pages_for_writeback makes sure */
	unsigned long end = mapping_tagged_end(m);
	unsigned n;
	int err = 0;

	while ((n = gather_dirty_pages(m, &bucket, end, batch, BATCH))) {
		struct blk_plug plug;
		blk_start_plug(&plug);
		for (unsigned i = 0; i < n; i++)
			err = fsync_write_page(m, batch[i]) ? -EIO : err;
		blk_finish_plug(&plug);
		for (unsigned i = 0; i < n; i++) {
			wait_on_page_writeback(batch[i]);
			put_page(batch[i]);
		}
	}
	int wb_err = __atomic_exchange_n(&m->wb_err, 0, __ATOMIC_ACQ_REL);
	return err ? err : wb_err;
}

/*
 * filemap_write_and_wait_range: O_SYNC's part (generic_write_sync): the dirty pages of
 * [pos, pos + len) written and waited for, including any a flusher was writing.
 */
int filemap_write_and_wait_range(struct address_space *m, u64 pos, u64 len)
{
	unsigned long first = pos >> PAGE_SHIFT, last = (pos + len - 1) >> PAGE_SHIFT;
	struct blk_plug plug;
	int err = 0;

	if (!len)
		return 0;
	blk_start_plug(&plug);
	for (unsigned long i = first; i <= last; i++) {
		struct page *page = find_get_page(m, i);
		if (!page)
			continue;
		err = fsync_write_page(m, page) ? -EIO : err;
		put_page(page);
	}
	blk_finish_plug(&plug);
	for (unsigned long i = first; i <= last; i++) {
		struct page *page = find_get_page(m, i);
		if (page) {
			wait_on_page_writeback(page);
			put_page(page);
		}
	}
	int wb_err = __atomic_exchange_n(&m->wb_err, 0, __ATOMIC_ACQ_REL);
	return err ? err : wb_err;
}
