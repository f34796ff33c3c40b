/* NPT entry format: ordinary x86-64 page-table bits. Nested walks count as user accesses, so U/S is
 * needed at every level (APM Vol. 2 §15.25.5). */
#include "npt.h"
#include "../../lib/x86_defs.h"

#define PAT_ENTRY_BITS 8
#define PAT_TYPE_MASK 0x7u

u8 npt_leaf_memtype(u64 leaf, u64 host_pat)
{
	u32 index = ((leaf & PTE_PAT_LARGE) ? 4 : 0) | ((leaf & PTE_PCD) ? 2 : 0) | ((leaf & PTE_PWT) ? 1 : 0);
	return (u8)((host_pat >> (index * PAT_ENTRY_BITS)) & PAT_TYPE_MASK);
}

const struct stage2_format npt_format = {
	.table_flags = PTE_P | PTE_RW | PTE_US,
	.leaf_flags = PTE_P | PTE_RW | PTE_US | PTE_PS,
	.present_mask = PTE_P,
};
