/*
 * ext3's block reservation windows (fs/ext3/balloc.c, 2.6.10+): a regular file being
 * written owns a window of blocks that other files' allocations skip, so that several
 * files growing at once each get runs of blocks instead of interleaving block by
 * block. A window starts at EXT3_DEFAULT_RESERVE_BLOCKS (8) and doubles, up to
 * EXT3_MAX_RESERVE_BLOCKS (1027), each time the file used more than half of the last
 * one (alloc_new_reservation); it is found in a gap between the others' windows from
 * the goal on, where the bitmap has a free block (find_next_reservable_window, moved
 * on to the next free block when it has none), within one block group. The windows
 * live in memory only, sorted by start (Linux's red-black tree: a list here, a
 * benchmark having few files open at once); a file's goes when it is closed or
 * truncated (ext3_discard_reservation).
 */
#include <kernel/kernel.h>
#include <lib/string.h>
#include <fs/ext3.h>

#define EXT3_DEFAULT_RESERVE_BLOCKS 8
#define EXT3_MAX_RESERVE_BLOCKS 1027

/* Under sbi->alloc_lock. */
static void rsv_window_remove(struct ext3_reserve_window *rsv)
{
	if (rsv->on_list) {
		list_del(&rsv->list);
		rsv->on_list = false;
	}
}

void ext3_init_block_alloc_info(struct ext3_inode_info *ei)
{
	if (ei->i_rsv.on_list) /* read again (a dead inode's reuse): its old window goes */
		ext3_discard_reservation(ei);
	memset(&ei->i_rsv, 0, sizeof(ei->i_rsv));
	INIT_LIST_HEAD(&ei->i_rsv.list);
	ei->i_rsv.goal_size = (ei->mode & S_IFMT) == S_IFREG ? EXT3_DEFAULT_RESERVE_BLOCKS : 0;
}

void ext3_discard_reservation(struct ext3_inode_info *ei)
{
	unsigned long flags;
	spin_lock_irqsave(&ei->sbi->alloc_lock, flags);
	rsv_window_remove(&ei->i_rsv);
	spin_unlock_irqrestore(&ei->sbi->alloc_lock, flags);
}

/* Inserted in start order. Under sbi->alloc_lock. */
static void rsv_window_add(struct ext3_sb_info *sbi, struct ext3_reserve_window *rsv)
{
	struct ext3_reserve_window *w;
	list_for_each_entry(w, &sbi->rsv_windows, list) {
		if (w->start > rsv->start) {
			list_add_tail(&rsv->list, &w->list);
			rsv->on_list = true;
			return;
		}
	}
	list_add_tail(&rsv->list, &sbi->rsv_windows);
	rsv->on_list = true;
}

/*
 * find_next_reservable_window: the first start >= *start at which size blocks up to
 * last overlap no other window; false when none fits before last.
 */
static bool find_next_reservable_window(struct ext3_sb_info *sbi, const struct ext3_reserve_window *mine, u32 *start,
					u32 size, u32 last)
{
	struct ext3_reserve_window *w;
	u32 s = *start;

	list_for_each_entry(w, &sbi->rsv_windows, list) {
		if (w == mine || w->end < s)
			continue;
		if (w->start > s + size - 1)
			break; /* the gap before w holds it */
		s = w->end + 1;
	}
	if (s > last || size - 1 > last - s)
		return false;
	*start = s;
	return true;
}

u32 ext3_rsv_find_bit(struct ext3_sb_info *sbi, struct ext3_inode_info *ei, const u8 *map, u32 size, u32 from,
		      u32 first, u32 (*free_bit)(struct ext3_sb_info *sbi, const u8 *map, u32 size, u32 from, long long first))
{
	struct ext3_reserve_window *rsv = &ei->i_rsv;
	u32 last = first + size - 1, goal = first + from;

	/* the goal in the file's own window: the next free block of it */
	if (rsv->on_list && rsv->start <= last && rsv->end >= first && goal <= rsv->end) {
		u32 lo = max(goal, rsv->start) - first, hi = rsv->end - first + 1;
		u32 bit = free_bit(sbi, map, hi, lo, first);
		if (bit < hi) {
			rsv->alloc_hit++;
			return bit;
		}
	}
	/* alloc_new_reservation: a new window, larger when the last one was well used */
	u32 wsize = rsv->goal_size;
	if (rsv->on_list && rsv->alloc_hit > (rsv->end - rsv->start + 1) / 2) {
		wsize = min(wsize * 2, (u32)EXT3_MAX_RESERVE_BLOCKS);
		rsv->goal_size = wsize;
	}
	rsv_window_remove(rsv);
	wsize = min(wsize, size);
	for (u32 start = goal;;) {
		if (!find_next_reservable_window(sbi, rsv, &start, wsize, last))
			return size;
		u32 bit = free_bit(sbi, map, size, start - first, first);
		if (bit == size)
			return size;
		if (first + bit > start + wsize - 1) { /* no free block in it: move on to the next one */
			start = first + bit;
			continue;
		}
		rsv->start = start;
		rsv->end = start + wsize - 1;
		rsv->alloc_hit = 1;
		rsv_window_add(sbi, rsv);
		return bit;
	}
}
