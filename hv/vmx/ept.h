/* EPT (SDM Vol. 3C §29.3): the stage-2 tree in EPT format, guest RAM WB with "ignore PAT" (R3.4). */
#ifndef HV_VMX_EPT_H
#define HV_VMX_EPT_H

#include "../stage2.h"

#define EPT_MEMTYPE_UC 0
#define EPT_MEMTYPE_WB 6

extern const struct stage2_format ept_format;

/* The EPT pointer: WB paging-structure accesses, 4-level walk. */
u64 ept_pointer(const struct stage2 *ept);
u8 ept_leaf_memtype(u64 leaf);
bool ept_leaf_ignores_pat(u64 leaf);

#endif
