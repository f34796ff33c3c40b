/* VMX control and fixed-bit arithmetic (SDM Vol. 3D Appendix A). */
#include "controls.h"

#define CR0_PE_PG (BIT(0) | BIT(31))

u32 vmx_adjust_controls(u64 capability, u32 required, u32 optional, u32 *missing)
{
	u32 must_be_one = (u32)capability;
	u32 may_be_one = (u32)(capability >> 32);
	*missing = required & ~may_be_one;
	return ((required | optional) & may_be_one) | must_be_one;
}

u64 vmx_fixed_cr0(u64 value, u64 fixed0, u64 fixed1, bool unrestricted_guest)
{
	if (unrestricted_guest)
		fixed0 &= ~(u64)CR0_PE_PG;
	return (value | fixed0) & fixed1;
}

u64 vmx_fixed_cr4(u64 value, u64 fixed0, u64 fixed1)
{
	return (value | fixed0) & fixed1;
}
