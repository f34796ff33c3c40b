/* Host unit tests for the parts of the CPUID policy that follow microhv's CPU-state support (docs/cpuid.md):
 * XSAVE and leaf 0xD within XCR0's policy (hv/rules/xcr0.h), the bits that mirror the vCPU's own state
 * (cpuid_policy_vcpu(): OSXSAVE, OSPKE, APIC, the XSAVE sizes for its XCR0), and RDTSCP/RDPID/INVPCID
 * where the back end runs them. Same fake host as test_cpuid_policy.c. */
#include "cpuid_policy_fake.h"

/* RDTSCP, RDPID and INVPCID: the host's bits where the back end runs them (cfg.rdtscp, cfg.invpcid),
 * hidden where it does not (VMX without "enable RDTSCP" / "enable INVPCID": they would be #UD). */
static void test_rdtscp_rdpid_invpcid(void **state)
{
	for (unsigned i = 0; i < NPROFILES; i++) {
		const struct cpuid_profile *p = cpuid_profiles[i];
		build(p, 1, false);
		assert_int_equal(BITV(look(0x80000001, 0, 0, EDX), 27), 1); /* all four have RDTSCP */
		assert_int_equal(BITV(look(7, 0, 0, ECX), 22), BITV(host_reg(p, 7, 0, ECX), 22));
		assert_int_equal(BITV(look(7, 0, 0, EBX), 10), BITV(host_reg(p, 7, 0, EBX), 10));
	}
	build(TGL, 1, false);
	expect_bit(7, ECX, 22, 1, "RDPID on tigerlake");
	expect_bit(7, EBX, 10, 1, "INVPCID on tigerlake");
}

/* Where microhv cannot use XSAVE, XSAVE and everything that needs XCR0 is hidden, and its
 * state-enumeration leaf reads as zero. */
static void test_xsave_hidden(void **state)
{
	build_without_xsave = true;
	build_without_insns = true;
	for (unsigned i = 0; i < NPROFILES; i++) {
		build(cpuid_profiles[i], 1, false);
		expect_bit(1, ECX, 26, 0, "XSAVE");
		expect_bit(1, ECX, 28, 0, "AVX");
		expect_bit(7, EBX, 5, 0, "AVX2");
		expect_bit(7, EBX, 16, 0, "AVX512F");
		expect_bit(7, EBX, 10, 0, "INVPCID");
		expect_bit(7, ECX, 22, 0, "RDPID");
		for (u32 s = 0; s < 64; s++)
			expect_leaf(0xD, s, 0, 0, 0, 0, 0);
	}
}

static void view(u64 cr4, u64 xcr0, bool apic_en, u32 leaf, u32 subleaf, u32 r[4])
{
	const struct cpuid_vcpu_state st = { .apic_enabled = apic_en, .cr4 = cr4, .xcr0 = xcr0 };
	memset(r, 0xA5, 4 * sizeof(u32));
	cpuid_policy_vcpu(&pol, leaf, subleaf, 0, &st, r);
}

/* Leaf 0xD within XCR0's policy (x87, SSE, AVX, AVX-512): subleaf 0 EAX the components the host has and
 * microhv saves, EBX the standard-format size for the vCPU's XCR0 as hardware computes it, ECX the size for
 * all of them; subleaf 1 XSAVEOPT/XSAVEC/XGETBV1 (XSAVES hidden) with the compacted size; MPX and PKRU
 * components read as zero. */
static void test_xsave_leaf(void **state)
{
	u32 r[4];
	build(QEMU, 1, true); /* host 0xD.0 EAX 0x21f: x87 SSE AVX MPX PKRU */
	view(0, 7, true, 0xD, 0, r);
	assert_int_equal(r[EAX], 7);
	assert_int_equal(r[ECX], 0x340);
	assert_int_equal(r[EDX], 0);
	assert_int_equal(r[EBX], 0x340);
	view(0, 1, true, 0xD, 0, r);
	assert_int_equal(r[EBX], 0x240); /* legacy region + header only */
	view(0, 3, true, 0xD, 0, r);
	assert_int_equal(r[EBX], 0x240);
	expect_leaf(0xD, 1, 0, 5, 0, 0, 0); /* XSAVEOPT, XGETBV1; no XSAVEC: EBX stays 0 */
	expect_leaf(0xD, 2, 0, 0x100, 0x240, 0, 0);
	expect_leaf(0xD, 3, 0, 0, 0, 0, 0); /* MPX BNDREGS */
	expect_leaf(0xD, 9, 0, 0, 0, 0, 0); /* PKRU */

	build(TGL, 1, true); /* host 0x2e7: AVX-512 and PKRU; 0xD.1 EAX 0xf with XSAVES */
	view(0, 0xE7, true, 0xD, 0, r);
	assert_int_equal(r[EAX], 0xE7);
	assert_int_equal(r[EBX], 0xA80);
	assert_int_equal(r[ECX], 0xA80);
	view(0, 7, true, 0xD, 0, r);
	assert_int_equal(r[EBX], 0x340);
	view(0, 7, true, 0xD, 1, r);
	assert_int_equal(r[EAX], 7); /* XSAVES (bit 3) hidden */
	assert_int_equal(r[EBX], 0x340);
	view(0, 0xE7, true, 0xD, 1, r);
	assert_int_equal(r[EBX], 0x980); /* compacted: 576 + 0x100 + 0x40 + 0x200 + 0x400 */
	assert_int_equal(r[ECX], 0);
	expect_leaf(0xD, 5, 0, 0x40, 0x440, 0, 0);
	expect_leaf(0xD, 9, 0, 0, 0, 0, 0);
	expect_bit(7, EBX, 16, 1, "AVX512F");
	expect_bit(7, EBX, 5, 1, "AVX2");
	expect_bit(1, ECX, 28, 1, "AVX");
	expect_bit(1, ECX, 26, 1, "XSAVE");
}

/* A host whose XCR0 lacks AVX-512 (or where the host has no complete AVX-512 set) gives no AVX-512 bits. */
static void test_xsave_partial_host(void **state)
{
	const struct cpuid_vm_config cfg = { .backend_kind = MICROHV_BACKEND_VMX, .vcpu_count = 1, .x2apic = true,
					     .host_xcr0 = 7 };
	host_profile = TGL;
	cpuid_policy_build(&pol, fake_cpuid, &cfg);
	assert_int_equal(pol.xcr0_supported, 7);
	expect_bit(7, EBX, 16, 0, "AVX512F");
	expect_bit(7, ECX, 1, 0, "AVX512_VBMI");
	expect_bit(7, EDX, 8, 0, "VP2INTERSECT");
	expect_bit(7, EBX, 5, 1, "AVX2");
	expect_leaf(0xD, 5, 0, 0, 0, 0, 0);
	add_override(0xD, 0, EAX, 0x67); /* no Hi16_ZMM: the AVX-512 trio is all-or-nothing */
	build(TGL, 1, true);
	assert_int_equal(pol.xcr0_supported, 7);
}

/* Bits that follow the vCPU: OSXSAVE its CR4.OSXSAVE, OSPKE its CR4.PKE, APIC its APIC_BASE.EN. */
static void test_vcpu_dynamic_bits(void **state)
{
	u32 r[4];
	build(TGL, 1, true);
	view(0, 1, true, 1, 0, r);
	assert_int_equal(BITV(r[ECX], 27), 0);
	assert_int_equal(BITV(r[EDX], 9), 1);
	view(BIT(18), 1, false, 1, 0, r);
	assert_int_equal(BITV(r[ECX], 27), 1);
	assert_int_equal(BITV(r[EDX], 9), 0);
	view(BIT(22), 1, true, 7, 0, r);
	assert_int_equal(BITV(r[ECX], 4), 1);
	view(0, 1, true, 7, 0, r);
	assert_int_equal(BITV(r[ECX], 4), 0);
	build_without_xsave = true; /* no XSAVE offered: CR4.OSXSAVE (refused anyway) sets nothing */
	build(TGL, 1, true);
	view(BIT(18), 1, true, 1, 0, r);
	assert_int_equal(BITV(r[ECX], 27), 0);
	view(0, 7, true, 0xD, 0, r);
	assert_int_equal(r[EBX], 0);
}

#define T(fn) cmocka_unit_test_setup(fn, reset_overrides)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_rdtscp_rdpid_invpcid),
		T(test_xsave_hidden),
		T(test_xsave_leaf),
		T(test_xsave_partial_host),
		T(test_vcpu_dynamic_bits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
