/* Host unit tests for the Multiboot v1 / ELF32 guest-image parser (multiboot_parse, hv/loader).
 * Images are synthesized in memory by loader_images.h. The information structure the guest receives
 * (multiboot_build_info) is tested in test_mbi.c. */
#include "loader_images.h"

/* ---- Valid ELF images ---- */

static void test_elf_valid(void **state)
{
	struct mb_image out;

	expect_accept(build_std(), RAM_16M, &out);
	assert_int_equal(out.entry, STD_ENTRY);
	assert_int_equal(out.header_flags, STD_FLAGS);
	assert_int_equal(out.nseg, 2);
	expect_seg(&out.seg[0], 0x1000, 0x800, 0x100000, 0x800);
	expect_seg(&out.seg[1], 0x2000, 0x100, 0x101000, 0x3000); /* 0x2F00 bytes of bss to zero */
}

static void test_elf_flags_accepted(void **state)
{
	struct mb_image out;

	/* Bit 2 (video mode) is accepted and ignored, bits 17-31 are optional. */
	build_elf(std_segs, STD_N, STD_ENTRY, STD_FLAGS | F_VIDEO | (1u << 20), STD_SIZE);
	expect_accept(STD_SIZE, RAM_16M, &out);
	assert_int_equal(out.header_flags, STD_FLAGS | F_VIDEO | (1u << 20));
	build_elf(std_segs, STD_N, STD_ENTRY, 0, STD_SIZE);
	expect_accept(STD_SIZE, RAM_16M, &out);
	assert_int_equal(out.header_flags, 0);
}

static void test_elf_higher_half_entry(void **state)
{
	struct seg_spec s[] = {
		{ PT_LOAD, 0x1000, 0xC0100000, 0x100000, 0x800, 0x2000 },
	};
	struct mb_image out;

	/* e_entry is virtual: translated through the segment whose virtual range holds it. */
	build_elf(s, 1, 0xC0101FFF, STD_FLAGS, 0x1800);
	expect_accept(0x1800, RAM_16M, &out);
	assert_int_equal(out.entry, 0x101FFF);
	expect_seg(&out.seg[0], 0x1000, 0x800, 0x100000, 0x2000);
	/* A physical e_entry (no virtual match) is taken as is. */
	build_elf(s, 1, 0x100040, STD_FLAGS, 0x1800);
	expect_accept(0x1800, RAM_16M, &out);
	assert_int_equal(out.entry, 0x100040);
}

static void test_elf_bss_only_segment(void **state)
{
	struct seg_spec s[] = {
		{ PT_LOAD, 0x1000, 0x100000, 0x100000, 0x100, 0x100 },
		{ PT_LOAD, 0xFFFFFFF0, 0x200000, 0x200000, 0, 0x4000 }, /* offset irrelevant: nothing to copy */
	};
	struct mb_image out;

	build_elf(s, 2, 0x100000, STD_FLAGS, 0x1100);
	expect_accept(0x1100, RAM_16M, &out);
	assert_int_equal(out.nseg, 2);
	expect_seg(&out.seg[1], 0, 0, 0x200000, 0x4000);
}

static void test_elf_boundaries_accepted(void **state)
{
	struct mb_image out;

	expect_accept(build_one(0x1000, 0x10, 0x10), RAM_16M, &out);     /* lowest allowed address */
	expect_accept(build_one(0x8000, 0x10, 0x1000), RAM_16M, &out);   /* ends at the reserved area */
	expect_accept(build_one(0xA000, 0x10, 0x1000), RAM_16M, &out);   /* starts where it ends */
	expect_accept(build_one(0x9F000, 0x10, 0xC00), RAM_16M, &out);   /* ends at 639 KiB */
	expect_accept(build_one(0xFFF000, 0x10, 0x1000), RAM_16M, &out); /* ends at the end of RAM */
	assert_int_equal(out.seg[0].gpa, 0xFFF000);
	/* Segments that touch but do not overlap. */
	struct seg_spec s[] = {
		{ PT_LOAD, 0x1000, 0x100000, 0x100000, 0x800, 0x800 },
		{ PT_LOAD, 0x1800, 0x100800, 0x100800, 0x100, 0x100 },
	};
	build_elf(s, 2, 0x100800, STD_FLAGS, 0x1900);
	expect_accept(0x1900, RAM_16M, &out);
	assert_int_equal(out.nseg, 2);
}

static void test_elf_max_segments(void **state)
{
	struct seg_spec s[MB_MAX_SEGMENTS + 1];
	struct mb_image out;

	for (unsigned i = 0; i < MB_MAX_SEGMENTS + 1; i++)
		s[i] = (struct seg_spec){ PT_LOAD, T_DATA + i * 0x10, 0x100000 + i * 0x1000, 0x100000 + i * 0x1000,
					  0x10, 0x10 };
	build_elf(s, MB_MAX_SEGMENTS, 0x100000, STD_FLAGS, 0x2000);
	expect_accept(0x2000, RAM_16M, &out);
	assert_int_equal(out.nseg, MB_MAX_SEGMENTS);
	expect_seg(&out.seg[MB_MAX_SEGMENTS - 1], T_DATA + 0xF0, 0x10, 0x10F000, 0x10);

	build_elf(s, MB_MAX_SEGMENTS + 1, 0x100000, STD_FLAGS, 0x2000);
	expect_reject(0x2000, RAM_16M, "more than 16 loadable (PT_LOAD) segments");
}

/* ---- The Multiboot header ---- */

static void test_header_missing(void **state)
{
	uint64_t size = build_std();

	put32(T_MBH_OFF, 0);
	expect_reject(size, RAM_16M, "no Multiboot header (magic 0x1BADB002) in the first 8192 bytes");
	expect_reject(0, RAM_16M, "no Multiboot header");
	expect_reject_img(NULL, 100, RAM_16M, "no image");
}

static void test_header_beyond_8k(void **state)
{
	struct mb_image out;

	build_std();
	put32(T_MBH_OFF, 0);
	put_mb_header(8192, STD_FLAGS);
	expect_reject(0x3000, RAM_16M, "Multiboot header beyond the first 8192 bytes");
	/* Starts inside the first 8 KiB but does not end there. */
	put32(8192, 0);
	put_mb_header(8188, STD_FLAGS);
	expect_reject(0x3000, RAM_16M, "Multiboot header beyond the first 8192 bytes");
	/* Ends exactly at 8192: fine. */
	put32(8188, 0);
	put_mb_header(8180, STD_FLAGS);
	expect_accept(0x3000, RAM_16M, &out);
}

static void test_header_misaligned(void **state)
{
	uint64_t size = build_std();

	put32(T_MBH_OFF, 0);
	put_mb_header(T_MBH_OFF + 2, STD_FLAGS);
	expect_reject(size, RAM_16M, "Multiboot header not 4-byte aligned");
}

static void test_header_truncated(void **state)
{
	/* The file ends inside the header. */
	clear_image();
	put_mb_header(8, STD_FLAGS);
	expect_reject(16, RAM_16M, "file truncated: Multiboot header beyond end of file");
}

static void test_header_bad_checksum(void **state)
{
	uint64_t size = build_std();

	put32(T_MBH_OFF + 8, 0u - (MB_MAGIC + STD_FLAGS) + 1);
	expect_reject(size, RAM_16M, "bad Multiboot header checksum");
	/* The checksum covers the flags too. */
	build_std();
	put32(T_MBH_OFF + 4, STD_FLAGS | F_VIDEO);
	expect_reject(size, RAM_16M, "bad Multiboot header checksum");
}

static void test_header_bad_then_good(void **state)
{
	struct seg_spec s = { PT_LOAD, T_DATA, 0x100000, 0x100000, 0x100, 0x100 };
	struct mb_image out;

	/* As in QEMU: a magic with a wrong checksum is skipped, the next valid header is used. */
	build_elf(&s, 1, 0x100000, STD_FLAGS, 0x1100);
	put32(T_MBH_OFF + 8, 0);
	put_mb_header(0x400, STD_FLAGS | F_VIDEO);
	expect_accept(0x1100, RAM_16M, &out);
	assert_int_equal(out.header_flags, STD_FLAGS | F_VIDEO);
}

static void test_header_unsupported_flags(void **state)
{
	build_elf(std_segs, STD_N, STD_ENTRY, STD_FLAGS | F_MODS_UNSUPPORTED, STD_SIZE);
	expect_reject(STD_SIZE, RAM_16M, "Multiboot header requires unsupported features (flags 0x8)");
	build_elf(std_segs, STD_N, STD_ENTRY, F_PAGE_ALIGN | (1u << 15) | (1u << 20), STD_SIZE);
	expect_reject(STD_SIZE, RAM_16M, "unsupported features (flags 0x8000)");
}

/* ---- ELF identification and header ---- */

static void test_elf64_rejected(void **state)
{
	uint64_t size = build_std();

	img[E_CLASS] = 2;
	expect_reject(size, RAM_16M, "ELF64 image: Multiboot v1 needs ELF32 (objcopy -O elf32-i386)");
	img[E_CLASS] = 3;
	expect_reject(size, RAM_16M, "bad ELF class");
}

static void test_elf_big_endian_rejected(void **state)
{
	uint64_t size = build_std();

	img[E_DATA] = 2;
	expect_reject(size, RAM_16M, "big-endian ELF");
	build_std();
	img[E_VERSION_ID] = 0;
	expect_reject(size, RAM_16M, "unsupported ELF version");
}

static void test_elf_wrong_machine(void **state)
{
	uint64_t size = build_std();

	put16(E_MACHINE, 62); /* EM_X86_64 */
	expect_reject(size, RAM_16M, "ELF machine 62 is not i386 (EM_386 = 3)");
}

static void test_elf_not_executable(void **state)
{
	uint64_t size = build_std();

	put16(E_TYPE, 3); /* ET_DYN */
	expect_reject(size, RAM_16M, "ELF type 3 is not an executable (ET_EXEC = 2)");
}

static void test_not_elf_no_kludge(void **state)
{
	uint64_t size = build_std();

	img[0] = 0;
	expect_reject(size, RAM_16M, "not an ELF file and no a.out-kludge address fields");
	img[0] = 0x7f;
	img[3] = 'G';
	expect_reject(size, RAM_16M, "not an ELF file and no a.out-kludge address fields");
}

static void test_truncated_elf_header(void **state)
{
	/* The only way to have a Multiboot header inside a file shorter than the ELF header is to put it
	 * over ELF header fields; the size check must come before they are believed. */
	clear_image();
	put_elf_ident();
	put_mb_header(36, STD_FLAGS);
	expect_reject(48, RAM_16M, "file truncated: ELF header beyond end of file");
	expect_reject(51, RAM_16M, "file truncated: ELF header beyond end of file");
}

static void test_truncated_phdrs(void **state)
{
	build_std();
	/* Every cut from just after the Multiboot header to the last byte of the table. */
	for (uint64_t cut = T_MBH_OFF + 12; cut < STD_PHDR_END; cut++)
		expect_reject(cut, RAM_16M, "file truncated: program header table beyond end of file");

	build_std();
	put32(E_PHOFF, 0xFFFFFFF0); /* offset + table size exceeds 4 GiB: must not wrap */
	expect_reject(STD_SIZE, RAM_16M, "file truncated: program header table beyond end of file");
}

static void test_truncated_segment_data(void **state)
{
	build_std();
	for (uint64_t cut = STD_PHDR_END; cut < 0x1800; cut += 0x40)
		expect_reject(cut, RAM_16M, "file truncated: program header 0 data (offset 0x1000 size 0x800)");
	for (uint64_t cut = 0x1800; cut < STD_SIZE; cut += 0x40)
		expect_reject(cut, RAM_16M, "file truncated: program header 1 data (offset 0x2000 size 0x100)");
	expect_reject(STD_SIZE - 1, RAM_16M, "file truncated: program header 1 data");
}

static void test_phentsize_wrong(void **state)
{
	uint64_t size = build_std();

	put16(E_PHENTSIZE, 56); /* Elf64_Phdr */
	expect_reject(size, RAM_16M, "bad ELF program header size 56 (Elf32_Phdr is 32 bytes)");
	put16(E_PHENTSIZE, 0);
	expect_reject(size, RAM_16M, "bad ELF program header size 0");
}

static void test_phnum_bad(void **state)
{
	uint64_t size = build_std();

	put16(E_PHNUM, 0);
	expect_reject(size, RAM_16M, "ELF image has no program headers");
	put16(E_PHNUM, 65);
	expect_reject(size, RAM_16M, "too many ELF program headers (65, at most 64)");
	put16(E_PHNUM, 0xFFFF);
	expect_reject(size, RAM_16M, "too many ELF program headers (65535, at most 64)");
}

static void test_no_load_segments(void **state)
{
	struct seg_spec s[] = {
		{ PT_NOTE, 0x40, 0x100000, 0x100000, 0x20, 0x20 },
		{ PT_LOAD, 0x1000, 0x100000, 0x100000, 0, 0 },
	};

	build_elf(s, 2, 0x100000, STD_FLAGS, 0x1000);
	expect_reject(0x1000, RAM_16M, "ELF image has no loadable (PT_LOAD) segments");
}

/* ---- Segments ---- */

static void test_filesz_gt_memsz(void **state)
{
	expect_reject(build_one(0x100000, 0x900, 0x800), RAM_16M,
		      "program header 0: p_filesz 0x900 larger than p_memsz 0x800");
}

static void test_overlapping_segments(void **state)
{
	struct seg_spec s[] = {
		{ PT_LOAD, 0x1000, 0x100000, 0x100000, 0x800, 0x800 },
		{ PT_LOAD, 0x2000, 0x100400, 0x100400, 0x100, 0x3000 },
	};

	build_elf(s, 2, 0x100000, STD_FLAGS, 0x2100);
	expect_reject(0x2100, RAM_16M, "segment at 0x100400 size 0x3000 overlaps segment at 0x100000");
	/* One segment wholly inside the other, listed second. */
	s[0].memsz = 0x10000;
	s[1].paddr = 0x104000;
	build_elf(s, 2, 0x100000, STD_FLAGS, 0x2100);
	expect_reject(0x2100, RAM_16M, "segment at 0x104000 size 0x3000 overlaps segment at 0x100000");
	/* ... or listed first. */
	struct seg_spec t[] = { s[1], s[0] };
	build_elf(t, 2, 0x100000, STD_FLAGS, 0x2100);
	expect_reject(0x2100, RAM_16M, "segment at 0x100000 size 0x10000 overlaps segment at 0x104000");
}

/* QEMU loads a kernel over 0x9000-0xA000 (where its option ROM then writes the memory map and the
 * information): accepted, the loader moves those (test_mbi.c). */
static void test_segment_reserved_area(void **state)
{
	struct mb_image out;
	expect_accept(build_one(0x9800, 0x100, 0x100), RAM_16M, &out);
	expect_accept(build_one(0x8000, 0x10, 0x1001), RAM_16M, &out); /* last byte inside */
	expect_accept(build_one(0x9FFF, 0x1, 0x1), RAM_16M, &out);
	expect_accept(build_one(0x2000, 0x10, 0x10000), RAM_16M, &out); /* straddles it */
	expect_seg(&out.seg[0], T_DATA, 0x10, 0x2000, 0x10000);
}

static void test_segment_low_areas(void **state)
{
	expect_reject(build_one(0, 0x10, 0x10), RAM_16M, "segment at 0x0 is in the first page");
	expect_reject(build_one(0xFFF, 0x10, 0x10), RAM_16M, "segment at 0xFFF is in the first page");
	expect_reject(build_one(0x9FC00, 0x10, 0x10), RAM_16M,
		      "segment at 0x9FC00 size 0x10 overlaps the EBDA/VGA/BIOS hole 0x9FC00-0x100000");
	expect_reject(build_one(0xB8000, 0x10, 0x10), RAM_16M, "overlaps the EBDA/VGA/BIOS hole");
	expect_reject(build_one(0xFF000, 0x10, 0x1001), RAM_16M, "overlaps the EBDA/VGA/BIOS hole");
}

static void test_segment_beyond_ram(void **state)
{
	expect_reject(build_one(0xFFF000, 0x10, 0x2000), RAM_16M,
		      "segment at 0xFFF000 size 0x2000 beyond guest RAM (0x1000000)");
	expect_reject(build_one(0x2000000, 0x10, 0x10), RAM_16M,
		      "segment at 0x2000000 size 0x10 beyond guest RAM (0x1000000)");
	/* One byte too many (the segment ending exactly at the end of RAM is accepted elsewhere). */
	expect_reject(build_one(0xFFF000, 0x10, 0x1001), RAM_16M, "beyond guest RAM (0x1000000)");
}

static void test_segment_wraps_32bit(void **state)
{
	/* p_paddr + p_memsz wraps to 0x1000: a 32-bit sum would pass the RAM check. */
	expect_reject(build_one(0xFFFFF000, 0x10, 0x2000), RAM_8G,
		      "segment at 0xFFFFF000 size 0x2000 wraps past the 32-bit address space");
	expect_reject(build_one(0xFFFFF000, 0x10, 0x2000), RAM_16M, "wraps past the 32-bit address space");
	/* Ends exactly at 4 GiB: representable, so only RAM limits it. */
	struct mb_image out;
	expect_accept(build_one(0xFFFFF000, 0x10, 0x1000), RAM_8G, &out);
	assert_int_equal(out.entry, 0xFFFFF000);
}

static void test_segment_huge_file_range(void **state)
{
	struct seg_spec s = { PT_LOAD, 0xFFFFFF00, 0x100000, 0x100000, 0x200, 0x200 };

	/* p_offset + p_filesz wraps to 0x100, well inside a 32-bit view of the file. */
	build_elf(&s, 1, 0x100000, STD_FLAGS, 0x2000);
	expect_reject(0x2000, RAM_16M, "program header 0 data (offset 0xFFFFFF00 size 0x200) beyond end of file");
	/* A huge p_filesz from a small offset wraps the same way. */
	s = (struct seg_spec){ PT_LOAD, 0x1000, 0x100000, 0x100000, 0xFFFFFFFF, 0xFFFFFFFF };
	build_elf(&s, 1, 0x100000, STD_FLAGS, 0x2000);
	expect_reject(0x2000, RAM_16M, "program header 0 data (offset 0x1000 size 0xFFFFFFFF) beyond end of file");
}

static void test_entry_outside(void **state)
{
	struct mb_image out;

	build_elf(std_segs, STD_N, 0x200000, STD_FLAGS, STD_SIZE);
	expect_reject(STD_SIZE, RAM_16M, "entry point 0x200000 outside loaded segments");
	build_elf(std_segs, STD_N, 0x104000, STD_FLAGS, STD_SIZE); /* one past the end of the bss */
	expect_reject(STD_SIZE, RAM_16M, "entry point 0x104000 outside loaded segments");
	build_elf(std_segs, STD_N, 0x100800, STD_FLAGS, STD_SIZE); /* the gap between the segments */
	expect_reject(STD_SIZE, RAM_16M, "entry point 0x100800 outside loaded segments");
	build_elf(std_segs, STD_N, 0x103FFF, STD_FLAGS, STD_SIZE); /* last byte of the bss */
	expect_accept(STD_SIZE, RAM_16M, &out);
	assert_int_equal(out.entry, 0x103FFF);
}

/* ---- a.out kludge ---- */

#define AOUT_SIZE 0x3000u
#define AOUT_FLAGS (STD_FLAGS | F_AOUT)

/* A non-ELF file whose Multiboot header (with address fields) sits at file offset hdr_off. */
static uint64_t build_aout(uint64_t hdr_off, uint32_t header_addr, uint32_t load_addr, uint32_t load_end,
			   uint32_t bss_end, uint32_t entry)
{
	clear_image();
	put_mb_header(hdr_off, AOUT_FLAGS);
	put_aout_fields(hdr_off, header_addr, load_addr, load_end, bss_end, entry);
	return AOUT_SIZE;
}

static void test_aout_valid_whole_file(void **state)
{
	struct mb_image out;

	/* Loading starts at file offset 0 (header_addr - load_addr == header offset), up to end of file. */
	expect_accept(build_aout(0x40, 0x100040, 0x100000, 0, 0x105000, 0x100080), RAM_16M, &out);
	assert_int_equal(out.entry, 0x100080);
	assert_int_equal(out.header_flags, AOUT_FLAGS);
	assert_int_equal(out.nseg, 1);
	expect_seg(&out.seg[0], 0, AOUT_SIZE, 0x100000, 0x5000);
	/* No bss. */
	expect_accept(build_aout(0x40, 0x100040, 0x100000, 0, 0, 0x100080), RAM_16M, &out);
	expect_seg(&out.seg[0], 0, AOUT_SIZE, 0x100000, AOUT_SIZE);
}

static void test_aout_valid_load_end(void **state)
{
	struct mb_image out;

	/* Header at file offset 0x1040 and address 0x100040: the text starts at file offset 0x1000. */
	expect_accept(build_aout(0x1040, 0x100040, 0x100000, 0x101800, 0, 0x100000), RAM_16M, &out);
	expect_seg(&out.seg[0], 0x1000, 0x1800, 0x100000, 0x1800);
	/* load_end_addr at the very end of the file. */
	expect_accept(build_aout(0x1040, 0x100040, 0x100000, 0x102000, 0x102000, 0x100000), RAM_16M, &out);
	expect_seg(&out.seg[0], 0x1000, 0x2000, 0x100000, 0x2000);
}

static void test_aout_wins_over_elf(void **state)
{
	struct mb_image out;

	/* Bit 16 set on an ELF file: the address fields are used, not the program headers. */
	uint64_t size = build_std();
	put_mb_header(T_MBH_OFF, AOUT_FLAGS);
	put_aout_fields(T_MBH_OFF, 0x200040, 0x200000, 0, 0, 0x200000);
	expect_accept(size, RAM_16M, &out);
	assert_int_equal(out.nseg, 1);
	expect_seg(&out.seg[0], 0, STD_SIZE, 0x200000, STD_SIZE);
	assert_int_equal(out.entry, 0x200000);
}

static void test_aout_bad_addresses(void **state)
{
	build_aout(0x40, 0x100040, 0x100100, 0, 0, 0x100100);
	expect_reject(AOUT_SIZE, RAM_16M, "a.out kludge: load_addr 0x100100 above header_addr 0x100040");
	build_aout(0x40, 0x100040, 0xFF000, 0, 0, 0x100000);
	expect_reject(AOUT_SIZE, RAM_16M, "a.out kludge: load_addr 0xFF000 is before the start of the file "
					  "(header_addr 0x100040, header at file offset 0x40)");
	build_aout(0x40, 0x100040, 0xFFFFF, 0, 0, 0x100000); /* one byte before the file */
	expect_reject(AOUT_SIZE, RAM_16M, "a.out kludge: load_addr 0xFFFFF is before the start of the file");
	build_aout(0x40, 0x100040, 0x100000, 0xFFFFF, 0, 0x100000);
	expect_reject(AOUT_SIZE, RAM_16M, "a.out kludge: load_end_addr 0xFFFFF below load_addr 0x100000");
	build_aout(0x40, 0x100040, 0x100000, 0x103001, 0, 0x100000);
	expect_reject(AOUT_SIZE, RAM_16M, "file truncated: a.out kludge load_end_addr 0x103001 beyond end of file");
	build_aout(0x40, 0x100040, 0x100000, 0, 0x102FFF, 0x100000);
	expect_reject(AOUT_SIZE, RAM_16M,
		      "a.out kludge: bss_end_addr 0x102FFF below the end of the loaded data 0x103000");
	build_aout(0x40, 0x100040, 0x100000, 0x100000, 0, 0x100000);
	expect_reject(AOUT_SIZE, RAM_16M, "a.out kludge: nothing to load");
}

static void test_aout_truncated_fields(void **state)
{
	build_aout(0x40, 0x100040, 0x100000, 0, 0, 0x100000);
	expect_reject(0x40 + 31, RAM_16M, "file truncated: Multiboot a.out-kludge address fields beyond end of file");
	expect_reject(0x40 + 12, RAM_16M, "file truncated: Multiboot a.out-kludge address fields");
	/* The 12-byte header fits in the first 8 KiB, the address fields do not. */
	clear_image();
	put_mb_header(8176, AOUT_FLAGS);
	put_aout_fields(8176, 0x100000 + 8176, 0x100000, 0, 0, 0x100000);
	expect_reject(AOUT_SIZE, RAM_16M, "with a.out-kludge fields extends beyond the first 8192 bytes");
}

static void test_aout_placement(void **state)
{
	build_aout(0x40, 0x100040, 0x100000, 0, 0, 0x200000);
	expect_reject(AOUT_SIZE, RAM_16M, "entry point 0x200000 outside loaded segments");
	build_aout(0x40, 0xFFF040, 0xFFF000, 0, 0, 0xFFF000);
	expect_reject(AOUT_SIZE, RAM_16M, "segment at 0xFFF000 size 0x3000 beyond guest RAM (0x1000000)");
	build_aout(0x40, 0xFFFFF040, 0xFFFFF000, 0, 0, 0xFFFFF000);
	expect_reject(AOUT_SIZE, RAM_8G, "segment at 0xFFFFF000 size 0x3000 wraps past the 32-bit address space");
	struct mb_image out;
	build_aout(0x40, 0x9040, 0x9000, 0, 0, 0x9000); /* at QEMU's information area: accepted, as by QEMU */
	expect_accept(AOUT_SIZE, RAM_16M, &out);
	build_aout(0x40, 0x40, 0, 0, 0, 0);
	expect_reject(AOUT_SIZE, RAM_16M, "segment at 0x0 is in the first page");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_elf_valid),
		cmocka_unit_test(test_elf_flags_accepted),
		cmocka_unit_test(test_elf_higher_half_entry),
		cmocka_unit_test(test_elf_bss_only_segment),
		cmocka_unit_test(test_elf_boundaries_accepted),
		cmocka_unit_test(test_elf_max_segments),
		cmocka_unit_test(test_header_missing),
		cmocka_unit_test(test_header_beyond_8k),
		cmocka_unit_test(test_header_misaligned),
		cmocka_unit_test(test_header_truncated),
		cmocka_unit_test(test_header_bad_checksum),
		cmocka_unit_test(test_header_bad_then_good),
		cmocka_unit_test(test_header_unsupported_flags),
		cmocka_unit_test(test_elf64_rejected),
		cmocka_unit_test(test_elf_big_endian_rejected),
		cmocka_unit_test(test_elf_wrong_machine),
		cmocka_unit_test(test_elf_not_executable),
		cmocka_unit_test(test_not_elf_no_kludge),
		cmocka_unit_test(test_truncated_elf_header),
		cmocka_unit_test(test_truncated_phdrs),
		cmocka_unit_test(test_truncated_segment_data),
		cmocka_unit_test(test_phentsize_wrong),
		cmocka_unit_test(test_phnum_bad),
		cmocka_unit_test(test_no_load_segments),
		cmocka_unit_test(test_filesz_gt_memsz),
		cmocka_unit_test(test_overlapping_segments),
		cmocka_unit_test(test_segment_reserved_area),
		cmocka_unit_test(test_segment_low_areas),
		cmocka_unit_test(test_segment_beyond_ram),
		cmocka_unit_test(test_segment_wraps_32bit),
		cmocka_unit_test(test_segment_huge_file_range),
		cmocka_unit_test(test_entry_outside),
		cmocka_unit_test(test_aout_valid_whole_file),
		cmocka_unit_test(test_aout_valid_load_end),
		cmocka_unit_test(test_aout_wins_over_elf),
		cmocka_unit_test(test_aout_bad_addresses),
		cmocka_unit_test(test_aout_truncated_fields),
		cmocka_unit_test(test_aout_placement),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
