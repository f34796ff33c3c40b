/* Host unit tests for the fast path's CPUID cache (hv/rules/cpuid_fast.h): whatever it answers must be what
 * cpuid_policy_vcpu() gives every vCPU in every state, on each of the four emulator CPU models, and it
 * must answer the leaves a guest asks most (0, the hypervisor leaves, the extended brand leaves). */
#include "cpuid_policy_fake.h"
#include "hv/rules/cpuid_fast.h"

static const u32 bases[] = { 0, 0x40000000u, 0x80000000u };

/* vCPU states that change some leaf: APIC on/off, CR4.OSXSAVE/PKE, XCR0 x87 only or x87+SSE+AVX. */
static const struct cpuid_vcpu_state states[] = {
	{ true, 0, 1 },
	{ false, BIT(18) | BIT(22), 7 },
	{ true, BIT(18), 3 },
};

static void test_fast_matches_policy(void **state)
{
	static struct cpuid_fast fast;
	for (unsigned i = 0; i < NPROFILES; i++) {
		build(cpuid_profiles[i], 4, true);
		cpuid_fast_build(&fast, &pol);
		unsigned answered = 0;
		for (unsigned b = 0; b < ARRAY_SIZE(bases); b++) {
			for (u32 n = 0; n < CPUID_FAST_LEAVES + 4; n++) {
				u32 leaf = bases[b] + n;
				const u32 *got = cpuid_fast_find(&fast, leaf);
				if (!got)
					continue;
				answered++;
				for (u32 vcpu = 0; vcpu < 4; vcpu++)
					for (u32 sub = 0; sub < 3; sub++)
						for (unsigned s = 0; s < ARRAY_SIZE(states); s++) {
							u32 want[4];
							cpuid_policy_vcpu(&pol, leaf, sub, vcpu, &states[s], want);
							assert_memory_equal(got, want, sizeof(want));
						}
			}
		}
		assert_true(answered >= 20);
	}
}

/* The leaves that differ per vCPU or state never come from the cache; ones past a range never do. */
static void test_vcpu_dependent_leaves_not_cached(void **state)
{
	static struct cpuid_fast fast;
	static const u32 never[] = { 1, 4, 7, 0xB, 0xD, 0x1F, CPUID_FAST_LEAVES, 0x40000000u + CPUID_FAST_LEAVES,
				     0x80000000u + CPUID_FAST_LEAVES, 0xC0000000u, 0xFFFFFFFFu };
	build(TGL, 2, true);
	cpuid_fast_build(&fast, &pol);
	for (unsigned i = 0; i < ARRAY_SIZE(never); i++) {
		assert_null(cpuid_fast_find(&fast, never[i]));
	}
	const u32 *r = cpuid_fast_find(&fast, 0);
	assert_non_null(r);
	assert_int_equal(r[EBX], 0x756E6547); /* "Genu" */
	assert_non_null(cpuid_fast_find(&fast, 0x80000000u));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_fast_matches_policy, reset_overrides),
		cmocka_unit_test_setup(test_vcpu_dependent_leaves_not_cached, reset_overrides),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
