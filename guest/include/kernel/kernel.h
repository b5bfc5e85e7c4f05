/* panic() and friends. */
#ifndef KERNEL_KERNEL_H
#define KERNEL_KERNEL_H
#include <kernel/types.h>

struct pt_regs {
	u64 ax, bx, cx, dx, si, di, bp, sp, r8, r9, r10, r11, r12, r13, r14, r15;
};

void panic(const char *fmt, ...) __printf(1, 2) __noreturn;
/* The panic path for CPU exceptions: vector etc. from vcpu_info, registers from regs. */
void panic_exception(const char *msg, const struct pt_regs *regs) __noreturn;
#define BUG_ON(c)                                                              \
	do {                                                                   \
		if (unlikely(c))                                               \
			panic("kernel BUG at %s:%d: %s", __FILE__, __LINE__, #c); \
	} while (0)
#endif
