/*
 * The CPL-0 nucleus: the only code of the guest that runs privileged.
 *
 * On this project's machines every CPL-0 instruction is emulated (~0.5 us each), so
 * the nucleus does the least that needs privilege and hands everything else to the
 * kernel at CPL 3, in the manner of a Xen-PV event upcall:
 *  - interrupts: EOI, set the vector's bit in vcpu_info->pending and, unless the
 *    kernel has masked interrupts (vcpu_info->mask, its virtual IF), redirect the
 *    return to the kernel's upcall entry with the interrupted RIP pushed on its stack;
 *  - exceptions: save vector, error code, RIP, RSP, RFLAGS and CR2 in vcpu_info and
 *    redirect to the kernel's trap entry; a fault here, or a second one before the
 *    kernel has dealt with the first, goes to the VMM through a port;
 *  - hypercalls (`int3` with rax = op): halt, send an IPI (WRMSR to the x2APIC ICR), and
 *    reprogram the LAPIC timer (WRMSR to TMICT: an idle CPU stops its tick, NO_HZ_IDLE).
 * GS base is this CPU's area, whose first bytes are struct vms_vcpu_info; it never
 * changes, so no swapgs.
 */
#include <vmsweep/abi.h>

	.section .text.nucleus, "ax"
	.code64

/* Exceptions 0..31: each stub pushes an error code where the CPU does not, then the vector. */
	.balign VMS_STUB_STRIDE
	.globl nucleus_exc_stubs
	.type nucleus_exc_stubs, @function
nucleus_exc_stubs:
	.set vec, 0
	.rept 32
	.balign VMS_STUB_STRIDE
	.if (vec == 8) || (vec == 10) || (vec == 11) || (vec == 12) || (vec == 13) || (vec == 14) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)
	.else
	pushq $0
	.endif
	pushq $vec
	jmp fault_common
	.set vec, vec + 1
	.endr

/* Interrupts 0x20..0x3f: each stub pushes its pending-bit number. */
	.balign VMS_STUB_STRIDE
	.globl nucleus_irq_stubs
	.type nucleus_irq_stubs, @function
nucleus_irq_stubs:
	.set bit, 0
	.rept VMS_NR_IRQ_VECS
	.balign VMS_STUB_STRIDE
	pushq $bit
	jmp irq_common
	.set bit, bit + 1
	.endr

/* frame: bit, rip, cs, rflags, rsp, ss */
	.type irq_common, @function
irq_common:
	push %rax
	push %rcx
	push %rdx
	mov $0x80b, %ecx		/* x2APIC EOI */
	xor %eax, %eax
	xor %edx, %edx
	wrmsr
	mov 24(%rsp), %rax
	lock bts %rax, %gs:VI_PENDING
	testb $3, 40(%rsp)		/* from the nucleus's own hlt: just return */
	jz 1f
	cmpb $0, %gs:VI_MASK
	jne 1f
	movb $1, %gs:VI_MASK
	mov 56(%rsp), %rcx		/* push the interrupted RIP on the kernel's stack */
	mov 32(%rsp), %rdx
	mov %rdx, -8(%rcx)
	sub $8, %rcx
	mov %rcx, 56(%rsp)
	mov %gs:VI_UPCALL, %rdx
	mov %rdx, 32(%rsp)
1:	pop %rdx
	pop %rcx
	pop %rax
	add $8, %rsp
	iretq

/* frame: vector, error, rip, cs, rflags, rsp, ss */
	.type fault_common, @function
fault_common:
	testb $3, 24(%rsp)
	jz nucleus_fault
	cmpb $0, %gs:VI_IN_FAULT
	jne nucleus_fault
	movb $1, %gs:VI_IN_FAULT
	movb $1, %gs:VI_MASK
	push %rax
	mov 8(%rsp), %rax
	mov %rax, %gs:VI_F_VECTOR
	mov 16(%rsp), %rax
	mov %rax, %gs:VI_F_ERROR
	mov 24(%rsp), %rax
	mov %rax, %gs:VI_F_RIP
	mov 40(%rsp), %rax
	mov %rax, %gs:VI_F_RFLAGS
	mov 48(%rsp), %rax
	mov %rax, %gs:VI_F_RSP
	mov %cr2, %rax
	mov %rax, %gs:VI_F_CR2
	mov %gs:VI_TRAP, %rax
	mov %rax, 24(%rsp)
	pop %rax
	add $16, %rsp
	iretq

/* Only the VMM can report this one; the frame stays on this stack for it to read. */
	.type nucleus_fault, @function
nucleus_fault:
	mov (%rsp), %eax
	mov $VMS_PORT_NUCLEUS, %dx
	out %eax, %dx
	hlt
	jmp nucleus_fault

/* int3 from CPL 3 through an interrupt gate (IF = 0): rax = op. */
	.balign VMS_STUB_STRIDE
	.globl nucleus_hcall
	.type nucleus_hcall, @function
nucleus_hcall:
	cmp $VMS_HC_HALT, %rax
	je 1f
	cmp $VMS_HC_IPI, %rax
	je 2f
	cmp $VMS_HC_TIMER, %rax
	je 4f
	pushq $0			/* a stray int3 is a breakpoint the kernel did not ask for */
	pushq $3
	jmp fault_common
1:	cmpq $0, %gs:VI_PENDING		/* an interrupt taken while masked: do not sleep on it */
	jne 3f
	sti				/* the interrupt shadow makes sti;hlt atomic */
	hlt
3:	iretq
2:	mov %esi, %eax
	or $0x4000, %eax		/* fixed delivery, level assert */
	mov %edi, %edx			/* destination x2APIC ID */
	mov $0x830, %ecx		/* x2APIC ICR */
	wrmsr
	iretq
4:	mov %edi, %eax			/* the count: the periodic timer restarts from it, 0 stops it */
	xor %edx, %edx
	mov $0x838, %ecx		/* x2APIC TMICT */
	wrmsr
	iretq

	.balign VMS_STUB_STRIDE
	.globl nucleus_spurious
	.type nucleus_spurious, @function
nucleus_spurious:
	iretq

/* The note the VMM reads to build the IDT and to check the ABI version. */
	.section .note.vmsweep, "a"
	.balign 4
	.long 8				/* namesz: "vmsweep\0" */
	.long 56			/* descsz: struct vms_note */
	.long VMS_NOTE_TYPE
	.asciz "vmsweep"
	.balign 4
	.long VMS_ABI_VERSION
	.long VMS_STUB_STRIDE
	.quad nucleus_exc_stubs
	.quad nucleus_irq_stubs
	.quad nucleus_hcall
	.quad nucleus_spurious
	.quad irq_upcall
	.quad trap_entry

	.section .note.GNU-stack, "", @progbits
