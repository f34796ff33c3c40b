/* QEMU fw_cfg, legacy I/O interface (see fwcfg.h for the rules and where they come from). */
#include "fwcfg.h"

#define SELECT_WIDTH 2 /* QEMU's fw_cfg_comb_valid: only a 16-bit write selects */
#define DATA_WIDTH 1   /* ... and only 8-bit accesses reach the data */
#define BITS_PER_BYTE 8

static void put_le(u8 *dst, u64 v, u32 len)
{
	for (u32 i = 0; i < len; i++)
		dst[i] = (u8)(v >> (BITS_PER_BYTE * i));
}

static void put_be(u8 *dst, u64 v, u32 len)
{
	for (u32 i = 0; i < len; i++)
		dst[i] = (u8)(v >> (BITS_PER_BYTE * (len - 1 - i)));
}

static struct fwcfg_item *add_item(struct fwcfg *f, u16 key, u32 len)
{
	struct fwcfg_item *it = &f->items[f->nitems++];
	it->key = key;
	it->len = (u8)len;
	return it;
}

/* struct FWCfgFiles with one FWCfgFile: etc/e820 at FW_CFG_FILE_FIRST (the name zero-padded). */
static void put_file_dir(u8 *d)
{
	static const char name[] = FW_CFG_E820_FILE;
	put_be(d, 1, sizeof(u32));
	u8 *e = d + sizeof(u32);
	put_be(e, FW_CFG_E820_ENTRY_LEN, sizeof(u32));
	put_be(e + sizeof(u32), FW_CFG_FILE_FIRST, sizeof(u16));
	put_be(e + sizeof(u32) + sizeof(u16), 0, sizeof(u16));
	for (u32 i = 0; i < FW_CFG_FILE_NAME_LEN; i++)
		e[FW_CFG_FILE_ENTRY_LEN - FW_CFG_FILE_NAME_LEN + i] = i < sizeof(name) ? (u8)name[i] : 0;
}

/* Same order and encodings as QEMU: fw_cfg_init1() and fw_cfg_common_init() (signature, ID, the file
 * directory) and hw/i386/fw_cfg.c (CPU counts and RAM size, little-endian integers). */
void fwcfg_init(struct fwcfg *f, u64 ram_size, u16 cpus)
{
	static const char signature[] = FW_CFG_SIGNATURE_TEXT;

	*f = (struct fwcfg){ 0 };
	struct fwcfg_item *sig = add_item(f, FW_CFG_SIGNATURE, sizeof(signature) - 1);
	for (u32 i = 0; i < sig->len; i++)
		sig->data[i] = (u8)signature[i];
	put_le(add_item(f, FW_CFG_ID, sizeof(u32))->data, FW_CFG_VERSION, sizeof(u32));
	put_file_dir(add_item(f, FW_CFG_FILE_DIR, sizeof(u32) + FW_CFG_FILE_ENTRY_LEN)->data);
	put_le(add_item(f, FW_CFG_NB_CPUS, sizeof(u16))->data, cpus, sizeof(u16));
	put_le(add_item(f, FW_CFG_MAX_CPUS, sizeof(u16))->data, cpus, sizeof(u16));
	put_le(add_item(f, FW_CFG_RAM_SIZE, sizeof(u64))->data, ram_size, sizeof(u64));
	u8 *e820 = add_item(f, FW_CFG_FILE_FIRST, FW_CFG_E820_ENTRY_LEN)->data;
	put_le(e820, 0, sizeof(u64)); /* RAM from 0: QEMU's e820_add_entry(0, below_4g_mem_size, E820_RAM) */
	put_le(e820 + sizeof(u64), ram_size, sizeof(u64));
	put_le(e820 + 2 * sizeof(u64), FW_CFG_E820_RAM, sizeof(u32));
	f->selected = FW_CFG_SIGNATURE; /* fw_cfg_reset() */
}

static const struct fwcfg_item *current_item(const struct fwcfg *f)
{
	/* QEMU keeps the key as written and drops only FW_CFG_WRITE_CHANNEL when indexing its two tables. */
	u16 want = f->selected & (FW_CFG_ENTRY_MASK | FW_CFG_ARCH_LOCAL);
	for (u32 i = 0; i < f->nitems; i++)
		if (f->items[i].key == want)
			return &f->items[i];
	return NULL;
}

static u8 read_data(struct fwcfg *f)
{
	const struct fwcfg_item *it = current_item(f);
	if (!it || f->offset >= it->len)
		return 0; /* the offset stays put past the end, as in fw_cfg_data_read() */
	return it->data[f->offset++];
}

u32 fwcfg_io(struct fwcfg *f, u16 offset, u8 size, bool in, u32 value)
{
	if (offset >= FW_CFG_CTL_SIZE)
		return 0;
	if (in)
		return size == DATA_WIDTH ? read_data(f) : 0;
	/* A 16-bit write at 0x511 would be unaligned: QEMU's memory core refuses it before the device sees it. */
	if (size == SELECT_WIDTH && offset == FW_CFG_PORT_SEL - FW_CFG_IO_BASE) {
		f->selected = (u16)value;
		f->offset = 0;
	}
	return 0;
}
