/* libFuzzer harness for the Multiboot v1 loader (hv/rules/loader/): the kernel image, its modules and its
 * command line come from the boot volume.
 *
 * Input: RAM size selector, the length of the boot arguments and the arguments (kernel name, append string,
 * up to 9 modules: a string and a slice of the image as data), then the image itself. The image is parsed (Multiboot header, a.out kludge or ELF32 program
 * headers) and, when accepted, loaded with its information structure into a guest RAM buffer that ends
 * exactly at ram_size, so any write past guest RAM is an ASan report.
 * Invariants: an accepted image's segments lie in the file and in guest RAM below 4 GiB, avoid the first
 * page, the loader's area and the EBDA/VGA/BIOS hole, do not overlap, and contain the entry point
 * (multiboot.h); after loading, every segment holds exactly its file bytes and zeros, and the information
 * structure is what mbi.c promises (Multiboot spec 0.6.96 §3.3, QEMU's layout): flags, memory sizes, the
 * command line, each module page-aligned from the kernel base with its bytes and string, outside the
 * kernel and the reserved areas. */
#include <string.h>

#include "hv/rules/loader/multiboot.h"
#include "hv/rules/loader/multiboot_info.h"
#include "tests/fuzz/fuzz.h"

#define RAM_MAX (4u << 20)
#define RAM_STEP (64u << 10)
#define MAX_MODS (MB_MAX_MODULES + 1) /* one more than allowed: build_info must refuse it */
#define NAME_MAX_LEN 40
#define MBI_FLAGS_QEMU 0x24Fu

struct boot_args {
	char name[NAME_MAX_LEN + 1], append[NAME_MAX_LEN + 1];
	bool has_append;
	char mod_string[MAX_MODS][NAME_MAX_LEN + 1];
	struct mb_module mods[MAX_MODS];
	struct mb_boot boot;
};

static void take_string(struct fuzz_in *in, char *dst)
{
	u32 n = fuzz_u8(in) % (NAME_MAX_LEN + 1);
	for (u32 i = 0; i < n; i++)
		dst[i] = (char)(fuzz_u8(in) | 1); /* never NUL */
	dst[n] = '\0';
}

static bool overlaps(u64 a, u64 a_end, u64 b, u64 b_end) { return a < b_end && b < a_end; }

static bool in_reserved(u64 start, u64 end)
{
	return start < 0x1000 || overlaps(start, end, MB_LOW_MEM_END, MB_HIGH_MEM_START);
}

static void check_parsed(const struct mb_image *img, u64 size, u64 ram_size)
{
	bool entry_inside = false;

	FUZZ_CHECK(img->nseg >= 1 && img->nseg <= MB_MAX_SEGMENTS);
	for (u32 i = 0; i < img->nseg; i++) {
		const struct mb_segment *s = &img->seg[i];
		u64 end = s->gpa + s->mem_size;
		FUZZ_CHECK(s->mem_size > 0 && s->file_size <= s->mem_size);
		FUZZ_CHECK(s->file_offset <= size && s->file_size <= size - s->file_offset);
		FUZZ_CHECK(end <= ram_size && end <= MB_ADDR_SPACE_32 && !in_reserved(s->gpa, end));
		for (u32 j = 0; j < i; j++)
			FUZZ_CHECK(!overlaps(s->gpa, end, img->seg[j].gpa, img->seg[j].gpa + img->seg[j].mem_size));
		entry_inside |= img->entry >= s->gpa && img->entry < end;
	}
	FUZZ_CHECK(entry_inside);
}

/* A NUL-terminated string at gpa, inside RAM; returns it. */
static const char *guest_string(const u8 *ram, u64 ram_size, u64 gpa)
{
	FUZZ_CHECK(gpa < ram_size && memchr(ram + gpa, '\0', ram_size - gpa) != NULL);
	return (const char *)ram + gpa;
}

static void check_modules(const u8 *ram, u64 ram_size, const struct mb_image *img, const struct multiboot_info *mbi,
			  const struct mb_boot *b)
{
	u64 base = MB_ADDR_SPACE_32;
	for (u32 i = 0; i < img->nseg; i++)
		base = MIN(base, img->seg[i].gpa);
	FUZZ_CHECK(mbi->mods_count == b->nmods);
	FUZZ_CHECK(mbi->mods_addr + (u64)b->nmods * sizeof(struct multiboot_mod) <= ram_size);
	for (u32 i = 0; i < b->nmods; i++) {
		struct multiboot_mod m;
		memcpy(&m, ram + mbi->mods_addr + i * sizeof(m), sizeof(m));
		FUZZ_CHECK((m.mod_start - base) % PAGE_SIZE == 0 && m.mod_end - m.mod_start == b->mods[i].size);
		FUZZ_CHECK(m.mod_end <= ram_size && !in_reserved(m.mod_start, m.mod_end));
		FUZZ_CHECK(!memcmp(ram + m.mod_start, b->mods[i].data, b->mods[i].size));
		FUZZ_CHECK(!strcmp(guest_string(ram, ram_size, m.string), b->mods[i].string));
		for (u32 s = 0; s < img->nseg; s++)
			FUZZ_CHECK(!overlaps(m.mod_start, m.mod_end, img->seg[s].gpa,
					     img->seg[s].gpa + img->seg[s].mem_size));
	}
}

static bool kernel_uses_info_area(const struct mb_image *img)
{
	for (u32 i = 0; i < img->nseg; i++)
		if (overlaps(img->seg[i].gpa, img->seg[i].gpa + img->seg[i].mem_size, MB_RESERVED_START, MB_RESERVED_END))
			return true;
	return false;
}

static void check_loaded(const u8 *ram, u64 ram_size, const u8 *image, const struct mb_image *img,
			 const struct mb_boot *b, u32 mbi_gpa)
{
	struct multiboot_info mbi;
	char want[2 * NAME_MAX_LEN + 2];

	/* QEMU's fixed place, or (the kernel there) a page-aligned area past every kernel byte, in RAM. */
	FUZZ_CHECK(mbi_gpa == MB_INFO_GPA || (mbi_gpa % PAGE_SIZE == MB_INFO_OFFSET &&
					      mbi_gpa - MB_INFO_OFFSET + MB_INFO_AREA_SIZE <= ram_size));
	if (kernel_uses_info_area(img))
		FUZZ_CHECK(mbi_gpa != MB_INFO_GPA);
	memcpy(&mbi, ram + mbi_gpa, sizeof(mbi));
	FUZZ_CHECK(mbi.flags == MBI_FLAGS_QEMU && mbi.mem_lower == 639);
	FUZZ_CHECK(mbi.mem_upper == (ram_size - MB_HIGH_MEM_START) / 1024);
	FUZZ_CHECK(mbi.mmap_addr == mbi_gpa - MB_INFO_OFFSET && mbi.mmap_length % sizeof(struct multiboot_mmap_entry) == 0);
	snprintf(want, sizeof(want), "%s %s", b->kernel_name, b->append ? b->append : "");
	FUZZ_CHECK(!strcmp(guest_string(ram, ram_size, mbi.cmdline), want));
	FUZZ_CHECK(!strcmp(guest_string(ram, ram_size, mbi.boot_loader_name), MB_BOOT_LOADER_NAME));
	check_modules(ram, ram_size, img, &mbi, b);
	/* Last: the information written after the kernel left the kernel's own bytes alone. */
	for (u32 i = 0; i < img->nseg; i++) {
		const struct mb_segment *s = &img->seg[i];
		FUZZ_CHECK(!memcmp(ram + s->gpa, image + s->file_offset, s->file_size));
		for (u64 a = s->gpa + s->file_size; a < s->gpa + s->mem_size; a++)
			FUZZ_CHECK(ram[a] == 0);
	}
}

static void take_boot(struct fuzz_in *in, struct boot_args *a, const u8 *image, size_t size)
{
	u32 nmods = fuzz_u8(in) % (MAX_MODS + 1);

	take_string(in, a->name);
	a->has_append = fuzz_bool(in);
	take_string(in, a->append);
	for (u32 i = 0; i < nmods; i++) {
		u32 off = fuzz_u16(in), len = fuzz_u16(in);
		take_string(in, a->mod_string[i]);
		off = size ? off % (u32)size : 0;
		a->mods[i] = (struct mb_module){ image + off, MIN(len, (u32)size - off), a->mod_string[i] };
	}
	a->boot = (struct mb_boot){ a->name, a->has_append ? a->append : NULL, a->mods, nmods };
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static u8 *ram_buf;
	static struct boot_args args;
	struct fuzz_in in = fuzz_in(data, size);
	u64 ram_size = MB_HIGH_MEM_START + (fuzz_u8(&in) % 49) * (u64)RAM_STEP;
	const u8 *image, *boot;
	size_t boot_len = fuzz_take(&in, fuzz_u16(&in), &boot);
	size_t image_size = fuzz_take(&in, in.n, &image);
	struct fuzz_in boot_in = fuzz_in(boot, boot_len);
	struct mb_image img;
	const char *why = NULL;
	u32 mbi_gpa = 0;

	take_boot(&boot_in, &args, image, image_size);
	int rc = multiboot_parse(image, image_size, ram_size, &img, &why);
	FUZZ_CHECK(rc == 0 || (rc == -EINVAL && why && img.nseg == 0));
	if (rc)
		return 0;
	check_parsed(&img, image_size, ram_size);

	if (!ram_buf)
		ram_buf = malloc(RAM_MAX);
	u8 *ram = ram_buf + RAM_MAX - ram_size; /* guest RAM ends where the allocation does */
	why = NULL;
	rc = multiboot_load(ram, ram_size, image, &img, &args.boot, &mbi_gpa, &why);
	FUZZ_CHECK(rc == 0 || (rc == -EINVAL && why));
	if (args.boot.nmods > MB_MAX_MODULES)
		FUZZ_CHECK(rc == -EINVAL);
	if (rc == 0) {
		check_loaded(ram, ram_size, image, &img, &args.boot, mbi_gpa);
	}
	return 0;
}
