/* What a guest MOV to CR0/CR4 does (spec §4.1, §4.5 R4.1): pure rules, shared by both back ends. */
#ifndef HV_CR0_H
#define HV_CR0_H

#include "../lib/types.h"

/* The guest state the rules depend on. */
struct cr_context {
	u64 cr0, cr3, cr4, efer;
	bool in_64bit_mode; /* CS.L = 1 with EFER.LMA = 1 */
};

/* Returns 0 and the CR0 value the guest then reads back (reserved bits 31:0 dropped, ET forced to 1),
 * or -EINVAL when the write must raise #GP(0). */
int cr0_check_write(const struct cr_context *c, u64 value, u64 *result);

/* Same for CR4; `allowed` is the set of bits the guest may set (from its CPUID). */
int cr4_check_write(const struct cr_context *c, u64 value, u64 allowed, u64 *result);

/* CR0 after RESET, and after INIT given the CR0 before it (INIT keeps CD and NW: SDM Vol. 3A Table 10-1). */
u64 cr0_reset_value(void);
u64 cr0_init_value(u64 cr0_before);

#endif
