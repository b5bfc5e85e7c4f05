/*
 * The rings in shared memory (console, results, samples): the guest produces, the
 * host drains. A full ring makes the writer wait for the host rather than lose data.
 */
#include <kernel/boot.h>
#include <kernel/percpu.h>
#include <kernel/results.h>
#include <lib/string.h>

struct vms_ring *console_ring;
static struct vms_ring *results_ring, *samples_ring;
static raw_spinlock_t results_lock, samples_lock;

void ring_write(struct vms_ring *r, const void *buf, size_t len)
{
	const u8 *src = buf;
	u64 size = r->size, head = r->head;

	while (len) {
		u64 used = head - __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);
		if (used >= size) {
			cpu_relax();
			continue;
		}
		size_t chunk = min(len, (size_t)(size - used));
		size_t off = head & (size - 1), first = min(chunk, (size_t)(size - off));
		memcpy(r->data + off, src, first);
		memcpy(r->data, src + first, chunk - first);
		head += chunk;
		__atomic_store_n(&r->head, head, __ATOMIC_RELEASE);
		src += chunk;
		len -= chunk;
	}
}

static void record(struct vms_ring *r, raw_spinlock_t *lock, uint32_t type, const void *payload, uint32_t len)
{
	static const u8 zeros[8];
	struct vms_rec_hdr hdr = { .type = type, .len = len };
	unsigned long flags;

	if (!r)
		return;
	local_irq_save(flags);
	raw_spin_lock(lock);
	ring_write(r, &hdr, sizeof(hdr));
	ring_write(r, payload, len);
	ring_write(r, zeros, ALIGN(len, 8) - len);
	raw_spin_unlock(lock);
	local_irq_restore(flags);
}

void results_record(uint32_t type, const void *payload, uint32_t len)
{
	record(results_ring, &results_lock, type, payload, len);
}

void samples_record(uint32_t type, const void *payload, uint32_t len)
{
	record(samples_ring, &samples_lock, type, payload, len);
}

static struct vms_ring *ring_from(const struct vms_ring_desc *d)
{
	return d->addr && d->size ? (struct vms_ring *)d->addr : NULL;
}

void results_init(void)
{
	spin_lock_init(&results_lock);
	spin_lock_init(&samples_lock);
	console_ring = ring_from(&boot_params->console);
	results_ring = ring_from(&boot_params->results);
	samples_ring = ring_from(&boot_params->samples);
}
