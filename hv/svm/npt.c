/* NPT: ordinary x86-64 page tables walked with the guest-physical address (APM Vol. 2 §15.25).
 * Leaves carry no PAT/PCD/PWT bits: host PAT entry 0 (WB) combined with the host MTRRs (WB for RAM)
 * is the host side of the memory type; the guest's own PAT and page tables decide the rest (spec R3.4). */
#include "npt.h"
#include "../log.h"
#include "../mm.h"
#include "../x86.h"

#define GIB (1ull << 30)
#define ENTRIES_PER_TABLE 512
#define NPT_MAX_RAM (4 * GIB)
/* Nested tables are walked as user accesses: U/S is required at every level. */
#define NPT_TABLE_FLAGS (PTE_P | PTE_RW | PTE_US)
#define NPT_LEAF_FLAGS (PTE_P | PTE_RW | PTE_US | PTE_PS)

static u64 *new_table(struct npt *npt)
{
	if (npt->ntables == ARRAY_SIZE(npt->table_pages))
		return NULL;
	u64 *t = mm_alloc_pages(1, PAGE_SIZE);
	if (t)
		npt->table_pages[npt->ntables++] = virt_to_phys(t);
	return t;
}

int npt_build(struct npt *npt, const struct vm *vm)
{
	if (vm->ram_size > NPT_MAX_RAM || vm->ram_size % LARGE_PAGE_SIZE)
		return -EINVAL;
	npt->pml4 = new_table(npt);
	u64 *pdpt = new_table(npt);
	if (!npt->pml4 || !pdpt)
		return -ENOMEM;
	npt->pml4[0] = virt_to_phys(pdpt) | NPT_TABLE_FLAGS;
	u64 host_base = virt_to_phys(vm->ram);
	for (u64 gpa = 0; gpa < vm->ram_size; gpa += LARGE_PAGE_SIZE) {
		u64 gib = gpa / GIB;
		if (!pdpt[gib]) {
			u64 *pd = new_table(npt);
			if (!pd)
				return -ENOMEM;
			pdpt[gib] = virt_to_phys(pd) | NPT_TABLE_FLAGS;
		}
		u64 *pd = phys_to_virt(pdpt[gib] & PTE_ADDR_MASK);
		pd[(gpa % GIB) / LARGE_PAGE_SIZE] = (host_base + gpa) | NPT_LEAF_FLAGS;
	}
	return 0;
}

void npt_free(struct npt *npt)
{
	for (u32 i = 0; i < npt->ntables; i++)
		mm_free_pages(phys_to_virt(npt->table_pages[i]), 1);
	npt->ntables = 0;
	npt->pml4 = NULL;
}

int npt_lookup(const struct npt *npt, u64 gpa, u64 *leaf_entry)
{
	if (!npt->pml4 || gpa >= ENTRIES_PER_TABLE * GIB)
		return -EINVAL;
	u64 pml4e = npt->pml4[0];
	if (!(pml4e & PTE_P))
		return -EINVAL;
	const u64 *pdpt = phys_to_virt(pml4e & PTE_ADDR_MASK);
	u64 pdpte = pdpt[gpa / GIB];
	if (!(pdpte & PTE_P))
		return -EINVAL;
	const u64 *pd = phys_to_virt(pdpte & PTE_ADDR_MASK);
	u64 pde = pd[(gpa % GIB) / LARGE_PAGE_SIZE];
	if (!(pde & PTE_P))
		return -EINVAL;
	*leaf_entry = pde;
	return 0;
}
