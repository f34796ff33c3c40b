/* kl, 64-bit part: the IDT and its dispatch, expected faults, and the AP trampoline's set-up. */
#include "kl.h"

struct idt_entry { u16 off0, sel; u8 ist, type; u16 off1; u32 off2, zero; };
static struct idt_entry idt[256] __attribute__((aligned(16)));
static kl_handler handlers[256];
extern const u64 kl_isr_table[];
volatile struct kl_fault kl_last_fault;
volatile u64 kl_resume_rip;
static volatile int expected_vector = -1;

#define STUB_SIZE 16
#define IDT_INTERRUPT_GATE 0x8E
#define KERNEL_CS 0x18

void kl_idt_load(void)
{
	struct __attribute__((packed)) { u16 limit; u64 base; } p = { sizeof(idt) - 1, (u64)(uptr)idt };
	__asm__ volatile("lidt %0" : : "m"(p));
}

/* The 8259 pair as every protected-mode kernel leaves it: remapped to vectors 0x20-0x2F (away from the
 * exception vectors; the BIOS uses 0x08) and fully masked, since QEMU's BIOS leaves the PIT's IRQ0
 * running through the master and LINT0 in ExtINT mode. */
void kl_pic_remap_mask(void)
{
	outb(0x20, 0x11); outb(0xA0, 0x11); /* ICW1: edge, cascade, ICW4 follows */
	outb(0x21, 0x20); outb(0xA1, 0x28); /* ICW2: vector bases */
	outb(0x21, 0x04); outb(0xA1, 0x02); /* ICW3: slave on IRQ2 */
	outb(0x21, 0x01); outb(0xA1, 0x01); /* ICW4: 8086 mode */
	outb(0x21, 0xFF); outb(0xA1, 0xFF); /* OCW1: all masked */
}

void kl_idt_init(void)
{
	kl_pic_remap_mask();
	for (int v = 0; v < 256; v++) {
		u64 a = kl_isr_table[0] + (u64)v * STUB_SIZE;
		idt[v] = (struct idt_entry){ (u16)a, KERNEL_CS, 0, IDT_INTERRUPT_GATE, (u16)(a >> 16), (u32)(a >> 32), 0 };
	}
	kl_idt_load();
}

void kl_set_handler(int vector, kl_handler h) { handlers[vector] = h; }

void kl_expect(int vector)
{
	kl_last_fault.vector = -1;
	expected_vector = vector;
}

void kl_trap(struct kl_frame *f);
void kl_trap(struct kl_frame *f)
{
	int v = (int)f->vector;
	if (handlers[v]) {
		handlers[v](f);
		return;
	}
	if (v == expected_vector && kl_resume_rip) {
		u64 cr2;
		__asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
		kl_last_fault.vector = v;
		kl_last_fault.error_code = f->error_code;
		kl_last_fault.cr2 = cr2;
		kl_last_fault.rip = f->rip;
		expected_vector = -1;
		f->rip = kl_resume_rip;
		kl_resume_rip = 0;
		return;
	}
	kl_fail("unexpected_exception", "vector %u error code 0x%llx rip 0x%llx", (u32)v, f->error_code, f->rip);
	kl_exit(1);
}

/* ---- APs ---- */
extern const u8 tramp_start[], tramp_end[], tramp_gdt_ptr[], tramp_cr3[], tramp_entry[], tramp_stacks[];
extern const u8 kl_gdt[], gdt_ptr[];
#define AP_STACK_SIZE 0x4000
static u8 ap_stacks[KL_MAX_CPUS][AP_STACK_SIZE] __attribute__((aligned(16)));
static void (*ap_fn)(u32 index);

static void ap_start(u32 index)
{
	kl_idt_load();
	ap_fn(index);
}

#define TRAMP_AT(sym) ((volatile u8 *)(uptr)KL_TRAMP_BASE + ((sym) - tramp_start))

void kl_smp_prepare(void (*fn)(u32 index))
{
	u64 cr3;
	ap_fn = fn;
	kl_memcpy((void *)(uptr)KL_TRAMP_BASE, tramp_start, (unsigned long)(tramp_end - tramp_start));
	kl_memcpy((void *)TRAMP_AT(tramp_gdt_ptr), gdt_ptr, 6);
	__asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
	*(volatile u64 *)TRAMP_AT(tramp_cr3) = cr3;
	*(volatile u64 *)TRAMP_AT(tramp_entry) = (u64)(uptr)ap_start;
	/* AP i (from 1) runs on ap_stacks[i - 1]: its top is tramp_stacks + i * AP_STACK_SIZE. */
	*(volatile u64 *)TRAMP_AT(tramp_stacks) = (u64)(uptr)ap_stacks[0];
	kl_tramp_realmode_count = 0;
	kl_tramp_ap_count = 0;
}
