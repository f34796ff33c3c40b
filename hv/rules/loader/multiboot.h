/* Multiboot v1 guest images: parsing (pure, unit-tested) and the information structure the guest receives. */
#ifndef HV_LOADER_MULTIBOOT_H
#define HV_LOADER_MULTIBOOT_H

#include "../../lib/types.h"

#define MB_MAX_SEGMENTS 16
#define MB_MAX_MODULES 8

/* One piece of the image to place in guest memory: copy file_size bytes from file_offset to gpa,
 * then zero up to mem_size. */
struct mb_segment {
	u64 file_offset;
	u64 file_size;
	u64 gpa;
	u64 mem_size;
};

struct mb_image {
	u32 entry;       /* guest-physical entry point */
	u32 header_flags;
	u32 nseg;
	struct mb_segment seg[MB_MAX_SEGMENTS];
};

/* The guest-physical layout below 1 MiB. The memory map and the information structure sit where QEMU's
 * -kernel loader puts them (hw/i386/multiboot.c: ADDR_E820_MAP, ADDR_MBI), so a guest gets the same EBX.
 * QEMU loads a kernel there too (its option ROM then writes over it); microhv instead moves the two, in
 * the same layout, to the first page after the kernel and what follows it (see multiboot_build_info()). */
#define MB_MMAP_GPA 0x9000u
#define MB_INFO_GPA 0x9500u
#define MB_RESERVED_START 0x9000u
#define MB_RESERVED_END 0xA000u
#define MB_INFO_OFFSET (MB_INFO_GPA - MB_MMAP_GPA)         /* the structure after the map, as QEMU's */
#define MB_INFO_AREA_SIZE (MB_RESERVED_END - MB_RESERVED_START)
#define MB_LOW_MEM_END 0x9FC00ull   /* conventional memory reported to the guest */
#define MB_VGA_START 0xA0000ull
#define MB_BIOS_ROM_START 0xF0000ull /* reserved in the memory map: the platform's ACPI tables live here */
#define MB_HIGH_MEM_START 0x100000ull
#define MB_ADDR_SPACE_32 (1ull << 32) /* paging is off at entry: everything must sit below 4 GiB */

/* What QEMU's loader tells every guest: boot_device "first BIOS hard disk, no partition" and its name. */
#define MB_BOOT_DEVICE 0x8000FFFFu
#define MB_BOOT_LOADER_NAME "qemu"

/* A module (QEMU: one item of -initrd "FILE ARGS,FILE2"): its bytes and its string, "FILE ARGS" exactly
 * as named, which QEMU passes whole. */
struct mb_module {
	const u8 *data;
	u64 size;
	const char *string;
};

/* What the kernel is booted with (QEMU: -kernel NAME -append APPEND -initrd ...). Its command line is
 * "NAME APPEND", with the space even when APPEND is empty, as QEMU builds it. */
struct mb_boot {
	const char *kernel_name;
	const char *append; /* NULL: none */
	const struct mb_module *mods;
	u32 nmods;
};

/* Validate `image` (size bytes) as a Multiboot v1 kernel for a guest with ram_size bytes of RAM at GPA 0.
 * Returns 0 and fills *out, or -EINVAL with *why set to a short static reason. */
int multiboot_parse(const void *image, u64 size, u64 ram_size, struct mb_image *out, const char **why);

/* Write the Multiboot information into guest RAM (ram = host pointer to GPA 0) for the kernel `img`
 * (already parsed, not necessarily copied yet): as QEMU does, right after the kernel (from its lowest
 * segment address plus its size rounded up to a page) the module list, the strings and the boot loader
 * name, then each module on its own page-aligned offset; the memory map and the information structure at
 * MB_MMAP_GPA and MB_INFO_GPA, or, when the kernel or that area after it uses [MB_RESERVED_START,
 * MB_RESERVED_END), at the first page after the last module (the map first, the structure
 * MB_INFO_OFFSET bytes on). Returns 0 and sets *mbi_gpa, or -EINVAL with *why set when something does
 * not fit in RAM below 4 GiB or overlaps the EBDA/VGA/BIOS hole. */
int multiboot_build_info(void *ram, u64 ram_size, const struct mb_image *img, const struct mb_boot *boot,
			 u32 *mbi_gpa, const char **why);

/* Copy the kernel's segments from `image` into guest RAM, then multiboot_build_info(). */
int multiboot_load(void *ram, u64 ram_size, const void *image, const struct mb_image *img,
		   const struct mb_boot *boot, u32 *mbi_gpa, const char **why);

#endif
