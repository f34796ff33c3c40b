/* AP start-up trampoline of the 64-bit QEMU test kernels. kl_smp_prepare() copies tramp_start..tramp_end
 * to KL_TRAMP_BASE (0x8000) and fills in its data; an AP woken by INIT-SIPI-SIPI with vector 0x08 starts
 * here in real mode at 0800:0000 (SDM Vol. 3A 9.4.4), does its real-mode work (a LOCK INC of a counter
 * through DS = 0), enters protected mode, then long mode with the BSP's page tables, takes an index with
 * LOCK XADD and calls tentry(index) on its own stack. */
#define TRAMP_BASE 0x8000
#define RM_COUNT 0x8FF0
#define AP_COUNT 0x8FF4
#define AP_STACK_SIZE 0x4000
#define ABS(sym) (TRAMP_BASE + (sym) - tramp_start)

	.section .rodata
	.globl tramp_start, tramp_end, tramp_gdt_ptr, tramp_cr3, tramp_entry, tramp_stacks
	.code16
tramp_start:
	cli
	cld
	xorw %ax, %ax
	movw %ax, %ds
	lock incl RM_COUNT
	lgdtl ABS(tramp_gdt_ptr)
	movl %cr0, %eax
	orl $1, %eax
	movl %eax, %cr0
	ljmpl $0x08, $ABS(tramp_pm32)
	.code32
tramp_pm32:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movl %cr4, %eax
	orl $0x620, %eax /* PAE, OSFXSR, OSXMMEXCPT */
	movl %eax, %cr4
	movl ABS(tramp_cr3), %eax
	movl %eax, %cr3
	movl $0xC0000080, %ecx
	rdmsr
	orl $0x100, %eax
	wrmsr
	movl %cr0, %eax
	andl $~0x4, %eax
	orl $0x80000002, %eax
	movl %eax, %cr0
	ljmp $0x18, $ABS(tramp_lm64)
	.code64
tramp_lm64:
	movl $1, %eax
	lock xaddl %eax, AP_COUNT
	incl %eax
	movl %eax, %edi
	movl %eax, %ecx
	imulq $AP_STACK_SIZE, %rcx
	movq ABS(tramp_stacks), %rsp
	addq %rcx, %rsp
	movq ABS(tramp_entry), %rax
	call *%rax
1:	cli
	hlt
	jmp 1b
	.balign 8
tramp_gdt_ptr: .word 0
	.long 0
	.balign 8
tramp_cr3: .quad 0
tramp_entry: .quad 0
tramp_stacks: .quad 0
tramp_end:
	.section .note.GNU-stack, "", @progbits
