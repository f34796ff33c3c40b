/* The hypervisor's own page tables: an identity map with the access host_map.h describes. */
#ifndef HV_PAGING_H
#define HV_PAGING_H

#include "host_map.h"
#include "../lib/types.h"

#define PAGING_MAX_MAPPED (512ull << 30) /* one PML4 entry */

/* One zeroed, 4 KiB aligned page (identity mapped), or NULL. */
typedef void *(*paging_alloc_fn)(void);

/* Builds an identity map of [0, top) (top a multiple of 1 GiB, at most PAGING_MAX_MAPPED) with 2 MiB pages,
 * split into 4 KiB pages where the access changes inside one; write-back through PAT entry 0 (MMIO gets UC
 * from the firmware's MTRRs). nx: the CPU has IA32_EFER.NXE (else nothing is marked non-executable).
 * Returns the PML4 address, or 0 if `alloc` ran out. Pure (the caller allocates): unit-tested. */
u64 paging_build_identity_map(const struct host_map *m, u64 top, bool nx, paging_alloc_fn alloc);

#endif
