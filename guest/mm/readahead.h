/*
 * Page-cache readahead (mm/readahead.c) and what it needs from the page cache
 * (mm/filemap.c): shared by those two files only.
 */
#ifndef MM_READAHEAD_H
#define MM_READAHEAD_H
#include <kernel/types.h>
#include <mm/gfp.h>
#include <mm/pagemap.h>

/*
 * Starts the read of (m, index) into a new page unless it is cached (-EEXIST): the
 * page is left locked until the read ends, with the cache's reference only, marked
 * PG_readahead first if mark. 0, -EEXIST or -ENOMEM (or the bio's error).
 */
int page_cache_read_async(struct address_space *m, unsigned long index, gfp_t gfp, bool mark);

/*
 * Before a buffered reader takes page index, req_size pages of its read left (6.1's
 * filemap_get_pages): on a miss page_cache_sync_ra, on a page marked PG_readahead
 * page_cache_async_ra. The reader then finds the page in the cache, or reads it.
 */
void page_cache_ra(struct address_space *m, struct file_ra_state *ra, unsigned long index, unsigned long req_size);
#endif
