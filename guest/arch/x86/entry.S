/*
 * CPL-3 entry points of the kernel: the first instruction of every CPU, the interrupt
 * upcall and the trap entry the nucleus redirects to, and the context switch.
 */
#include <vmsweep/abi.h>

	.text
	.code64

/* Every vCPU starts here at CPL 3: rdi = CPU number, rsi = boot page, rsp = its boot stack. */
	.globl _start
	.type _start, @function
_start:
	rdtsc
	shl $32, %rdx
	or %rdx, %rax
	mov %rax, %gs:VI_TSC_FIRST
	xor %ebp, %ebp
	call start_cpu
	ud2

/*
 * From the nucleus, with vcpu_info->mask set and the interrupted RIP on the stack; every
 * register and RFLAGS are the interrupted ones. After do_IRQ, unmask and look at pending
 * once more: an interrupt that came in while masked would otherwise wait for the next one.
 * One arriving after that check is redirected again and nests one frame deeper.
 */
	.globl irq_upcall
	.type irq_upcall, @function
irq_upcall:
	pushfq
	push %rax
	push %rcx
	push %rdx
	push %rsi
	push %rdi
	push %r8
	push %r9
	push %r10
	push %r11
	push %rbp
	mov %rsp, %rbp
	and $-16, %rsp
1:	call do_IRQ
	movb $0, %gs:VI_MASK
	cmpq $0, %gs:VI_PENDING
	je 2f
	movb $1, %gs:VI_MASK
	jmp 1b
2:	mov %rbp, %rsp
	pop %rbp
	pop %r11
	pop %r10
	pop %r9
	pop %r8
	pop %rdi
	pop %rsi
	pop %rdx
	pop %rcx
	pop %rax
	popfq
	ret

/*
 * From the nucleus after an exception: general registers are the faulting ones;
 * RIP, RSP, RFLAGS, vector, error code and CR2 are in vcpu_info. Builds struct
 * pt_regs (rax rbx rcx rdx rsi rdi rbp rsp r8..r15) and hands it to do_trap.
 */
	.globl trap_entry
	.type trap_entry, @function
trap_entry:
	and $-16, %rsp
	push %r15
	push %r14
	push %r13
	push %r12
	push %r11
	push %r10
	push %r9
	push %r8
	pushq %gs:VI_F_RSP
	push %rbp
	push %rdi
	push %rsi
	push %rdx
	push %rcx
	push %rbx
	push %rax
	mov %rsp, %rdi
	sub $8, %rsp
	call do_trap
	ud2

/* void __switch_to(uint64_t *prev_sp, uint64_t next_sp): callee-saved registers only. */
	.globl __switch_to
	.type __switch_to, @function
__switch_to:
	push %rbp
	push %rbx
	push %r12
	push %r13
	push %r14
	push %r15
	mov %rsp, (%rdi)
	mov %rsi, %rsp
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbx
	pop %rbp
	ret

/* A new task's first return from __switch_to lands here: r12 = fn, r13 = arg. */
	.globl ret_from_fork
	.type ret_from_fork, @function
ret_from_fork:
	call schedule_tail
	mov %r13, %rdi
	call *%r12
	mov %rax, %rdi
	call do_exit
	ud2

	.section .note.GNU-stack, "", @progbits
