/* Internal to hv/loader: the ELF32 structures a Multiboot v1 kernel uses, the ELF program header
 * walker (elf.c) and the helpers it shares with multiboot.c. Not part of the loader's API. */
#ifndef HV_LOADER_ELF_H
#define HV_LOADER_ELF_H

#include "../../lib/types.h"
#include "multiboot.h"

/* e_ident */
#define EI_NIDENT 16
#define EI_MAG0 0
#define EI_CLASS 4
#define EI_DATA 5
#define EI_VERSION 6
#define ELF_MAGIC_LEN 4
#define ELFCLASS32 1
#define ELFCLASS64 2
#define ELFDATA2LSB 1
#define EV_CURRENT 1

#define ET_EXEC 2
#define EM_386 3
#define PT_LOAD 1

/* A kernel needs a handful of program headers; anything beyond this is a corrupt e_phnum, not a
 * kernel (and bounds the walk). */
#define ELF_MAX_PHDRS 64

/* Layouts as in the System V ABI. Fields are decoded byte by byte from the image (which may be
 * unaligned), so these structs document the layout and hold decoded values. */
struct elf32_ehdr {
	u8 e_ident[EI_NIDENT];
	u16 e_type;
	u16 e_machine;
	u32 e_version;
	u32 e_entry;
	u32 e_phoff;
	u32 e_shoff;
	u32 e_flags;
	u16 e_ehsize;
	u16 e_phentsize;
	u16 e_phnum;
	u16 e_shentsize;
	u16 e_shnum;
	u16 e_shstrndx;
};

struct elf32_phdr {
	u32 p_type;
	u32 p_offset;
	u32 p_vaddr;
	u32 p_paddr;
	u32 p_filesz;
	u32 p_memsz;
	u32 p_flags;
	u32 p_align;
};

_Static_assert(sizeof(struct elf32_ehdr) == 52, "Elf32_Ehdr is 52 bytes");
_Static_assert(sizeof(struct elf32_phdr) == 32, "Elf32_Phdr is 32 bytes");

/* Little-endian loads from a byte buffer (no alignment or aliasing assumptions). */
static inline u16 ld_le16(const u8 *p)
{
	return (u16)(p[0] | (p[1] << 8));
}

static inline u32 ld_le32(const u8 *p)
{
	return (u32)p[0] | ((u32)p[1] << 8) | ((u32)p[2] << 16) | ((u32)p[3] << 24);
}

/* Report a failure: set *why (when the caller wants it) and return -EINVAL. */
static inline int mb_fail(const char **why, const char *reason)
{
	if (why)
		*why = reason;
	return -EINVAL;
}

/* Fill out->seg/nseg from the PT_LOAD program headers of the ELF32 image and set *entry to the
 * physical entry point. Checks the ELF structure and each segment's file range; the guest-memory
 * rules (RAM bounds, reserved areas, overlaps, entry placement) are multiboot.c's job.
 * Returns 0 or -EINVAL with *why set. */
int elf32_collect_segments(const u8 *image, u64 size, struct mb_image *out, u64 *entry, const char **why);

/* Format a failure reason into a static buffer and return it. The template may contain up to three
 * conversions, consumed in order from a, b, c: %x (hex digits, no prefix) and %u (decimal).
 * The result stays valid until the next call (the loader runs single-threaded at boot). */
const char *mb_reason(const char *tmpl, u64 a, u64 b, u64 c);

#endif
