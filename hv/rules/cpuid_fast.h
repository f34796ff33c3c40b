/* The CPUID answers a back end may give inside its entry loop (issue 12's fast path): the leaves every
 * vCPU of a VM sees alike, indexed directly instead of searched. */
#ifndef HV_CPUID_FAST_H
#define HV_CPUID_FAST_H

#include "cpuid_policy.h"
#include "../lib/types.h"

#define CPUID_FAST_LEAVES 32 /* per range: basic 0H.., hypervisor 40000000H.., extended 80000000H.. */
#define CPUID_FAST_RANGES 3

struct cpuid_fast {
	u32 cached[CPUID_FAST_RANGES]; /* bit n: leaf (range base + n) is in regs */
	u32 regs[CPUID_FAST_RANGES][CPUID_FAST_LEAVES][4];
};

void cpuid_fast_build(struct cpuid_fast *f, const struct cpuid_policy *p);

/* The cached values of `leaf` (EAX, EBX, ECX, EDX), or NULL: ask cpuid_policy_vcpu(). Inline: it is
 * most of what a fast-path CPUID costs. */
static inline const u32 *cpuid_fast_find(const struct cpuid_fast *f, u32 leaf)
{
	u32 r = leaf >> 30; /* 0: basic, 1: hypervisor, 2: extended; 3 is no range */
	u32 n = leaf & 0x3FFFFFFFu;
	if (r >= CPUID_FAST_RANGES || n >= CPUID_FAST_LEAVES || !(f->cached[r] & (1u << n)))
		return NULL;
	return f->regs[r][n];
}

#endif
