/* xorshift64* (Vigna): fast, and the same sequence from the same seed (fio's randrepeat). */
#ifndef LIB_RANDOM_H
#define LIB_RANDOM_H
#include <kernel/types.h>

static inline u64 xorshift64_star(u64 *state)
{
	u64 x = *state;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545F4914F6CDD1Dull;
}
#endif
