/* Free RAM above the image (see ram.h). */
#include "hv/lib/fmt.h"
#include "ram.h"
#include "runtime.h"

/* struct multiboot_info (Multiboot spec 0.6.96 §3.3): flag bits and byte offsets. */
#define MBI_FLAG_CMDLINE BIT(2)
#define MBI_FLAG_MODS BIT(3)
#define MBI_FLAG_MMAP BIT(6)
#define MBI_CMDLINE 16
#define MBI_MODS_COUNT 20
#define MBI_MODS_ADDR 24
#define MBI_MMAP_LENGTH 44
#define MBI_MMAP_ADDR 48
#define MBI_SIZE 88         /* up to and including the VBE fields */
#define MB_MOD_SIZE 16      /* mod_start, mod_end, string, reserved */
#define MB_MMAP_AVAILABLE 1 /* memory-map entry type of usable RAM */
#define IDENTITY_MAP_END (4ull << 30) /* entry.asm maps the first 4 GiB */

/* One memory-map entry; `size` does not count itself. */
struct mb_mmap_entry {
	u32 size;
	u64 base;
	u64 length;
	u32 type;
} __attribute__((packed));

extern char __image_start[], __image_end[];

static u64 next_free; /* 0 until the region is known */
static u64 region_end;

static u32 mbi_u32(u32 mbi, u32 offset)
{
	return *(const u32 *)(u64)(mbi + offset);
}

/* Raise *top to `end` if the object [.., end) lies above the image start. */
static void cover(u64 *top, u64 end)
{
	if (end > (u64)__image_start && end > *top)
		*top = end;
}

/* The first byte above the image and the loader's data placed after it. */
static u64 first_free_byte(u32 mbi)
{
	u32 flags = mbi_u32(mbi, 0);
	u64 top = (u64)__image_end;

	cover(&top, (u64)mbi + MBI_SIZE);
	if (flags & MBI_FLAG_CMDLINE) {
		u32 cmdline = mbi_u32(mbi, MBI_CMDLINE);
		cover(&top, (u64)cmdline + strlen((const char *)(u64)cmdline) + 1);
	}
	if (flags & MBI_FLAG_MMAP)
		cover(&top, (u64)mbi_u32(mbi, MBI_MMAP_ADDR) + mbi_u32(mbi, MBI_MMAP_LENGTH));
	if (flags & MBI_FLAG_MODS) {
		u32 mods = mbi_u32(mbi, MBI_MODS_ADDR), n = mbi_u32(mbi, MBI_MODS_COUNT);
		cover(&top, (u64)mods + (u64)n * MB_MOD_SIZE);
		for (u32 i = 0; i < n; i++)
			cover(&top, mbi_u32(mods, i * MB_MOD_SIZE + sizeof(u32))); /* mod_end */
	}
	return top;
}

/* Find the available range holding the first free byte; leaves next_free 0 if there is none. */
static void find_region(void)
{
	u32 mbi = runtime_mbi();

	if (!mbi || !(mbi_u32(mbi, 0) & MBI_FLAG_MMAP))
		return;
	u64 start = ALIGN_UP(first_free_byte(mbi), PAGE_SIZE);
	u64 p = mbi_u32(mbi, MBI_MMAP_ADDR), end = p + mbi_u32(mbi, MBI_MMAP_LENGTH);

	for (; p < end; p += ((const struct mb_mmap_entry *)p)->size + sizeof(u32)) {
		const struct mb_mmap_entry *e = (const void *)p;
		if (e->type == MB_MMAP_AVAILABLE && e->base <= start && start < e->base + e->length) {
			next_free = start;
			region_end = MIN(e->base + e->length, IDENTITY_MAP_END);
			return;
		}
	}
}

void *ram_alloc(u64 bytes, u64 align)
{
	if (!next_free)
		find_region();
	u64 at = ALIGN_UP(next_free, align);
	if (!next_free || at > region_end || bytes > region_end - at)
		return NULL;
	next_free = at + bytes;
	return (void *)at;
}

u64 ram_free_bytes(void)
{
	if (!next_free)
		find_region();
	return next_free ? region_end - next_free : 0;
}
