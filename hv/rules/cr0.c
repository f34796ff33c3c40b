/* Control-register write rules (SDM Vol. 3A §2.5, MOV to CR "Protected Mode Exceptions"). */
#include "cr0.h"
#include "../lib/x86_defs.h"

#define CR0_DEFINED (CR0_PE | CR0_MP | CR0_EM | CR0_TS | CR0_ET | CR0_NE | CR0_WP | CR0_AM | CR0_NW | CR0_CD | CR0_PG)
#define CR_UPPER_HALF 0xFFFFFFFF00000000ull

int cr0_check_write(const struct cr_context *c, u64 value, u64 *result)
{
	if (value & CR_UPPER_HALF)
		return -EINVAL;
	if ((value & CR0_NW) && !(value & CR0_CD)) /* "not write-through" needs caching off */
		return -EINVAL;
	if ((value & CR0_PG) && !(value & CR0_PE))
		return -EINVAL;
	bool paging_off = (c->cr0 & CR0_PG) && !(value & CR0_PG);
	if (paging_off && (c->in_64bit_mode || (c->cr4 & CR4_PCIDE)))
		return -EINVAL; /* long mode is left from compatibility mode only, and never with PCIDE */
	bool paging_on = !(c->cr0 & CR0_PG) && (value & CR0_PG);
	if (paging_on && (c->efer & EFER_LME) && !(c->cr4 & CR4_PAE))
		return -EINVAL; /* IA-32e mode needs PAE paging */
	if (!(value & CR0_WP) && (c->cr4 & CR4_CET))
		return -EINVAL;
	*result = (value & CR0_DEFINED) | CR0_ET;
	return 0;
}

int cr4_check_write(const struct cr_context *c, u64 value, u64 allowed, u64 *result)
{
	if (value & ~allowed)
		return -EINVAL;
	if ((c->efer & EFER_LMA) && !(value & CR4_PAE))
		return -EINVAL; /* PAE cannot be cleared in IA-32e mode */
	if (!(c->cr4 & CR4_PCIDE) && (value & CR4_PCIDE) && !(c->efer & EFER_LMA))
		return -EINVAL; /* PCIDE can be set only in IA-32e mode */
	if (!(c->cr4 & CR4_PCIDE) && (value & CR4_PCIDE) && (c->cr3 & CR3_PCID_MASK))
		return -EINVAL; /* ... and only with CR3[11:0] = 0 (SDM Vol. 3A §4.10.1) */
	if ((value & CR4_CET) && !(c->cr0 & CR0_WP))
		return -EINVAL;
	*result = value;
	return 0;
}

u64 cr0_reset_value(void)
{
	return CR0_RESET_VALUE;
}

u64 cr0_init_value(u64 cr0_before)
{
	return CR0_ET | (cr0_before & (CR0_CD | CR0_NW));
}
