/* ELF32 program headers of a Multiboot v1 kernel (used when the Multiboot header has no a.out-kludge
 * address fields). Pure code: it only reads the image buffer, so it is unit-tested on the host.
 *
 * Every value read from the image is untrusted. All ELF32 fields are 32-bit and every sum below is
 * computed in 64 bits, so no check can be defeated by wrap-around (offset + size, addr + size). */
#include "elf.h"

static void elf32_decode_ehdr(const u8 *p, struct elf32_ehdr *eh)
{
	for (unsigned i = 0; i < EI_NIDENT; i++)
		eh->e_ident[i] = p[i];
	eh->e_type = ld_le16(p + offsetof(struct elf32_ehdr, e_type));
	eh->e_machine = ld_le16(p + offsetof(struct elf32_ehdr, e_machine));
	eh->e_version = ld_le32(p + offsetof(struct elf32_ehdr, e_version));
	eh->e_entry = ld_le32(p + offsetof(struct elf32_ehdr, e_entry));
	eh->e_phoff = ld_le32(p + offsetof(struct elf32_ehdr, e_phoff));
	eh->e_shoff = ld_le32(p + offsetof(struct elf32_ehdr, e_shoff));
	eh->e_flags = ld_le32(p + offsetof(struct elf32_ehdr, e_flags));
	eh->e_ehsize = ld_le16(p + offsetof(struct elf32_ehdr, e_ehsize));
	eh->e_phentsize = ld_le16(p + offsetof(struct elf32_ehdr, e_phentsize));
	eh->e_phnum = ld_le16(p + offsetof(struct elf32_ehdr, e_phnum));
	eh->e_shentsize = ld_le16(p + offsetof(struct elf32_ehdr, e_shentsize));
	eh->e_shnum = ld_le16(p + offsetof(struct elf32_ehdr, e_shnum));
	eh->e_shstrndx = ld_le16(p + offsetof(struct elf32_ehdr, e_shstrndx));
}

static void elf32_decode_phdr(const u8 *p, struct elf32_phdr *ph)
{
	ph->p_type = ld_le32(p + offsetof(struct elf32_phdr, p_type));
	ph->p_offset = ld_le32(p + offsetof(struct elf32_phdr, p_offset));
	ph->p_vaddr = ld_le32(p + offsetof(struct elf32_phdr, p_vaddr));
	ph->p_paddr = ld_le32(p + offsetof(struct elf32_phdr, p_paddr));
	ph->p_filesz = ld_le32(p + offsetof(struct elf32_phdr, p_filesz));
	ph->p_memsz = ld_le32(p + offsetof(struct elf32_phdr, p_memsz));
	ph->p_flags = ld_le32(p + offsetof(struct elf32_phdr, p_flags));
	ph->p_align = ld_le32(p + offsetof(struct elf32_phdr, p_align));
}

/* e_ident: is this an ELF file at all, and the one flavour Multiboot v1 defines (32-bit i386)? */
static int elf32_check_ident(const u8 *image, u64 size, const char **why)
{
	static const u8 magic[ELF_MAGIC_LEN] = { 0x7f, 'E', 'L', 'F' };

	/* Without bit 16 the Multiboot header promises an ELF image; anything else is unloadable. */
	if (size < ELF_MAGIC_LEN)
		return mb_fail(why, "not an ELF file and no a.out-kludge address fields");
	for (unsigned i = 0; i < ELF_MAGIC_LEN; i++)
		if (image[EI_MAG0 + i] != magic[i])
			return mb_fail(why, "not an ELF file and no a.out-kludge address fields");
	if (size < EI_NIDENT)
		return mb_fail(why, "file truncated: ELF identification beyond end of file");
	/* The usual mistake: linking a 64-bit kernel and forgetting the conversion the build does. */
	if (image[EI_CLASS] == ELFCLASS64)
		return mb_fail(why, "ELF64 image: Multiboot v1 needs ELF32 (objcopy -O elf32-i386)");
	if (image[EI_CLASS] != ELFCLASS32)
		return mb_fail(why, "bad ELF class (neither ELF32 nor ELF64)");
	if (image[EI_DATA] != ELFDATA2LSB)
		return mb_fail(why, "big-endian ELF: Multiboot v1 needs a little-endian i386 image");
	if (image[EI_VERSION] != EV_CURRENT)
		return mb_fail(why, "unsupported ELF version (e_ident[EI_VERSION] is not 1)");
	return 0;
}

/* The ELF header proper: an i386 executable with a program header table we can walk. */
static int elf32_check_ehdr(const struct elf32_ehdr *eh, u64 size, const char **why)
{
	if (eh->e_machine != EM_386)
		return mb_fail(why, mb_reason("ELF machine %u is not i386 (EM_386 = 3)", eh->e_machine, 0, 0));
	/* Relocatable objects and shared objects have no fixed physical placement to honour. */
	if (eh->e_type != ET_EXEC)
		return mb_fail(why, mb_reason("ELF type %u is not an executable (ET_EXEC = 2)", eh->e_type, 0, 0));
	if (eh->e_phentsize != sizeof(struct elf32_phdr))
		return mb_fail(why, mb_reason("bad ELF program header size %u (Elf32_Phdr is 32 bytes)",
					      eh->e_phentsize, 0, 0));
	if (eh->e_phnum == 0)
		return mb_fail(why, "ELF image has no program headers");
	if (eh->e_phnum > ELF_MAX_PHDRS)
		return mb_fail(why, mb_reason("too many ELF program headers (%u, at most %u)", eh->e_phnum,
					      ELF_MAX_PHDRS, 0));
	u64 table_end = (u64)eh->e_phoff + (u64)eh->e_phnum * sizeof(struct elf32_phdr);
	if (table_end > size)
		return mb_fail(why, "file truncated: program header table beyond end of file");
	return 0;
}

/* One PT_LOAD header with a non-empty memory image -> one segment to place in guest memory. */
static int elf32_add_segment(const struct elf32_phdr *ph, unsigned idx, u64 size, struct mb_image *out,
			     const char **why)
{
	if (out->nseg >= MB_MAX_SEGMENTS)
		return mb_fail(why, mb_reason("more than %u loadable (PT_LOAD) segments", MB_MAX_SEGMENTS, 0, 0));
	if (ph->p_filesz > ph->p_memsz)
		return mb_fail(why, mb_reason("program header %u: p_filesz 0x%x larger than p_memsz 0x%x", idx,
					      ph->p_filesz, ph->p_memsz));
	/* 64-bit sum: p_offset + p_filesz cannot wrap and sneak back inside the file. */
	if (ph->p_filesz != 0 && (u64)ph->p_offset + ph->p_filesz > size)
		return mb_fail(why, mb_reason("file truncated: program header %u data (offset 0x%x size 0x%x) "
					      "beyond end of file", idx, ph->p_offset, ph->p_filesz));

	struct mb_segment *seg = &out->seg[out->nseg++];
	/* A pure-bss segment copies nothing; its p_offset is meaningless, so don't pass it on. */
	seg->file_offset = ph->p_filesz ? ph->p_offset : 0;
	seg->file_size = ph->p_filesz;
	seg->gpa = ph->p_paddr; /* Multiboot loads at physical addresses; paging is off at entry */
	seg->mem_size = ph->p_memsz;
	return 0;
}

/* e_entry is a virtual address. For identity-linked kernels (p_vaddr == p_paddr) it is also the
 * physical entry point; for higher-half kernels GRUB and QEMU translate it through the PT_LOAD whose
 * virtual range contains it, and so do we. The first matching segment wins, as in GRUB. */
static u64 elf32_entry_gpa(const u8 *image, const struct elf32_ehdr *eh)
{
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		struct elf32_phdr ph;
		elf32_decode_phdr(image + eh->e_phoff + (u64)i * sizeof(ph), &ph);
		if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
			continue;
		if (eh->e_entry >= ph.p_vaddr && (u64)eh->e_entry < (u64)ph.p_vaddr + ph.p_memsz)
			return (u64)eh->e_entry - ph.p_vaddr + ph.p_paddr;
	}
	return eh->e_entry;
}

int elf32_collect_segments(const u8 *image, u64 size, struct mb_image *out, u64 *entry, const char **why)
{
	int err = elf32_check_ident(image, size, why);
	if (err)
		return err;
	if (size < sizeof(struct elf32_ehdr))
		return mb_fail(why, "file truncated: ELF header beyond end of file");

	struct elf32_ehdr eh;
	elf32_decode_ehdr(image, &eh);
	err = elf32_check_ehdr(&eh, size, why);
	if (err)
		return err;

	for (unsigned i = 0; i < eh.e_phnum; i++) {
		struct elf32_phdr ph;
		elf32_decode_phdr(image + eh.e_phoff + (u64)i * sizeof(ph), &ph);
		/* Empty PT_LOADs occupy no memory: nothing to copy, nothing that could overlap. */
		if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
			continue;
		err = elf32_add_segment(&ph, i, size, out, why);
		if (err)
			return err;
	}
	if (out->nseg == 0)
		return mb_fail(why, "ELF image has no loadable (PT_LOAD) segments");

	*entry = elf32_entry_gpa(image, &eh);
	return 0;
}
