/* Second-level page tables (NPT on SVM, EPT on VMX): the same 4-level radix tree mapping guest RAM
 * [0, ram_size) onto its host block with 2 MiB leaves; only the entry bits differ per back end. */
#ifndef HV_STAGE2_H
#define HV_STAGE2_H

#include "rules/stage2_format.h"
#include "vm.h"

#define STAGE2_MAX_TABLES 8 /* PML4 + PDPT + one PD per GiB, up to 4 GiB of guest RAM */

struct stage2 {
	const struct stage2_format *format;
	u64 *pml4;
	u64 table_pages[STAGE2_MAX_TABLES];
	u32 ntables;
};

int stage2_build(struct stage2 *s, const struct stage2_format *format, const struct vm *vm);
void stage2_free(struct stage2 *s);
/* The leaf entry mapping `gpa`, or -EINVAL if unmapped. */
int stage2_lookup(const struct stage2 *s, u64 gpa, u64 *leaf);

#endif
