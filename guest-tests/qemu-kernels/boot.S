/* Multiboot 1 boot code of the QEMU test kernels (GNU as, built by gcc). QEMU's -kernel (and microhv's
 * loader) enter _start in 32-bit protected mode, paging off, EAX = 0x2BADB002, EBX = the Multiboot info.
 * A 32-bit kernel (-m32) calls kmain() there; a 64-bit one first identity-maps 4 GiB with 2 MiB pages
 * and switches to long mode (SDM Vol. 3A 10.8.5). Both enable SSE (gcc -O2 uses it for copies). */
#define MB_MAGIC 0x1BADB002
#define MB_FLAGS 0x3 /* page-aligned modules, memory information */
#define STACK_SIZE 0x8000

	.section .multiboot, "a"
	.balign 4
	.long MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)

	.section .text.boot, "ax"
	.code32
	.globl _start
_start:
	cli
	cld
	movl %eax, kl_mb_magic
	movl %ebx, kl_mb_info
	movl $boot_stack_top, %esp
	lgdt gdt_ptr
	ljmp $0x08, $1f
1:	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movw %ax, %fs
	movw %ax, %gs
	/* Zero .bss (QEMU's ELF loader does, but nothing promises it). */
	movl $__bss_start, %edi
	movl $__bss_end, %ecx
	subl %edi, %ecx
	xorl %eax, %eax
	rep stosb
	/* SSE on: CR0.MP=1, EM=0; CR4.OSFXSR | OSXMMEXCPT. */
	movl %cr0, %eax
	andl $~0x4, %eax
	orl $0x2, %eax
	movl %eax, %cr0
	movl %cr4, %eax
	orl $0x600, %eax
	movl %eax, %cr4
#ifdef KL_64
	/* PML4[0] -> PDPT, PDPT[0..3] -> four page directories of 2 MiB pages: 0..4 GiB identity. */
	movl $kl_pml4, %edi
	movl $kl_pdpt, %eax
	orl $0x3, %eax
	movl %eax, (%edi)
	movl $kl_pdpt, %edi
	movl $kl_pd, %eax
	orl $0x3, %eax
	movl $4, %ecx
2:	movl %eax, (%edi)
	addl $8, %edi
	addl $0x1000, %eax
	loop 2b
	movl $kl_pd, %edi
	movl $0x83, %eax /* present, writable, 2 MiB */
	xorl %edx, %edx
	movl $2048, %ecx
3:	movl %eax, (%edi)
	movl %edx, 4(%edi)
	addl $8, %edi
	addl $0x200000, %eax
	adcl $0, %edx
	loop 3b
	movl %cr4, %eax
	orl $0x20, %eax /* PAE */
	movl %eax, %cr4
	movl $kl_pml4, %eax
	movl %eax, %cr3
	movl $0xC0000080, %ecx
	rdmsr
	orl $0x100, %eax /* EFER.LME */
	wrmsr
	movl %cr0, %eax
	orl $0x80000001, %eax
	movl %eax, %cr0
	ljmp $0x18, $long_entry
	.code64
long_entry:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movq $boot_stack_top, %rsp
	call kmain
	movl $0x7f, %edi
	call kl_exit
#else
	call kmain
	pushl $0x7f
	call kl_exit
#endif

	.section .rodata
	.balign 8
	.globl kl_gdt
kl_gdt:
	.quad 0
	.quad 0x00CF9A000000FFFF /* 0x08: 32-bit code, flat */
	.quad 0x00CF92000000FFFF /* 0x10: data, flat */
	.quad 0x00AF9A000000FFFF /* 0x18: 64-bit code */
	.quad 0x00009A000000FFFF /* 0x20: 16-bit code, base 0, limit 64 KiB */
	.quad 0x008F92000000FFFF /* 0x28: 16-bit data, limit 4 GiB (for unreal mode) */
kl_gdt_end:
	.globl gdt_ptr
gdt_ptr:
	.word kl_gdt_end - kl_gdt - 1
	.long kl_gdt

	.data
	.globl kl_mb_magic, kl_mb_info
kl_mb_magic: .long 0
kl_mb_info: .long 0

	.bss
	.balign 4096
	.globl kl_pml4, kl_pdpt, kl_pd
kl_pml4: .skip 4096
kl_pdpt: .skip 4096
kl_pd: .skip 4 * 4096
boot_stack: .skip STACK_SIZE
boot_stack_top:
	.section .note.GNU-stack, "", @progbits
