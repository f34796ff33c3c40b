/* Extended page tables (SDM Vol. 3C §29.3). Every leaf for guest RAM carries memory type WB with
 * "ignore PAT" set, so neither the guest's PAT, its MTRRs nor its CR0.CD change how RAM is cached:
 * the behaviour the KVM errata describe (spec §3.2 "Effective memory type, Intel EPT"). */
#include "ept.h"
#include "../mm.h"
#include "../x86.h"

#define GIB (1ull << 30)
#define ENTRIES_PER_TABLE 512
#define EPT_MAX_RAM (4 * GIB)
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
#define RAM_LEAF_FLAGS (EPT_RWX | (EPT_MEMTYPE_WB << EPT_MEMTYPE_SHIFT) | EPT_IGNORE_PAT | EPT_LARGE_PAGE)

static u64 *new_table(struct ept *ept)
{
	if (ept->ntables == ARRAY_SIZE(ept->table_pages))
		return NULL;
	u64 *t = mm_alloc_pages(1, PAGE_SIZE);
	if (t)
		ept->table_pages[ept->ntables++] = virt_to_phys(t);
	return t;
}

int ept_build(struct ept *ept, const struct vm *vm)
{
	if (vm->ram_size > EPT_MAX_RAM || vm->ram_size % LARGE_PAGE_SIZE)
		return -EINVAL;
	ept->pml4 = new_table(ept);
	u64 *pdpt = new_table(ept);
	if (!ept->pml4 || !pdpt)
		return -ENOMEM;
	ept->pml4[0] = virt_to_phys(pdpt) | EPT_RWX;
	u64 host_base = virt_to_phys(vm->ram);
	for (u64 gpa = 0; gpa < vm->ram_size; gpa += LARGE_PAGE_SIZE) {
		u64 gib = gpa / GIB;
		if (!pdpt[gib]) {
			u64 *pd = new_table(ept);
			if (!pd)
				return -ENOMEM;
			pdpt[gib] = virt_to_phys(pd) | EPT_RWX;
		}
		u64 *pd = phys_to_virt(pdpt[gib] & PTE_ADDR_MASK);
		pd[(gpa % GIB) / LARGE_PAGE_SIZE] = (host_base + gpa) | RAM_LEAF_FLAGS;
	}
	return 0;
}

void ept_free(struct ept *ept)
{
	for (u32 i = 0; i < ept->ntables; i++)
		mm_free_pages(phys_to_virt(ept->table_pages[i]), 1);
	ept->ntables = 0;
	ept->pml4 = NULL;
}

u64 ept_pointer(const struct ept *ept)
{
	return virt_to_phys(ept->pml4) | EPTP_MEMTYPE_WB | EPTP_WALK_LENGTH_4;
}

int ept_lookup(const struct ept *ept, u64 gpa, u64 *leaf)
{
	if (!ept->pml4 || gpa >= GIB * ENTRIES_PER_TABLE || !(ept->pml4[0] & EPT_RWX))
		return -EINVAL;
	const u64 *pdpt = phys_to_virt(ept->pml4[0] & PTE_ADDR_MASK);
	u64 pdpte = pdpt[gpa / GIB];
	if (!(pdpte & EPT_RWX))
		return -EINVAL;
	const u64 *pd = phys_to_virt(pdpte & PTE_ADDR_MASK);
	u64 pde = pd[(gpa % GIB) / LARGE_PAGE_SIZE];
	if (!(pde & EPT_RWX))
		return -EINVAL;
	*leaf = pde;
	return 0;
}

u8 ept_leaf_memtype(u64 leaf)
{
	return (u8)((leaf >> EPT_MEMTYPE_SHIFT) & EPT_MEMTYPE_MASK);
}

bool ept_leaf_ignores_pat(u64 leaf)
{
	return leaf & EPT_IGNORE_PAT;
}
