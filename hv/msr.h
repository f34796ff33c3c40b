/* Guest RDMSR/WRMSR emulation. Unknown MSRs raise #GP(0). */
#ifndef HV_MSR_H
#define HV_MSR_H

#include "vcpu.h"

void msr_emulate(struct vcpu *v, u32 msr, bool write);

#endif
