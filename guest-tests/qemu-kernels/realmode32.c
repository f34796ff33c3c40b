/* A real-mode section, as a kernel that calls back into 16-bit code does (SDM Vol. 3A 9.9.2): from 32-bit
 * protected mode (no paging) through a 16-bit protected-mode segment into real mode and back. The 16-bit
 * code, copied below 1 MiB, does its work there: it prints a line on COM1 with OUT, computes with
 * segment arithmetic (a far store through ES), and, in unreal mode (FS keeps the 4 GiB limit loaded in
 * protected mode), reads the local APIC version register at 0xFEE00030 with an address-size prefix. */
#include "kl.h"

#define RM_BASE 0x7000
struct rm_result { u32 marker, apic_ver, es_store_seen, cr0; };
#define RM_RESULT ((volatile struct rm_result *)0x7F00)
#define ES_SEGMENT 0x0800 /* a far store to 0800:0010 = linear 0x8010 */
#define ES_LINEAR 0x8010

extern const u8 rm_blob_start[], rm_blob_end[];
void rm_enter(void); /* in the asm below: jumps to the copy at RM_BASE, returns in 32-bit mode */

__asm__(".section .rodata\n"
	".globl rm_blob_start, rm_blob_end\n"
	".code16\n"
	"rm_blob_start:\n"
	/* Entered at RM_BASE with CS = 0x20 (16-bit code, base 0): load 16-bit data selectors, then PE off. */
	"  movw $0x28, %ax\n  movw %ax, %ds\n  movw %ax, %es\n  movw %ax, %fs\n  movw %ax, %ss\n"
	"  movl %cr0, %eax\n  andl $~1, %eax\n  movl %eax, %cr0\n"
	"  ljmp $0x0700, $(1f - rm_blob_start)\n"
	"1: xorw %ax, %ax\n  movw %ax, %ds\n  movw %ax, %ss\n"
	"  movw $0x7E00, %sp\n"
	/* The work: a line on COM1 through OUT, from real mode. */
	"  movw $0x3F8, %dx\n  movw $(msg - rm_blob_start + 0x7000), %si\n"
	"2: lodsb\n  testb %al, %al\n  jz 3f\n  outb %al, %dx\n  jmp 2b\n"
	"3: movw $0x0800, %ax\n  movw %ax, %es\n  movl $0x5AA5F00D, %es:0x10\n"
	"  movl $0x52454D4F, 0x7F00\n"           /* marker 'OMER' at ds:0x7F00 */
	"  movl $0xFEE00030, %ebx\n  addr32 movl %fs:(%ebx), %eax\n  movl %eax, 0x7F04\n"
	"  movl %cr0, %eax\n  movl %eax, 0x7F0C\n"
	/* Back: PE on, far jump to the 32-bit code segment. */
	"  cli\n  orl $1, %eax\n  movl %eax, %cr0\n"
	"  ljmpl $0x08, $rm_back\n"
	"msg: .asciz \"PASS: real_mode_prints_line\\r\\n\"\n"
	"rm_blob_end:\n"
	".code32\n"
	".text\n"
	".globl rm_enter\n"
	"rm_enter:\n  pushal\n  movl %esp, saved_esp\n  ljmp $0x20, $0x7000\n"
	"rm_back:\n  movw $0x10, %ax\n  movw %ax, %ds\n  movw %ax, %es\n  movw %ax, %fs\n  movw %ax, %ss\n"
	"  movl saved_esp, %esp\n  popal\n  ret\n"
	".data\nsaved_esp: .long 0\n.text\n");

void kmain(void);
void kmain(void)
{
	kl_memcpy((void *)RM_BASE, rm_blob_start, (unsigned long)(rm_blob_end - rm_blob_start));
	kl_memset((void *)RM_RESULT, 0, sizeof(*RM_RESULT));
	*(volatile u32 *)ES_LINEAR = 0;
	u32 ver = *(volatile u32 *)(LAPIC_BASE + 0x30);
	rm_enter();
	kl_check_eq("returned_from_real_mode", RM_RESULT->marker, 0x52454D4F);
	kl_check_eq("real_mode_cr0_pe_clear", RM_RESULT->cr0 & 1, 0);
	kl_check_eq("far_store_through_es", *(volatile u32 *)ES_LINEAR, 0x5AA5F00D);
	kl_check_eq("unreal_mode_apic_read", RM_RESULT->apic_ver, ver);
	u32 cr0;
	__asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
	kl_check_eq("protected_mode_again", cr0 & 1, 1);
	kl_finish();
}
