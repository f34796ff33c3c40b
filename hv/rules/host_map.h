/* What the host's identity map grants each physical page: W^X. The hypervisor's code is the only
 * executable memory (with the firmware's runtime code, which ends the run), read-only data stays
 * read-only, and the page below each host stack is not mapped at all, so an overflow faults.
 * Pure: the layout is described here, paging.c turns it into page tables, tests/unit checks both. */
#ifndef HV_HOST_MAP_H
#define HV_HOST_MAP_H

#include "../lib/types.h"

#define HOST_MAP_MAX_REGIONS 192 /* two guard pages per pCPU (hv/pcpu.c) and a few dozen more */

enum host_access {
	HOST_RW_NX,  /* everything not described: data, heap, guest RAM, MMIO */
	HOST_RX,     /* code */
	HOST_RO_NX,  /* read-only data */
	HOST_GUARD,  /* not present */
	HOST_MIXED,  /* only as an answer: the range holds pages of different access */
};

struct host_region {
	u64 base, end;     /* page aligned, end exclusive */
	enum host_access access;
	const char *name;  /* what the region is, for fault messages */
};

/* Regions never overlap: everything outside them is HOST_RW_NX. */
struct host_map {
	u32 n;
	struct host_region r[HOST_MAP_MAX_REGIONS];
};

void host_map_init(struct host_map *m);
/* Adds [base, end) (page aligned, non-empty, overlapping no region); a region that continues the last
 * one with the same access and name extends it. Returns 0, or -EINVAL / -ENOMEM. */
int host_map_add(struct host_map *m, u64 base, u64 end, enum host_access access, const char *name);
/* The access every page of [base, base + size) has, or HOST_MIXED. */
enum host_access host_map_access(const struct host_map *m, u64 base, u64 size);
/* The region holding addr, or NULL (then it is HOST_RW_NX). */
const struct host_region *host_map_find(const struct host_map *m, u64 addr);
/* Leaf page-table bits for an access (PTE_P, PTE_RW, PTE_NX; NX only when the CPU has it). */
u64 host_access_pte_bits(enum host_access access, bool nx);

#endif
