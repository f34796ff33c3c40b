/* The I/O APIC at 0xFEC00000 (82093AA datasheet; QEMU hw/intc/ioapic.c): ID, version (24 pins), the
 * redirection table (write/read, read-only bits), then an interrupt: PIT channel 0 in mode 2 on ISA
 * IRQ0, which q35 wires to pin 2 (the MADT's interrupt source override), delivered to the BSP. */
#include "kl.h"

#define IOAPIC_BASE 0xFEC00000UL
#define IOREGSEL (*(volatile u32 *)(IOAPIC_BASE + 0x00))
#define IOWIN (*(volatile u32 *)(IOAPIC_BASE + 0x10))
#define IOAPIC_ID 0x00
#define IOAPIC_VER 0x01
#define IOAPIC_REDTBL(pin) (0x10 + 2 * (pin))
#define RTE_MASKED (1u << 16)
#define LAPIC_EOI (*(volatile u32 *)(LAPIC_BASE + 0xB0))
#define LAPIC_SVR (*(volatile u32 *)(LAPIC_BASE + 0xF0))
#define PIT_VECTOR 0x40
#define PIT_PIN 2
#define PIT_CH0 0x40
#define PIT_CMD 0x43
#define PIT_HZ 1193182

static volatile u32 pit_irqs;
static void on_pit(struct kl_frame *f)
{
	pit_irqs++;
	LAPIC_EOI = 0;
}

static u32 io_read(u32 reg)
{
	IOREGSEL = reg;
	return IOWIN;
}
static void io_write(u32 reg, u32 v)
{
	IOREGSEL = reg;
	IOWIN = v;
}

void kmain(void);
void kmain(void)
{
	kl_idt_init();
	kl_set_handler(PIT_VECTOR, on_pit);
	LAPIC_SVR = 0x1FF;
	u32 ver = io_read(IOAPIC_VER);
	kl_check("ioapic_version_0x11_or_0x20", (ver & 0xFF) == 0x11 || (ver & 0xFF) == 0x20, "version 0x%x", ver);
	kl_check_eq("ioapic_24_pins", ((ver >> 16) & 0xFF) + 1, 24);
	kl_check_eq("ioapic_id_0", (io_read(IOAPIC_ID) >> 24) & 0xF, 0);
	u32 masked = 1;
	for (u32 pin = 0; pin < 24; pin++)
		masked &= io_read(IOAPIC_REDTBL(pin)) >> 16;
	kl_check("all_pins_masked_at_boot", masked, "some pin unmasked");
	io_write(IOAPIC_REDTBL(5), RTE_MASKED | 0x8000 /* level */ | 0x2000 /* active low */ | 0x55);
	io_write(IOAPIC_REDTBL(5) + 1, 0x01000000);
	kl_check_eq("redtbl_low_reads_back", io_read(IOAPIC_REDTBL(5)), RTE_MASKED | 0xA000 | 0x55);
	kl_check_eq("redtbl_high_reads_back", io_read(IOAPIC_REDTBL(5) + 1), 0x01000000);
	io_write(IOAPIC_REDTBL(5), RTE_MASKED);
	io_write(IOAPIC_REDTBL(5) + 1, 0);
	io_write(IOAPIC_REDTBL(6), RTE_MASKED | (1u << 12) | (1u << 14) | 0x66); /* delivery status, remote IRR: RO */
	kl_check_eq("redtbl_status_bits_read_only", io_read(IOAPIC_REDTBL(6)), RTE_MASKED | 0x66);
	io_write(IOAPIC_REDTBL(6), RTE_MASKED);

	/* PIT channel 0, mode 2 (rate generator), ~1 kHz; pin 2, edge, fixed, to APIC ID 0. */
	outb(PIT_CMD, 0x34);
	outb(PIT_CH0, (PIT_HZ / 1000) & 0xFF);
	outb(PIT_CH0, (PIT_HZ / 1000) >> 8);
	io_write(IOAPIC_REDTBL(PIT_PIN) + 1, 0);
	io_write(IOAPIC_REDTBL(PIT_PIN), PIT_VECTOR);
	sti();
	for (unsigned long i = 0; i < KL_SPIN_MAX && pit_irqs < 5; i++)
		pause();
	kl_check("pit_irq0_through_pin2", pit_irqs >= 5, "%u interrupts", pit_irqs);
	io_write(IOAPIC_REDTBL(PIT_PIN), RTE_MASKED | PIT_VECTOR);
	for (volatile int d = 0; d < 100000; d++) /* one already in flight may still come */
		;
	u32 before = pit_irqs;
	for (volatile int d = 0; d < 3000000; d++)
		;
	kl_check("masked_pin_no_interrupt", pit_irqs == before, "%u more", pit_irqs - before);
	cli();
	kl_finish();
}
