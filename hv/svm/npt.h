/* Nested page tables for a VM: guest RAM at GPA 0, identity-offset onto its host block. */
#ifndef HV_SVM_NPT_H
#define HV_SVM_NPT_H

#include "../vm.h"

struct npt {
	u64 *pml4;
	u64 table_pages[8]; /* every table page, for freeing */
	u32 ntables;
};

int npt_build(struct npt *npt, const struct vm *vm);
void npt_free(struct npt *npt);
/* Returns the host-physical address and the leaf entry mapping `gpa`, or -EINVAL if unmapped. */
int npt_lookup(const struct npt *npt, u64 gpa, u64 *leaf_entry);

#endif
