/* Guest RDMSR/WRMSR emulation. Unknown MSRs raise #GP(0). */
#ifndef HV_MSR_H
#define HV_MSR_H

#include "vcpu.h"
#include "verdict.h"

struct verdict msr_emulate(struct vcpu *v, u32 msr, bool write);

/* The MSRs that are only values in the vCPU (the MTRRs, IA32_MISC_ENABLE, AMD's legacy counters): 1 read
 * or stored, -1 #GP(0) (nothing stored), 0 not one of them. No side effect beyond *value and v's copy, so
 * the fast path may serve them (hv/fast_path.h). */
int msr_stored_in_vcpu(struct vcpu *v, u32 msr, bool write, u64 *value);

#endif
