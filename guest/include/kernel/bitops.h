/* Atomic bit operations on an unsigned long, as Linux's set_bit / clear_bit / test_bit. */
#ifndef GUEST_KERNEL_BITOPS_H
#define GUEST_KERNEL_BITOPS_H
#include <stdbool.h>

static inline void set_bit(unsigned nr, unsigned long *addr)
{
	__atomic_fetch_or(addr, 1ul << nr, __ATOMIC_RELAXED);
}

static inline void clear_bit(unsigned nr, unsigned long *addr)
{
	__atomic_fetch_and(addr, ~(1ul << nr), __ATOMIC_RELAXED);
}

static inline bool test_bit(unsigned nr, const unsigned long *addr)
{
	return (__atomic_load_n(addr, __ATOMIC_RELAXED) >> nr) & 1;
}
#endif
