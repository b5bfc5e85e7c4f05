/*
 * The swap device and its slots (mm/swapfile.c): the first disk the host marks
 * VMS_DISK_SWAP, one slot per page after the header page. swap_map[] counts
 * each slot's users (the page table entries that hold it, plus one while the
 * page is in the swap cache); slots are handed out from a moving cluster
 * cursor so that a batch of swap-outs lands on adjacent sectors and the block
 * layer merges it, as scan_swap_map_slots tries to.
 */
#include <kernel/blkdev.h>
#include <kernel/boot.h>
#include <kernel/kernel.h>
#include <kernel/printk.h>
#include <kernel/slab.h>
#include <mm/mmzone.h>
#include <mm/swap.h>
#include <mm/vmstat.h>

#define SWAP_MAP_MAX 0xfe /* a slot shared by more users than this is a bug here */
#define SWAP_SLOTS_MAX (MAX_ORDER_NR_PAGES * PAGE_SIZE) /* swap_map in one order-10 block: 16 GiB */

struct swap_info_struct {
	struct gendisk *bdev;
	unsigned long max; /* slots, counting the header slot 0 */
	unsigned long inuse_pages;
	unsigned long cluster_next; /* where the next search starts */
	unsigned char *swap_map;
	bool rotational; /* virtio-blk: always (see swap_rotational) */
	raw_spinlock_t lock;
} swap_info;

struct gendisk *swap_bdev(void)
{
	return swap_info.bdev;
}

void swapon(void)
{
	for (unsigned i = 0; i < nr_disks; i++) {
		const struct vms_disk *d = &boot_params->disks[i];
		if (!(d->flags & VMS_DISK_SWAP) || !disks[i])
			continue;
		unsigned long max = d->capacity / PAGE_SIZE;
		if (max > SWAP_SLOTS_MAX) {
			printk("swapon: %s: using the first %lu MiB (the swap map's limit)\n", disks[i]->disk_name,
			       (SWAP_SLOTS_MAX * PAGE_SIZE) >> 20);
			max = SWAP_SLOTS_MAX;
		}
		if (max < 2) {
			printk("swapon: %s: %lu bytes is too small for a swap area\n", disks[i]->disk_name, d->capacity);
			return;
		}
		unsigned char *map = kzalloc(max);
		if (!map)
			panic("swapon: no memory for the swap map of %lu slots", max);
		map[0] = SWAP_MAP_MAX; /* the header page, never handed out */
		spin_lock_init(&swap_info.lock);
		swap_info.swap_map = map;
		swap_info.max = max;
		swap_info.cluster_next = 1;
		swap_info.bdev = disks[i];
		swap_info.rotational = true; /* virtio_blk: no QUEUE_FLAG_NONROT */
		swap_cache_init(max);
		printk("Adding %luk swap on /dev/%s.\n", (max - 1) * (PAGE_SIZE >> 10), disks[i]->disk_name);
		return;
	}
}

unsigned long nr_swap_pages_total(void)
{
	return swap_info.max ? swap_info.max - 1 : 0;
}

unsigned long get_nr_swap_pages(void)
{
	return swap_info.max ? swap_info.max - 1 - READ_ONCE(swap_info.inuse_pages) : 0;
}

swp_entry_t get_swap_page(void)
{
	swp_entry_t e = { 0 };
	unsigned long flags;

	if (!swap_info.max)
		return e;
	spin_lock_irqsave(&swap_info.lock, flags);
	if (swap_info.inuse_pages < swap_info.max - 1) {
		unsigned long s = swap_info.cluster_next;
		for (unsigned long n = 0; n < swap_info.max; n++, s++) {
			if (s >= swap_info.max)
				s = 1;
			if (!swap_info.swap_map[s]) {
				swap_info.swap_map[s] = 1; /* the swap cache's reference */
				swap_info.inuse_pages++;
				swap_info.cluster_next = s + 1;
				e.val = s;
				break;
			}
		}
	}
	spin_unlock_irqrestore(&swap_info.lock, flags);
	return e;
}

static void check_entry(swp_entry_t e, const char *who)
{
	if (!e.val || e.val >= swap_info.max || !swap_info.swap_map[e.val])
		panic("%s: bad swap entry %#lx (of %lu slots)", who, e.val, swap_info.max);
}

/*
 * swapcache_prepare: the swap cache's reference for a slot that readahead (or a
 * fault) reads in; false if the slot is free. Caller holds the swap cache lock.
 */
bool swapcache_prepare(swp_entry_t e)
{
	unsigned long flags;
	bool ok;

	spin_lock_irqsave(&swap_info.lock, flags);
	ok = e.val && e.val < swap_info.max && swap_info.swap_map[e.val] &&
	     swap_info.swap_map[e.val] < SWAP_MAP_MAX;
	if (ok)
		swap_info.swap_map[e.val]++;
	spin_unlock_irqrestore(&swap_info.lock, flags);
	return ok;
}

/* vm_swap_full: more than half the swap in use; then a swapped-in page gives its slot back. */
bool vm_swap_full(void)
{
	return swap_info.max && get_nr_swap_pages() * 2 < nr_swap_pages_total();
}

unsigned long swap_max_slots(void)
{
	return swap_info.max;
}

/*
 * Whether the swap device turns (6.1's swapon: !bdev_nonrot, counted in
 * nr_rotate_swap). virtio_blk never sets QUEUE_FLAG_NONROT, so to Linux every virtio
 * disk is rotational (/sys/block/vda/queue/rotational reads 1) whatever the host
 * stores it on; our virtio-blk does the same.
 */
bool swap_rotational(void)
{
	return swap_info.max && swap_info.rotational;
}

void swap_duplicate(swp_entry_t e)
{
	unsigned long flags;
	spin_lock_irqsave(&swap_info.lock, flags);
	check_entry(e, "swap_duplicate");
	if (swap_info.swap_map[e.val] >= SWAP_MAP_MAX)
		panic("swap_duplicate: slot %lu has too many users", e.val);
	swap_info.swap_map[e.val]++;
	spin_unlock_irqrestore(&swap_info.lock, flags);
}

void swap_free(swp_entry_t e)
{
	unsigned long flags;
	spin_lock_irqsave(&swap_info.lock, flags);
	check_entry(e, "swap_free");
	if (--swap_info.swap_map[e.val] == 0)
		swap_info.inuse_pages--;
	spin_unlock_irqrestore(&swap_info.lock, flags);
}

int swap_count(swp_entry_t e)
{
	return e.val < swap_info.max ? READ_ONCE(swap_info.swap_map[e.val]) : 0;
}
