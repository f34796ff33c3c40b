/* NPT entry format: ordinary x86-64 page-table bits. Nested walks count as user accesses, so U/S is
 * needed at every level (APM Vol. 2 §15.25.5). */
#include "npt.h"
#include "../x86.h"

const struct stage2_format npt_format = {
	.table_flags = PTE_P | PTE_RW | PTE_US,
	.leaf_flags = PTE_P | PTE_RW | PTE_US | PTE_PS,
	.present_mask = PTE_P,
};
