/* Multiboot v1 guest images: the Multiboot header, the a.out-kludge layout, the placement rules every
 * image must satisfy in guest memory, and the information structure handed to the guest.
 * Pure code (no hardware, no libc): compiled into the hypervisor and into the host unit tests.
 *
 * The image is untrusted input. Values read from it are 32-bit and all arithmetic on them is done in
 * 64 bits, so sums such as addr + size can be compared against limits without wrapping. */
#include "multiboot.h"
#include "../guest_abi.h"
#include "elf.h"
#include "multiboot_info.h"

/* Where the Multiboot header may be (spec 3.1.1): 4-byte aligned, within the first 8192 bytes. */
#define MB_SEARCH_LIMIT 8192u
#define MB_HEADER_ALIGN 4u

/* Multiboot header field offsets (spec 3.1.1). */
#define MBH_MAGIC 0
#define MBH_FLAGS 4
#define MBH_CHECKSUM 8
#define MBH_HEADER_ADDR 12
#define MBH_LOAD_ADDR 16
#define MBH_LOAD_END_ADDR 20
#define MBH_BSS_END_ADDR 24
#define MBH_ENTRY_ADDR 28
#define MBH_BASE_LEN 12u /* magic, flags, checksum */
#define MBH_AOUT_LEN 32u /* ... plus the five a.out-kludge address fields */

/* Multiboot header flags. Bits 0-15 are requirements: a loader that does not implement one must
 * refuse the image. Bits 16-31 are optional features. */
#define MBH_FLAG_PAGE_ALIGN BIT(0) /* modules page aligned: mbi.c aligns them as QEMU does */
#define MBH_FLAG_MEMINFO BIT(1)    /* mem_* and mmap_* wanted: multiboot_build_info always provides them */
#define MBH_FLAG_VIDEO BIT(2)      /* video mode wanted: accepted and ignored (no VBE), like QEMU does */
#define MBH_FLAG_AOUT_KLUDGE BIT(16) /* load using the header's address fields instead of ELF */
#define MBH_REQUIRED_MASK 0xFFFFull
#define MBH_SUPPORTED (MBH_FLAG_PAGE_ALIGN | MBH_FLAG_MEMINFO | MBH_FLAG_VIDEO)

/* The first page holds the real-mode IVT/BDA and catches null pointers. */
#define MB_LOW_GUARD_END 0x1000ull

/* ---- Failure reasons ---- */

#define MB_REASON_MAX 192
#define MB_REASON_ARGS 3
#define HEX_BASE 16
#define DEC_BASE 10
#define U64_MAX_DIGITS 20 /* decimal digits of 2^64 - 1 */

static char mb_reason_buf[MB_REASON_MAX];

/* Append v in the given base at buf[pos], never writing the last byte (kept for the NUL). */
static unsigned mb_put_num(unsigned pos, u64 v, unsigned base)
{
	static const char digit[] = "0123456789ABCDEF";
	char tmp[U64_MAX_DIGITS];
	unsigned n = 0;

	do {
		tmp[n++] = digit[v % base];
		v /= base;
	} while (v);
	while (n && pos < MB_REASON_MAX - 1)
		mb_reason_buf[pos++] = tmp[--n];
	return pos;
}

const char *mb_reason(const char *tmpl, u64 a, u64 b, u64 c)
{
	const u64 args[MB_REASON_ARGS] = { a, b, c };
	unsigned pos = 0, next = 0;

	for (const char *t = tmpl; *t && pos < MB_REASON_MAX - 1; t++) {
		bool conv = t[0] == '%' && (t[1] == 'x' || t[1] == 'u') && next < MB_REASON_ARGS;
		if (!conv) {
			mb_reason_buf[pos++] = *t;
			continue;
		}
		t++;
		pos = mb_put_num(pos, args[next++], *t == 'x' ? HEX_BASE : DEC_BASE);
	}
	mb_reason_buf[pos] = '\0';
	return mb_reason_buf;
}

/* ---- The Multiboot header ---- */

/* Explain why no usable header was found, for the cases the main search cannot tell apart. Only
 * runs on failure, so scanning the whole file is fine. */
static const char *mb_diagnose_missing(const u8 *image, u64 size)
{
	for (u64 i = 0; i + sizeof(u32) <= size; i++) {
		if (ld_le32(image + i) != MULTIBOOT_HEADER_MAGIC)
			continue;
		if (i + MBH_BASE_LEN > MB_SEARCH_LIMIT)
			return "Multiboot header beyond the first 8192 bytes";
		if (i % MB_HEADER_ALIGN)
			return "Multiboot header not 4-byte aligned";
		if (i + MBH_BASE_LEN > size)
			return "file truncated: Multiboot header beyond end of file";
	}
	return "no Multiboot header (magic 0x1BADB002) in the first 8192 bytes";
}

/* Find the header the way QEMU and GRUB do: the first 4-byte aligned magic within the first
 * 8192 bytes whose checksum is right (a stray magic with a bad checksum is skipped). */
static int mb_find_header(const u8 *image, u64 size, u64 *hdr_off, const char **why)
{
	u64 limit = MIN(size, (u64)MB_SEARCH_LIMIT);
	bool bad_checksum = false;

	for (u64 i = 0; i + MBH_BASE_LEN <= limit; i += MB_HEADER_ALIGN) {
		const u8 *h = image + i;
		if (ld_le32(h + MBH_MAGIC) != MULTIBOOT_HEADER_MAGIC)
			continue;
		/* u32 arithmetic on purpose: the spec defines the sum modulo 2^32. */
		u32 sum = ld_le32(h + MBH_MAGIC) + ld_le32(h + MBH_FLAGS) + ld_le32(h + MBH_CHECKSUM);
		if (sum == 0) {
			*hdr_off = i;
			return 0;
		}
		bad_checksum = true;
	}
	if (bad_checksum)
		return mb_fail(why, "bad Multiboot header checksum (magic + flags + checksum must be 0)");
	return mb_fail(why, mb_diagnose_missing(image, size));
}

/* Refuse images that require something this loader does not do (spec: "if the boot loader does
 * not understand all the bits set in [0-15], it must fail"). */
static int mb_check_flags(u32 flags, const char **why)
{
	u64 unsupported = flags & MBH_REQUIRED_MASK & ~MBH_SUPPORTED;

	if (unsupported)
		return mb_fail(why, mb_reason("Multiboot header requires unsupported features (flags 0x%x)",
					      unsupported, 0, 0));
	return 0;
}

/* ---- a.out kludge ---- */

/* The address fields of a header with bit 16 set, already bounds-checked against the file. */
struct mb_aout {
	u32 header_addr;
	u32 load_addr;
	u32 load_end_addr; /* 0: load up to the end of the file */
	u32 bss_end_addr;  /* 0: no bss */
	u32 entry_addr;
};

static int mb_read_aout(const u8 *image, u64 size, u64 hdr_off, struct mb_aout *a, const char **why)
{
	if (hdr_off + MBH_AOUT_LEN > size)
		return mb_fail(why, "file truncated: Multiboot a.out-kludge address fields beyond end of file");
	if (hdr_off + MBH_AOUT_LEN > MB_SEARCH_LIMIT)
		return mb_fail(why, "Multiboot header with a.out-kludge fields extends beyond the first 8192 bytes");
	const u8 *h = image + hdr_off;
	a->header_addr = ld_le32(h + MBH_HEADER_ADDR);
	a->load_addr = ld_le32(h + MBH_LOAD_ADDR);
	a->load_end_addr = ld_le32(h + MBH_LOAD_END_ADDR);
	a->bss_end_addr = ld_le32(h + MBH_BSS_END_ADDR);
	a->entry_addr = ld_le32(h + MBH_ENTRY_ADDR);
	return 0;
}

/* The file is loaded from the offset corresponding to load_addr: the header sits at file offset
 * hdr_off and at address header_addr, so loading starts (header_addr - load_addr) bytes before it. */
static int mb_aout_kludge(const u8 *image, u64 size, u64 hdr_off, struct mb_image *out, u64 *entry,
			  const char **why)
{
	struct mb_aout a;
	int err = mb_read_aout(image, size, hdr_off, &a, why);
	if (err)
		return err;

	if (a.load_addr > a.header_addr)
		return mb_fail(why, mb_reason("a.out kludge: load_addr 0x%x above header_addr 0x%x", a.load_addr,
					      a.header_addr, 0));
	u64 lead = (u64)a.header_addr - a.load_addr;
	if (lead > hdr_off)
		return mb_fail(why, mb_reason("a.out kludge: load_addr 0x%x is before the start of the file "
					      "(header_addr 0x%x, header at file offset 0x%x)",
					      a.load_addr, a.header_addr, hdr_off));
	u64 text_off = hdr_off - lead;

	u64 load_size = size - text_off;
	if (a.load_end_addr != 0) {
		if (a.load_end_addr < a.load_addr)
			return mb_fail(why, mb_reason("a.out kludge: load_end_addr 0x%x below load_addr 0x%x",
						      a.load_end_addr, a.load_addr, 0));
		load_size = (u64)a.load_end_addr - a.load_addr;
		if (text_off + load_size > size)
			return mb_fail(why, mb_reason("file truncated: a.out kludge load_end_addr 0x%x beyond end "
						      "of file", a.load_end_addr, 0, 0));
	}

	u64 mem_size = load_size;
	if (a.bss_end_addr != 0) {
		if ((u64)a.bss_end_addr < (u64)a.load_addr + load_size)
			return mb_fail(why, mb_reason("a.out kludge: bss_end_addr 0x%x below the end of the loaded "
						      "data 0x%x", a.bss_end_addr, (u64)a.load_addr + load_size, 0));
		mem_size = (u64)a.bss_end_addr - a.load_addr;
	}
	if (mem_size == 0)
		return mb_fail(why, "a.out kludge: nothing to load (load_end_addr == load_addr, no bss)");

	out->seg[0] = (struct mb_segment){
		.file_offset = text_off, .file_size = load_size, .gpa = a.load_addr, .mem_size = mem_size
	};
	out->nseg = 1;
	*entry = a.entry_addr;
	return 0;
}

/* ---- Placement in guest memory (common to ELF and a.out kludge) ---- */

static bool mb_ranges_overlap(u64 a_start, u64 a_end, u64 b_start, u64 b_end)
{
	return a_start < b_end && b_start < a_end;
}

static int mb_check_segment(const struct mb_segment *s, u64 ram_size, const char **why)
{
	u64 end = s->gpa + s->mem_size; /* both < 2^33: cannot wrap in 64 bits */

	if (end > MB_ADDR_SPACE_32)
		return mb_fail(why, mb_reason("segment at 0x%x size 0x%x wraps past the 32-bit address space",
					      s->gpa, s->mem_size, 0));
	if (s->gpa < MB_LOW_GUARD_END)
		return mb_fail(why, mb_reason("segment at 0x%x is in the first page (images load at or above "
					      "0x1000)", s->gpa, 0, 0));
	/* The memory map tells the guest this is not RAM; a kernel must not live there. */
	if (mb_ranges_overlap(s->gpa, end, MB_LOW_MEM_END, MB_HIGH_MEM_START))
		return mb_fail(why, mb_reason("segment at 0x%x size 0x%x overlaps the EBDA/VGA/BIOS hole "
					      "0x9FC00-0x100000", s->gpa, s->mem_size, 0));
	if (end > ram_size)
		return mb_fail(why, mb_reason("segment at 0x%x size 0x%x beyond guest RAM (0x%x)", s->gpa,
					      s->mem_size, ram_size));
	return 0;
}

static int mb_check_placement(const struct mb_image *img, u64 ram_size, u64 entry, const char **why)
{
	bool entry_ok = false;

	for (u32 i = 0; i < img->nseg; i++) {
		const struct mb_segment *s = &img->seg[i];
		int err = mb_check_segment(s, ram_size, why);
		if (err)
			return err;
		for (u32 j = 0; j < i; j++) {
			const struct mb_segment *o = &img->seg[j];
			if (mb_ranges_overlap(s->gpa, s->gpa + s->mem_size, o->gpa, o->gpa + o->mem_size))
				return mb_fail(why, mb_reason("segment at 0x%x size 0x%x overlaps segment at 0x%x",
							      s->gpa, s->mem_size, o->gpa));
		}
		if (entry >= s->gpa && entry < s->gpa + s->mem_size)
			entry_ok = true;
	}
	if (!entry_ok)
		return mb_fail(why, mb_reason("entry point 0x%x outside loaded segments", entry, 0, 0));
	return 0;
}

int multiboot_parse(const void *image, u64 size, u64 ram_size, struct mb_image *out, const char **why)
{
	const u8 *img = image;
	u64 hdr_off, entry = 0;

	if (!out)
		return mb_fail(why, "internal error: no output structure");
	out->entry = 0;
	out->header_flags = 0;
	out->nseg = 0;
	if (!img)
		return mb_fail(why, "no image");

	int err = mb_find_header(img, size, &hdr_off, why);
	if (err)
		return err;
	u32 flags = ld_le32(img + hdr_off + MBH_FLAGS);
	err = mb_check_flags(flags, why);
	if (!err) {
		/* Bit 16 wins even for ELF files, as in the spec, GRUB and QEMU. */
		if (flags & MBH_FLAG_AOUT_KLUDGE)
			err = mb_aout_kludge(img, size, hdr_off, out, &entry, why);
		else
			err = elf32_collect_segments(img, size, out, &entry, why);
	}
	if (!err)
		err = mb_check_placement(out, ram_size, entry, why);
	if (err) {
		out->nseg = 0; /* never hand out a half-validated segment list */
		return err;
	}
	out->entry = (u32)entry; /* inside a segment, hence below 4 GiB */
	out->header_flags = flags;
	return 0;
}
