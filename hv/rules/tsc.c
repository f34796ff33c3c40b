/* See tsc.h. SDM Vol. 3B §18.17.3: "If an execution of WRMSR to the IA32_TIME_STAMP_COUNTER MSR adds (or
 * subtracts) value X from the TSC, the logical processor also adds (or subtracts) value X from the
 * IA32_TSC_ADJUST MSR", and a WRMSR to IA32_TSC_ADJUST changes the TSC by the same difference. */
#include "tsc.h"

u64 tsc_write(struct guest_tsc *t, u64 host_tsc, u64 value)
{
	u64 delta = value - tsc_guest_now(t, host_tsc);
	t->offset += delta;
	t->adjust += delta;
	return delta;
}

u64 tsc_adjust_write(struct guest_tsc *t, u64 value)
{
	u64 delta = value - t->adjust;
	t->adjust = value;
	t->offset += delta;
	return delta;
}
