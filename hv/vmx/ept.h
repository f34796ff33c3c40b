/* EPT for a VM: guest RAM at GPA 0 with memory type WB and "ignore PAT" (spec §3.4 R3.4). */
#ifndef HV_VMX_EPT_H
#define HV_VMX_EPT_H

#include "../vm.h"

#define EPT_MEMTYPE_UC 0
#define EPT_MEMTYPE_WB 6

struct ept {
	u64 *pml4;
	u64 table_pages[8];
	u32 ntables;
};

int ept_build(struct ept *ept, const struct vm *vm);
void ept_free(struct ept *ept);
/* The EPT pointer: WB paging-structure accesses, 4-level walk. */
u64 ept_pointer(const struct ept *ept);
/* The leaf entry for `gpa`, or -EINVAL if unmapped. */
int ept_lookup(const struct ept *ept, u64 gpa, u64 *leaf);
u8 ept_leaf_memtype(u64 leaf);
bool ept_leaf_ignores_pat(u64 leaf);

#endif
