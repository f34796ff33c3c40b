/* Host unit tests for the fw_cfg model (hv/platform/rules/fwcfg.h). The expectations restate QEMU's
 * hw/nvram/fw_cfg.c (I/O variant) and docs/specs/fw_cfg.rst with their own constants, and every port
 * case here was also checked on QEMU 7.2 itself by guest-tests/mbinfo.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "hv/platform/rules/fwcfg.h"

#define SEL 0   /* port 0x510 - 0x510 */
#define DATA 1  /* port 0x511 - 0x510 */
#define KEY_SIGNATURE 0x0000
#define KEY_ID 0x0001
#define KEY_RAM_SIZE 0x0003
#define KEY_NB_CPUS 0x0005
#define KEY_MAX_CPUS 0x000f
#define KEY_FILE_DIR 0x0019
#define KEY_WRITE_CHANNEL 0x4000
#define KEY_ARCH_LOCAL 0x8000
#define RAM_32M (32ull << 20)

static struct fwcfg f;

static void outw_sel(uint16_t key)
{
	assert_int_equal(fwcfg_io(&f, SEL, 2, false, key), 0);
}

static uint8_t inb_data(void)
{
	return (uint8_t)fwcfg_io(&f, DATA, 1, true, 0);
}

/* Selects `key` and reads `n` bytes (n <= 16) into buf. */
static void read_item(uint16_t key, uint8_t *buf, unsigned n)
{
	outw_sel(key);
	for (unsigned i = 0; i < n; i++)
		buf[i] = inb_data();
}

static uint64_t read_le(uint16_t key, unsigned n)
{
	uint8_t b[16];
	uint64_t v = 0;
	read_item(key, b, n);
	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)b[i] << (8 * i);
	return v;
}

static void setup(uint64_t ram, uint16_t cpus)
{
	memset(&f, 0xA5, sizeof(f)); /* fwcfg_init must not depend on the previous contents */
	fwcfg_init(&f, ram, cpus);
}

/* ---- The items ---- */

static void test_signature_and_id(void **state)
{
	uint8_t b[8];

	setup(RAM_32M, 1);
	read_item(KEY_SIGNATURE, b, 8);
	assert_memory_equal(b, "QEMU\0\0\0\0", 8); /* 4 bytes, then 0 past the end */
	/* Traditional interface only: bit 0 set, bit 1 (DMA) clear, 4 bytes little-endian. */
	assert_int_equal(read_le(KEY_ID, 4), 1);
	read_item(KEY_ID, b, 5);
	assert_memory_equal(b, "\x01\0\0\0\0", 5);
}

static void test_ram_size(void **state)
{
	setup(RAM_32M, 1);
	assert_int_equal(read_le(KEY_RAM_SIZE, 8), RAM_32M);
	setup(0x123456789ABCDEF0ull, 1); /* all eight bytes, little-endian */
	uint8_t b[9];
	read_item(KEY_RAM_SIZE, b, 9);
	assert_memory_equal(b, "\xF0\xDE\xBC\x9A\x78\x56\x34\x12\0", 9);
}

static void test_cpu_counts(void **state)
{
	static const uint16_t counts[] = { 1, 2, 254, 255, 288, 1024, 0xFFFF };

	for (unsigned i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		setup(RAM_32M, counts[i]);
		assert_int_equal(read_le(KEY_NB_CPUS, 2), counts[i]);
		assert_int_equal(read_le(KEY_MAX_CPUS, 2), counts[i]);
		assert_int_equal(read_le(KEY_NB_CPUS, 3), counts[i]); /* a third byte reads 0 */
	}
}

/* One file, etc/e820, as QEMU's FWCfgFiles: BE count, then BE size, BE key 0x20, reserved, 56-byte name. */
static void test_file_dir_e820(void **state)
{
	uint8_t b[72];
	static const uint8_t head[12] = { 0, 0, 0, 1, 0, 0, 0, 20, 0x00, 0x20, 0, 0 };

	setup(RAM_32M, 4);
	read_item(KEY_FILE_DIR, b, sizeof(b));
	assert_memory_equal(b, head, sizeof(head));
	assert_string_equal((const char *)b + 12, "etc/e820");
	for (unsigned i = 12 + 8; i < sizeof(b); i++)
		assert_int_equal(b[i], 0); /* name padding, then past the end */
	/* The file: { 0, RAM size, 1 }, little-endian, 20 bytes, then zeros. */
	assert_int_equal(read_le(0x20, 8), 0);
	read_item(0x20, b, 24);
	uint64_t len = 0;
	for (unsigned i = 0; i < 8; i++)
		len |= (uint64_t)b[8 + i] << (8 * i);
	assert_int_equal(len, RAM_32M);
	assert_int_equal(b[16] | b[17] << 8 | b[18] << 16 | b[19] << 24, 1);
	assert_memory_equal(b + 20, "\0\0\0\0", 4);
}

static void test_reset_selects_signature(void **state)
{
	setup(RAM_32M, 1);
	assert_int_equal(inb_data(), 'Q'); /* no selection yet: fw_cfg_reset() selected the signature */
	assert_int_equal(inb_data(), 'E');
	setup(RAM_32M, 1); /* init rewinds */
	assert_int_equal(inb_data(), 'Q');
}

/* ---- Port semantics ---- */

static void test_select_rewinds(void **state)
{
	setup(RAM_32M, 1);
	outw_sel(KEY_SIGNATURE);
	assert_int_equal(inb_data(), 'Q');
	assert_int_equal(inb_data(), 'E');
	outw_sel(KEY_SIGNATURE);
	assert_int_equal(inb_data(), 'Q');
	outw_sel(KEY_ID);
	assert_int_equal(inb_data(), 1);
}

static void test_past_end_reads_zero_and_stays(void **state)
{
	setup(RAM_32M, 1);
	outw_sel(KEY_NB_CPUS);
	assert_int_equal(inb_data(), 1);
	assert_int_equal(inb_data(), 0);
	for (int i = 0; i < 100; i++)
		assert_int_equal(inb_data(), 0);
	outw_sel(KEY_NB_CPUS);
	assert_int_equal(inb_data(), 1);
}

static void test_inb_selector_port_reads_data(void **state)
{
	setup(RAM_32M, 1);
	outw_sel(KEY_SIGNATURE);
	assert_int_equal(fwcfg_io(&f, SEL, 1, true, 0), 'Q');
	assert_int_equal(fwcfg_io(&f, DATA, 1, true, 0), 'E');
	assert_int_equal(fwcfg_io(&f, SEL, 1, true, 0), 'M');
}

static void test_wide_reads_zero_without_advancing(void **state)
{
	setup(RAM_32M, 1);
	outw_sel(KEY_SIGNATURE);
	assert_int_equal(fwcfg_io(&f, SEL, 2, true, 0), 0);
	assert_int_equal(fwcfg_io(&f, DATA, 2, true, 0), 0);
	assert_int_equal(fwcfg_io(&f, SEL, 4, true, 0), 0);
	assert_int_equal(fwcfg_io(&f, DATA, 4, true, 0), 0);
	assert_int_equal(inb_data(), 'Q');
}

static void test_refused_writes(void **state)
{
	setup(RAM_32M, 1);
	outw_sel(KEY_SIGNATURE);
	assert_int_equal(inb_data(), 'Q');
	fwcfg_io(&f, SEL, 1, false, KEY_ID);  /* 8-bit writes: QEMU removed write support in v2.4 */
	fwcfg_io(&f, DATA, 1, false, KEY_ID);
	fwcfg_io(&f, DATA, 2, false, KEY_ID); /* unaligned */
	fwcfg_io(&f, SEL, 4, false, KEY_ID);  /* too wide */
	fwcfg_io(&f, DATA, 4, false, KEY_ID);
	assert_int_equal(inb_data(), 'E');    /* same item, same offset */
	assert_int_equal(read_le(KEY_SIGNATURE, 4), 0x554D4551); /* the data did not change either */
}

static void test_select_takes_low_16_bits(void **state)
{
	setup(RAM_32M, 3);
	fwcfg_io(&f, SEL, 2, false, 0xABCD0000u | KEY_NB_CPUS); /* the guest's AX, upper bits ignored */
	assert_int_equal(inb_data(), 3);
}

static void test_unknown_and_flagged_keys(void **state)
{
	static const uint16_t unknown[] = { 0x0002, 0x0004, 0x0010, 0x0020, 0x3FFF, KEY_ARCH_LOCAL,
					    KEY_ARCH_LOCAL | KEY_SIGNATURE | KEY_WRITE_CHANNEL, 0x8003, 0xFFFF };

	setup(RAM_32M, 2);
	for (unsigned i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		assert_int_equal(read_le(unknown[i], 8), 0);
		assert_int_equal(fwcfg_io(&f, SEL, 1, true, 0), 0);
	}
	/* The write-channel bit is dropped when the item is looked up, as in QEMU. */
	assert_int_equal(read_le(KEY_WRITE_CHANNEL | KEY_SIGNATURE, 4), 0x554D4551); /* "QEMU" */
	assert_int_equal(read_le(KEY_WRITE_CHANNEL | KEY_NB_CPUS, 2), 2);
}

static void test_other_ports_and_zero_state(void **state)
{
	setup(RAM_32M, 1);
	outw_sel(KEY_SIGNATURE);
	assert_int_equal(fwcfg_io(&f, 2, 1, true, 0), 0); /* not fw_cfg's port */
	fwcfg_io(&f, 2, 2, false, KEY_ID);
	assert_int_equal(inb_data(), 'Q');

	memset(&f, 0, sizeof(f)); /* a VM before platform setup: no items, nothing breaks */
	assert_int_equal(inb_data(), 0);
	assert_int_equal(read_le(KEY_SIGNATURE, 4), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signature_and_id),
		cmocka_unit_test(test_ram_size),
		cmocka_unit_test(test_cpu_counts),
		cmocka_unit_test(test_file_dir_e820),
		cmocka_unit_test(test_reset_selects_signature),
		cmocka_unit_test(test_select_rewinds),
		cmocka_unit_test(test_past_end_reads_zero_and_stays),
		cmocka_unit_test(test_inb_selector_port_reads_data),
		cmocka_unit_test(test_wide_reads_zero_without_advancing),
		cmocka_unit_test(test_refused_writes),
		cmocka_unit_test(test_select_takes_low_16_bits),
		cmocka_unit_test(test_unknown_and_flagged_keys),
		cmocka_unit_test(test_other_ports_and_zero_state),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
