/*
 * The dirty tags of an address_space, as Linux's PAGECACHE_TAG_DIRTY marks in its page
 * tree: fsync finds the pages to write from them, in time that grows with the dirty
 * pages rather than with the page cache (walking the whole cache made each fdatasync
 * of a buffered log tens of microseconds dearer per 100 MiB cached).
 *
 * One bit per page index of the disk, and a summary bit per word of those. A tag is
 * set after PG_dirty, by whoever dirtied the page; fsync clears a tag before it looks
 * at the page, and sets it again for a page still dirty or under writeback. So a page
 * that is dirty or under writeback is always tagged, and no race loses one: a writer
 * that dirties the page after fsync looked sets the tag after fsync cleared it.
 */
#ifndef PAGE_TAGS_HOST_SHIM /* tests/unit/test_page_tags.c supplies what these give */
#include <kernel/kernel.h>
#include <kernel/slab.h>
#include <mm/pagemap.h>
#endif

#define BITS 64ul

bool mapping_tags_init(struct address_space *m, unsigned long pages)
{
	unsigned long words = (pages + BITS - 1) / BITS, summary = (words + BITS - 1) / BITS;

	m->dirty_tags = kzalloc(words * sizeof(unsigned long));
	m->dirty_summary = kzalloc(summary * sizeof(unsigned long));
	if (!m->dirty_tags || !m->dirty_summary) {
		kfree(m->dirty_tags);
		kfree(m->dirty_summary);
		m->dirty_tags = m->dirty_summary = NULL;
		return false;
	}
	m->tag_pages = pages;
	return true;
}

void mapping_tag_dirty(struct address_space *m, unsigned long index)
{
	if (!m->dirty_tags || index >= m->tag_pages)
		return;
	unsigned long w = index / BITS;
	/* the word's bit first: a scanner clears the summary bit before it reads the word */
	__atomic_fetch_or(&m->dirty_tags[w], 1ul << (index % BITS), __ATOMIC_SEQ_CST);
	__atomic_fetch_or(&m->dirty_summary[w / BITS], 1ul << (w % BITS), __ATOMIC_SEQ_CST);
}

unsigned mapping_take_tagged(struct address_space *m, unsigned long *pos, unsigned long *out, unsigned max)
{
	unsigned n = 0;

	while (n < max && *pos < m->tag_pages) {
		unsigned long w = *pos / BITS, sw = w / BITS;
		unsigned long summary = __atomic_load_n(&m->dirty_summary[sw], __ATOMIC_SEQ_CST);
		if (!(summary >> (w % BITS))) { /* nothing tagged in the rest of this summary word */
			*pos = (sw + 1) * BITS * BITS;
			continue;
		}
		if (!(summary & (1ul << (w % BITS)))) {
			*pos = (w + 1) * BITS;
			continue;
		}
		__atomic_fetch_and(&m->dirty_summary[sw], ~(1ul << (w % BITS)), __ATOMIC_SEQ_CST);
		unsigned long bits = __atomic_load_n(&m->dirty_tags[w], __ATOMIC_SEQ_CST) & (~0ul << (*pos % BITS));
		while (bits && n < max) {
			unsigned b = (unsigned)__builtin_ctzl(bits);
			bits &= bits - 1;
			__atomic_fetch_and(&m->dirty_tags[w], ~(1ul << b), __ATOMIC_SEQ_CST);
			out[n++] = w * BITS + b;
			*pos = w * BITS + b + 1;
		}
		/* Tags left in the word (the batch filled up, or pages before *pos that were
		 * tagged again) keep its summary bit. */
		if (__atomic_load_n(&m->dirty_tags[w], __ATOMIC_SEQ_CST))
			__atomic_fetch_or(&m->dirty_summary[sw], 1ul << (w % BITS), __ATOMIC_SEQ_CST);
		if (!bits)
			*pos = (w + 1) * BITS;
	}
	return n;
}

unsigned long mapping_tagged_end(struct address_space *m)
{
	if (!m->dirty_tags)
		return 0;
	/* the words themselves, not the summary, which a pass clears while it takes a word */
	for (unsigned long w = (m->tag_pages + BITS - 1) / BITS; w-- > 0;) {
		unsigned long bits = __atomic_load_n(&m->dirty_tags[w], __ATOMIC_SEQ_CST);
		if (bits)
			return w * BITS + BITS - (unsigned long)__builtin_clzl(bits);
	}
	return 0;
}
