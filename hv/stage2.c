/* Builds and walks the second-level tables both back ends use (see stage2.h). */
#include "stage2.h"
#include "mm.h"
#include "x86.h"

#define GIB (1ull << 30)
#define ENTRIES_PER_TABLE 512
#define STAGE2_MAX_RAM (4 * GIB)

static u64 *new_table(struct stage2 *s)
{
	if (s->ntables == STAGE2_MAX_TABLES)
		return NULL;
	u64 *t = mm_alloc_pages(1, PAGE_SIZE);
	if (t)
		s->table_pages[s->ntables++] = virt_to_phys(t);
	return t;
}

int stage2_build(struct stage2 *s, const struct stage2_format *format, const struct vm *vm)
{
	s->format = format;
	if (vm->ram_size > STAGE2_MAX_RAM || vm->ram_size % LARGE_PAGE_SIZE)
		return -EINVAL;
	s->pml4 = new_table(s);
	u64 *pdpt = new_table(s);
	if (!s->pml4 || !pdpt)
		return -ENOMEM;
	s->pml4[0] = virt_to_phys(pdpt) | format->table_flags;
	u64 host_base = virt_to_phys(vm->ram);
	for (u64 gpa = 0; gpa < vm->ram_size; gpa += LARGE_PAGE_SIZE) {
		u64 gib = gpa / GIB;
		if (!pdpt[gib]) {
			u64 *pd = new_table(s);
			if (!pd)
				return -ENOMEM;
			pdpt[gib] = virt_to_phys(pd) | format->table_flags;
		}
		u64 *pd = phys_to_virt(pdpt[gib] & PTE_ADDR_MASK);
		pd[(gpa % GIB) / LARGE_PAGE_SIZE] = (host_base + gpa) | format->leaf_flags;
	}
	return 0;
}

void stage2_free(struct stage2 *s)
{
	for (u32 i = 0; i < s->ntables; i++)
		mm_free_pages(phys_to_virt(s->table_pages[i]), 1);
	s->ntables = 0;
	s->pml4 = NULL;
}

int stage2_lookup(const struct stage2 *s, u64 gpa, u64 *leaf)
{
	u64 present = s->format ? s->format->present_mask : 0;
	if (!s->pml4 || gpa >= GIB * ENTRIES_PER_TABLE || !(s->pml4[0] & present))
		return -EINVAL;
	const u64 *pdpt = phys_to_virt(s->pml4[0] & PTE_ADDR_MASK);
	u64 pdpte = pdpt[gpa / GIB];
	if (!(pdpte & present))
		return -EINVAL;
	const u64 *pd = phys_to_virt(pdpte & PTE_ADDR_MASK);
	u64 pde = pd[(gpa % GIB) / LARGE_PAGE_SIZE];
	if (!(pde & present))
		return -EINVAL;
	*leaf = pde;
	return 0;
}
