/* Draining the guest's rings and parsing records, trusting nothing the guest wrote. */
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "vmm/ring.h"

int buf_append(struct buf *b, const void *p, size_t n)
{
	if (b->limit && b->len + n > b->limit) {
		size_t room = b->limit > b->len ? b->limit - b->len : 0;
		b->dropped += n - room;
		n = room;
	}
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n)
			cap *= 2;
		uint8_t *d = realloc(b->data, cap);
		if (!d)
			return -1;
		b->data = d;
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
	return 0;
}

void buf_free(struct buf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

int ring_reader_init(struct ring_reader *r, const char *name, struct guest_mem *m, uint64_t gpa, uint64_t size)
{
	memset(r, 0, sizeof(*r));
	if (!size || (size & (size - 1)) || !(r->ring = gmem_ptr(m, gpa, VMS_RING_DATA + size)))
		return -1;
	r->name = name;
	r->size = size;
	memset(r->ring, 0, VMS_RING_DATA);
	r->ring->size = size;
	return 0;
}

int ring_drain(struct ring_reader *r, struct buf *out, char *err, size_t errlen)
{
	if (!r->ring)
		return 0;
	uint64_t head = __atomic_load_n(&r->ring->head, __ATOMIC_ACQUIRE);
	uint64_t avail = head - r->tail;
	if (avail > r->size)
		return errorf(err, errlen,
			      "%s ring: the guest moved head to %llu, %llu bytes past what it may (tail %llu, size %llu)",
			      r->name, (unsigned long long)head, (unsigned long long)(avail - r->size),
			      (unsigned long long)r->tail, (unsigned long long)r->size);
	while (avail) {
		uint64_t off = r->tail & (r->size - 1);
		uint64_t chunk = avail < r->size - off ? avail : r->size - off;
		if (buf_append(out, r->ring->data + off, chunk) != 0)
			return errorf(err, errlen, "%s ring: out of host memory", r->name);
		r->tail += chunk;
		avail -= chunk;
	}
	__atomic_store_n(&r->ring->tail, r->tail, __ATOMIC_RELEASE);
	return 0;
}

/* Each record type's payload struct, name and ring, from the one list (vmsweep/records.h). */
static const struct record_type_info {
	uint32_t size; /* 0: no such type */
	bool tail; /* the struct, then an array */
	bool samples_ring;
	const char *name;
} record_types[VMS_REC_TYPE_MAX] = {
#define RECORD_TYPE_INFO(id, nr, type, family, ring, shape, text) \
	[VMS_REC_##id] = { sizeof(struct type), RECORD_SHAPE_##shape, RECORD_RING_##ring, text },
#define RECORD_SHAPE_FIXED false
#define RECORD_SHAPE_TAIL true
#define RECORD_RING_RESULTS false
#define RECORD_RING_SAMPLES true
	VMS_RECORD_TYPES(RECORD_TYPE_INFO)
#undef RECORD_TYPE_INFO
};

bool record_type_known(uint32_t type)
{
	return type < VMS_REC_TYPE_MAX && record_types[type].size;
}

size_t record_min_len(uint32_t type)
{
	return record_type_known(type) ? record_types[type].size : 0;
}

const char *record_type_name(uint32_t type)
{
	return record_type_known(type) ? record_types[type].name : "unknown";
}

bool record_in_samples_ring(uint32_t type)
{
	return record_type_known(type) && record_types[type].samples_ring;
}

static int record_check(uint32_t type, const uint8_t *payload, uint32_t len, char *err, size_t errlen)
{
	size_t want = record_min_len(type);

	if (!want)
		return errorf(err, errlen, "unknown record type %u", type);
	if (record_types[type].tail && len < want)
		return errorf(err, errlen, "%s record of %u bytes, shorter than its header", record_type_name(type), len);
	if (type == VMS_REC_HIST) {
		struct vms_rec_hist h;
		memcpy(&h, payload, sizeof(h));
		if ((uint64_t)len != want + (uint64_t)h.nr_buckets * sizeof(uint32_t))
			return errorf(err, errlen, "histogram record of %u bytes does not hold its %u buckets", len,
				      h.nr_buckets);
		return 0;
	}
	if (!record_types[type].tail && len != want)
		return errorf(err, errlen, "record type %u (%s) has %u bytes, expected %zu", type,
			      record_type_name(type), len, want);
	return 0;
}

int records_parse(const uint8_t *data, size_t len, size_t *used, record_fn fn, void *ctx, char *err, size_t errlen)
{
	size_t off = 0;
	unsigned index = 0;

	while (len - off >= sizeof(struct vms_rec_hdr)) {
		struct vms_rec_hdr h;
		memcpy(&h, data + off, sizeof(h));
		if (h.len > VMS_REC_MAX_LEN)
			return errorf(err, errlen, "record %u (at byte %zu): length %u exceeds the limit of %u", index,
				      off, h.len, VMS_REC_MAX_LEN);
		size_t padded = ((size_t)h.len + 7) & ~(size_t)7;
		if (len - off - sizeof(h) < padded)
			break; /* not all there yet */
		char why[160];
		if (record_check(h.type, data + off + sizeof(h), h.len, why, sizeof(why)) != 0)
			return errorf(err, errlen, "record %u (at byte %zu): %s", index, off, why);
		/* Copy out so the callback sees aligned, stable memory. */
		void *payload = malloc(h.len ? h.len : 1);
		if (!payload)
			return errorf(err, errlen, "out of host memory");
		memcpy(payload, data + off + sizeof(h), h.len);
		int r = fn(ctx, h.type, payload, h.len, err, errlen);
		free(payload);
		if (r != 0)
			return -1;
		off += sizeof(h) + padded;
		index++;
	}
	*used = off;
	return 0;
}
