/* Host GDT/TSS/IDT and page tables. The firmware's are in boot-services memory, which is no longer ours.
 * A #PF has no IST: one caused by a stack overflow (a push into the guard page) faults again while its
 * frame is pushed, which is a #DF (SDM Vol. 3A §6.15, Table 6-5), and #DF runs on the IST stack. */
#include "cpu.h"
#include "lib/fmt.h"
#include "host_mmu.h"
#include "log.h"
#include "mm.h"
#include "pcpu.h"
#include "x86.h"

#define IST_CRITICAL 1 /* #DF, NMI, #MC run on their own stack: the faulting one may be broken */

/* Segment descriptors (SDM Vol. 3A §3.4.5): access byte and flags. */
#define DESC_CODE64 0x00209A0000000000ull /* P, DPL0, S, code exec/read, L */
#define DESC_DATA 0x0000920000000000ull   /* P, DPL0, S, data read/write */
#define DESC_TSS_AVAILABLE 0x89ull         /* P, 64-bit TSS (available) */
#define IDT_INTERRUPT_GATE 0x8E            /* P, DPL0, 64-bit interrupt gate */

static struct cpu_tables bsp_tables;
static u64 host_cr3;

extern u64 trap_stub_table[];

static void set_gate(struct cpu_tables *t, u8 vector, u64 handler, u8 ist)
{
	t->idt[vector] = (struct idt_gate){
		.offset_low = (u16)handler,
		.selector = HOST_CS_SELECTOR,
		.ist = ist,
		.type_attr = IDT_INTERRUPT_GATE,
		.offset_mid = (u16)(handler >> 16),
		.offset_high = (u32)(handler >> 32),
	};
}

static void load_gdt_and_tss(struct cpu_tables *t, u64 ist_stack_top)
{
	u64 base = (u64)&t->tss, limit = sizeof(t->tss) - 1;
	t->gdt[1] = DESC_CODE64;
	t->gdt[2] = DESC_DATA;
	t->gdt[3] = (limit & 0xFFFF) | ((base & 0xFFFFFF) << 16) | (DESC_TSS_AVAILABLE << 40) |
		 (((limit >> 16) & 0xF) << 48) | (((base >> 24) & 0xFF) << 56);
	t->gdt[4] = base >> 32;
	t->tss.ist[IST_CRITICAL - 1] = ist_stack_top;
	t->tss.iomap_base = sizeof(t->tss); /* no I/O bitmap */

	struct descriptor_table_register gdtr = { sizeof(t->gdt) - 1, (u64)t->gdt };
	__asm__ volatile("lgdt %0\n\t"
			 "pushq %1\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "movl %2, %%eax\n\t"
			 "movl %%eax, %%ds\n\t"
			 "movl %%eax, %%es\n\t"
			 "movl %%eax, %%ss\n\t"
			 "xorl %%eax, %%eax\n\t"
			 "movl %%eax, %%fs\n\t"
			 "movl %%eax, %%gs\n\t"
			 "ltr %w3"
			 :
			 : "m"(gdtr), "i"(HOST_CS_SELECTOR), "i"(HOST_DS_SELECTOR), "r"((u16)HOST_TR_SELECTOR)
			 : "rax", "memory");
}

static void load_idt(struct cpu_tables *t)
{
	for (u8 v = 0; v < NUM_EXCEPTION_VECTORS; v++) {
		bool critical = v == VEC_DF || v == VEC_NMI || v == VEC_MC;
		set_gate(t, v, trap_stub_table[v], critical ? IST_CRITICAL : 0);
	}
	set_gate(t, HOST_TIMER_VECTOR, trap_stub_table[NUM_EXCEPTION_VECTORS], 0);
	set_gate(t, SPURIOUS_VECTOR, trap_stub_table[NUM_EXCEPTION_VECTORS + 1], 0);
	set_gate(t, HOST_WAKE_VECTOR, trap_stub_table[NUM_EXCEPTION_VECTORS + 2], 0);
	struct descriptor_table_register idtr = { sizeof(t->idt) - 1, (u64)t->idt };
	__asm__ volatile("lidt %0" ::"m"(idtr));
}

u64 cpu_alloc_stack(u64 bytes, const char *name)
{
	u8 *area = mm_alloc_pages(1 + bytes / PAGE_SIZE, PAGE_SIZE);
	if (!area)
		return 0;
	host_mmu_add_guard((u64)area, name);
	return (u64)area + PAGE_SIZE + bytes;
}

void cpu_setup_bsp(u64 max_phys_addr)
{
	u64 ist_stack_top = cpu_alloc_stack(CPU_IST_STACK_BYTES, "IST");
	if (!ist_stack_top)
		panic("no memory for the IST stack");
	load_gdt_and_tss(&bsp_tables, ist_stack_top);
	load_idt(&bsp_tables);
	host_cr3 = host_mmu_enable(max_phys_addr);
}

void cpu_setup_ap(struct cpu_tables *t, u64 ist_stack_top)
{
	load_gdt_and_tss(t, ist_stack_top);
	load_idt(t);
}

struct host_tables cpu_host_tables(void)
{
	const struct pcpu *p = this_pcpu();
	const struct cpu_tables *t = p->index ? &p->tables : &bsp_tables;
	return (struct host_tables){ .gdt_base = (u64)t->gdt, .idt_base = (u64)t->idt, .tss_base = (u64)&t->tss,
				     .cr3 = host_cr3 };
}
