/* Shared by the loader unit tests (test_loader.c, test_mbi.c): synthesized Multiboot v1 / ELF32 images
 * and the checks on multiboot_parse() results. Field offsets are written out from the ELF and Multiboot
 * specifications here rather than taken from the loader's own structures, so a layout mistake in the
 * loader cannot hide itself. Everything is static inline (or marked unused) so that a test file using
 * only part of it still builds with -Werror. */
#ifndef TESTS_UNIT_LOADER_IMAGES_H
#define TESTS_UNIT_LOADER_IMAGES_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hv/rules/loader/multiboot.h"
#include "hv/rules/loader/multiboot_info.h"

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

static uint8_t img[IMG_CAP] __attribute__((unused));

static inline void put16(uint64_t off, uint16_t v)
{
	img[off] = (uint8_t)v;
	img[off + 1] = (uint8_t)(v >> 8);
}

static inline void put32(uint64_t off, uint32_t v)
{
	put16(off, (uint16_t)v);
	put16(off + 2, (uint16_t)(v >> 16));
}

static inline uint32_t get32(const uint8_t *p)
{
	return p[0] | (p[1] << 8) | (p[2] << 16) | ((uint32_t)p[3] << 24);
}

static inline uint64_t get64(const uint8_t *p)
{
	return get32(p) | ((uint64_t)get32(p + 4) << 32);
}

/* Magic, flags and a correct checksum at `off`. */
static inline void put_mb_header(uint64_t off, uint32_t flags)
{
	put32(off, MB_MAGIC);
	put32(off + 4, flags);
	put32(off + 8, 0u - (MB_MAGIC + flags));
}

static inline void put_aout_fields(uint64_t hdr_off, uint32_t header_addr, uint32_t load_addr, uint32_t load_end,
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

static inline void clear_image(void)
{
	/* A byte pattern that can never form the Multiboot magic. */
	for (uint32_t i = 0; i < IMG_CAP; i++)
		img[i] = (uint8_t)(i & 0x7f);
}

static inline void put_elf_ident(void)
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

static inline void put_phdr(unsigned i, const struct seg_spec *s)
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
static inline uint64_t build_elf(const struct seg_spec *segs, unsigned n, uint32_t entry, uint32_t mb_flags,
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
static const struct seg_spec std_segs[] __attribute__((unused)) = {
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

static inline uint64_t build_std(void)
{
	return build_elf(std_segs, STD_N, STD_ENTRY, STD_FLAGS, STD_SIZE);
}

/* One PT_LOAD at paddr (memsz bytes, file data at T_DATA), entry at its start. */
static inline uint64_t build_one(uint32_t paddr, uint32_t filesz, uint32_t memsz)
{
	struct seg_spec s = { PT_LOAD, T_DATA, paddr, paddr, filesz, memsz };
	return build_elf(&s, 1, paddr, STD_FLAGS, T_DATA + filesz);
}

/* ---- Checking results ---- */

static inline void expect_reject_img(const void *image, uint64_t size, uint64_t ram, const char *want)
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

static inline void expect_reject(uint64_t size, uint64_t ram, const char *want)
{
	expect_reject_img(img, size, ram, want);
}

static inline void expect_accept(uint64_t size, uint64_t ram, struct mb_image *out)
{
	const char *why = NULL;

	memset(out, 0xA5, sizeof(*out));
	int rc = multiboot_parse(img, size, ram, out, &why);
	if (rc != 0)
		fail_msg("image rejected (%d): %s", rc, why ? why : "(no reason)");
	assert_null(why); /* only failures set the reason */
}

static inline void expect_seg(const struct mb_segment *s, uint64_t off, uint64_t fsz, uint64_t gpa, uint64_t msz)
{
	assert_int_equal(s->file_offset, off);
	assert_int_equal(s->file_size, fsz);
	assert_int_equal(s->gpa, gpa);
	assert_int_equal(s->mem_size, msz);
}

#endif
