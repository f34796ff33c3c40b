/* A 32-bit kernel (no paging, no long mode) reading its Multiboot 1 information as QEMU's -kernel loader
 * fills it (hw/i386/multiboot.c): the magic, flags, mem_lower/mem_upper against -m, the memory map
 * (available RAM up to the end of -m), the command line and the modules with their strings and sizes. */
#include "kl.h"

#define MB_BOOT_MAGIC 0x2BADB002
#define MBI_MEM (1u << 0)
#define MBI_CMDLINE (1u << 2)
#define MBI_MODS (1u << 3)
#define MBI_MMAP (1u << 6)
struct mmap_entry { u32 size; u64 addr, len; u32 type; } __attribute__((packed));

static const char *word_after(const char *s, char c)
{
	while (*s && *s != c)
		s++;
	return *s ? s + 1 : s;
}

void kmain(void);
void kmain(void)
{
	const struct mb_info *mbi = (const struct mb_info *)kl_mb_info;
	kl_check_eq("boot_magic", kl_mb_magic, MB_BOOT_MAGIC);
	kl_check_eq("flags_mem_cmdline_mods_mmap", mbi->flags & (MBI_MEM | MBI_CMDLINE | MBI_MODS | MBI_MMAP),
		    MBI_MEM | MBI_CMDLINE | MBI_MODS | MBI_MMAP);
	u64 mib = 0;
	kl_cmdline_num("mem", &mib);
	kl_check_eq("mem_lower_639k", mbi->mem_lower, 639);
	/* QEMU's map comes from SeaBIOS, which keeps the top 128 KiB: allow up to 256 KiB less than -m. */
	u32 upper_want = (u32)(mib - 1) * 1024;
	kl_check("mem_upper_matches_m", mbi->mem_upper <= upper_want && mbi->mem_upper + 256 >= upper_want,
		 "%u KiB for -m %u", mbi->mem_upper, (u32)mib);
	u64 top = 0, avail = 0;
	u32 entries = 0;
	for (uptr p = mbi->mmap_addr; p < mbi->mmap_addr + mbi->mmap_length; p += ((const struct mmap_entry *)p)->size + 4) {
		const struct mmap_entry *e = (const struct mmap_entry *)p;
		entries++;
		if (e->type == 1) {
			avail += e->len;
			if (e->addr + e->len > top)
				top = e->addr + e->len;
		}
	}
	kl_check("mmap_has_entries", entries >= 2, "%u entries", entries);
	kl_check("mmap_ram_ends_near_m", top <= mib << 20 && top + (256u << 10) >= mib << 20, "ends at 0x%x",
		 (u32)top);
	kl_check("mmap_available_most_of_ram", avail > (mib << 20) - (2u << 20) && avail <= mib << 20, "%u KiB available",
		 (u32)(avail >> 10));
	const char *cl = kl_cmdline();
	const char *args = word_after(cl, ' ');
	kl_check("cmdline_args_after_name", !kl_strcmp(args, "mem=48 x=1  y"), "'%s'", cl);
	kl_check_eq("two_modules", mbi->mods_count, 2);
	if (mbi->mods_count == 2) {
		const struct mb_mod *m = (const struct mb_mod *)mbi->mods_addr;
		kl_check("module_strings", !kl_strcmp(word_after((const char *)m[0].string, ' '), "alpha beta") &&
			 !kl_strcmp((const char *)m[1].string, "mbinfo32.opts"), "'%s' '%s'", (const char *)m[0].string,
			 (const char *)m[1].string);
		kl_check("modules_page_aligned", !(m[0].start & 0xFFF) && !(m[1].start & 0xFFF), "0x%x 0x%x", m[0].start, m[1].start);
		const char *opts = (const char *)m[1].start;
		kl_check("module_contents", m[1].end > m[1].start && opts[0] == '-' && opts[1] == 'm', "'%c%c'", opts[0], opts[1]);
		kl_check_eq("module_sizes_ordered", m[0].end <= m[1].start, 1);
	}
	kl_finish();
}
