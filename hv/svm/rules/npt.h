/* Nested page tables (APM Vol. 2 §15.25): the stage-2 tree in NPT format. */
#ifndef HV_SVM_NPT_H
#define HV_SVM_NPT_H

#include "../../rules/stage2_format.h"

/* Leaves carry no PAT/PCD/PWT bits: host PAT entry 0 (WB) combined with the host MTRRs (WB for RAM)
 * is the host side of the memory type; the guest's own PAT and page tables decide the rest (R3.4). */
extern const struct stage2_format npt_format;

/* The host side of a leaf's memory type: the host PAT entry its PAT/PCD/PWT bits select (APM Vol. 2
 * §15.25.8: nested entries are typed through the host's PAT; the host MTRRs, WB for RAM, combine with it). */
u8 npt_leaf_memtype(u64 leaf, u64 host_pat);

#endif
