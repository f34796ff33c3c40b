/* Host unit tests for PCI configuration mechanism #1, RST_CNT and port 0x92 (hv/platform/rules/pci.h).
 * Expectations restate the PCI Local Bus Specification 3.0 section 3.2.2.3.2, the ICH9 datasheet's
 * RST_CNT, and QEMU 7.2's q35 host bridge and port92 with their own numbers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "hv/platform/rules/pci.h"

static struct pci p;
static bool reset;

static uint32_t in(uint16_t port, uint8_t size)
{
	return pci_io(&p, port - 0xCF8, size, true, 0, &reset);
}

static void out(uint16_t port, uint8_t size, uint32_t v)
{
	assert_int_equal(pci_io(&p, port - 0xCF8, size, false, v, &reset), 0);
}

static uint32_t cfg(uint32_t bus, uint32_t dev, uint32_t fn, uint32_t reg, uint16_t port, uint8_t size)
{
	out(0xCF8, 4, 0x80000000u | bus << 16 | dev << 11 | fn << 8 | reg);
	return in(port, size);
}

static int setup(void **state)
{
	memset(&p, 0xA5, sizeof(p));
	pci_init(&p);
	reset = false;
	return 0;
}

static void test_host_bridge(void **state)
{
	assert_int_equal(cfg(0, 0, 0, 0x00, 0xCFC, 4), 0x29C08086);
	assert_int_equal(cfg(0, 0, 0, 0x00, 0xCFC, 2), 0x8086);
	assert_int_equal(cfg(0, 0, 0, 0x00, 0xCFE, 2), 0x29C0);
	assert_int_equal(cfg(0, 0, 0, 0x00, 0xCFD, 1), 0x80);
	assert_int_equal(cfg(0, 0, 0, 0x08, 0xCFC, 4) >> 8, 0x060000); /* class: host bridge */
	assert_int_equal(cfg(0, 0, 0, 0x08, 0xCFF, 1), 0x06);
	assert_int_equal(cfg(0, 0, 0, 0x0C, 0xCFE, 1), 0x00); /* header type 0, single function */
	assert_int_equal(cfg(0, 0, 0, 0x2C, 0xCFC, 4), 0x11001AF4);
	assert_int_equal(cfg(0, 0, 0, 0x10, 0xCFC, 4), 0); /* no BARs */
	assert_int_equal(cfg(0, 0, 0, 0xFC, 0xCFC, 4), 0);
	out(0xCFC, 4, 0xFFFFFFFF); /* writes dropped */
	assert_int_equal(cfg(0, 0, 0, 0x00, 0xCFC, 4), 0x29C08086);
	assert_false(reset);
}

static void test_absent_functions(void **state)
{
	assert_int_equal(cfg(0, 0, 1, 0x00, 0xCFC, 4), 0xFFFFFFFF);
	assert_int_equal(cfg(0, 1, 0, 0x00, 0xCFC, 4), 0xFFFFFFFF);
	assert_int_equal(cfg(0, 31, 0, 0x00, 0xCFC, 2), 0xFFFF);
	assert_int_equal(cfg(1, 0, 0, 0x00, 0xCFC, 4), 0xFFFFFFFF);
	assert_int_equal(cfg(255, 31, 7, 0xFC, 0xCFF, 1), 0xFF);
	/* Bit 31 clear: CONFIG_DATA reads all ones, even for 0:0.0. */
	out(0xCF8, 4, 0x00000000);
	assert_int_equal(in(0xCFC, 4), 0xFFFFFFFF);
	assert_int_equal(in(0xCFC, 1), 0xFF);
}

static void test_config_address_latch(void **state)
{
	out(0xCF8, 4, 0x8000F0FC);
	assert_int_equal(in(0xCF8, 4), 0x8000F0FC);
	out(0xCF8, 2, 0x1234); /* only a 32-bit OUT at 0xCF8 latches */
	out(0xCF8, 1, 0x12);
	out(0xCFA, 2, 0x1234);
	assert_int_equal(in(0xCF8, 4), 0x8000F0FC);
	assert_int_equal(in(0xCF8, 2), 0xF0FC);
	assert_int_equal(in(0xCFA, 2), 0xF0FC); /* QEMU: every read gets the register's low bytes */
	assert_int_equal(in(0xCFB, 1), 0xFC);
	assert_int_equal(in(0xCFA, 4), 0); /* unaligned: refused */
	/* The latch's bits 1:0 are ORed into the register, as QEMU's pci_data_read(). */
	out(0xCF8, 4, 0x80000002);
	assert_int_equal(in(0xCFC, 2), 0x29C0);
}

/* RST_CNT: a byte at 0xCF9; bit 2 resets, bits 3 and 1 are kept. */
static void test_rst_cnt(void **state)
{
	out(0xCF9, 1, 0x0A);
	assert_false(reset);
	assert_int_equal(in(0xCF9, 1), 0x0A);
	out(0xCF9, 1, 0x02);
	assert_int_equal(in(0xCF9, 1), 0x02);
	out(0xCF9, 1, 0x06);
	assert_true(reset);
	setup(NULL);
	out(0xCF9, 1, 0x0E);
	assert_true(reset);
	setup(NULL);
	out(0xCF9, 1, 0x0F); /* the FADT's reset value */
	assert_true(reset);
	setup(NULL);
	out(0xCF9, 1, 0xFB); /* everything but bit 2 */
	assert_false(reset);
	assert_int_equal(in(0xCF9, 1), 0x0A);
	out(0xCF8, 4, 0x80000004); /* a dword at 0xCF8 covers 0xCF9 but is CONFIG_ADDRESS */
	assert_false(reset);
	out(0xCF8, 4, 0x80000000);
	assert_false(reset);
}

static void test_port92(void **state)
{
	assert_int_equal(port92_io(&p, 1, true, 0, &reset), 0x02); /* A20 on, as SeaBIOS leaves it */
	port92_io(&p, 1, false, 0x00, &reset);
	assert_false(reset);
	assert_int_equal(port92_io(&p, 1, true, 0, &reset), 0x00);
	port92_io(&p, 1, false, 0x03, &reset);
	assert_true(reset);
	setup(NULL);
	p.port92 = 0x03; /* bit 0 already set: no edge, no reset */
	port92_io(&p, 1, false, 0x01, &reset);
	assert_false(reset);
	port92_io(&p, 1, false, 0x00, &reset);
	port92_io(&p, 1, false, 0x01, &reset);
	assert_true(reset);
	setup(NULL);
	port92_io(&p, 2, false, 0x0100, &reset); /* two bytes, both to the register: 0x00 then 0x01 */
	assert_true(reset);
	setup(NULL);
	port92_io(&p, 4, false, 0x01, &reset); /* unaligned dword: refused */
	assert_false(reset);
	assert_int_equal(port92_io(&p, 4, true, 0, &reset), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_host_bridge, setup),
		cmocka_unit_test_setup(test_absent_functions, setup),
		cmocka_unit_test_setup(test_config_address_latch, setup),
		cmocka_unit_test_setup(test_rst_cnt, setup),
		cmocka_unit_test_setup(test_port92, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
