/* Host unit tests for the Multiboot v1 information the loader writes into guest RAM (multiboot_build_info,
 * multiboot_load, hv/rules/loader/mbi.c). Offsets are the Multiboot Specification 0.6.96 ones, written out here
 * rather than taken from hv/rules/loader/multiboot_info.h. Where a value says "QEMU 7.2", it is what
 * guest-tests/mbinfo.c printed on qemu-system-x86_64 7.2 -kernel for the same layout. */
#include "loader_images.h"

#define RAM_BUF (4u << 20)
#define POISON 0xCC
#define MBI 0x9500u
#define MMAP 0x9000u
#define MBI_FLAGS_QEMU 0x24Fu /* MEM, BOOTDEV, CMDLINE, MODS, MMAP, LOADER_NAME */

static uint8_t *ram;
static uint8_t mod_a[1000], mod_b[5];

static int setup(void **state)
{
	ram = malloc(RAM_BUF);
	assert_non_null(ram);
	for (unsigned i = 0; i < sizeof(mod_a); i++)
		mod_a[i] = (uint8_t)(i * 7 + 1);
	memcpy(mod_b, "hello", 5);
	return 0;
}

static int teardown(void **state)
{
	free(ram);
	return 0;
}

/* A parsed kernel: one segment per (gpa, size) pair. */
static struct mb_image kernel(uint64_t gpa0, uint64_t size0, uint64_t gpa1, uint64_t size1)
{
	struct mb_image k = { .entry = (uint32_t)gpa0, .nseg = size1 ? 2 : 1 };
	k.seg[0] = (struct mb_segment){ .gpa = gpa0, .mem_size = size0 };
	k.seg[1] = (struct mb_segment){ .gpa = gpa1, .mem_size = size1 };
	return k;
}

static uint32_t build_at(const struct mb_image *k, const struct mb_boot *b, uint64_t ram_size)
{
	const char *why = NULL;
	uint32_t mbi = 0;

	memset(ram, POISON, RAM_BUF);
	int rc = multiboot_build_info(ram, ram_size, k, b, &mbi, &why);
	if (rc)
		fail_msg("refused (%d): %s", rc, why ? why : "(no reason)");
	return mbi;
}

static void build(const struct mb_image *k, const struct mb_boot *b, uint64_t ram_size)
{
	assert_int_equal(build_at(k, b, ram_size), MBI);
}

static void expect_refused(const struct mb_image *k, const struct mb_boot *b, uint64_t ram_size, const char *want)
{
	const char *why = NULL;
	uint32_t mbi = 0x1234;

	memset(ram, POISON, RAM_BUF);
	assert_int_equal(multiboot_build_info(ram, ram_size, k, b, &mbi, &why), -EINVAL);
	assert_non_null(why);
	if (!strstr(why, want))
		fail_msg("reason \"%s\" does not contain \"%s\"", why, want);
	assert_int_equal(mbi, 0x1234);
	assert_int_equal(ram[MBI], POISON); /* nothing written */
}

static void expect_mmap_entry(const uint8_t *e, uint64_t base, uint64_t len, uint32_t type)
{
	assert_int_equal(get32(e), 20);
	assert_int_equal(get64(e + 4), base);
	assert_int_equal(get64(e + 12), len);
	assert_int_equal(get32(e + 20), type);
}

static const char *str(uint32_t gpa)
{
	return (const char *)ram + gpa;
}

/* ---- The layout QEMU's loader uses ---- */

static void test_qemu_layout_with_modules(void **state)
{
	/* guest-tests/mbinfo.c on QEMU 7.2: -kernel mbinfo.elf -append "a b  c" -initrd "m.bin x y,m2.bin",
	 * a kernel at 0x100000 whose size rounds up to 0x1D000. */
	struct mb_image k = kernel(0x100000, 0x1C800, 0, 0);
	const struct mb_module mods[] = { { mod_a, sizeof(mod_a), "m.bin x y" }, { mod_b, sizeof(mod_b), "m2.bin" } };
	const struct mb_boot b = { "mbinfo.elf", "a b  c", mods, 2 };
	const uint8_t *m = ram + MBI;

	build(&k, &b, RAM_BUF);
	assert_int_equal(get32(m + 0), MBI_FLAGS_QEMU);
	assert_int_equal(get32(m + 12), 0x8000FFFF);   /* boot_device */
	assert_int_equal(get32(m + 16), 0x11D031);     /* cmdline (QEMU 7.2) */
	assert_string_equal(str(0x11D031), "mbinfo.elf a b  c");
	assert_int_equal(get32(m + 20), 2);            /* mods_count */
	assert_int_equal(get32(m + 24), 0x11D000);     /* mods_addr (QEMU 7.2) */
	assert_string_equal(str(get32(m + 64)), "qemu"); /* boot_loader_name */
	/* The module list: start, end, string, reserved. */
	const uint8_t *l = ram + 0x11D000;
	assert_int_equal(get32(l + 0), 0x11E000);      /* QEMU 7.2 */
	assert_int_equal(get32(l + 4), 0x11E3E8);
	assert_string_equal(str(get32(l + 8)), "m.bin x y");
	assert_int_equal(get32(l + 8), 0x11D020);      /* right after the two list entries */
	assert_int_equal(get32(l + 12), 0);
	assert_int_equal(get32(l + 16), 0x11F000);     /* QEMU 7.2 */
	assert_int_equal(get32(l + 20), 0x11F005);
	assert_string_equal(str(get32(l + 24)), "m2.bin");
	assert_memory_equal(ram + 0x11E000, mod_a, sizeof(mod_a));
	assert_memory_equal(ram + 0x11F000, mod_b, sizeof(mod_b));
	/* The loader name follows the strings QEMU reserved room for. */
	assert_int_equal(get32(m + 64), 0x11D031 + sizeof("mbinfo.elf a b  c"));
	assert_int_equal(ram[0x11F005], POISON);      /* nothing after the last module */
	assert_int_equal(ram[0x11CFFF], POISON);      /* nor between the kernel and the list */
}

static void test_qemu_layout_without_modules(void **state)
{
	/* QEMU 7.2 without -append and -initrd: "mbinfo.elf " (QEMU always adds the space), mods 0 at 0x11D000,
	 * and the command line right there. */
	struct mb_image k = kernel(0x100000, 0x1D000, 0, 0);
	const struct mb_boot b = { "mbinfo.elf", NULL, NULL, 0 };

	build(&k, &b, RAM_BUF);
	assert_int_equal(get32(ram + MBI + 20), 0);
	assert_int_equal(get32(ram + MBI + 24), 0x11D000);
	assert_int_equal(get32(ram + MBI + 16), 0x11D000);
	assert_memory_equal(str(0x11D000), "mbinfo.elf \0qemu\0", 17);
	assert_int_equal(get32(ram + MBI + 64), 0x11D00C);

	const struct mb_boot empty = { "k", "", NULL, 0 }; /* -append "" is the same */
	build(&k, &empty, RAM_BUF);
	assert_memory_equal(str(0x11D000), "k \0qemu\0", 8);
}

static void test_layout_follows_kernel_extent(void **state)
{
	/* Two segments with a gap: QEMU takes lowest start to highest end (elf_low, elf_high). */
	struct mb_image k = kernel(0x100000, 0x800, 0x200000, 0x100);
	const struct mb_module mods[] = { { mod_b, 5, "m" } };
	const struct mb_boot b = { "k", "x", mods, 1 };

	build(&k, &b, RAM_BUF);
	assert_int_equal(get32(ram + MBI + 24), 0x201000);
	assert_int_equal(get32(ram + 0x201000), 0x202000); /* the module's page */

	/* A base that is not page aligned: QEMU aligns offsets from the base, not addresses. */
	k = kernel(0x100010, 0x1000, 0, 0);
	build(&k, &b, RAM_BUF);
	assert_int_equal(get32(ram + MBI + 24), 0x101010);
	assert_int_equal(get32(ram + 0x101010), 0x102010);

	/* Strings that spill over a page push the first module one page further. */
	char longarg[5000];
	memset(longarg, 'x', sizeof(longarg) - 1);
	longarg[sizeof(longarg) - 1] = '\0';
	const struct mb_boot big = { "k", longarg, mods, 1 };
	k = kernel(0x100000, 0x1000, 0, 0);
	build(&k, &big, RAM_BUF);
	assert_int_equal(get32(ram + 0x101000), 0x103000);
	assert_int_equal(strlen(str(get32(ram + MBI + 16))), 2 + sizeof(longarg) - 1);
}

static void test_empty_module(void **state)
{
	/* An empty file: start == end, and QEMU puts the next module at the same address. */
	struct mb_image k = kernel(0x100000, 0x1000, 0, 0);
	const struct mb_module mods[] = { { mod_b, 0, "empty" }, { mod_b, 5, "m2" } };
	const struct mb_boot b = { "k", "", mods, 2 };

	build(&k, &b, RAM_BUF);
	const uint8_t *l = ram + 0x101000;
	assert_int_equal(get32(l + 0), 0x102000);
	assert_int_equal(get32(l + 4), 0x102000);
	assert_int_equal(get32(l + 16), 0x102000);
	assert_int_equal(get32(l + 20), 0x102005);
}

/* ---- The fixed part: information structure and memory map ---- */

static void test_mbi_fields(void **state)
{
	struct mb_image k = kernel(0x100000, 0x3000, 0, 0);
	const struct mb_boot b = { "k", "x", NULL, 0 };
	const uint8_t *m = ram + MBI;

	build(&k, &b, 128ull << 20);
	assert_int_equal(get32(m + 4), 639);                 /* mem_lower, KiB */
	assert_int_equal(get32(m + 8), (127u << 20) / 1024); /* mem_upper: 127 MiB above 1 MiB */
	assert_int_equal(get32(m + 44), 4 * 24);             /* mmap_length */
	assert_int_equal(get32(m + 48), MMAP);               /* mmap_addr */
	/* Everything not set is zero: syms, drives, config, APM, VBE. */
	static const unsigned zero_from[][2] = { { 28, 44 }, { 52, 64 }, { 68, 88 } };
	for (unsigned r = 0; r < 3; r++)
		for (unsigned i = zero_from[r][0]; i < zero_from[r][1]; i++)
			if (m[i] != 0)
				fail_msg("MBI byte %u is 0x%x, expected 0", i, m[i]);
	assert_int_equal(m[88], POISON); /* nothing written past the 88-byte structure */
	assert_int_equal(m[-1], POISON); /* nor between the memory map and it */
}

static void test_mbi_mem_sizes(void **state)
{
	struct mb_image k = kernel(0x100000, 0x1000, 0, 0);
	const struct mb_boot b = { "k", NULL, NULL, 0 };

	build(&k, &b, (16ull << 20) + 0x7FF); /* not a KiB multiple: rounded down */
	assert_int_equal(get32(ram + MBI + 8), 15361);
	build(&k, &b, RAM_8G); /* more than 4 GiB of RAM */
	assert_int_equal(get32(ram + MBI + 8), (RAM_8G - (1u << 20)) / 1024);
}


static void test_mbi_mmap(void **state)
{
	struct mb_image k = kernel(0x100000, 0x1000, 0, 0);
	const struct mb_boot b = { "k", NULL, NULL, 0 };
	const uint8_t *e = ram + MMAP;

	build(&k, &b, RAM_8G);
	assert_int_equal(get32(ram + MBI + 44), 96);
	expect_mmap_entry(e + 0, 0, 0x9FC00, 1);
	expect_mmap_entry(e + 24, 0x9FC00, 0xA0000 - 0x9FC00, 2);
	expect_mmap_entry(e + 48, 0xF0000, 0x10000, 2); /* the BIOS area, where the ACPI tables are */
	expect_mmap_entry(e + 72, 0x100000, RAM_8G - 0x100000, 1);
	assert_int_equal(e[96], POISON);

	/* Walking it the way a guest does (entry += size + 4) visits the same four entries. */
	unsigned n = 0;
	for (uint32_t off = 0; off < 96; off += get32(e + off) + 4)
		n++;
	assert_int_equal(n, 4);
}

/* ---- A kernel at QEMU's information area: the map and the structure move after it ---- */

static void test_info_moved_when_kernel_uses_area(void **state)
{
	const struct mb_module mods[] = { { mod_a, sizeof(mod_a), "m.bin" } };
	const struct mb_boot b = { "k", "x", mods, 1 };
	/* Kernel 0x8000-0x9800: list and strings at 0xA000, the module at 0xB000-0xB3E8, so the map at
	 * 0xC000 and the structure at 0xC500. */
	struct mb_image k = kernel(0x8000, 0x1800, 0, 0);
	uint32_t mbi = build_at(&k, &b, RAM_BUF);
	assert_int_equal(mbi, 0xC500);
	assert_int_equal(get32(ram + mbi), MBI_FLAGS_QEMU);
	assert_int_equal(get32(ram + mbi + 24), 0xA000);   /* mods_addr: where QEMU puts it too */
	assert_int_equal(get32(ram + 0xA000), 0xB000);     /* mod_start: unchanged by the move */
	assert_int_equal(get32(ram + mbi + 48), 0xC000);   /* mmap_addr */
	assert_int_equal(get32(ram + mbi + 44), 96);
	expect_mmap_entry(ram + 0xC000, 0, 0x9FC00, 1);
	assert_string_equal(str(get32(ram + mbi + 16)), "k x");
	for (uint32_t a = 0x8000; a < 0x9800; a++) /* the kernel's bytes are not written */
		if (ram[a] != POISON)
			fail_msg("kernel byte 0x%x written", a);
	/* A kernel below the area whose strings reach into it moves it as well. */
	const struct mb_boot nomods = { "k", NULL, NULL, 0 };
	k = kernel(0x8000, 0x800, 0, 0); /* strings at 0x9000-0x9008 */
	assert_int_equal(build_at(&k, &nomods, RAM_BUF), 0xA500);
	/* A kernel elsewhere keeps QEMU's addresses (test_mbi_mmap). */
}

/* ---- Refusals ---- */

static void test_refusals(void **state)
{
	struct mb_image k = kernel(0x100000, 0x1000, 0, 0);
	const struct mb_boot b = { "k", NULL, NULL, 0 };
	const struct mb_module big[] = { { mod_a, 3u << 20, "big" } }; /* data never read: refused first */
	const struct mb_boot too_big = { "k", NULL, big, 1 };

	expect_refused(&k, &b, 512u << 10, "smaller than 1 MiB");
	struct mb_image none = { .nseg = 0 };
	expect_refused(&none, &b, RAM_BUF, "no kernel segments");
	expect_refused(&k, &too_big, RAM_BUF,
		       "the command line and modules after the kernel (0x101000-0x402000) do not fit in guest RAM "
		       "(0x400000 bytes)");
	/* A kernel that uses 0x9000-0xA000 so that the moved information would reach the EBDA. */
	struct mb_image high = kernel(0x9000, 0x95000, 0, 0);
	expect_refused(&high, &b, RAM_BUF, "the memory map and information structure do not fit after it "
		       "(0x9F000-0xA0000)");
	/* Just below the EBDA: what follows the kernel would overlap. */
	struct mb_image ebda = kernel(0x9EC00, 0x1000, 0, 0); /* ends at 639 KiB: allowed itself */
	expect_refused(&ebda, &b, RAM_BUF, "(0x9FC00-0x9FC08) overlap the EBDA/VGA/BIOS hole 0x9FC00-0x100000");
	/* ... but a page lower there is room. */
	ebda = kernel(0x9E000, 0x1000, 0, 0);
	build(&ebda, &b, RAM_BUF);
	assert_int_equal(get32(ram + MBI + 16), 0x9F000);

	struct mb_module many[MB_MAX_MODULES + 1];
	for (unsigned i = 0; i <= MB_MAX_MODULES; i++)
		many[i] = (struct mb_module){ mod_b, 1, "m" };
	const struct mb_boot too_many = { "k", NULL, many, MB_MAX_MODULES + 1 };
	expect_refused(&k, &too_many, RAM_BUF, "more than 8 modules");
}

/* ---- multiboot_load: the image's segments, then the information ---- */

static void test_load_copies_segments(void **state)
{
	struct mb_image out;
	const char *why = NULL;
	uint32_t mbi = 0;
	const struct mb_boot b = { "std", NULL, NULL, 0 };

	uint64_t size = build_std(); /* 0x800 bytes at 0x100000, then 0x100 + 0x2F00 bss at 0x101000 */
	expect_accept(size, RAM_BUF, &out);
	memset(ram, POISON, RAM_BUF);
	assert_int_equal(multiboot_load(ram, RAM_BUF, img, &out, &b, &mbi, &why), 0);
	assert_int_equal(mbi, MBI);
	assert_memory_equal(ram + 0x100000, img + 0x1000, 0x800);
	assert_memory_equal(ram + 0x101000, img + 0x2000, 0x100);
	for (uint32_t a = 0x101100; a < 0x104000; a++)
		if (ram[a] != 0)
			fail_msg("bss byte 0x%x not zeroed", a);
	assert_int_equal(ram[0x100800], POISON); /* the gap between the segments is not touched */
	assert_int_equal(get32(ram + MBI + 24), 0x104000); /* after 0x100000 + 0x4000 */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_qemu_layout_with_modules),
		cmocka_unit_test(test_qemu_layout_without_modules),
		cmocka_unit_test(test_layout_follows_kernel_extent),
		cmocka_unit_test(test_empty_module),
		cmocka_unit_test(test_mbi_fields),
		cmocka_unit_test(test_mbi_mem_sizes),
		cmocka_unit_test(test_mbi_mmap),
		cmocka_unit_test(test_info_moved_when_kernel_uses_area),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_load_copies_segments),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
