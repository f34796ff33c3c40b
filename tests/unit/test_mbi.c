/* Host unit tests for the Multiboot v1 information structure the loader writes into guest RAM
 * (multiboot_build_info, hv/loader). Offsets are the Multiboot Specification 0.6.96 ones, written out
 * here rather than taken from hv/loader/multiboot_info.h. */
#include "loader_images.h"

#define RAM_BUF 0x10000u /* covers everything below MB_RESERVED_END */
#define POISON 0xCC
#define MBI_FLAGS_EXPECTED (0x1u | 0x4u | 0x8u | 0x40u) /* MEM, CMDLINE, MODS, MMAP */

static uint8_t *ram_buf(void)
{
	uint8_t *ram = malloc(RAM_BUF);
	assert_non_null(ram);
	memset(ram, POISON, RAM_BUF);
	return ram;
}

static void test_mbi_fields(void **state)
{
	uint8_t *ram = ram_buf();
	const uint8_t *m = ram + MB_INFO_GPA;

	assert_int_equal(multiboot_build_info(ram, 128ull << 20, "x"), 0x9000);
	assert_int_equal(get32(m + 0), MBI_FLAGS_EXPECTED);
	assert_int_equal(get32(m + 4), 639);                 /* mem_lower, KiB */
	assert_int_equal(get32(m + 8), (127u << 20) / 1024); /* mem_upper: 127 MiB above 1 MiB */
	assert_int_equal(get32(m + 16), 0x9800);             /* cmdline */
	assert_int_equal(get32(m + 20), 0);                  /* mods_count */
	assert_int_equal(get32(m + 24), 0x9400);             /* mods_addr */
	assert_int_equal(get32(m + 44), 4 * 24);             /* mmap_length */
	assert_int_equal(get32(m + 48), 0x9100);             /* mmap_addr */
	/* Everything not set is zero: boot_device, syms, drives, config, loader name, APM, VBE. */
	static const unsigned zero_from[][2] = { { 12, 16 }, { 28, 44 }, { 52, 88 } };
	for (unsigned r = 0; r < 3; r++)
		for (unsigned i = zero_from[r][0]; i < zero_from[r][1]; i++)
			if (m[i] != 0)
				fail_msg("MBI byte %u is 0x%x, expected 0", i, m[i]);
	assert_int_equal(m[88], POISON); /* nothing written past the 88-byte structure */
	free(ram);
}

static void test_mbi_mem_sizes(void **state)
{
	uint8_t *ram = ram_buf();

	/* Not a KiB multiple: rounded down. */
	multiboot_build_info(ram, (16ull << 20) + 0x7FF, NULL);
	assert_int_equal(get32(ram + MB_INFO_GPA + 8), 15361);
	/* More than 4 GiB of RAM. */
	multiboot_build_info(ram, RAM_8G, NULL);
	assert_int_equal(get32(ram + MB_INFO_GPA + 8), (RAM_8G - (1u << 20)) / 1024);
	/* Too little RAM for the fixed layout: refused. */
	assert_int_equal(multiboot_build_info(ram, 512u << 10, NULL), 0);
	assert_int_equal(multiboot_build_info(NULL, RAM_16M, NULL), 0);
	free(ram);
}

static void test_mbi_cmdline(void **state)
{
	uint8_t *ram = ram_buf();
	const char *c = "console=ttyS0 verbose";

	multiboot_build_info(ram, RAM_16M, c);
	assert_string_equal((const char *)ram + MB_CMDLINE_GPA, c);
	assert_int_equal(ram[MB_CMDLINE_GPA + strlen(c) + 1], POISON);

	multiboot_build_info(ram, RAM_16M, "");
	assert_int_equal(ram[MB_CMDLINE_GPA], 0);
	free(ram);
}

static void test_mbi_cmdline_null(void **state)
{
	uint8_t *ram = ram_buf();

	multiboot_build_info(ram, RAM_16M, NULL);
	assert_int_equal(ram[MB_CMDLINE_GPA], 0);
	assert_int_equal(ram[MB_CMDLINE_GPA + 1], POISON);
	assert_int_equal(get32(ram + MB_INFO_GPA) & 0x4, 0x4); /* still a valid (empty) command line */
	assert_int_equal(get32(ram + MB_INFO_GPA + 16), 0x9800);
	free(ram);
}

static void test_mbi_cmdline_truncated(void **state)
{
	uint8_t *ram = ram_buf();
	char *c = malloc(0x900 + 1);

	assert_non_null(c);
	memset(c, 'a', 0x900);
	c[0x900] = '\0';
	multiboot_build_info(ram, RAM_16M, c);
	assert_int_equal(strlen((const char *)ram + MB_CMDLINE_GPA), MB_CMDLINE_MAX - 1);
	assert_int_equal(ram[MB_CMDLINE_GPA + MB_CMDLINE_MAX - 2], 'a');
	assert_int_equal(ram[MB_CMDLINE_GPA + MB_CMDLINE_MAX - 1], 0);
	assert_int_equal(ram[MB_RESERVED_END], POISON); /* nothing beyond the reserved area */

	/* Exactly MB_CMDLINE_MAX - 1 characters fit untruncated. */
	c[MB_CMDLINE_MAX - 1] = '\0';
	memset(ram, POISON, RAM_BUF);
	multiboot_build_info(ram, RAM_16M, c);
	assert_string_equal((const char *)ram + MB_CMDLINE_GPA, c);
	free(c);
	free(ram);
}

static void expect_mmap_entry(const uint8_t *e, uint64_t base, uint64_t len, uint32_t type)
{
	assert_int_equal(get32(e), 20);
	assert_int_equal(get64(e + 4), base);
	assert_int_equal(get64(e + 12), len);
	assert_int_equal(get32(e + 20), type);
}

static void test_mbi_mmap(void **state)
{
	uint8_t *ram = ram_buf();
	const uint8_t *e = ram + MB_MMAP_GPA;

	multiboot_build_info(ram, RAM_8G, NULL);
	assert_int_equal(get32(ram + MB_INFO_GPA + 44), 96);
	expect_mmap_entry(e + 0, 0, 0x9FC00, 1);
	expect_mmap_entry(e + 24, 0x9FC00, 0xA0000 - 0x9FC00, 2);
	expect_mmap_entry(e + 48, 0xF0000, 0x10000, 2);
	expect_mmap_entry(e + 72, 0x100000, RAM_8G - 0x100000, 1);
	assert_int_equal(e[96], POISON);

	/* Walking it the way a guest does (entry += size + 4) visits the same four entries. */
	unsigned n = 0;
	for (uint32_t off = 0; off < 96; off += get32(e + off) + 4)
		n++;
	assert_int_equal(n, 4);
	free(ram);
}
int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mbi_fields),
		cmocka_unit_test(test_mbi_mem_sizes),
		cmocka_unit_test(test_mbi_cmdline),
		cmocka_unit_test(test_mbi_cmdline_null),
		cmocka_unit_test(test_mbi_cmdline_truncated),
		cmocka_unit_test(test_mbi_mmap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
