/* Interrupt entry of the 64-bit QEMU test kernels: 256 stubs, each pushing a zero error code where the
 * CPU pushes none (SDM Vol. 3A 6.13: vectors 8, 10-14, 17, 21, 29, 30 have one) and its vector, then one
 * common path that saves the registers and calls kl_trap(frame); kl_trap may change the saved RIP. */
	.text
	.code64
	.balign 16
	.globl kl_isr_table
stub_base:
	.set vec, 0
	.rept 256
	.balign 16
	.if (vec == 8) || (vec >= 10 && vec <= 14) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)
	.else
	pushq $0
	.endif
	pushq $vec
	jmp isr_common
	.set vec, vec + 1
	.endr
isr_common:
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, %rdi
	movq %rsp, %rbx
	andq $-16, %rsp
	cld
	call kl_trap
	movq %rbx, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	addq $16, %rsp
	iretq
	.section .rodata
	.balign 8
kl_isr_table: /* each stub is 16 bytes from stub_base */
	.quad stub_base
	.section .note.GNU-stack, "", @progbits
