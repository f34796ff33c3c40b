/* Host unit tests for the Multiboot v1 / ELF32 guest-image loader (hv/loader).
 * Images are synthesized in memory; field offsets are written out from the ELF and Multiboot
 * specifications here rather than taken from the loader's own structures, so a layout mistake in
 * the loader cannot hide itself. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hv/loader/multiboot.h"
#include "hv/loader/multiboot_info.h"

/* ---- Image construction ---- */

#define IMG_CAP 0x10000u
#define RAM_16M (16ull << 20)
#define RAM_8G (8ull << 30)

#define MB_MAGIC 0x1BADB002u
#define F_PAGE_ALIGN 0x1u
#define F_MEMINFO 0x2u
#define F_VIDEO 0x4u
#define F_MODS_UNSUPPORTED 0x8u /* bit 3: a required bit the loader does not implement */
#define F_AOUT 0x10000u
#define STD_FLAGS (F_PAGE_ALIGN | F_MEMINFO)

/* ELF32 field offsets (System V ABI). */
#define E_CLASS 4
#define E_DATA 5
#define E_VERSION_ID 6
#define E_TYPE 16
#define E_MACHINE 18
#define E_VERSION 20
#define E_ENTRY 24
#define E_PHOFF 28
#define E_EHSIZE 40
#define E_PHENTSIZE 42
#define E_PHNUM 44
#define EHDR_SIZE 52
#define PHDR_SIZE 32

#define PT_LOAD 1
#define PT_NOTE 4
#define PT_GNU_STACK 0x6474e551u

/* Test image layout: ELF header, Multiboot header (room for the a.out fields), program headers,
 * segment data from 0x1000. Keeping the headers early lets the truncation tests cut anywhere. */
#define T_MBH_OFF 0x40u
#define T_PHOFF 0x80u
#define T_DATA 0x1000u

static uint8_t img[IMG_CAP];

static void put16(uint64_t off, uint16_t v)
{
	img[off] = (uint8_t)v;
	img[off + 1] = (uint8_t)(v >> 8);
}

static void put32(uint64_t off, uint32_t v)
{
	put16(off, (uint16_t)v);
	put16(off + 2, (uint16_t)(v >> 16));
}

static uint32_t get32(const uint8_t *p)
{
	return p[0] | (p[1] << 8) | (p[2] << 16) | ((uint32_t)p[3] << 24);
}

static uint64_t get64(const uint8_t *p)
{
	return get32(p) | ((uint64_t)get32(p + 4) << 32);
}

/* Magic, flags and a correct checksum at `off`. */
static void put_mb_header(uint64_t off, uint32_t flags)
{
	put32(off, MB_MAGIC);
	put32(off + 4, flags);
	put32(off + 8, 0u - (MB_MAGIC + flags));
}

static void put_aout_fields(uint64_t hdr_off, uint32_t header_addr, uint32_t load_addr, uint32_t load_end,
			    uint32_t bss_end, uint32_t entry)
{
	put32(hdr_off + 12, header_addr);
	put32(hdr_off + 16, load_addr);
	put32(hdr_off + 20, load_end);
	put32(hdr_off + 24, bss_end);
	put32(hdr_off + 28, entry);
}

struct seg_spec {
	uint32_t type, offset, vaddr, paddr, filesz, memsz;
};

static void clear_image(void)
{
	/* A byte pattern that can never form the Multiboot magic. */
	for (uint32_t i = 0; i < IMG_CAP; i++)
		img[i] = (uint8_t)(i & 0x7f);
}

static void put_elf_ident(void)
{
	img[0] = 0x7f;
	img[1] = 'E';
	img[2] = 'L';
	img[3] = 'F';
	img[E_CLASS] = 1;      /* ELFCLASS32 */
	img[E_DATA] = 1;       /* little endian */
	img[E_VERSION_ID] = 1; /* EV_CURRENT */
	for (int i = 7; i < 16; i++)
		img[i] = 0;
}

static void put_phdr(unsigned i, const struct seg_spec *s)
{
	uint64_t p = T_PHOFF + (uint64_t)i * PHDR_SIZE;
	put32(p + 0, s->type);
	put32(p + 4, s->offset);
	put32(p + 8, s->vaddr);
	put32(p + 12, s->paddr);
	put32(p + 16, s->filesz);
	put32(p + 20, s->memsz);
	put32(p + 24, 7);      /* p_flags RWX */
	put32(p + 28, 0x1000); /* p_align */
}

/* An ELF32 i386 executable with the given program headers and a Multiboot header; returns size. */
static uint64_t build_elf(const struct seg_spec *segs, unsigned n, uint32_t entry, uint32_t mb_flags,
			  uint64_t size)
{
	clear_image();
	put_elf_ident();
	put16(E_TYPE, 2);    /* ET_EXEC */
	put16(E_MACHINE, 3); /* EM_386 */
	put32(E_VERSION, 1);
	put32(E_ENTRY, entry);
	put32(E_PHOFF, T_PHOFF);
	put32(32, 0); /* e_shoff */
	put32(36, 0); /* e_flags */
	put16(E_EHSIZE, EHDR_SIZE);
	put16(E_PHENTSIZE, PHDR_SIZE);
	put16(E_PHNUM, (uint16_t)n);
	put16(46, 40); /* e_shentsize */
	put16(48, 0);  /* e_shnum */
	put16(50, 0);  /* e_shstrndx */
	for (unsigned i = 0; i < n; i++)
		put_phdr(i, &segs[i]);
	put_mb_header(T_MBH_OFF, mb_flags);
	return size;
}

/* The reference kernel: text, data+bss, plus headers the loader must skip. */
static const struct seg_spec std_segs[] = {
	{ PT_LOAD, 0x1000, 0x100000, 0x100000, 0x800, 0x800 },
	{ PT_LOAD, 0x2000, 0x101000, 0x101000, 0x100, 0x3000 },
	{ PT_GNU_STACK, 0, 0, 0, 0, 0 },
	{ PT_LOAD, 0xFFFFFFFF, 0, 0, 0, 0 },     /* empty PT_LOAD: ignored */
	{ PT_NOTE, 0x40, 0, 0, 0x20, 0x20 },     /* not loaded, even at address 0 */
};
#define STD_N 5u
#define STD_ENTRY 0x100010u
#define STD_SIZE 0x2100u
#define STD_PHDR_END (T_PHOFF + STD_N * PHDR_SIZE)

static uint64_t build_std(void)
{
	return build_elf(std_segs, STD_N, STD_ENTRY, STD_FLAGS, STD_SIZE);
}

/* One PT_LOAD at paddr (memsz bytes, file data at T_DATA), entry at its start. */
static uint64_t build_one(uint32_t paddr, uint32_t filesz, uint32_t memsz)
{
	struct seg_spec s = { PT_LOAD, T_DATA, paddr, paddr, filesz, memsz };
	return build_elf(&s, 1, paddr, STD_FLAGS, T_DATA + filesz);
}

/* ---- Checking results ---- */

static void expect_reject_img(const void *image, uint64_t size, uint64_t ram, const char *want)
{
	struct mb_image out;
	const char *why = NULL;

	memset(&out, 0xA5, sizeof(out));
	int rc = multiboot_parse(image, size, ram, &out, &why);
	if (rc == 0)
		fail_msg("image accepted, expected rejection with \"%s\"", want);
	assert_int_equal(rc, -EINVAL);
	assert_non_null(why);
	if (!strstr(why, want))
		fail_msg("reason \"%s\" does not contain \"%s\"", why, want);
	assert_int_equal(out.nseg, 0);
}

static void expect_reject(uint64_t size, uint64_t ram, const char *want)
{
	expect_reject_img(img, size, ram, want);
}

static void expect_accept(uint64_t size, uint64_t ram, struct mb_image *out)
{
	const char *why = NULL;

	memset(out, 0xA5, sizeof(*out));
	int rc = multiboot_parse(img, size, ram, out, &why);
	if (rc != 0)
		fail_msg("image rejected (%d): %s", rc, why ? why : "(no reason)");
	assert_null(why); /* only failures set the reason */
}

static void expect_seg(const struct mb_segment *s, uint64_t off, uint64_t fsz, uint64_t gpa, uint64_t msz)
{
	assert_int_equal(s->file_offset, off);
	assert_int_equal(s->file_size, fsz);
	assert_int_equal(s->gpa, gpa);
	assert_int_equal(s->mem_size, msz);
}

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

static void test_segment_reserved_area(void **state)
{
	const char *want = "overlaps the loader's reserved area 0x9000-0xA000";

	expect_reject(build_one(0x9800, 0x100, 0x100), RAM_16M, "segment at 0x9800 size 0x100 overlaps the loader's");
	expect_reject(build_one(0x8000, 0x10, 0x1001), RAM_16M, want); /* last byte inside */
	expect_reject(build_one(0x9FFF, 0x1, 0x1), RAM_16M, want);
	expect_reject(build_one(0x2000, 0x10, 0x10000), RAM_16M, want); /* straddles it */
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
	build_aout(0x40, 0x9040, 0x9000, 0, 0, 0x9000);
	expect_reject(AOUT_SIZE, RAM_16M, "overlaps the loader's reserved area 0x9000-0xA000");
	build_aout(0x40, 0x40, 0, 0, 0, 0);
	expect_reject(AOUT_SIZE, RAM_16M, "segment at 0x0 is in the first page");
}

/* ---- The Multiboot information structure ---- */

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
		cmocka_unit_test(test_mbi_fields),
		cmocka_unit_test(test_mbi_mem_sizes),
		cmocka_unit_test(test_mbi_cmdline),
		cmocka_unit_test(test_mbi_cmdline_null),
		cmocka_unit_test(test_mbi_cmdline_truncated),
		cmocka_unit_test(test_mbi_mmap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
