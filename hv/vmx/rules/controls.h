/* VMX capability arithmetic (SDM Vol. 3D Appendix A.3-A.8). Pure: unit-tested with real capability values. */
#ifndef HV_VMX_CONTROLS_H
#define HV_VMX_CONTROLS_H

#include "../../lib/types.h"

#define VMX_BASIC_TRUE_CONTROLS BIT(55)
#define VMX_BASIC_NO_HW_ERROR_CODE_CHECK BIT(56)
#define VMX_BASIC_REVISION_MASK 0x7FFFFFFFull

/* Combines the controls microhv wants with a capability MSR (allowed-0 settings in bits 31:0 must be 1,
 * allowed-1 settings in bits 63:32 may be 1). Optional wanted bits the CPU lacks are dropped; required
 * ones the CPU lacks are reported in *missing (then the back end cannot run). */
u32 vmx_adjust_controls(u64 capability, u32 required, u32 optional, u32 *missing);

/* The CR0/CR4 value the hardware must hold for a guest value: fixed-1 bits set, fixed-0 bits clear.
 * With unrestricted guest, CR0.PE and CR0.PG are exempt from the fixed-1 rule (SDM Appendix A.7). */
u64 vmx_fixed_cr0(u64 value, u64 fixed0, u64 fixed1, bool unrestricted_guest);
u64 vmx_fixed_cr4(u64 value, u64 fixed0, u64 fixed1);

#endif
