/* The 8259A pair and ELCR (hv/platform/rules/pic.h), as a kernel that programs and masks it, or polls it, sees
 * them on QEMU q35: the Linux/BIOS initialisation words, IMR readback, OCW3 IRR/ISR reads, the PIT's IRQ0
 * in IRR, an interrupt acknowledged in poll mode (ISR set, EOI clears it), the "no interrupt" poll value,
 * and the ELCR bits that cannot be level. The local APIC's LINT0 stays masked, so nothing is delivered to
 * the CPU from the pair (microhv never does). Runs on plain QEMU too (make run-direct TEST=pic). */
#include "guest.h"
#include "hv/platform/rules/pic.h" /* port numbers only: run-direct checks them against QEMU */

#define M_CMD PIC_MASTER_CMD
#define M_DATA PIC_MASTER_DATA
#define S_CMD PIC_SLAVE_CMD
#define S_DATA PIC_SLAVE_DATA
#define ELCR0 PIC_ELCR_MASTER
#define ELCR1 PIC_ELCR_SLAVE
#define OCW3_READ_IRR 0x0A
#define OCW3_READ_ISR 0x0B
#define OCW3_POLL 0x0C
#define OCW2_EOI 0x20
#define POLL_IRQ 0x80
#define POLL_NONE 0x00 /* bit 7 clear: no interrupt; QEMU 7.2 reads 0 */
#define IRQ0 0x01
#define PIT_CH0 0x40
#define PIT_CTRL 0x43
#define PIT_CH0_MODE2_LOHI 0x34
#define PIT_1MS 1193u
#define GIVE_UP_TSC (1ull << 33) /* only when failing: far more than a 1 ms PIT period */

static void init_pair(void)
{
	outb(M_CMD, 0x11); /* ICW1: edge, cascade, ICW4 */
	outb(M_DATA, 0x20); /* ICW2: vectors 0x20-0x27 */
	outb(M_DATA, 0x04); /* ICW3: slave on IR2 */
	outb(M_DATA, 0x01); /* ICW4: 8086 mode */
	outb(S_CMD, 0x11);
	outb(S_DATA, 0x28);
	outb(S_DATA, 0x02);
	outb(S_DATA, 0x01);
}

static u8 read_irr(void)
{
	outb(M_CMD, OCW3_READ_IRR);
	return inb(M_CMD);
}

static u8 read_isr(void)
{
	outb(M_CMD, OCW3_READ_ISR);
	return inb(M_CMD);
}

void test_main(void)
{
	lapic_setup(SMP_SPURIOUS_VECTOR); /* LINT0 masked: the pair cannot reach the CPU */
	init_pair();
	CHECK_EQ(inb(M_DATA), 0, "icw1_clears_imr");
	outb(M_DATA, 0xFE); /* only IRQ0 */
	outb(S_DATA, 0xFF);
	CHECK_EQ(inb(M_DATA), 0xFE, "imr_master_readback");
	CHECK_EQ(inb(S_DATA), 0xFF, "imr_slave_readback");
	CHECK_EQ(read_isr(), 0, "isr_empty");

	/* The PIT's channel 0 at 1 kHz: IRQ0 shows in IRR. */
	outb(PIT_CTRL, PIT_CH0_MODE2_LOHI);
	outb(PIT_CH0, (u8)PIT_1MS);
	outb(PIT_CH0, (u8)(PIT_1MS >> 8));
	u64 start = rdtsc();
	while (!(read_irr() & IRQ0) && rdtsc() - start < GIVE_UP_TSC)
		cpu_relax();
	CHECK(read_irr() & IRQ0, "pit_irq0_in_irr");
	outb(M_CMD, OCW3_POLL);
	CHECK_EQ(inb(M_CMD), POLL_IRQ | 0, "poll_acknowledges_irq0");
	CHECK_EQ(read_isr(), IRQ0, "irq0_in_service");
	outb(M_CMD, OCW2_EOI);
	CHECK_EQ(read_isr(), 0, "eoi_clears_isr");

	/* Masked: the request waits in IRR, and a poll finds nothing to acknowledge. */
	outb(M_DATA, 0xFF);
	outb(M_CMD, OCW3_POLL);
	CHECK_EQ(inb(M_CMD), POLL_NONE, "poll_masked_no_interrupt");
	CHECK_EQ(read_isr(), 0, "poll_none_sets_no_isr");
	outb(PIT_CTRL, 0x30); /* channel 0 mode 0, no count: stop the periodic edges */

	outb(ELCR0, 0xFF);
	outb(ELCR1, 0xFF);
	CHECK_EQ(inb(ELCR0), 0xF8, "elcr_master_irq0_2_edge_only");
	CHECK_EQ(inb(ELCR1), 0xDE, "elcr_slave_irq8_13_edge_only");
	outb(ELCR0, 0);
	outb(ELCR1, 0);
	CHECK_EQ(inb(ELCR0) | inb(ELCR1), 0, "elcr_cleared");
}
