/* The TSC rate the guest's delays use (tsc.h). */
#include "tsc.h"
#include "hypercall.h"

static u64 khz; /* 0 until read: every CPUID is a VM exit under microhv */

u64 tsc_khz(void)
{
	if (!khz) {
		u32 reported = under_microhv() ? cpuid(MICROHV_CPUID_INFO, 0).ecx : 0;
		khz = reported ? reported : TSC_ASSUMED_KHZ;
	}
	return khz;
}
