/* The fake host of the CPUID policy tests (test_cpuid_policy.c, test_cpuid_xsave.c): a captured CPU profile
 * (cpuid_profiles.h) plus single-register overrides, the policy built from it as microhv builds it, and
 * lookups through cpuid_policy_lookup(), i.e. what a guest would see. */
#ifndef TESTS_UNIT_CPUID_POLICY_FAKE_H
#define TESTS_UNIT_CPUID_POLICY_FAKE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "hv/rules/cpuid_policy.h"
#include "hv/rules/guest_abi.h"
#include "hv/rules/xcr0.h"
#include "cpuid_profiles.h"

#define EAX 0
#define EBX 1
#define ECX 2
#define EDX 3

#define QEMU (&cpuid_profile_qemu_max)
#define TGL (&cpuid_profile_tigerlake)
#define SKL (&cpuid_profile_skylake)
#define RYZEN (&cpuid_profile_ryzen)
#define NPROFILES ARRAY_SIZE(cpuid_profiles)

#define BITV(v, n) (((v) >> (n)) & 1u)

/* Bits the policy sets whatever the host says (docs/cpuid.md). */
#define L1_ECX_X2APIC 21
#define L1_ECX_HYPERVISOR 31
#define L1_EDX_MTRR 12
#define L1_EDX_HTT 28
#define L7_EBX_X87_DEFEATURES ((u32)(CPUID_7_EBX_FDP_EXCPTN_ONLY | CPUID_7_EBX_ZERO_FCS_FDS)) /* 0x2040 */
#define L7_EBX_TSC_ADJUST (1u << 1) /* IA32_TSC_ADJUST is emulated (hv/rules/tsc.h): set whatever the host has */

/* ---- The fake host: a profile, plus overrides ---- */

/* One register of one host leaf replaced. */
struct override {
	u32 leaf, subleaf, reg, value;
};

static const struct cpuid_profile *host_profile;
static bool build_without_xsave; /* as on a host where microhv could not use XSAVE */
static bool build_without_insns; /* as under a back end that cannot run RDTSCP/RDPID and INVPCID */
static struct override overrides[4];
static unsigned noverrides;

static inline void fake_cpuid(u32 leaf, u32 subleaf, u32 out[4])
{
	cpuid_profile_read(host_profile, leaf, subleaf, out);
	for (unsigned i = 0; i < noverrides; i++)
		if (overrides[i].leaf == leaf && (overrides[i].subleaf == subleaf || !cpuid_leaf_indexed(leaf)))
			out[overrides[i].reg] = overrides[i].value;
}

/* The captured host value (no overrides). */
static inline u32 host_reg(const struct cpuid_profile *prof, u32 leaf, u32 subleaf, unsigned reg)
{
	u32 r[4];
	cpuid_profile_read(prof, leaf, subleaf, r);
	return r[reg];
}

static inline void add_override(u32 leaf, u32 subleaf, u32 reg, u32 value)
{
	assert_true(noverrides < ARRAY_SIZE(overrides));
	overrides[noverrides++] = (struct override){ leaf, subleaf, reg, value };
}

static inline int reset_overrides(void **state)
{
	noverrides = 0;
	build_without_xsave = false;
	build_without_insns = false;
	return 0;
}

static struct cpuid_policy pol;

/* The XCR0 guest_xstate_probe() gives the host: every guest-policy component the host has. */
static inline u64 probe_xcr0(const struct cpuid_profile *prof)
{
	u32 r[4];
	cpuid_profile_read(prof, 1, 0, r);
	if (build_without_xsave || !(r[ECX] & BIT(26)))
		return 0;
	cpuid_profile_read(prof, 0xD, 0, r);
	return xcr0_guest_supported(r[EAX] | (u64)r[EDX] << 32, ~0ull);
}

static inline void build_kind(const struct cpuid_profile *prof, u32 vcpu_count, bool x2apic, u32 kind)
{
	const struct cpuid_vm_config cfg = { .backend_kind = kind, .vcpu_count = vcpu_count, .x2apic = x2apic,
					     .host_xcr0 = probe_xcr0(prof), .rdtscp = !build_without_insns,
					     .invpcid = !build_without_insns };

	host_profile = prof;
	memset(&pol, 0x5A, sizeof(pol));
	cpuid_policy_build(&pol, fake_cpuid, &cfg);
	assert_true(pol.count <= CPUID_POLICY_MAX_LEAVES);
}

/* The back end microhv uses on that platform. */
static inline void build(const struct cpuid_profile *prof, u32 vcpu_count, bool x2apic)
{
	build_kind(prof, vcpu_count, x2apic, prof->backend_kind);
}

static inline u32 look(u32 leaf, u32 subleaf, u32 vcpu, unsigned reg)
{
	u32 r[4];
	memset(r, 0xA5, sizeof(r));
	cpuid_policy_lookup(&pol, leaf, subleaf, vcpu, r);
	return r[reg];
}

static inline void expect_leaf(u32 leaf, u32 subleaf, u32 vcpu, u32 a, u32 b, u32 c, u32 d)
{
	u32 r[4];
	memset(r, 0xA5, sizeof(r));
	cpuid_policy_lookup(&pol, leaf, subleaf, vcpu, r);
	if (r[0] != a || r[1] != b || r[2] != c || r[3] != d)
		fail_msg("%s: leaf 0x%x.%u vcpu %u: got %08x %08x %08x %08x, want %08x %08x %08x %08x",
			 host_profile->name, leaf, subleaf, vcpu, r[0], r[1], r[2], r[3], a, b, c, d);
}

static inline void expect_bit(u32 leaf, unsigned reg, unsigned bit, u32 want, const char *what)
{
	u32 v = look(leaf, 0, 0, reg);
	if (BITV(v, bit) != want)
		fail_msg("%s: %s: leaf 0x%x reg %u = 0x%08x, bit %u should be %u", host_profile->name, what, leaf, reg,
			 v, bit, want);
}

#endif
