/* The guest CPUID policy: built once per VM from the host's CPUID, looked up on every CPUID exit. Pure.
 * docs/cpuid.md lists the policy leaf by leaf. */
#ifndef HV_CPUID_POLICY_H
#define HV_CPUID_POLICY_H

#include "../lib/types.h"

#define CPUID_POLICY_MAX_LEAVES 160

/* CPUID.(7,0):EBX de-features (spec §1): set when the feature is absent; always set for guests (R1.1). */
#define CPUID_7_EBX_FDP_EXCPTN_ONLY BIT(6)
#define CPUID_7_EBX_ZERO_FCS_FDS BIT(13)

enum cpuid_reg { CPUID_EAX, CPUID_EBX, CPUID_ECX, CPUID_EDX };

struct cpuid_vm_config {
	u32 backend_kind; /* MICROHV_BACKEND_* */
	u32 vcpu_count;
	bool x2apic;      /* the virtual APIC is present: APIC, x2APIC and TSC-deadline bits set */
	u32 tsc_khz;      /* the calibrated TSC rate, reported in 0x40000001 ECX (0: unknown) */
	u64 host_xcr0;    /* the components microhv saves per vCPU (its own XCR0); 0: XSAVE not usable */
	bool rdtscp;      /* the back end runs RDTSCP and RDPID (IA32_TSC_AUX is virtualized) */
	bool invpcid;     /* the back end runs INVPCID */
};

struct cpuid_leaf {
	u32 leaf, subleaf;
	u32 regs[4];
};

struct cpuid_policy {
	u32 count;
	u32 max_basic, max_extended;
	u8 maxphyaddr;
	u64 xcr0_supported; /* CPUID.(0xD,0):EDX:EAX: what a guest's XCR0 may enable; 0 = XSAVE hidden */
	struct cpuid_leaf leaves[CPUID_POLICY_MAX_LEAVES];
};

typedef void (*cpuid_source)(u32 leaf, u32 subleaf, u32 out[4]);

void cpuid_policy_build(struct cpuid_policy *p, cpuid_source host, const struct cpuid_vm_config *cfg);

/* Leaves whose ECX selects a subleaf (the others ignore ECX). */
bool cpuid_leaf_has_subleaves(u32 leaf);

/* True if cpuid_policy_vcpu() gives every vCPU, in every state, the same values for this leaf. */
bool cpuid_leaf_same_for_every_vcpu(u32 leaf);

/* The values vCPU `vcpu_id` sees. Leaves the policy does not list read as zero. */
void cpuid_policy_lookup(const struct cpuid_policy *p, u32 leaf, u32 subleaf, u32 vcpu_id, u32 out[4]);

/* The vCPU state CPUID reflects (SDM Vol. 2A CPUID): */
struct cpuid_vcpu_state {
	bool apic_enabled; /* IA32_APIC_BASE[11]: CPUID.1:EDX.APIC */
	u64 cr4;           /* OSXSAVE -> CPUID.1:ECX[27], PKE -> CPUID.7:ECX[4] */
	u64 xcr0;          /* CPUID.(0xD,0):EBX and (0xD,1):EBX, the XSAVE sizes for the enabled components */
};

/* cpuid_policy_lookup() with the bits that follow the vCPU's own state filled in. */
void cpuid_policy_vcpu(const struct cpuid_policy *p, u32 leaf, u32 subleaf, u32 vcpu_id,
		       const struct cpuid_vcpu_state *s, u32 out[4]);

#endif
