/* Host identity map: the firmware's tables live in boot-services memory, which is ours to reuse now. */
#include "paging.h"
#include "log.h"
#include "mm.h"
#include "x86.h"

#define GIB (1ull << 30)
#define MIN_MAPPED (4 * GIB)     /* always cover the 32-bit MMIO hole (LAPIC, IOAPIC, flash) */
#define MAX_MAPPED (512 * GIB)   /* one PML4 entry */
#define ENTRIES_PER_TABLE 512

u64 paging_build_identity_map(u64 max_phys_addr)
{
	u64 top = MAX(ALIGN_UP(max_phys_addr, GIB), MIN_MAPPED);
	if (top > MAX_MAPPED) {
		log_warn("mapping only the first 512 GiB of %llu GiB", top / GIB);
		top = MAX_MAPPED;
	}
	u64 gigs = top / GIB;
	u64 *pml4 = mm_alloc_pages(1, PAGE_SIZE);
	u64 *pdpt = mm_alloc_pages(1, PAGE_SIZE);
	u64 *pds = mm_alloc_pages(gigs, PAGE_SIZE);
	if (!pml4 || !pdpt || !pds)
		panic("no memory for the host page tables");

	pml4[0] = virt_to_phys(pdpt) | PTE_P | PTE_RW;
	for (u64 g = 0; g < gigs; g++) {
		u64 *pd = pds + g * ENTRIES_PER_TABLE;
		pdpt[g] = virt_to_phys(pd) | PTE_P | PTE_RW;
		for (u64 i = 0; i < ENTRIES_PER_TABLE; i++)
			pd[i] = (g * GIB + i * LARGE_PAGE_SIZE) | PTE_P | PTE_RW | PTE_PS;
	}
	return virt_to_phys(pml4);
}
