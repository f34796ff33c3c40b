/* Host unit tests for the guest CPUID policy (hv/cpuid_policy.h).
 * cpuid_policy_build() reads the host through a cpuid_source; here that is a table-driven fake host with
 * three profiles, and every check goes through cpuid_policy_lookup(), i.e. what a guest would see.
 * Spec: /work/shared/spec/errata-behaviour.md §1 (x87 de-features, R1.1) and §5.4 (R5.1 APIC IDs). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "hv/cpuid_policy.h"
#include "hv/guest_abi.h"

#define EAX 0
#define EBX 1
#define ECX 2
#define EDX 3

/* ---- Fake hosts ---- */

struct host_leaf {
	u32 leaf, subleaf;
	u32 r[4];
};

struct profile {
	const char *name;
	const struct host_leaf *leaves;
	unsigned n;
};

/* The register values below are ILLUSTRATIVE: plausible for the named kind of CPU, assembled from typical
 * dumps, not a verbatim capture of any one machine. Host APIC IDs and topology are deliberately nonzero so
 * the tests can see them replaced. */

/* AMD Zen 3-like (what QEMU TCG `-cpu max` or an EPYC host might report; vendor AuthenticAMD).
 * 7.0 EBX has bits 6 and 13 clear (the x87 de-features absent), SVM (0x80000001 ECX[2]) and RDTSCP set. */
static const struct host_leaf amd_leaves[] = {
	{ 0x0, 0, { 0x10, 0x68747541, 0x444d4163, 0x69746e65 } }, /* "AuthenticAMD" */
	{ 0x1, 0, { 0x00A00F11, 0x05100800, 0x7EF8320B, 0x178BFBFF } },
	{ 0x5, 0, { 0x40, 0x40, 0x3, 0x11 } },
	{ 0x6, 0, { 0x4, 0, 0x1, 0 } },
	{ 0x7, 0, { 0, 0x219C91A9, 0x0040069C, 0x00000010 } },
	{ 0xB, 0, { 1, 2, 0x100, 5 } },
	{ 0xB, 1, { 7, 16, 0x201, 5 } },
	{ 0xD, 0, { 0x207, 0x340, 0x380, 0 } },
	{ 0xD, 1, { 0xF, 0x340, 0, 0 } },
	{ 0xD, 2, { 0x100, 0x240, 0, 0 } },
	{ 0x80000000, 0, { 0x80000021, 0x68747541, 0x444d4163, 0x69746e65 } },
	{ 0x80000001, 0, { 0x00A00F11, 0x20000000, 0x75C237FF, 0x2FD3FBFF } },
	{ 0x80000002, 0, { 0x20444d41, 0x43595045, 0x36373720, 0x34362033 } }, /* "AMD EPYC 7763 64-Core ..." */
	{ 0x80000003, 0, { 0x726f432d, 0x72502065, 0x7365636f, 0x20726f73 } },
	{ 0x80000004, 0, { 0x20202020, 0x20202020, 0x20202020, 0x00202020 } },
	{ 0x80000005, 0, { 0xFF40FF40, 0xFF40FF40, 0x20080140, 0x20080140 } },
	{ 0x80000006, 0, { 0x48002200, 0x68004200, 0x02006140, 0x08009140 } },
	{ 0x80000007, 0, { 0, 0x3B, 0, 0x00006799 } },
	{ 0x80000008, 0, { 0x00003030, 0x091EF257, 0x0000703F, 0x00010000 } }, /* 48-bit physical */
	{ 0x8000000A, 0, { 1, 0x8000, 0, 0x101BBCFF } },
	{ 0x80000021, 0, { 0x62FCF, 0, 0, 0 } },
};

/* Intel Tiger Lake-like (i7-1165G7 class; vendor GenuineIntel). 7.0 EBX has bits 6 and 13 set, leaf 1
 * ECX has VMX and x2APIC, EDX has HTT, 0x80000001 EDX has RDTSCP; 39-bit physical addresses. */
static const struct host_leaf tgl_leaves[] = {
	{ 0x0, 0, { 0x1B, 0x756e6547, 0x6c65746e, 0x49656e69 } }, /* "GenuineIntel" */
	{ 0x1, 0, { 0x000806C1, 0x02100800, 0x7FFAFBBF, 0xBFEBFBFF } },
	{ 0x2, 0, { 0x00FEFF01, 0x000000F0, 0, 0 } },
	{ 0x4, 0, { 0x1C004121, 0x02C0003F, 0x0000003F, 0 } },
	{ 0x4, 1, { 0x1C004122, 0x01C0003F, 0x0000003F, 0 } },
	{ 0x4, 2, { 0x1C004143, 0x0480003F, 0x000003FF, 0 } },
	{ 0x4, 3, { 0x1C03C163, 0x02C0003F, 0x00003FFF, 6 } },
	{ 0x6, 0, { 0x0017EFF7, 0x2, 0x9, 0 } },
	{ 0x7, 0, { 0, 0xF3BFA7EB, 0x18C05FCE, 0xFC100510 } },
	{ 0x7, 1, { 0x00000400, 0, 0, 0 } },
	{ 0xA, 0, { 0x08300805, 0, 0xF, 0x8603 } },
	{ 0xB, 0, { 1, 2, 0x100, 2 } },
	{ 0xB, 1, { 4, 8, 0x201, 2 } },
	{ 0xD, 0, { 0x2E7, 0xA88, 0xA88, 0 } },
	{ 0xD, 1, { 0xF, 0x9A8, 0x2100, 0 } },
	{ 0xD, 2, { 0x100, 0x240, 0, 0 } },
	{ 0x15, 0, { 2, 0x9C, 0x0249F000, 0 } },
	{ 0x16, 0, { 0xB54, 0x1194, 0x64, 0 } },
	{ 0x1B, 0, { 0x1, 0x2, 0x3, 0x4 } },
	{ 0x80000000, 0, { 0x80000008, 0, 0, 0 } },
	{ 0x80000001, 0, { 0, 0, 0x00000121, 0x2C100800 } },
	{ 0x80000002, 0, { 0x68743131, 0x6e654720, 0x746e4920, 0x52286c65 } }, /* "11th Gen Intel(R) ..." */
	{ 0x80000003, 0, { 0x6f432029, 0x54286572, 0x6920294d, 0x31312d37 } },
	{ 0x80000004, 0, { 0x37473536, 0x32204020, 0x4730382e, 0x00007a48 } },
	{ 0x80000006, 0, { 0, 0, 0x05007040, 0 } },
	{ 0x80000007, 0, { 0, 0, 0, 0x100 } },
	{ 0x80000008, 0, { 0x00003027, 0, 0, 0 } }, /* 39-bit physical */
};

/* A minimal old CPU (Core 2-era GenuineIntel, simplified): max basic leaf 0xD, extended leaves only up to
 * the brand string (no 0x80000008, so MAXPHYADDR defaults to 36), no x2APIC, no HTT, 7.0 all zero. */
static const struct host_leaf old_leaves[] = {
	{ 0x0, 0, { 0xD, 0x756e6547, 0x6c65746e, 0x49656e69 } },
	{ 0x1, 0, { 0x0001067A, 0x00010800, 0x0008E3BD, 0x0FEBFBFF } },
	{ 0x2, 0, { 0x05B0B101, 0x005657F0, 0, 0x2CB4304E } },
	{ 0x4, 0, { 0x04000121, 0x01C0003F, 0x3F, 1 } },
	{ 0xD, 0, { 0x3, 0x240, 0x240, 0 } },
	{ 0x80000000, 0, { 0x80000004, 0, 0, 0 } },
	{ 0x80000001, 0, { 0, 0, 0x1, 0x20100800 } },
	{ 0x80000002, 0, { 0x20202020, 0x49202020, 0x6c65746e, 0x20295228 } },
	{ 0x80000003, 0, { 0x65726f43, 0x294d5428, 0x75442032, 0x5043206f } },
	{ 0x80000004, 0, { 0x20202055, 0x38452020, 0x20303034, 0x33204020 } },
};

static const struct profile AMD = { "amd-zen3-like", amd_leaves, ARRAY_SIZE(amd_leaves) };
static const struct profile TGL = { "tigerlake-like", tgl_leaves, ARRAY_SIZE(tgl_leaves) };
static const struct profile OLD = { "old-minimal", old_leaves, ARRAY_SIZE(old_leaves) };
static const struct profile *const all_profiles[] = { &AMD, &TGL, &OLD };

/* One register of one host leaf replaced, for "whatever the host says" checks. */
struct override {
	u32 leaf, subleaf, reg, value;
};

static const struct profile *host_profile;
static struct override overrides[4];
static unsigned noverrides;

static bool indexed(u32 leaf)
{
	return leaf == 4 || leaf == 7 || leaf == 0xB || leaf == 0xD || leaf == 0x1F;
}

/* The fake CPUID instruction: subleaf ignored for non-indexed leaves, unlisted leaves read as zero. */
static void fake_cpuid(u32 leaf, u32 subleaf, u32 out[4])
{
	if (!indexed(leaf))
		subleaf = 0;
	out[0] = out[1] = out[2] = out[3] = 0;
	for (unsigned i = 0; i < host_profile->n; i++)
		if (host_profile->leaves[i].leaf == leaf && host_profile->leaves[i].subleaf == subleaf)
			memcpy(out, host_profile->leaves[i].r, 4 * sizeof(u32));
	for (unsigned i = 0; i < noverrides; i++)
		if (overrides[i].leaf == leaf && overrides[i].subleaf == subleaf)
			out[overrides[i].reg] = overrides[i].value;
}

static u32 host_reg(const struct profile *prof, u32 leaf, u32 subleaf, unsigned reg)
{
	u32 r[4];
	const struct profile *saved = host_profile;
	host_profile = prof;
	fake_cpuid(leaf, subleaf, r);
	host_profile = saved;
	return r[reg];
}

static struct cpuid_policy pol;

static void build(const struct profile *prof, u32 vcpu_count, bool x2apic, u32 kind)
{
	const struct cpuid_vm_config cfg = { .backend_kind = kind, .vcpu_count = vcpu_count, .x2apic = x2apic };

	host_profile = prof;
	memset(&pol, 0x5A, sizeof(pol));
	cpuid_policy_build(&pol, fake_cpuid, &cfg);
	assert_true(pol.count <= CPUID_POLICY_MAX_LEAVES);
}

static void build_default(const struct profile *prof)
{
	build(prof, 4, false, prof == &AMD ? MICROHV_BACKEND_SVM : MICROHV_BACKEND_VMX);
}

static void add_override(u32 leaf, u32 subleaf, u32 reg, u32 value)
{
	assert_true(noverrides < ARRAY_SIZE(overrides));
	overrides[noverrides++] = (struct override){ leaf, subleaf, reg, value };
}

static int reset_overrides(void **state)
{
	noverrides = 0;
	return 0;
}

static u32 look(u32 leaf, u32 subleaf, u32 vcpu, unsigned reg)
{
	u32 r[4];
	memset(r, 0xA5, sizeof(r));
	cpuid_policy_lookup(&pol, leaf, subleaf, vcpu, r);
	return r[reg];
}

static void expect_leaf(u32 leaf, u32 subleaf, u32 vcpu, u32 a, u32 b, u32 c, u32 d)
{
	u32 r[4];
	memset(r, 0xA5, sizeof(r));
	cpuid_policy_lookup(&pol, leaf, subleaf, vcpu, r);
	if (r[0] != a || r[1] != b || r[2] != c || r[3] != d)
		fail_msg("leaf 0x%x.%u vcpu %u: got %08x %08x %08x %08x, want %08x %08x %08x %08x", leaf, subleaf, vcpu,
			 r[0], r[1], r[2], r[3], a, b, c, d);
}

#define BITV(v, n) (((v) >> (n)) & 1u)

/* ---- §1: the x87 de-features ---- */

static void test_x87_defeatures_always_set(void **state)
{
	/* The fixtures cover both host states. */
	assert_int_equal(host_reg(&AMD, 7, 0, EBX) & 0x2040, 0);
	assert_int_equal(host_reg(&TGL, 7, 0, EBX) & 0x2040, 0x2040);
	assert_int_equal(host_reg(&OLD, 7, 0, EBX), 0);
	for (unsigned i = 0; i < ARRAY_SIZE(all_profiles); i++) {
		build_default(all_profiles[i]);
		u32 ebx = look(7, 0, 0, EBX);
		if (!BITV(ebx, 6) || !BITV(ebx, 13))
			fail_msg("%s: 7.0 EBX = 0x%08x lacks bit 6 or 13", all_profiles[i]->name, ebx);
		assert_int_equal(look(7, 0, 3, EBX), ebx); /* same for every vCPU */
	}
	/* Host EBX all clear, all set, or only one of the two. */
	static const u32 host_ebx[] = { 0, 0xFFFFFFFF, 1u << 6, 1u << 13, ~((1u << 6) | (1u << 13)) };
	for (unsigned i = 0; i < ARRAY_SIZE(host_ebx); i++) {
		noverrides = 0;
		add_override(7, 0, EBX, host_ebx[i]);
		build_default(&TGL);
		assert_int_equal(look(7, 0, 0, EBX) & 0x2040, 0x2040);
	}
	noverrides = 0;
	add_override(7, 0, EBX, 0);
	build_default(&TGL);
	assert_int_equal(look(7, 0, 0, EBX), 0x2040); /* nothing else invented */
}

/* ---- Hidden features ---- */

static void test_vmx_svm_hidden(void **state)
{
	assert_int_equal(BITV(host_reg(&TGL, 1, 0, ECX), 5), 1);
	assert_int_equal(BITV(host_reg(&AMD, 0x80000001, 0, ECX), 2), 1);
	for (unsigned i = 0; i < ARRAY_SIZE(all_profiles); i++) {
		build_default(all_profiles[i]);
		assert_int_equal(BITV(look(1, 0, 0, ECX), 5), 0);
		assert_int_equal(BITV(look(0x80000001, 0, 0, ECX), 2), 0);
	}
	/* Even when the host claims everything. */
	add_override(1, 0, ECX, 0xFFFFFFFF);
	add_override(0x80000001, 0, ECX, 0xFFFFFFFF);
	build_default(&AMD);
	assert_int_equal(BITV(look(1, 0, 0, ECX), 5), 0);
	assert_int_equal(BITV(look(0x80000001, 0, 0, ECX), 2), 0);
	assert_int_equal(BITV(look(0x80000001, 0, 0, ECX), 0), 1); /* LAHF/SAHF still passed */
}

static void test_rdtscp_hidden(void **state)
{
	for (unsigned i = 0; i < ARRAY_SIZE(all_profiles); i++) {
		const struct profile *p = all_profiles[i];
		build_default(p);
		u32 edx = look(0x80000001, 0, 0, EDX);
		if (p != &OLD)
			assert_int_equal(BITV(host_reg(p, 0x80000001, 0, EDX), 27), 1);
		assert_int_equal(BITV(edx, 27), 0);
		/* The leaf is not simply zeroed: long mode, NX and SYSCALL pass. */
		assert_int_equal(edx & ((1u << 29) | (1u << 20) | (1u << 11)), (1u << 29) | (1u << 20) | (1u << 11));
	}
}

static void test_hypervisor_bit(void **state)
{
	add_override(1, 0, ECX, 0); /* even a host that says nothing */
	for (unsigned i = 0; i < ARRAY_SIZE(all_profiles); i++) {
		build_default(all_profiles[i]);
		assert_int_equal(BITV(look(1, 0, 0, ECX), 31), 1);
	}
	assert_int_equal(look(1, 0, 0, ECX), 0x80000000u);
}

/* ---- Hypervisor leaves ---- */

static void test_hypervisor_leaves(void **state)
{
	static const u32 kinds[] = { MICROHV_BACKEND_SVM, MICROHV_BACKEND_VMX };

	for (unsigned k = 0; k < ARRAY_SIZE(kinds); k++) {
		build(&TGL, 2, false, kinds[k]);
		u32 r[4];
		cpuid_policy_lookup(&pol, 0x40000000, 0, 1, r);
		assert_int_equal(r[EAX], 0x40000001);
		char sig[13] = { 0 };
		memcpy(sig, &r[EBX], 4);
		memcpy(sig + 4, &r[ECX], 4);
		memcpy(sig + 8, &r[EDX], 4);
		assert_memory_equal(sig, "microhv\0\0\0\0\0", 12);
		expect_leaf(0x40000000, 0, 0, 0x40000001, 0x7263696D, 0x0076686F, 0);
		expect_leaf(0x40000000, 9, 0, 0x40000001, 0x7263696D, 0x0076686F, 0); /* subleaf ignored */
		expect_leaf(0x40000001, 0, 1, MICROHV_ABI_VERSION, kinds[k], 0, 0);
		expect_leaf(0x40000002, 0, 1, 0, 0, 0, 0);
	}
	assert_int_equal(MICROHV_ABI_VERSION, 1);
	assert_int_equal(MICROHV_BACKEND_SVM, 1);
	assert_int_equal(MICROHV_BACKEND_VMX, 2);
}

/* ---- APIC IDs and topology (R5.1) ---- */

static void test_leaf1_ebx_ids(void **state)
{
	build(&TGL, 4, false, MICROHV_BACKEND_VMX);
	/* Host EBX 0x02100800: CLFLUSH size 8 (bits 15:8) passes; host APIC ID 2 and count 16 are replaced. */
	assert_int_equal(look(1, 0, 0, EBX), 0x00040800);
	assert_int_equal(look(1, 0, 1, EBX), 0x01040800);
	assert_int_equal(look(1, 0, 3, EBX), 0x03040800);
	build(&AMD, 301, false, MICROHV_BACKEND_SVM);
	assert_int_equal(look(1, 0, 0xFF, EBX), 0xFFFF0800); /* 301 vCPUs saturate the 8-bit count */
	assert_int_equal(look(1, 0, 256, EBX), 0x00FF0800);  /* ID & 0xFF */
	assert_int_equal(look(1, 0, 300, EBX), 0x2CFF0800);  /* 300 = 0x12C */
	build(&OLD, 1, false, MICROHV_BACKEND_VMX);
	assert_int_equal(look(1, 0, 0, EBX), 0x00010800);
}

static void test_topology_leaf_b(void **state)
{
	build(&TGL, 4, true, MICROHV_BACKEND_VMX);
	/* subleaf 0: SMT level, 1 thread per core; 1: core level, vcpu_count cores; 2: invalid level. */
	expect_leaf(0xB, 0, 2, 0, 1, 0x100, 2);
	expect_leaf(0xB, 1, 2, 2, 4, 0x201, 2);
	expect_leaf(0xB, 2, 2, 0, 0, 0x002, 2);
	expect_leaf(0xB, 3, 2, 0, 0, 0x003, 2);
	expect_leaf(0xB, 0x1FF, 0, 0, 0, 0x0FF, 0); /* ECX[7:0] echoes the subleaf's low byte */
	expect_leaf(0xB, 0, 0, 0, 1, 0x100, 0);

	build(&AMD, 301, true, MICROHV_BACKEND_SVM);
	expect_leaf(0xB, 0, 300, 0, 1, 0x100, 300);
	expect_leaf(0xB, 1, 300, 9, 301, 0x201, 300); /* 2^9 = 512 >= 301 */
	expect_leaf(0xB, 2, 300, 0, 0, 0x002, 300);

	build(&OLD, 1, false, MICROHV_BACKEND_VMX); /* max basic 0xD: 0xB synthesized anyway */
	expect_leaf(0xB, 1, 0, 0, 1, 0x201, 0);
	build(&OLD, 3, false, MICROHV_BACKEND_VMX);
	expect_leaf(0xB, 1, 2, 2, 3, 0x201, 2);
}

static void test_topology_leaf_1f(void **state)
{
	/* Present (same content as 0xB) only when the max basic leaf reaches 0x1F. */
	add_override(0, 0, EAX, 0x1F);
	build(&TGL, 4, true, MICROHV_BACKEND_VMX);
	expect_leaf(0x1F, 0, 3, 0, 1, 0x100, 3);
	expect_leaf(0x1F, 1, 3, 2, 4, 0x201, 3);
	expect_leaf(0x1F, 2, 3, 0, 0, 0x002, 3);

	/* Below 0x1F it is an unknown leaf, like any other. */
	noverrides = 0;
	build(&TGL, 4, true, MICROHV_BACKEND_VMX);
	assert_int_equal(look(0, 0, 0, EAX), 0x1B);
	expect_leaf(0x1F, 0, 3, 0, 0, 0, 0);
	expect_leaf(0x1F, 1, 3, 0, 0, 0, 0);
}

static void test_x2apic_bit(void **state)
{
	assert_int_equal(BITV(host_reg(&TGL, 1, 0, ECX), 21), 1);
	assert_int_equal(BITV(host_reg(&AMD, 1, 0, ECX), 21), 1);
	build(&TGL, 4, false, MICROHV_BACKEND_VMX);
	assert_int_equal(BITV(look(1, 0, 0, ECX), 21), 0);
	build(&TGL, 4, true, MICROHV_BACKEND_VMX);
	assert_int_equal(BITV(look(1, 0, 0, ECX), 21), 1);
	build(&AMD, 1, false, MICROHV_BACKEND_SVM);
	assert_int_equal(BITV(look(1, 0, 0, ECX), 21), 0);
	build(&AMD, 1, true, MICROHV_BACKEND_SVM);
	assert_int_equal(BITV(look(1, 0, 0, ECX), 21), 1);
}

static void test_htt_bit(void **state)
{
	assert_int_equal(BITV(host_reg(&TGL, 1, 0, EDX), 28), 1);
	assert_int_equal(BITV(host_reg(&OLD, 1, 0, EDX), 28), 0);
	build(&TGL, 1, false, MICROHV_BACKEND_VMX);
	assert_int_equal(BITV(look(1, 0, 0, EDX), 28), 0);
	build(&TGL, 2, false, MICROHV_BACKEND_VMX);
	assert_int_equal(BITV(look(1, 0, 0, EDX), 28), 1);
	build(&OLD, 1, false, MICROHV_BACKEND_VMX);
	assert_int_equal(BITV(look(1, 0, 0, EDX), 28), 0);
	build(&OLD, 2, false, MICROHV_BACKEND_VMX);
	assert_int_equal(BITV(look(1, 0, 0, EDX), 28), 1);
}

/* ---- Leaf ranges ---- */

static void test_max_basic_leaf(void **state)
{
	static const struct {
		u32 host, want;
	} cases[] = { { 0x1B, 0x1B }, { 0x10, 0x10 }, { 0xD, 0xD }, { 0xB, 0xB }, { 0x5, 0xB },
		      { 0x1, 0xB }, { 0x1F, 0x1F }, { 0x20, 0x1F }, { 0x23, 0x1F }, { 0xFFFFFFFF, 0x1F } };

	build_default(&TGL);
	assert_int_equal(look(0, 0, 0, EAX), 0x1B);
	build_default(&AMD);
	assert_int_equal(look(0, 0, 0, EAX), 0x10);
	build_default(&OLD);
	assert_int_equal(look(0, 0, 0, EAX), 0xD);
	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
		noverrides = 0;
		add_override(0, 0, EAX, cases[i].host);
		build_default(&TGL);
		if (look(0, 0, 0, EAX) != cases[i].want || pol.max_basic != cases[i].want)
			fail_msg("host max basic 0x%x: got 0x%x (max_basic 0x%x), want 0x%x", cases[i].host,
				 look(0, 0, 0, EAX), pol.max_basic, cases[i].want);
		/* The vendor string passes through; the table never overflows (the last leaves are there). */
		expect_leaf(0, 0, 0, cases[i].want, 0x756e6547, 0x6c65746e, 0x49656e69);
		assert_int_equal(look(0x80000008, 0, 0, EAX), 0x3027);
	}
	expect_leaf(0x20, 0, 0, 0, 0, 0, 0);
}

static void test_max_extended_leaf(void **state)
{
	build_default(&AMD); /* host 0x80000021 */
	expect_leaf(0x80000000, 0, 0, 0x80000008, 0x68747541, 0x444d4163, 0x69746e65);
	expect_leaf(0x8000000A, 0, 0, 0, 0, 0, 0);
	expect_leaf(0x80000021, 0, 0, 0, 0, 0, 0);
	build_default(&TGL);
	assert_int_equal(look(0x80000000, 0, 0, EAX), 0x80000008);
	build_default(&OLD);
	assert_int_equal(look(0x80000000, 0, 0, EAX), 0x80000004);
	expect_leaf(0x80000008, 0, 0, 0, 0, 0, 0);
	/* No extended leaves at all. */
	add_override(0x80000000, 0, EAX, 0);
	build_default(&TGL);
	expect_leaf(0x80000000, 0, 0, 0, 0, 0, 0);
	expect_leaf(0x80000001, 0, 0, 0, 0, 0, 0);
	assert_int_equal(pol.maxphyaddr, 36);
}

static void test_maxphyaddr(void **state)
{
	build_default(&AMD);
	assert_int_equal(pol.maxphyaddr, 48);
	expect_leaf(0x80000008, 0, 0, 0x3030, 0, 0, 0); /* only the address sizes pass */
	build_default(&TGL);
	assert_int_equal(pol.maxphyaddr, 39);
	expect_leaf(0x80000008, 0, 0, 0x3027, 0, 0, 0);
	build_default(&OLD);
	assert_int_equal(pol.maxphyaddr, 36);
	/* EAX[7:0] only; guest-physical size bits 23:16 are not part of it. */
	add_override(0x80000008, 0, EAX, 0x00FF3034);
	build_default(&TGL);
	assert_int_equal(pol.maxphyaddr, 52);
	assert_int_equal(look(0x80000008, 0, 0, EAX), 0x3034);
}

/* ---- Unknown leaves, subleaves, pass-through ---- */

static void test_unknown_leaves_zero(void **state)
{
	static const u32 unknown[] = { 0x3, 0x5, 0x6, 0x8, 0x9, 0xA, 0xC, 0xE, 0x10, 0x12, 0x14, 0x1B,
				       0x20, 0x21, 0x40000002, 0x400000FF, 0x4FFFFFFF, 0x80000009,
				       0x8000000A, 0x8000001F, 0x80000021, 0xC0000000, 0xFFFFFFFF };

	for (unsigned p = 0; p < ARRAY_SIZE(all_profiles); p++) {
		build_default(all_profiles[p]);
		for (unsigned i = 0; i < ARRAY_SIZE(unknown); i++)
			for (u32 sub = 0; sub < 3; sub++) {
				u32 r[4];
				cpuid_policy_lookup(&pol, unknown[i], sub, 5, r);
				if (r[0] | r[1] | r[2] | r[3])
					fail_msg("%s: leaf 0x%x.%u = %08x %08x %08x %08x, want 0",
						 all_profiles[p]->name, unknown[i], sub, r[0], r[1], r[2], r[3]);
			}
	}
	build_default(&TGL);
	expect_leaf(7, 1, 0, 0, 0, 0, 0); /* indexed, but only 7.0 is listed */
	expect_leaf(0xD, 63, 0, 0, 0, 0, 0);
	expect_leaf(0xD, 64, 0, 0, 0, 0, 0);
	expect_leaf(4, 9, 0, 0, 0, 0, 0);
}

static void test_subleaf_ignored(void **state)
{
	static const u32 plain[] = { 0, 1, 2, 0x15, 0x16, 0x40000000, 0x40000001, 0x80000000, 0x80000001,
				     0x80000002, 0x80000007, 0x80000008 };

	build_default(&TGL);
	for (unsigned i = 0; i < ARRAY_SIZE(plain); i++)
		for (unsigned reg = 0; reg < 4; reg++) {
			u32 want = look(plain[i], 0, 2, reg);
			if (look(plain[i], 5, 2, reg) != want || look(plain[i], 0xFFFFFFFF, 2, reg) != want)
				fail_msg("leaf 0x%x reg %u depends on the subleaf", plain[i], reg);
		}
	assert_int_equal(look(1, 5, 2, EBX), 0x02040800); /* including the per-vCPU part */
}

static void test_passthrough_leaves(void **state)
{
	build_default(&TGL);
	for (u32 leaf = 0x80000002; leaf <= 0x80000004; leaf++)
		for (unsigned reg = 0; reg < 4; reg++)
			assert_int_equal(look(leaf, 0, 0, reg), host_reg(&TGL, leaf, 0, reg));
	for (u32 sub = 0; sub < 4; sub++)
		for (unsigned reg = 0; reg < 4; reg++) {
			assert_int_equal(look(4, sub, 0, reg), host_reg(&TGL, 4, sub, reg));
			assert_int_equal(look(0xD, sub, 0, reg), host_reg(&TGL, 0xD, sub, reg));
		}
	expect_leaf(0x15, 0, 0, 2, 0x9C, 0x0249F000, 0);
	expect_leaf(0x16, 0, 0, 0xB54, 0x1194, 0x64, 0);
	/* Leaf 1 EAX (family/model/stepping) passes. */
	assert_int_equal(look(1, 0, 0, EAX), 0x000806C1);
	/* The old CPU's brand string too. */
	build_default(&OLD);
	expect_leaf(0x80000004, 0, 0, 0x20202055, 0x38452020, 0x20303034, 0x33204020);
	/* Invariant TSC (0x80000007 EDX[8]) is the only power-management bit passed. */
	build_default(&AMD);
	expect_leaf(0x80000007, 0, 0, 0, 0, 0, 0x100);
}

#define T(fn) cmocka_unit_test_setup(fn, reset_overrides)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_x87_defeatures_always_set),
		T(test_vmx_svm_hidden),
		T(test_rdtscp_hidden),
		T(test_hypervisor_bit),
		T(test_hypervisor_leaves),
		T(test_leaf1_ebx_ids),
		T(test_topology_leaf_b),
		T(test_topology_leaf_1f),
		T(test_x2apic_bit),
		T(test_htt_bit),
		T(test_max_basic_leaf),
		T(test_max_extended_leaf),
		T(test_maxphyaddr),
		T(test_unknown_leaves_zero),
		T(test_subleaf_ignored),
		T(test_passthrough_leaves),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
