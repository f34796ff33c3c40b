/* EPT entry format. Every leaf for guest RAM carries memory type WB with "ignore PAT" set, so neither
 * the guest's PAT, its MTRRs nor its CR0.CD change how RAM is cached: the behaviour the KVM errata
 * describe (spec §3.2 "Effective memory type, Intel EPT"). */
#include "ept.h"
#include "../mm.h"
#include "../lib/fmt.h"
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
#define EPT_INDEX_MASK 0x1FFull
#define EPT_PT_LEVEL (EPT_LEVELS - 1)

const struct stage2_format ept_format = {
	.table_flags = EPT_RWX,
	.leaf_flags = EPT_RWX | ((u64)EPT_MEMTYPE_WB << EPT_MEMTYPE_SHIFT) | EPT_IGNORE_PAT | EPT_LARGE_PAGE,
	.present_mask = EPT_RWX,
};

static u64 pointer_to(const u64 *pml4)
{
	return virt_to_phys(pml4) | EPTP_MEMTYPE_WB | EPTP_WALK_LENGTH_4;
}

u64 ept_pointer(const struct stage2 *ept)
{
	return pointer_to(ept->pml4);
}

/* Bits of the guest-physical address that index each level: 47:39, 38:30, 29:21, 20:12. */
static const u8 level_shift[EPT_LEVELS] = { 39, 30, 21, 12 };

int ept_build_apic_tree(struct ept_apic_tree *t, const struct stage2 *ram, u64 gpa, u64 access_page_pa)
{
	const u64 *src = ram->pml4; /* the RAM tree's table at this level, if it has one on the path */
	*t = (struct ept_apic_tree){ 0 };
	for (u32 level = 0; level < EPT_LEVELS; level++) {
		u64 *table = mm_alloc_pages(1, PAGE_SIZE);
		if (!table) {
			ept_free_apic_tree(t);
			return -ENOMEM;
		}
		if (src)
			memcpy(table, src, PAGE_SIZE);
		t->table[level] = table;
		if (level > 0) {
			u64 parent_index = (gpa >> level_shift[level - 1]) & EPT_INDEX_MASK;
			t->table[level - 1][parent_index] = virt_to_phys(table) | ept_format.table_flags;
		}
		u64 entry = src ? src[(gpa >> level_shift[level]) & EPT_INDEX_MASK] : 0;
		if (level < EPT_PT_LEVEL && (entry & EPT_LARGE_PAGE)) {
			ept_free_apic_tree(t);
			return -EEXIST; /* a RAM leaf covers the address */
		}
		src = (entry & ept_format.present_mask) ? phys_to_virt(entry & PTE_ADDR_MASK) : NULL;
	}
	/* Accesses there are virtualized, never made: the type only matters if the processor did make one,
	 * and the local APIC's page is uncacheable. Not executable: code fetched from the APIC page is not
	 * virtualized by APICv (SDM Vol. 3C §30.4) and Bochs 2.7 panics on it; the fetch exits instead. */
	t->table[EPT_PT_LEVEL][(gpa >> level_shift[EPT_PT_LEVEL]) & EPT_INDEX_MASK] =
		access_page_pa | EPT_READ | EPT_WRITE | (u64)EPT_MEMTYPE_UC << EPT_MEMTYPE_SHIFT;
	return 0;
}

void ept_free_apic_tree(struct ept_apic_tree *t)
{
	for (u32 level = 0; level < EPT_LEVELS; level++)
		mm_free_pages(t->table[level], 1);
	*t = (struct ept_apic_tree){ 0 };
}

u64 ept_apic_tree_pointer(const struct ept_apic_tree *t)
{
	return pointer_to(t->table[0]);
}

u8 ept_leaf_memtype(u64 leaf)
{
	return (u8)((leaf >> EPT_MEMTYPE_SHIFT) & EPT_MEMTYPE_MASK);
}

bool ept_leaf_ignores_pat(u64 leaf)
{
	return leaf & EPT_IGNORE_PAT;
}
