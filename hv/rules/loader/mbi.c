/* The Multiboot information a guest receives, laid out as QEMU's -kernel loader lays it out
 * (hw/i386/multiboot.c, load_multiboot()), so that a kernel that prints what it was given prints the
 * same under microhv as on QEMU:
 *
 *   base = the kernel's lowest segment address, size = highest segment end - base (QEMU's mb_buf_phys,
 *   mb_kernel_size); at base + ALIGN_UP(size, 4 KiB): the module list (16 bytes a module), then the
 *   strings: each module's "FILE ARGS", then the kernel's "NAME APPEND", then the boot loader name;
 *   then each module at the next 4 KiB offset from base. The memory map is at 0x9000 and the information
 *   structure at 0x9500, with the flags QEMU sets; if the kernel or the area after it uses 0x9000-0xA000
 *   (QEMU would write over the kernel there), both move to the first page after the last module.
 *
 * The memory map is microhv's own (QEMU's comes from SeaBIOS's E820 table): RAM below 639 KiB and from
 * 1 MiB, the EBDA and the BIOS area (where the ACPI tables are) reserved. Pure code: compiled into the
 * hypervisor and into the host unit tests. */
#include "multiboot.h"
#include "../../lib/fmt.h"
#include "elf.h"
#include "multiboot_info.h"

#define KIB 1024u
#define MB_STRING_SEPARATOR ' ' /* between the kernel name and its arguments */

/* What the memory map says about the fixed low region; [MB_HIGH_MEM_START, ram_size) follows. */
static const struct {
	u64 start, end;
	u32 type;
} mb_low_map[] = {
	{ 0, MB_LOW_MEM_END, MB_MMAP_AVAILABLE },
	{ MB_LOW_MEM_END, MB_VGA_START, MB_MMAP_RESERVED }, /* EBDA */
	{ MB_BIOS_ROM_START, MB_HIGH_MEM_START, MB_MMAP_RESERVED }, /* BIOS ROM area, ACPI tables */
};
#define MB_MMAP_MAX_ENTRIES (ARRAY_SIZE(mb_low_map) + 1)
_Static_assert(MB_MMAP_GPA + MB_MMAP_MAX_ENTRIES * sizeof(struct multiboot_mmap_entry) <= MB_INFO_GPA,
	       "memory map fits below the information structure");
_Static_assert(MB_INFO_GPA + sizeof(struct multiboot_info) <= MB_RESERVED_END, "MBI inside the reserved area");
_Static_assert(MB_INFO_OFFSET + sizeof(struct multiboot_info) <= MB_INFO_AREA_SIZE, "MBI inside a moved area");

/* Guest-physical addresses of what goes after the kernel. */
struct mb_plan {
	u64 mods_addr;    /* the module list */
	u64 strings;      /* module strings, then the command line */
	u64 loader_name;
	u64 module[MB_MAX_MODULES]; /* each module's data */
	u64 end;          /* one past the last byte written after the kernel */
	u64 info_area;    /* the memory map, then the information structure at + MB_INFO_OFFSET */
};

static u64 mb_strlen(const char *s)
{
	return s ? strlen(s) : 0;
}

/* QEMU's arithmetic, offsets from the kernel base: mb_buf_size grows by the page-aligned kernel, then by
 * the module list, the strings (cmdline_len) and the loader name, is page-aligned, then grows by each
 * module, page-aligned again. */
static void mb_plan(const struct mb_image *img, const struct mb_boot *boot, struct mb_plan *p)
{
	u64 low = MB_ADDR_SPACE_32, high = 0;
	for (u32 i = 0; i < img->nseg; i++) {
		low = MIN(low, img->seg[i].gpa);
		high = MAX(high, img->seg[i].gpa + img->seg[i].mem_size);
	}
	u64 strings_len = mb_strlen(boot->kernel_name) + 1 + mb_strlen(boot->append) + 1;
	for (u32 i = 0; i < boot->nmods; i++)
		strings_len += mb_strlen(boot->mods[i].string) + 1;

	u64 off = ALIGN_UP(high - low, PAGE_SIZE);
	p->mods_addr = low + off;
	p->strings = p->mods_addr + boot->nmods * sizeof(struct multiboot_mod);
	p->loader_name = p->strings + strings_len;
	p->end = p->loader_name + sizeof(MB_BOOT_LOADER_NAME);
	off = ALIGN_UP(p->end - low, PAGE_SIZE);
	for (u32 i = 0; i < boot->nmods; i++) {
		p->module[i] = low + off;
		p->end = p->module[i] + boot->mods[i].size;
		off = ALIGN_UP(p->end - low, PAGE_SIZE);
	}
}

static bool mb_overlap(u64 a_start, u64 a_end, u64 b_start, u64 b_end)
{
	return a_start < b_end && b_start < a_end;
}

/* QEMU's fixed area, unless the kernel or what follows it is there: then the page after everything. */
static void mb_place_info(const struct mb_image *img, struct mb_plan *p)
{
	bool taken = mb_overlap(p->mods_addr, p->end, MB_RESERVED_START, MB_RESERVED_END);
	for (u32 i = 0; i < img->nseg; i++)
		taken |= mb_overlap(img->seg[i].gpa, img->seg[i].gpa + img->seg[i].mem_size, MB_RESERVED_START,
				    MB_RESERVED_END);
	p->info_area = taken ? ALIGN_UP(p->end, PAGE_SIZE) : MB_RESERVED_START;
}

static int mb_check_plan(const struct mb_plan *p, u64 ram_size, const char **why)
{
	u64 info_end = p->info_area + MB_INFO_AREA_SIZE;
	if (p->info_area != MB_RESERVED_START &&
	    (info_end > MB_ADDR_SPACE_32 || info_end > ram_size || mb_overlap(p->info_area, info_end, MB_LOW_MEM_END,
									   MB_HIGH_MEM_START)))
		return mb_fail(why, mb_reason("the kernel uses 0x9000-0xA000 and the memory map and information "
					      "structure do not fit after it (0x%x-0x%x)", p->info_area, info_end, 0));
	if (p->end > MB_ADDR_SPACE_32 || p->end > ram_size)
		return mb_fail(why, mb_reason("the command line and modules after the kernel (0x%x-0x%x) do not "
					      "fit in guest RAM (0x%x bytes)", p->mods_addr, p->end, ram_size));
	if (mb_overlap(p->mods_addr, p->end, MB_LOW_MEM_END, MB_HIGH_MEM_START))
		return mb_fail(why, mb_reason("the command line and modules after the kernel (0x%x-0x%x) overlap "
					      "the EBDA/VGA/BIOS hole 0x9FC00-0x100000", p->mods_addr, p->end, 0));
	return 0;
}

/* ---- Writing ---- */

static void mb_put_mmap_entry(struct multiboot_mmap_entry *e, u64 start, u64 end, u32 type)
{
	e->size = MB_MMAP_ENTRY_SIZE_FIELD;
	e->base_addr = start;
	e->length = end - start;
	e->type = type;
}

/* Returns mmap_length: the bytes of entries written. */
static u32 mb_build_mmap(u8 *dst, u64 ram_size)
{
	struct multiboot_mmap_entry *e = (struct multiboot_mmap_entry *)dst;
	u32 n = 0;

	for (u32 i = 0; i < ARRAY_SIZE(mb_low_map); i++)
		mb_put_mmap_entry(&e[n++], mb_low_map[i].start, mb_low_map[i].end, mb_low_map[i].type);
	if (ram_size > MB_HIGH_MEM_START)
		mb_put_mmap_entry(&e[n++], MB_HIGH_MEM_START, ram_size, MB_MMAP_AVAILABLE);
	return n * (u32)sizeof(*e);
}

/* Writes `s` (NULL: nothing) and returns the address right after it. */
static u64 mb_put(u8 *ram, u64 gpa, const char *s)
{
	u64 n = mb_strlen(s);
	memcpy(ram + gpa, s, n);
	return gpa + n;
}

/* mem_upper: KiB from 1 MiB to the end of RAM (there is no hole above 1 MiB), saturated. */
static u32 mb_mem_upper_kib(u64 ram_size)
{
	u64 kib = (ram_size - MB_HIGH_MEM_START) / KIB;
	return kib > (u32)-1 ? (u32)-1 : (u32)kib;
}

/* The module list and its strings, then the command line; returns the command line's address. */
static u32 mb_put_modules_and_cmdline(u8 *ram, const struct mb_plan *p, const struct mb_boot *boot)
{
	struct multiboot_mod *list = (struct multiboot_mod *)(ram + p->mods_addr);
	u64 s = p->strings;

	for (u32 i = 0; i < boot->nmods; i++) {
		const struct mb_module *m = &boot->mods[i];
		list[i] = (struct multiboot_mod){ .mod_start = (u32)p->module[i],
						  .mod_end = (u32)(p->module[i] + m->size), .string = (u32)s };
		memcpy(ram + p->module[i], m->data, m->size);
		s = mb_put(ram, s, m->string);
		ram[s++] = '\0';
	}
	u64 cmdline = s;
	s = mb_put(ram, s, boot->kernel_name);
	ram[s++] = MB_STRING_SEPARATOR;
	s = mb_put(ram, s, boot->append);
	ram[s] = '\0';
	return (u32)cmdline;
}

int multiboot_build_info(void *ram, u64 ram_size, const struct mb_image *img, const struct mb_boot *boot,
			 u32 *mbi_gpa, const char **why)
{
	u8 *base = ram;
	struct mb_plan p;

	/* The fixed map above and every kernel's load address assume at least 1 MiB of RAM. */
	if (!base || ram_size < MB_HIGH_MEM_START)
		return mb_fail(why, "guest RAM smaller than 1 MiB");
	if (!img || img->nseg == 0)
		return mb_fail(why, "internal error: no kernel segments");
	if (boot->nmods > MB_MAX_MODULES)
		return mb_fail(why, mb_reason("more than %u modules", MB_MAX_MODULES, 0, 0));
	mb_plan(img, boot, &p);
	mb_place_info(img, &p);
	int err = mb_check_plan(&p, ram_size, why);
	if (err)
		return err;

	struct multiboot_info *mbi = (struct multiboot_info *)(base + p.info_area + MB_INFO_OFFSET);
	memset(mbi, 0, sizeof(*mbi)); /* unused fields must read as 0 */
	mbi->flags = MBI_FLAG_MEM | MBI_FLAG_BOOTDEV | MBI_FLAG_CMDLINE | MBI_FLAG_MODS | MBI_FLAG_MMAP |
		     MBI_FLAG_LOADER_NAME;
	mbi->mem_lower = MB_LOW_MEM_END / KIB;
	mbi->mem_upper = mb_mem_upper_kib(ram_size);
	mbi->boot_device = MB_BOOT_DEVICE;
	mbi->cmdline = mb_put_modules_and_cmdline(base, &p, boot);
	mbi->mods_count = boot->nmods;
	mbi->mods_addr = (u32)p.mods_addr;
	mbi->mmap_addr = (u32)p.info_area;
	mbi->mmap_length = mb_build_mmap(base + p.info_area, ram_size);
	mbi->boot_loader_name = (u32)p.loader_name;
	memcpy(base + p.loader_name, MB_BOOT_LOADER_NAME, sizeof(MB_BOOT_LOADER_NAME));
	*mbi_gpa = (u32)(p.info_area + MB_INFO_OFFSET);
	return 0;
}

int multiboot_load(void *ram, u64 ram_size, const void *image, const struct mb_image *img,
		   const struct mb_boot *boot, u32 *mbi_gpa, const char **why)
{
	u8 *dst = ram;
	const u8 *src = image;

	/* multiboot_parse() checked every segment against the file and guest RAM. */
	for (u32 i = 0; i < img->nseg; i++) {
		const struct mb_segment *s = &img->seg[i];
		memcpy(dst + s->gpa, src + s->file_offset, s->file_size);
		memset(dst + s->gpa + s->file_size, 0, s->mem_size - s->file_size);
	}
	return multiboot_build_info(ram, ram_size, img, boot, mbi_gpa, why);
}
