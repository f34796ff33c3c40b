/* Multiboot v1 guest images: parsing (pure, unit-tested) and the information structure the guest receives. */
#ifndef HV_LOADER_MULTIBOOT_H
#define HV_LOADER_MULTIBOOT_H

#include "../types.h"

#define MB_MAX_SEGMENTS 16

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

/* Guest-physical layout of what the loader adds (below 1 MiB, never overlapped by an image). */
#define MB_INFO_GPA 0x9000u       /* struct multiboot_info */
#define MB_MMAP_GPA 0x9100u       /* memory map entries */
#define MB_MODS_GPA 0x9400u       /* module list */
#define MB_CMDLINE_GPA 0x9800u    /* kernel command line, NUL-terminated */
#define MB_CMDLINE_MAX 0x800u
#define MB_RESERVED_START 0x9000u /* images may not load into [start, end) */
#define MB_RESERVED_END 0xA000u
#define MB_LOW_MEM_END 0x9FC00u   /* conventional memory reported to the guest */

/* Validate `image` (size bytes) as a Multiboot v1 kernel for a guest with ram_size bytes of RAM at GPA 0.
 * Returns 0 and fills *out, or -EINVAL with *why set to a short static reason. */
int multiboot_parse(const void *image, u64 size, u64 ram_size, struct mb_image *out, const char **why);

/* Write the Multiboot information (memory map, command line) into guest RAM (ram = host pointer to GPA 0).
 * Returns the GPA of the information structure (MB_INFO_GPA). */
u32 multiboot_build_info(void *ram, u64 ram_size, const char *cmdline);

#endif
