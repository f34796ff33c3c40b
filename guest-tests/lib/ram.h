/* Free RAM above the image: a bump allocator over the Multiboot memory map, for memory that only some
 * guests need (the APs' per-CPU areas and stacks), so it does not sit in every image's .bss.
 *
 * The region starts above the image and above everything the loader put after it (QEMU places the
 * command line and module list right after the kernel; microhv keeps them at 0x9000) and ends where
 * the available (type 1) memory-map range holding that start ends. Nothing is ever freed. */
#ifndef GUEST_RAM_H
#define GUEST_RAM_H

#include "hv/lib/types.h"

/* `bytes` of RAM aligned to `align` (a power of two), not zeroed; NULL once the region is used up
 * or if the loader gave no memory map. */
void *ram_alloc(u64 bytes, u64 align);

/* Bytes left in the region. */
u64 ram_free_bytes(void);

#endif
