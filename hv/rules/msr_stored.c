/* See msr_stored.h. */
#include "msr_stored.h"

#define MSR_IA32_MISC_ENABLE 0x1A0u
#define MISC_ENABLE_BTS_UNAVAILABLE BIT(11)
#define MISC_ENABLE_PEBS_UNAVAILABLE BIT(12)
#define MSR_AMD_PERF_CTL0 0xC0010000u
#define AMD_PERF_CTRS_FIRST 4           /* C0010004H-C0010007H are the counters */
#define AMD_PERF_CTR_MASK ((1ull << 48) - 1) /* the counters are 48 bits wide (APM Vol. 2 §13.2.1) */

void stored_msrs_reset(struct stored_msrs *m)
{
	*m = (struct stored_msrs){ 0 };
	/* KVM's value at RESET: no branch-trace store, no PEBS (there is no PMU to use them). */
	m->misc_enable = MISC_ENABLE_BTS_UNAVAILABLE | MISC_ENABLE_PEBS_UNAVAILABLE;
}

static int access(u64 *slot, bool write, u64 *value, u64 mask)
{
	if (write)
		*slot = *value & mask;
	else
		*value = *slot;
	return 1;
}

int stored_msr_access(struct stored_msrs *m, bool amd, u32 msr, bool write, u64 *value)
{
	/* IA32_MISC_ENABLE: stored as KVM does (kvm_set_msr_common() keeps what the guest writes), on both
	 * vendors, since kernels read it to find fast strings and MONITOR support. */
	if (msr == MSR_IA32_MISC_ENABLE)
		return access(&m->misc_enable, write, value, ~0ull);
	/* AMD's legacy performance counters exist on every AMD CPU, whatever CPUID says: accepted, never
	 * counting (no event is ever delivered to the guest). Intel has no such MSRs. */
	if (amd && msr >= MSR_AMD_PERF_CTL0 && msr < MSR_AMD_PERF_CTL0 + AMD_LEGACY_PERF_MSRS) {
		u32 i = msr - MSR_AMD_PERF_CTL0;
		return access(&m->amd_perf[i], write, value, i >= AMD_PERF_CTRS_FIRST ? AMD_PERF_CTR_MASK : ~0ull);
	}
	return 0;
}
