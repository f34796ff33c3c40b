/* QEMU's firmware configuration device through its I/O ports (QEMU docs/specs/fw_cfg.rst), as
 * microhv provides it too: write a 16-bit key to the selector port, then read the item's bytes one at
 * a time from the data port. Only the traditional interface; no DMA. */
#ifndef GUEST_FW_CFG_H
#define GUEST_FW_CFG_H

#include "hv/lib/types.h"

#define FW_CFG_PORT_SEL 0x510
#define FW_CFG_PORT_DATA 0x511
#define FW_CFG_SIGNATURE 0x0000 /* "QEMU" */
#define FW_CFG_NB_CPUS 0x0005   /* u16: CPUs present at boot */
#define FW_CFG_MAX_CPUS 0x000F  /* u16: highest possible CPU count (hotplug) */

/* The signature item reads "QEMU". */
bool fw_cfg_present(void);

/* Select `key` and read `n` bytes of it. */
void fw_cfg_read(u16 key, void *buf, u32 n);
/* A little-endian 16-bit item. */
u16 fw_cfg_read_u16(u16 key);

/* FW_CFG_NB_CPUS, or 0 without fw_cfg. */
u32 fw_cfg_cpu_count(void);

#endif
