/*
 * Guest RAM: one anonymous mapping, guest-physical [0, size). Every access the host
 * makes on the guest's behalf goes through gmem_ptr(), which checks address and
 * length with overflow-safe arithmetic.
 */
#ifndef VMM_GUEST_MEM_H
#define VMM_GUEST_MEM_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct guest_mem {
	uint8_t *host;
	uint64_t size;
	bool populated; /* every page was faulted in at allocation (prefault) */
	bool huge; /* from the host's hugetlb pool (gmem_alloc_huge) */
};

/* Maps size bytes; prefault populates them now (and asks for huge pages). */
int gmem_alloc(struct guest_mem *m, uint64_t size, bool prefault, char *err, size_t errlen);
/* Maps size bytes from the host's pool of huge pages (vm.nr_hugepages), all present: a
 * guest buffer is then host-contiguous up to 2 MiB, so a large request reaches the
 * host's disk in few segments, as host fio's does with iomem=shmhuge. -1 with err
 * (naming the pages it needs and the host's free ones) when the pool is short. */
int gmem_alloc_huge(struct guest_mem *m, uint64_t size, char *err, size_t errlen);
void gmem_free(struct guest_mem *m);

/* Host pointer for guest [gpa, gpa + len), or NULL when any byte lies outside RAM. */
static inline void *gmem_ptr(const struct guest_mem *m, uint64_t gpa, uint64_t len)
{
	uint64_t end;
	if (__builtin_add_overflow(gpa, len, &end) || end > m->size)
		return NULL;
	return m->host + gpa;
}
#endif
