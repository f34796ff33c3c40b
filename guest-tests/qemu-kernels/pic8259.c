/* The 8259 PIC pair (Intel 8259A datasheet; QEMU hw/intc/i8259.c): the initialisation words, the mask
 * register read back, OCW3 reads of IRR and ISR, and an interrupt through the PIC (PIT IRQ0 with LINT0
 * in ExtINT mode, as the BIOS leaves it) counted, then masked. */
#include "kl.h"

#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define PIC2_CMD 0xA0
#define PIC2_DATA 0xA1
#define OCW3_READ_IRR 0x0A
#define OCW3_READ_ISR 0x0B
#define PIC_EOI 0x20
#define PIC1_BASE 0x30
#define PIT_CH0 0x40
#define PIT_CMD 0x43
#define LAPIC_LVT_LINT0 (*(volatile u32 *)(LAPIC_BASE + 0x350))
#define LAPIC_SVR (*(volatile u32 *)(LAPIC_BASE + 0xF0))
#define LVT_EXTINT (7u << 8)

static volatile u32 irq0s;
static void on_irq0(struct kl_frame *f)
{
	irq0s++;
	outb(PIC1_CMD, PIC_EOI);
}

void kmain(void);
void kmain(void)
{
	kl_idt_init(); /* remaps to 0x20/0x28 and masks everything */
	kl_check_eq("imr_master_all_masked", inb(PIC1_DATA), 0xFF);
	kl_check_eq("imr_slave_all_masked", inb(PIC2_DATA), 0xFF);
	outb(PIC1_DATA, 0xA5);
	kl_check_eq("imr_master_reads_back", inb(PIC1_DATA), 0xA5);
	outb(PIC2_DATA, 0x5A);
	kl_check_eq("imr_slave_reads_back", inb(PIC2_DATA), 0x5A);
	/* Re-initialise the master at PIC1_BASE: ICW1 clears the mask. */
	outb(PIC1_CMD, 0x11);
	outb(PIC1_DATA, PIC1_BASE);
	outb(PIC1_DATA, 0x04);
	outb(PIC1_DATA, 0x01);
	kl_check_eq("icw1_clears_imr", inb(PIC1_DATA), 0x00);
	outb(PIC1_DATA, 0xFF);
	outb(PIC2_DATA, 0xFF);
	outb(PIC1_CMD, OCW3_READ_ISR);
	kl_check_eq("isr_empty", inb(PIC1_CMD), 0);

	/* IRQ0 (PIT, mode 2, ~1 kHz) unmasked alone, delivered as ExtINT through LINT0. */
	kl_set_handler(PIC1_BASE, on_irq0);
	LAPIC_SVR = 0x1FF;
	LAPIC_LVT_LINT0 = LVT_EXTINT;
	outb(PIT_CMD, 0x34);
	outb(PIT_CH0, 0xA9);
	outb(PIT_CH0, 0x04);
	/* Poll rather than wait a fixed loop: how long a loop takes is the host's business, and a fast
	 * host finished 200,000 turns before the PIT's first 1 ms period ended. */
	outb(PIC1_CMD, OCW3_READ_IRR);
	u8 irr = 0;
	for (unsigned long i = 0; i < 200000 && !(irr & 1); i++) { /* each turn is a VM exit: far over 1 ms */
		irr = inb(PIC1_CMD);
		pause();
	}
	kl_check("irr_shows_masked_irq0", irr & 1, "IRR 0x%x", irr);
	outb(PIC1_DATA, 0xFE);
	sti();
	for (unsigned long i = 0; i < KL_SPIN_MAX && irq0s < 3; i++)
		pause();
	kl_check("irq0_through_pic", irq0s >= 3, "%u interrupts", irq0s);
	outb(PIC1_DATA, 0xFF);
	for (volatile int d = 0; d < 100000; d++)
		;
	u32 before = irq0s;
	for (volatile int d = 0; d < 2000000; d++)
		;
	kl_check("masked_irq0_stops", irq0s == before, "%u more", irq0s - before);
	cli();
	outb(PIT_CMD, 0x30);
	outb(PIT_CH0, 0);
	outb(PIT_CH0, 0);
	kl_finish();
}
