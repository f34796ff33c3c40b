/* EPT entry format. Every leaf for guest RAM carries memory type WB with "ignore PAT" set, so neither
 * the guest's PAT, its MTRRs nor its CR0.CD change how RAM is cached: the behaviour the KVM errata
 * describe (spec §3.2 "Effective memory type, Intel EPT"). */
#include "ept.h"
#include "../mm.h"
#include "../x86.h"

#define EPT_READ BIT(0)
#define EPT_WRITE BIT(1)
#define EPT_EXECUTE BIT(2)
#define EPT_RWX (EPT_READ | EPT_WRITE | EPT_EXECUTE)
#define EPT_MEMTYPE_SHIFT 3
#define EPT_MEMTYPE_MASK 0x7ull
#define EPT_IGNORE_PAT BIT(6)
#define EPT_LARGE_PAGE BIT(7)
#define EPTP_MEMTYPE_WB 6ull
#define EPTP_WALK_LENGTH_4 (3ull << 3)

const struct stage2_format ept_format = {
	.table_flags = EPT_RWX,
	.leaf_flags = EPT_RWX | ((u64)EPT_MEMTYPE_WB << EPT_MEMTYPE_SHIFT) | EPT_IGNORE_PAT | EPT_LARGE_PAGE,
	.present_mask = EPT_RWX,
};

u64 ept_pointer(const struct stage2 *ept)
{
	return virt_to_phys(ept->pml4) | EPTP_MEMTYPE_WB | EPTP_WALK_LENGTH_4;
}

u8 ept_leaf_memtype(u64 leaf)
{
	return (u8)((leaf >> EPT_MEMTYPE_SHIFT) & EPT_MEMTYPE_MASK);
}

bool ept_leaf_ignores_pat(u64 leaf)
{
	return leaf & EPT_IGNORE_PAT;
}
