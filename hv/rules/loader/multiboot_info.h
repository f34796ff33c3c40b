/* The Multiboot v1 information structure and memory map entry, laid out exactly as the
 * Multiboot Specification 0.6.96 (section 3.3) describes them: this is guest ABI, so every
 * field offset is pinned by a static assertion below. */
#ifndef HV_LOADER_MULTIBOOT_INFO_H
#define HV_LOADER_MULTIBOOT_INFO_H

#include "../../lib/types.h"

/* multiboot_info.flags: which of the fields below are valid. */
#define MBI_FLAG_MEM BIT(0)        /* mem_lower, mem_upper */
#define MBI_FLAG_BOOTDEV BIT(1)    /* boot_device */
#define MBI_FLAG_CMDLINE BIT(2)    /* cmdline */
#define MBI_FLAG_MODS BIT(3)       /* mods_count, mods_addr */
#define MBI_FLAG_AOUT_SYMS BIT(4)  /* syms as an a.out symbol table */
#define MBI_FLAG_ELF_SHDR BIT(5)   /* syms as ELF section headers */
#define MBI_FLAG_MMAP BIT(6)       /* mmap_length, mmap_addr */
#define MBI_FLAG_DRIVES BIT(7)     /* drives_length, drives_addr */
#define MBI_FLAG_CONFIG BIT(8)     /* config_table */
#define MBI_FLAG_LOADER_NAME BIT(9) /* boot_loader_name */
#define MBI_FLAG_APM BIT(10)       /* apm_table */
#define MBI_FLAG_VBE BIT(11)       /* vbe_* */

/* multiboot_mmap_entry.type */
#define MB_MMAP_AVAILABLE 1
#define MB_MMAP_RESERVED 2

struct multiboot_info {
	u32 flags;
	u32 mem_lower; /* KiB of conventional memory from 0 */
	u32 mem_upper; /* KiB of memory from 1 MiB up to the first hole */
	u32 boot_device;
	u32 cmdline; /* GPA of a NUL-terminated string */
	u32 mods_count;
	u32 mods_addr;
	u32 syms[4]; /* a.out nlist info or ELF section header table (num, size, addr, shndx) */
	u32 mmap_length; /* bytes of memory map entries at mmap_addr */
	u32 mmap_addr;
	u32 drives_length;
	u32 drives_addr;
	u32 config_table;
	u32 boot_loader_name;
	u32 apm_table;
	u32 vbe_control_info;
	u32 vbe_mode_info;
	u16 vbe_mode;
	u16 vbe_interface_seg;
	u16 vbe_interface_off;
	u16 vbe_interface_len;
} __attribute__((packed));

/* One memory map entry. `size` counts the bytes after itself (20), so a guest walks the map with
 * entry = (char *)entry + entry->size + sizeof(entry->size). The 64-bit fields sit at offset 4,
 * which is why the structure must be packed. */
struct multiboot_mmap_entry {
	u32 size;
	u64 base_addr;
	u64 length;
	u32 type;
} __attribute__((packed));

/* The value of multiboot_mmap_entry.size: the entry minus its own size field. */
#define MB_MMAP_ENTRY_SIZE_FIELD ((u32)(sizeof(struct multiboot_mmap_entry) - sizeof(u32)))

/* One module (mods_addr points to mods_count of these). */
struct multiboot_mod {
	u32 mod_start;
	u32 mod_end;
	u32 string;
	u32 reserved;
} __attribute__((packed));

_Static_assert(sizeof(struct multiboot_info) == 88, "Multiboot info is 88 bytes (spec 0.6.96)");
_Static_assert(offsetof(struct multiboot_info, cmdline) == 16, "cmdline at offset 16");
_Static_assert(offsetof(struct multiboot_info, mods_addr) == 24, "mods_addr at offset 24");
_Static_assert(offsetof(struct multiboot_info, mmap_length) == 44, "mmap_length at offset 44");
_Static_assert(offsetof(struct multiboot_info, mmap_addr) == 48, "mmap_addr at offset 48");
_Static_assert(offsetof(struct multiboot_info, vbe_mode) == 80, "vbe_mode at offset 80");
_Static_assert(sizeof(struct multiboot_mmap_entry) == 24, "mmap entry is 24 bytes");
_Static_assert(sizeof(struct multiboot_mod) == 16, "module entry is 16 bytes");

#endif
