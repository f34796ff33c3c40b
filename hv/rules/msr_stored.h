/* MSRs kernels touch without asking CPUID, which hardware and KVM accept: microhv keeps their values
 * per vCPU and gives them no effect. */
#ifndef HV_MSR_STORED_H
#define HV_MSR_STORED_H

#include "../lib/types.h"

#define AMD_LEGACY_PERF_MSRS 8 /* PERF_CTL0-3 (C0010000H-C0010003H), PERF_CTR0-3 (C0010004H-C0010007H) */

struct stored_msrs {
	u64 misc_enable;
	u64 amd_perf[AMD_LEGACY_PERF_MSRS];
};

/* Values after RESET. */
void stored_msrs_reset(struct stored_msrs *m);

/* 1: handled (*value read or stored); 0: not one of these MSRs. `amd`: the CPU is AMD, the only vendor
 * with the legacy performance counters. */
int stored_msr_access(struct stored_msrs *m, bool amd, u32 msr, bool write, u64 *value);

#endif
