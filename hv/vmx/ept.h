/* EPT (SDM Vol. 3C §29.3): the stage-2 tree in EPT format, guest RAM WB with "ignore PAT" (R3.4). */
#ifndef HV_VMX_EPT_H
#define HV_VMX_EPT_H

#include "../stage2.h"

#define EPT_MEMTYPE_UC 0
#define EPT_MEMTYPE_WB 6

extern const struct stage2_format ept_format;

#define EPT_LEVELS 4

/* A second EPT tree for the vCPUs whose xAPIC page is virtualized: the RAM tree plus one 4-KiB leaf that
 * maps a guest-physical page to the APIC-access page (SDM Vol. 3C §30.4: accesses are virtualized when
 * they translate to the APIC-access address). Only the four tables on the path to that leaf are its own
 * (copies); below them it shares the RAM tree's page directories, so both trees always map RAM alike. */
struct ept_apic_tree {
	u64 *table[EPT_LEVELS]; /* PML4, PDPT, PD, PT */
};

/* 0, -ENOMEM, or -EEXIST if guest RAM already covers `gpa`. */
int ept_build_apic_tree(struct ept_apic_tree *t, const struct stage2 *ram, u64 gpa, u64 access_page_pa);
void ept_free_apic_tree(struct ept_apic_tree *t);
u64 ept_apic_tree_pointer(const struct ept_apic_tree *t);

/* The EPT pointer: WB paging-structure accesses, 4-level walk. */
u64 ept_pointer(const struct stage2 *ept);
u8 ept_leaf_memtype(u64 leaf);
bool ept_leaf_ignores_pat(u64 leaf);

#endif
