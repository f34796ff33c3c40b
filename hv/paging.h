/* The hypervisor's own page tables. */
#ifndef HV_PAGING_H
#define HV_PAGING_H

#include "types.h"

/* Builds an identity map of [0, max_phys_addr) (rounded up to 1 GiB, at least 4 GiB) with 2 MiB pages,
 * write-back through PAT entry 0 (MMIO gets UC from the firmware's MTRRs). Returns the PML4 address. */
u64 paging_build_identity_map(u64 max_phys_addr);

#endif
