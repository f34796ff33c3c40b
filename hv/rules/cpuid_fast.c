/* A direct-indexed copy of the policy's vCPU-independent leaves (see cpuid_fast.h). */
#include "cpuid_fast.h"

static const u32 range_base[CPUID_FAST_RANGES] = { 0, 0x40000000u, 0x80000000u };

void cpuid_fast_build(struct cpuid_fast *f, const struct cpuid_policy *p)
{
	for (u32 r = 0; r < CPUID_FAST_RANGES; r++) {
		f->cached[r] = 0;
		for (u32 n = 0; n < CPUID_FAST_LEAVES; n++) {
			u32 leaf = range_base[r] + n;
			if (!cpuid_leaf_same_for_every_vcpu(leaf))
				continue;
			cpuid_policy_lookup(p, leaf, 0, 0, f->regs[r][n]);
			f->cached[r] |= 1u << n;
		}
	}
}
