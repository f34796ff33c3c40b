/* The q35 I/O APIC at 0xFEC00000 (hv/platform/rules/ioapic.h): registers as QEMU's hw/intc/ioapic.c shows them,
 * then interrupts from its pins, raised with microhv's debug hypercall HC_IOAPIC_PIN (on plain QEMU
 * that half SKIPs: nothing drives a pin there without a device):
 *  - version 0x00170020 (ICH9: 24 entries, version 0x20), ID bits 27:24 writable, arbitration = ID;
 *  - every entry masked at reset; all bits but delivery status and remote IRR stored (reserved too);
 *  - edge: one interrupt per assertion, none while masked, none remembered for the unmask;
 *  - level: remote IRR set on delivery, nothing more while it is set, cleared by the local APIC's EOI
 *    (broadcast to the I/O APIC because TMR is set) or by the EOI register at 0x40; a pin still
 *    asserted at the EOI is delivered again;
 *  - a masked level pin that is asserted is delivered when unmasked;
 *  - the re-delivery again with the local APIC in x2APIC mode (EOI through MSR 0x80B). */
#include "guest.h"
#include "ioapic.h"

#define VER_Q35 0x00170020u
#define EDGE_PIN 5u
#define LEVEL_PIN 6u
#define STORM_PIN 7u
#define EDGE_VEC 0x50
#define LEVEL_VEC 0x51
#define STORM_VEC 0x52
#define STORM_DELIVERIES 3u /* the handler lowers the pin at the third delivery */
#define RESERVED_PIN 20u
#define RO_BITS (RTE_DELIVERY_STATUS | RTE_REMOTE_IRR)

static volatile u32 storm_seen;

static void check_registers(void)
{
	CHECK_EQ(ioapic_read(IOAPIC_VER), VER_Q35, "version_0x00170020");
	CHECK_EQ(ioapic_read(IOAPIC_ID), 0, "id_reset_0");
	ioapic_write(IOAPIC_ID, 0xFFFFFFFFu);
	CHECK_EQ(ioapic_read(IOAPIC_ID), 0x0F000000u, "id_keeps_bits_27_24");
	CHECK_EQ(ioapic_read(IOAPIC_ARB), 0x0F000000u, "arbitration_reads_id");
	ioapic_write(IOAPIC_VER, 0);
	CHECK_EQ(ioapic_read(IOAPIC_VER), VER_Q35, "version_read_only");
	ioapic_write(IOAPIC_ID, 0);
	*ioapic_reg(IOAPIC_SEL) = 0x1234501u;
	CHECK_EQ(*ioapic_reg(IOAPIC_SEL), 0x01, "ioregsel_8_bits");
	CHECK_EQ(ioapic_read(0x03), 0, "unknown_index_reads_0");
	CHECK_EQ(ioapic_read(IOAPIC_RTE_LO(IOAPIC_NPINS)), 0, "index_past_entries_reads_0");

	u32 masked = 0;
	for (u32 pin = 0; pin < IOAPIC_NPINS; pin++)
		masked += ioapic_rte_read(pin) == RTE_MASKED;
	CHECK_EQ(masked, IOAPIC_NPINS, "all_entries_masked_at_reset");

	ioapic_rte_write(RESERVED_PIN, RTE_MASKED | ~0ull);
	CHECK_EQ(ioapic_rte_read(RESERVED_PIN), ~0ull & ~RO_BITS, "entry_stores_reserved_not_ro_bits");
	ioapic_rte_write(RESERVED_PIN, RTE_MASKED);
	CHECK_EQ(ioapic_rte_read(RESERVED_PIN), RTE_MASKED, "entry_rewritten");
}

/* One pulse on `pin`: assert, then de-assert. */
static void pulse(u32 pin)
{
	hc_ioapic_pin(pin, 1);
	hc_ioapic_pin(pin, 0);
}

static void check_edge(void)
{
	u64 dest = RTE_DEST(lapic_id());
	ioapic_rte_write(EDGE_PIN, dest | EDGE_VEC);
	pulse(EDGE_PIN);
	CHECK_EQ(irq_wait(EDGE_VEC, 1, IRQ_WAIT_TSC), 1, "edge_delivered");
	pulse(EDGE_PIN);
	CHECK_EQ(irq_wait(EDGE_VEC, 2, IRQ_WAIT_TSC), 2, "edge_again");
	CHECK_EQ(ioapic_rte_read(EDGE_PIN), dest | EDGE_VEC, "edge_no_remote_irr");
	CHECK(!lapic_irr_test(EDGE_VEC) && !lapic_isr_test(EDGE_VEC), "edge_serviced");

	ioapic_rte_write(EDGE_PIN, dest | RTE_MASKED | EDGE_VEC);
	pulse(EDGE_PIN);
	ioapic_rte_write(EDGE_PIN, dest | EDGE_VEC);
	CHECK_EQ(irq_wait(EDGE_VEC, 3, IRQ_WAIT_TSC), 2, "edge_masked_ignored");
	ioapic_rte_write(EDGE_PIN, RTE_MASKED);
	CHECK_EQ(hc_ioapic_pin(IOAPIC_NPINS, 1), -EINVAL, "pin_24_einval");
	CHECK_EQ(hc_ioapic_pin(0, 2), -EINVAL, "level_2_einval");
}

/* Level: with IF = 0 the interrupt waits in IRR, so remote IRR can be watched. */
static void check_level(void)
{
	u64 entry = RTE_DEST(lapic_id()) | RTE_LEVEL | LEVEL_VEC;
	ioapic_rte_write(LEVEL_PIN, entry);
	cli();
	hc_ioapic_pin(LEVEL_PIN, 1);
	CHECK(lapic_irr_test(LEVEL_VEC), "level_in_irr");
	CHECK_EQ(ioapic_rte_read(LEVEL_PIN), entry | RTE_REMOTE_IRR, "level_sets_remote_irr");
	u32 tmr = lapic_read(APIC_TMR + LEVEL_VEC / 32 * 0x10);
	CHECK(tmr & (1u << (LEVEL_VEC % 32)), "level_sets_tmr");
	/* Directed EOI while still asserted: remote IRR clears and the pin is delivered again at once. */
	*ioapic_reg(IOAPIC_EOIR) = LEVEL_VEC;
	CHECK_EQ(ioapic_rte_read(LEVEL_PIN), entry | RTE_REMOTE_IRR, "eoi_register_redelivers_asserted");
	hc_ioapic_pin(LEVEL_PIN, 0);
	*ioapic_reg(IOAPIC_EOIR) = LEVEL_VEC + 0x100; /* the whole value is the vector: no match */
	CHECK_EQ(ioapic_rte_read(LEVEL_PIN), entry | RTE_REMOTE_IRR, "eoi_register_other_value_ignored");
	*ioapic_reg(IOAPIC_EOIR) = LEVEL_VEC;
	CHECK_EQ(ioapic_rte_read(LEVEL_PIN), entry, "eoi_register_clears_remote_irr");
	/* Asserted again, de-asserted before the CPU takes it: the local APIC's EOI clears remote IRR. */
	hc_ioapic_pin(LEVEL_PIN, 1);
	hc_ioapic_pin(LEVEL_PIN, 0);
	u64 before = irq_count(LEVEL_VEC);
	sti();
	CHECK_EQ(irq_wait(LEVEL_VEC, before + 1, IRQ_WAIT_TSC), before + 1, "level_taken_once");
	CHECK_EQ(ioapic_rte_read(LEVEL_PIN), entry, "lapic_eoi_clears_remote_irr");

	/* Masked and asserted: delivered at the unmask. */
	cli();
	ioapic_rte_write(LEVEL_PIN, entry | RTE_MASKED);
	hc_ioapic_pin(LEVEL_PIN, 1);
	CHECK(!lapic_irr_test(LEVEL_VEC), "level_masked_waits");
	ioapic_rte_write(LEVEL_PIN, entry);
	CHECK(lapic_irr_test(LEVEL_VEC), "level_delivered_at_unmask");
	hc_ioapic_pin(LEVEL_PIN, 0);
	sti();
	CHECK_EQ(irq_wait(LEVEL_VEC, before + 2, IRQ_WAIT_TSC), before + 2, "level_unmasked_taken");
	ioapic_rte_write(LEVEL_PIN, RTE_MASKED);
}

/* Each local-APIC EOI of a still-asserted pin brings it back; the handler lowers it at the third. */
static void storm_handler(const struct exc_record *r)
{
	if (++storm_seen == STORM_DELIVERIES)
		hc_ioapic_pin(STORM_PIN, 0);
	lapic_eoi();
}

static void check_level_redelivery(const char *name, const char *clear_name)
{
	storm_seen = 0;
	exc_set_handler(STORM_VEC, storm_handler);
	u64 entry = RTE_DEST(lapic_id()) | RTE_LEVEL | STORM_VEC;
	ioapic_rte_write(STORM_PIN, entry);
	hc_ioapic_pin(STORM_PIN, 1);
	u64 end = rdtsc() + IRQ_WAIT_TSC;
	while (storm_seen < STORM_DELIVERIES && !tsc_passed(end))
		cpu_relax();
	ioapic_rte_write(STORM_PIN, entry); /* an exit or two for a fourth one to show */
	CHECK_EQ(storm_seen, STORM_DELIVERIES, name);
	CHECK_EQ(ioapic_rte_read(STORM_PIN), entry, clear_name);
	ioapic_rte_write(STORM_PIN, RTE_MASKED);
}

void test_main(void)
{
	lapic_setup(SMP_SPURIOUS_VECTOR);
	irq_register(EDGE_VEC);
	irq_register(LEVEL_VEC);
	sti();
	check_registers();
	if (!require_microhv("pin_interrupts"))
		return;
	check_edge();
	check_level();
	check_level_redelivery("level_redelivered_until_deasserted", "level_storm_ends_clear");
	/* Again with the EOI through the x2APIC MSR (under APICv: a virtualized EOI, its exit bitmap from TMR). */
	if (CHECK_EQ(lapic_enable_x2apic(), FAULT_NONE, "x2apic_enabled"))
		check_level_redelivery("x2apic_level_redelivered_until_deasserted", "x2apic_level_storm_ends_clear");
}
