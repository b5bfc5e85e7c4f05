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
};

/* Maps size bytes; prefault populates them now (and asks for huge pages). */
int gmem_alloc(struct guest_mem *m, uint64_t size, bool prefault, char *err, size_t errlen);
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
