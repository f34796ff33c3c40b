/* Host identity map (see paging.h). The firmware's tables live in boot-services memory, which is ours to
 * reuse, so the hypervisor builds its own. */
#include "paging.h"
#include "../lib/phys.h"
#include "../lib/x86_defs.h"

#define GIB (1ull << 30)
#define ENTRIES_PER_TABLE 512
#define TABLE_BITS (PTE_P | PTE_RW) /* upper levels grant all: the leaf decides (SDM Vol. 3A §4.6.1) */

/* A table of 512 entries that each map `span` bytes from `base` (2 MiB in a page directory, 4 KiB in a
 * page table): a leaf where the access is the same throughout, else a table one level down. */
static u64 build_table(const struct host_map *m, u64 base, u64 span, bool nx, paging_alloc_fn alloc)
{
	u64 *t = alloc();
	if (!t)
		return 0;
	for (u64 i = 0; i < ENTRIES_PER_TABLE; i++) {
		u64 pa = base + i * span;
		enum host_access a = host_map_access(m, pa, span);
		u64 bits = host_access_pte_bits(a, nx);
		if (a == HOST_MIXED)
			t[i] = build_table(m, pa, span / ENTRIES_PER_TABLE, nx, alloc);
		else
			t[i] = bits ? pa | bits | (span > PAGE_SIZE ? PTE_PS : 0) : 0;
		if (a == HOST_MIXED && !t[i])
			return 0;
	}
	return virt_to_phys(t) | TABLE_BITS;
}

u64 paging_build_identity_map(const struct host_map *m, u64 top, bool nx, paging_alloc_fn alloc)
{
	u64 *pml4 = alloc(), *pdpt = alloc();
	if (!pml4 || !pdpt || top % GIB || top > PAGING_MAX_MAPPED)
		return 0;
	pml4[0] = virt_to_phys(pdpt) | TABLE_BITS;
	for (u64 g = 0; g < top / GIB; g++) {
		pdpt[g] = build_table(m, g * GIB, LARGE_PAGE_SIZE, nx, alloc);
		if (!pdpt[g])
			return 0;
	}
	return virt_to_phys(pml4);
}
