/* The bits that make a second-level page-table entry (NPT on SVM, EPT on VMX; hv/stage2.h builds the tree). */
#ifndef HV_RULES_STAGE2_FORMAT_H
#define HV_RULES_STAGE2_FORMAT_H

#include "../lib/types.h"

struct stage2_format {
	u64 table_flags;  /* bits of a non-leaf entry */
	u64 leaf_flags;   /* bits of a 2 MiB leaf (including the large-page bit) */
	u64 present_mask; /* an entry with none of these bits set is not present */
};

#endif
