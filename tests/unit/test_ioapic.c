/* Host unit tests for the I/O APIC and MSI models (hv/platform/rules/ioapic.h). The expectations restate
 * QEMU's hw/intc/ioapic.c and the 82093AA datasheet with their own constants. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "hv/platform/rules/ioapic.h"

#define SEL 0x00
#define WIN 0x10
#define EOI 0x40
#define VER_Q35 0x00170020u
#define MASKED (1ull << 16)
#define LEVEL (1ull << 15)
#define REMOTE_IRR (1ull << 14)
#define LOGICAL (1ull << 11)
#define DM_LOWEST (1ull << 8)
#define DM_NMI (4ull << 8)
#define DM_EXTINT (7ull << 8)
#define DEST(d) ((uint64_t)(d) << 56)
#define MAX_SEEN 16

static struct ioapic io;
static struct apic_irq seen[MAX_SEEN];
static unsigned nseen;

static void capture(void *ctx, const struct apic_irq *irq)
{
	assert_ptr_equal(ctx, &io);
	if (nseen < MAX_SEEN)
		seen[nseen] = *irq;
	nseen++;
}

static int setup(void **state)
{
	(void)state;
	ioapic_init(&io, capture, &io);
	nseen = 0;
	return 0;
}

static uint32_t reg_read(uint8_t index)
{
	ioapic_mmio_write(&io, SEL, 4, index);
	return (uint32_t)ioapic_mmio_read(&io, WIN, 4);
}

static void reg_write(uint8_t index, uint32_t value)
{
	ioapic_mmio_write(&io, SEL, 4, index);
	ioapic_mmio_write(&io, WIN, 4, value);
}

static void rte_write(unsigned pin, uint64_t e)
{
	reg_write((uint8_t)(0x11 + 2 * pin), (uint32_t)(e >> 32));
	reg_write((uint8_t)(0x10 + 2 * pin), (uint32_t)e);
}

static uint64_t rte_read(unsigned pin)
{
	return reg_read((uint8_t)(0x10 + 2 * pin)) | (uint64_t)reg_read((uint8_t)(0x11 + 2 * pin)) << 32;
}

static void test_reset_and_identity(void **state)
{
	(void)state;
	assert_int_equal(reg_read(0x01), VER_Q35);
	assert_int_equal(reg_read(0x00), 0);
	for (unsigned pin = 0; pin < 24; pin++)
		assert_int_equal(rte_read(pin), MASKED);
	reg_write(0x00, 0xFFFFFFFFu);
	assert_int_equal(reg_read(0x00), 0x0F000000u); /* ID keeps bits 27:24 */
	assert_int_equal(reg_read(0x02), 0x0F000000u); /* arbitration reads the ID */
	reg_write(0x01, 0);
	reg_write(0x02, 0);
	assert_int_equal(reg_read(0x01), VER_Q35);
	assert_int_equal(reg_read(0x02), 0x0F000000u);
	assert_int_equal(reg_read(0x03), 0);     /* no register there */
	assert_int_equal(reg_read(0x0F), 0);
	assert_int_equal(reg_read(0x10 + 48), 0); /* past the 24th entry */
	assert_int_equal(reg_read(0xFF), 0);
}

static void test_regsel_and_window_widths(void **state)
{
	(void)state;
	ioapic_mmio_write(&io, SEL, 4, 0x1234501);
	assert_int_equal(ioapic_mmio_read(&io, SEL, 4), 0x01); /* 8 bits */
	assert_int_equal(ioapic_mmio_read(&io, SEL, 1), 0x01);
	assert_int_equal(ioapic_mmio_read(&io, WIN, 2), 0);   /* IOWIN: 32-bit only */
	assert_int_equal(ioapic_mmio_read(&io, WIN, 1), 0);
	assert_int_equal(ioapic_mmio_read(&io, WIN, 4), VER_Q35);
	ioapic_mmio_write(&io, SEL, 1, 0x00);
	ioapic_mmio_write(&io, WIN, 2, 0x0F000000u);
	assert_int_equal(reg_read(0x00), 0);
	/* Address bits 7:0 only: the page repeats every 0x100 bytes. */
	ioapic_mmio_write(&io, 0x300, 4, 0x01);
	assert_int_equal(ioapic_mmio_read(&io, 0x310, 4), VER_Q35);
	assert_int_equal(ioapic_mmio_read(&io, 0x04, 4), 0);
	assert_int_equal(ioapic_mmio_read(&io, 0x20, 4), 0);
	assert_int_equal(ioapic_mmio_read(&io, EOI, 4), 0); /* write-only */
	/* An 8-byte read at IOREGSEL is IOREGSEL, then 0x04 (nothing). At IOWIN: IOWIN, then 0x14. */
	assert_int_equal(ioapic_mmio_read(&io, SEL, 8), 0x01);
	assert_int_equal(ioapic_mmio_read(&io, WIN, 8), VER_Q35);
	/* An 8-byte write at IOREGSEL: the low half selects, the high half goes to 0x04 (nothing). */
	ioapic_mmio_write(&io, SEL, 8, 0xFFFFFFFF00000000ull | 0x12);
	assert_int_equal(ioapic_mmio_read(&io, SEL, 4), 0x12);
}

static void test_rte_bits(void **state)
{
	(void)state;
	/* Everything but delivery status and remote IRR is stored, reserved bits 55:17 included. */
	rte_write(3, ~0ull);
	assert_int_equal(rte_read(3), ~0ull & ~(1ull << 12) & ~REMOTE_IRR);
	rte_write(3, MASKED);
	assert_int_equal(rte_read(3), MASKED);
	assert_int_equal(nseen, 0);
	/* The halves are separate registers. */
	reg_write(0x10 + 2 * 5 + 1, 0xAB000000u);
	assert_int_equal(rte_read(5), DEST(0xAB) | MASKED);
	reg_write(0x10 + 2 * 5, 0x41);
	assert_int_equal(rte_read(5), DEST(0xAB) | 0x41);
}

static void test_entry_message(void **state)
{
	(void)state;
	struct apic_irq m = ioapic_entry_message(DEST(0x5A) | LEVEL | LOGICAL | DM_LOWEST | 0x77);
	assert_int_equal(m.vector, 0x77);
	assert_int_equal(m.delivery_mode, APIC_DM_LOWEST);
	assert_true(m.logical);
	assert_true(m.trigger_level);
	assert_true(m.level);
	assert_int_equal(m.dest, 0x5A);
	assert_int_equal(m.shorthand, APIC_SH_NONE);
	m = ioapic_entry_message(DEST(0xFF) | (0xCDull << 48) | DM_NMI | 0x02);
	assert_int_equal(m.dest, 0xFF); /* bits 55:48 are not part of the destination */
	assert_false(m.logical);
	assert_false(m.trigger_level);
	assert_int_equal(m.delivery_mode, APIC_DM_NMI);
}

static void test_edge(void **state)
{
	(void)state;
	ioapic_set_pin(&io, 2, true); /* masked: ignored, and not remembered */
	rte_write(2, DEST(1) | 0x30);
	assert_int_equal(nseen, 0);
	ioapic_set_pin(&io, 2, true);
	assert_int_equal(nseen, 1);
	assert_int_equal(seen[0].vector, 0x30);
	assert_int_equal(seen[0].dest, 1);
	assert_false(seen[0].trigger_level);
	ioapic_set_pin(&io, 2, false);
	ioapic_set_pin(&io, 2, true);
	assert_int_equal(nseen, 2);
	assert_int_equal(rte_read(2), DEST(1) | 0x30); /* no remote IRR for edges */
	ioapic_eoi(&io, 0x30);
	assert_int_equal(nseen, 2);
	ioapic_set_pin(&io, 24, true); /* no such pin */
	ioapic_set_pin(&io, 0xFFFFFFFFu, true);
	assert_int_equal(nseen, 2);
}

static void test_level_remote_irr_eoi(void **state)
{
	(void)state;
	rte_write(9, LEVEL | 0x51);
	ioapic_set_pin(&io, 9, true);
	assert_int_equal(nseen, 1);
	assert_true(seen[0].trigger_level);
	assert_int_equal(rte_read(9), LEVEL | REMOTE_IRR | 0x51);
	ioapic_set_pin(&io, 9, true); /* remote IRR set: no second message */
	assert_int_equal(nseen, 1);
	ioapic_eoi(&io, 0x52); /* another vector: nothing */
	assert_int_equal(rte_read(9), LEVEL | REMOTE_IRR | 0x51);
	ioapic_eoi(&io, 0x51); /* still asserted: delivered again, remote IRR set again */
	assert_int_equal(nseen, 2);
	assert_int_equal(rte_read(9), LEVEL | REMOTE_IRR | 0x51);
	ioapic_set_pin(&io, 9, false);
	ioapic_eoi(&io, 0x51);
	assert_int_equal(nseen, 2);
	assert_int_equal(rte_read(9), LEVEL | 0x51);
	/* Remote IRR is read-only: a write of the entry keeps it. */
	ioapic_set_pin(&io, 9, true);
	assert_int_equal(nseen, 3);
	rte_write(9, LEVEL | 0x51);
	assert_int_equal(rte_read(9), LEVEL | REMOTE_IRR | 0x51);
	assert_int_equal(nseen, 3);
	/* ... but turning the entry to edge clears it. */
	rte_write(9, MASKED | 0x51);
	assert_int_equal(rte_read(9), MASKED | 0x51);
}

static void test_directed_eoi_register(void **state)
{
	(void)state;
	rte_write(4, LEVEL | 0x60);
	ioapic_set_pin(&io, 4, true);
	assert_int_equal(nseen, 1);
	ioapic_mmio_write(&io, EOI, 4, 0x160); /* the whole value is compared with the 8-bit vector */
	assert_int_equal(rte_read(4), LEVEL | REMOTE_IRR | 0x60);
	ioapic_mmio_write(&io, 0x140, 4, 0x60); /* mirrored page */
	assert_int_equal(nseen, 2);
	ioapic_set_pin(&io, 4, false);
	ioapic_mmio_write(&io, EOI, 1, 0x60);
	assert_int_equal(rte_read(4), LEVEL | 0x60);
	assert_int_equal(nseen, 2);
}

static void test_masked_level_delivers_at_unmask(void **state)
{
	(void)state;
	rte_write(11, MASKED | LEVEL | 0x70);
	ioapic_set_pin(&io, 11, true);
	assert_int_equal(nseen, 0);
	assert_int_equal(rte_read(11), MASKED | LEVEL | 0x70);
	rte_write(11, LEVEL | 0x70);
	assert_int_equal(nseen, 1);
	/* Masked with remote IRR set: an EOI clears remote IRR but delivers nothing while masked. */
	rte_write(11, MASKED | LEVEL | 0x70);
	ioapic_eoi(&io, 0x70);
	assert_int_equal(rte_read(11), MASKED | LEVEL | 0x70);
	assert_int_equal(nseen, 1);
	/* A pin that went low while masked is not delivered at unmask. */
	ioapic_set_pin(&io, 11, false);
	rte_write(11, LEVEL | 0x70);
	assert_int_equal(nseen, 1);
}

static void test_two_pins_one_vector(void **state)
{
	(void)state;
	rte_write(16, LEVEL | 0x80);
	rte_write(17, LEVEL | 0x80);
	ioapic_set_pin(&io, 16, true);
	ioapic_set_pin(&io, 17, true);
	assert_int_equal(nseen, 2);
	ioapic_set_pin(&io, 16, false);
	ioapic_eoi(&io, 0x80); /* clears both; only pin 17 is still asserted */
	assert_int_equal(nseen, 3);
	assert_int_equal(rte_read(16), LEVEL | 0x80);
	assert_int_equal(rte_read(17), LEVEL | REMOTE_IRR | 0x80);
}

static void test_msi_decode(void **state)
{
	(void)state;
	struct apic_irq m;
	assert_true(msi_decode(0xFEE00000ull | 0x03 << 12, 0x41, &m));
	assert_int_equal(m.dest, 3);
	assert_int_equal(m.vector, 0x41);
	assert_int_equal(m.delivery_mode, APIC_DM_FIXED);
	assert_false(m.logical);
	assert_false(m.trigger_level);
	assert_true(m.level);
	assert_true(msi_decode(0xFEEFF004ull, 0xC000 | 0x400 | 0x02, &m)); /* DM logical, NMI, level */
	assert_int_equal(m.dest, 0xFF);
	assert_true(m.logical);
	assert_int_equal(m.delivery_mode, APIC_DM_NMI);
	assert_true(m.trigger_level);
	assert_true(msi_decode(0xFEE0100Cull, 0x50, &m)); /* RH: fixed becomes lowest priority */
	assert_int_equal(m.delivery_mode, APIC_DM_LOWEST);
	assert_true(m.logical);
	assert_true(msi_decode(0xFEE01008ull, 0x0450, &m)); /* RH with NMI: stays NMI */
	assert_int_equal(m.delivery_mode, APIC_DM_NMI);
	assert_true(msi_decode(0xFEE01000ull, 0x4050, &m)); /* the level bit does not matter */
	assert_true(m.level);
	assert_false(msi_decode(0xFED00000ull, 0x41, &m));
	assert_false(msi_decode(0xFEF00000ull, 0x41, &m));
	assert_false(msi_decode(0x1FEE00000ull, 0x41, &m));
	assert_false(msi_decode(0xFEE00000ull, 0x10041, &m));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_reset_and_identity, setup),
		cmocka_unit_test_setup(test_regsel_and_window_widths, setup),
		cmocka_unit_test_setup(test_rte_bits, setup),
		cmocka_unit_test_setup(test_entry_message, setup),
		cmocka_unit_test_setup(test_edge, setup),
		cmocka_unit_test_setup(test_level_remote_irr_eoi, setup),
		cmocka_unit_test_setup(test_directed_eoi_register, setup),
		cmocka_unit_test_setup(test_masked_level_delivers_at_unmask, setup),
		cmocka_unit_test_setup(test_two_pins_one_vector, setup),
		cmocka_unit_test_setup(test_msi_decode, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
