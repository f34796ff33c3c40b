/* QEMU's firmware configuration device (fw_cfg), legacy I/O interface only: what a test kernel written
 * for QEMU reads to learn the CPU count and RAM size. Pure model, no hardware access: the VM's port
 * handler (hv/io.c) forwards accesses to 0x510/0x511 here.
 *
 * Behaviour mirrored from QEMU's hw/nvram/fw_cfg.c (fw_cfg_comb_mem_ops, the I/O variant) and
 * docs/specs/fw_cfg.rst:
 *   - a 16-bit OUT to the selector port 0x510 selects an item and rewinds it to offset 0;
 *   - an 8-bit IN from 0x510 or 0x511 reads the next byte of the selected item, 0 past its end;
 *   - every other access is refused by QEMU's memory core: IN reads 0, OUT is ignored (8-bit writes too:
 *     "write support removed in QEMU v2.4+"), and a 16-bit OUT to 0x511 is unaligned, hence refused;
 *   - the item is looked up by key & FW_CFG_ENTRY_MASK in the arch-local table if FW_CFG_ARCH_LOCAL is
 *     set, else in the generic one; keys with no data read 0;
 *   - at reset FW_CFG_SIGNATURE is selected.
 * No DMA interface (FW_CFG_ID says so). One file, "etc/e820" (QEMU's x86 E820 table, hw/i386/e820_memory_layout.c:
 * 20-byte little-endian entries { u64 address, u64 length, u32 type }; under TCG QEMU lists only its RAM,
 * 0 to the RAM size, type 1), at key FW_CFG_FILE_FIRST, listed in FW_CFG_FILE_DIR (a big-endian u32
 * count, then 64-byte entries: big-endian u32 size, big-endian u16 key, u16 reserved, 56-byte name).
 * QEMU's other files (etc/acpi/tables, bootorder, ...) are absent. QEMU's items whose
 * value is all zero here (FW_CFG_UUID without -uuid, FW_CFG_NOGRAPHIC, FW_CFG_BOOT_MENU, ...) are left out:
 * through the port interface an absent item reads exactly like an all-zero one. */
#ifndef HV_PLATFORM_FWCFG_H
#define HV_PLATFORM_FWCFG_H

#include "../../lib/types.h"

/* I/O ports (QEMU's FW_CFG_IO_BASE on x86). */
#define FW_CFG_IO_BASE 0x510
#define FW_CFG_PORT_SEL (FW_CFG_IO_BASE + 0)
#define FW_CFG_PORT_DATA (FW_CFG_IO_BASE + 1)
#define FW_CFG_CTL_SIZE 2 /* the two ports above */

/* Keys (QEMU's include/standard-headers/linux/qemu_fw_cfg.h). */
#define FW_CFG_SIGNATURE 0x00
#define FW_CFG_ID 0x01
#define FW_CFG_RAM_SIZE 0x03
#define FW_CFG_NB_CPUS 0x05
#define FW_CFG_MAX_CPUS 0x0f
#define FW_CFG_FILE_DIR 0x19
#define FW_CFG_FILE_FIRST 0x20
#define FW_CFG_WRITE_CHANNEL 0x4000
#define FW_CFG_ARCH_LOCAL 0x8000
#define FW_CFG_ENTRY_MASK ((u16)~(FW_CFG_WRITE_CHANNEL | FW_CFG_ARCH_LOCAL))

/* FW_CFG_ID feature bits. */
#define FW_CFG_VERSION 0x01     /* the traditional (port) interface */
#define FW_CFG_VERSION_DMA 0x02 /* the DMA interface: not provided */

#define FW_CFG_SIGNATURE_TEXT "QEMU"
#define FWCFG_MAX_ITEMS 8
#define FW_CFG_FILE_NAME_LEN 56
#define FW_CFG_FILE_ENTRY_LEN 64
#define FW_CFG_E820_FILE "etc/e820"
#define FW_CFG_E820_ENTRY_LEN 20
#define FW_CFG_E820_RAM 1
#define FWCFG_ITEM_MAX (sizeof(u32) + FW_CFG_FILE_ENTRY_LEN) /* bytes: the largest item is the directory */

struct fwcfg_item {
	u16 key; /* including FW_CFG_ARCH_LOCAL for arch-local items */
	u8 len;
	u8 data[FWCFG_ITEM_MAX];
};

/* All zero is a valid state: no items, every read 0. */
struct fwcfg {
	u16 selected; /* the key as written, like QEMU's cur_entry */
	u32 offset;
	u32 nitems;
	struct fwcfg_item items[FWCFG_MAX_ITEMS];
};

/* Fills the items a QEMU x86 machine with `ram_size` bytes and `cpus` vCPUs (all present at boot, APIC IDs
 * 0..cpus-1, so FW_CFG_MAX_CPUS, the APIC ID limit, equals cpus) offers, and selects FW_CFG_SIGNATURE. */
void fwcfg_init(struct fwcfg *f, u64 ram_size, u16 cpus);

/* An access to port FW_CFG_IO_BASE + offset (offset < FW_CFG_CTL_SIZE) of `size` bytes (1, 2 or 4).
 * IN: returns the value read. OUT: `value` is what the guest wrote; returns 0. */
u32 fwcfg_io(struct fwcfg *f, u16 offset, u8 size, bool in, u32 value);

#endif
