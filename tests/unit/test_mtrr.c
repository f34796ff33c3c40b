/* Host unit tests for the guest MTRR MSRs (hv/rules/mtrr.h), walking spec §3.5 tests 1-8 case by case
 * (/work/shared/spec/errata-behaviour.md §3 "MTRRs"), plus exhaustive sweeps of the rules in §3.2/§3.4.
 *
 * The expectations are written from the spec, not from hv/rules/mtrr.c: the MSR map (which MSRs exist), the valid
 * memory types {0, 1, 4, 5, 6} and the reserved-bit masks are restated below as independent tables and
 * predicates. Every MAXPHYADDR-dependent case runs with M = 36 (no 0x80000008 leaf), 39 (client parts),
 * 46 (servers) and 52 (the architectural limit). Spec test 8 (PAT 0x277) belongs to hv/msr.c; here it is
 * checked that the MTRR module leaves PAT alone, and CPUID.1:EDX.MTRR (R3.6) is checked through the policy. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "hv/rules/cpuid_policy.h"
#include "hv/rules/guest_abi.h"
#include "hv/rules/mtrr.h"

/* ---- The spec, restated ---- */

#define GP (-EINVAL)
#define CAP 0xFEu
#define PAT 0x277u
#define DEF 0x2FFu
#define PHYSBASE(n) (0x200u + 2 * (n))
#define PHYSMASK(n) (0x201u + 2 * (n))
#define ALL_06 0x0606060606060606ull
#define POISON 0xDEADBEEFCAFEF00Dull

static const unsigned maxphyaddrs[] = { 36, 39, 46, 52 };

/* §3.1 table: the fixed-range MSRs. */
static const u32 fixed_msrs[] = { 0x250, 0x258, 0x259, 0x268, 0x269, 0x26A, 0x26B, 0x26C, 0x26D, 0x26E, 0x26F };

/* §3.1: valid MTRR memory types are UC 0, WC 1, WT 4, WP 5, WB 6. */
static bool spec_type_ok(unsigned t)
{
	return t == 0 || t == 1 || t == 4 || t == 5 || t == 6;
}

static bool is_fixed(u32 msr)
{
	for (unsigned i = 0; i < ARRAY_SIZE(fixed_msrs); i++)
		if (fixed_msrs[i] == msr)
			return true;
	return false;
}

/* §3.2 find_mtrr(): the MSRs with storage (VCNT = 8 variable pairs, the fixed ranges, DEF_TYPE). */
static bool spec_has_storage(u32 msr)
{
	return (msr >= 0x200 && msr <= 0x20F) || is_fixed(msr) || msr == DEF;
}

static int rd(const struct mtrr_state *s, u32 msr, u64 *v)
{
	*v = POISON;
	return mtrr_read(s, msr, v);
}

/* Read back after a successful write: must be bit-exact. */
static void expect_write_ok(struct mtrr_state *s, u32 msr, u64 value, unsigned m)
{
	u64 got;
	int rc = mtrr_write(s, msr, value, (u8)m);
	if (rc != 0)
		fail_msg("M=%u: wrmsr(0x%x, 0x%llx) = %d, want success", m, msr, value, rc);
	rc = rd(s, msr, &got);
	if (rc != 0 || got != value)
		fail_msg("M=%u: rdmsr(0x%x) after writing 0x%llx = %d / 0x%llx", m, msr, value, rc, got);
}

/* A rejected write must #GP and leave the register as it was. */
static void expect_write_gp(struct mtrr_state *s, u32 msr, u64 value, unsigned m)
{
	u64 before, after;
	int have = rd(s, msr, &before);
	int rc = mtrr_write(s, msr, value, (u8)m);
	if (rc != GP)
		fail_msg("M=%u: wrmsr(0x%x, 0x%llx) = %d, want #GP (%d)", m, msr, value, rc, GP);
	if (have == 0 && (rd(s, msr, &after) != 0 || after != before))
		fail_msg("M=%u: rejected wrmsr(0x%x, 0x%llx) changed 0x%llx to 0x%llx", m, msr, value, before, after);
}

static void expect_read(const struct mtrr_state *s, u32 msr, u64 want)
{
	u64 got;
	int rc = rd(s, msr, &got);
	if (rc != 0 || got != want)
		fail_msg("rdmsr(0x%x) = %d / 0x%llx, want 0x%llx", msr, rc, got, want);
}

static void expect_read_gp(const struct mtrr_state *s, u32 msr)
{
	u64 got;
	int rc = rd(s, msr, &got);
	if (rc != GP)
		fail_msg("rdmsr(0x%x) = %d / 0x%llx, want #GP", msr, rc, got);
	if (got != POISON)
		fail_msg("rdmsr(0x%x) #GP but wrote 0x%llx to the output", msr, got);
}

static void fresh(struct mtrr_state *s)
{
	memset(s, 0x5A, sizeof(*s));
	mtrr_reset(s);
}

/* ---- Spec §3.5 tests 1-8 ---- */

/* 1. rdmsr(0xFE) == 0x508; wrmsr(0xFE, 0x508) -> #GP. */
static void test_1_mtrrcap(void **state)
{
	struct mtrr_state s;
	fresh(&s);
	assert_true(mtrr_is_mtrr_msr(CAP));
	expect_read(&s, CAP, 0x508);
	assert_int_equal(mtrr_write(&s, CAP, 0x508, 39), GP);
	assert_int_equal(mtrr_write(&s, CAP, 0, 39), GP);
	assert_int_equal(mtrr_write(&s, CAP, 0x50A, 39), GP);
	expect_read(&s, CAP, 0x508);
	/* VCNT = 8, FIX = 1, WC = 1, SMRR = 0: whatever the stored state holds. */
	memset(&s, 0xFF, sizeof(s));
	expect_read(&s, CAP, 0x508);
	/* No SMRR: its MSRs (0x1F2/0x1F3) are not MTRR MSRs here. */
	assert_false(mtrr_is_mtrr_msr(0x1F2));
	assert_false(mtrr_is_mtrr_msr(0x1F3));
	expect_read_gp(&s, 0x1F2);
}

/* 2. rdmsr(0x2FF) == 0 right after reset; and every other MTRR as well (R3.3). */
static void test_2_reset_state_zero(void **state)
{
	struct mtrr_state s;
	memset(&s, 0xA5, sizeof(s));
	mtrr_reset(&s);
	expect_read(&s, DEF, 0);
	for (u32 msr = 0x200; msr <= 0x2FF; msr++)
		if (spec_has_storage(msr))
			expect_read(&s, msr, 0);
	const unsigned char *bytes = (const unsigned char *)&s;
	for (size_t i = 0; i < sizeof(s); i++)
		if (bytes[i])
			fail_msg("mtrr_state byte %zu = 0x%02x after mtrr_reset", i, bytes[i]);
	/* Zeroed memory (how a vCPU is created) is the same state. */
	struct mtrr_state z;
	memset(&z, 0, sizeof(z));
	assert_memory_equal(&s, &z, sizeof(s));
}

/* 3. DEF_TYPE: 0xC06 is accepted and reads back; reserved bits and reserved types #GP. */
static void test_3_def_type(void **state)
{
	struct mtrr_state s;
	fresh(&s);
	expect_write_ok(&s, DEF, 0xC06, 39);
	expect_write_gp(&s, DEF, 0x006 | 1ull << 8, 39);
	expect_write_gp(&s, DEF, 0x006 | 1ull << 9, 39);
	expect_write_gp(&s, DEF, 0x006 | 1ull << 12, 39);
	expect_write_gp(&s, DEF, 0x002, 39);
	expect_write_gp(&s, DEF, 0x003, 39);
	expect_write_gp(&s, DEF, 0x007, 39);
	expect_write_gp(&s, DEF, 0x0FF, 39);
	expect_read(&s, DEF, 0xC06); /* every rejected write left it alone */
}

/* 4. PHYSBASE0: types, bit 8, bit M and bit M-1. */
static void test_4_physbase(void **state)
{
	for (unsigned i = 0; i < ARRAY_SIZE(maxphyaddrs); i++) {
		unsigned m = maxphyaddrs[i];
		struct mtrr_state s;
		fresh(&s);
		static const unsigned good[] = { 0, 1, 4, 5, 6 }, bad[] = { 2, 3, 7 };
		for (unsigned k = 0; k < ARRAY_SIZE(good); k++)
			expect_write_ok(&s, PHYSBASE(0), 0x80000000ull | good[k], m);
		for (unsigned k = 0; k < ARRAY_SIZE(bad); k++)
			expect_write_gp(&s, PHYSBASE(0), 0x80000000ull | bad[k], m);
		expect_write_gp(&s, PHYSBASE(0), 0x80000106ull, m);
		expect_write_gp(&s, PHYSBASE(0), (1ull << m) | 6, m);
		expect_write_ok(&s, PHYSBASE(0), (1ull << (m - 1)) | 6, m);
	}
}

/* 5. PHYSMASK0: the widest mask with V reads back; bit 0, bit 10 and bit M #GP. */
static void test_5_physmask(void **state)
{
	for (unsigned i = 0; i < ARRAY_SIZE(maxphyaddrs); i++) {
		unsigned m = maxphyaddrs[i];
		struct mtrr_state s;
		fresh(&s);
		expect_write_ok(&s, PHYSMASK(0), (((1ull << m) - 1) & ~0xFFFull) | 0x800, m);
		expect_write_gp(&s, PHYSMASK(0), 0x801, m);
		expect_write_gp(&s, PHYSMASK(0), 0x400, m);
		expect_write_gp(&s, PHYSMASK(0), 1ull << m, m);
		expect_write_ok(&s, PHYSMASK(0), (1ull << (m - 1)) | 0x800, m);
	}
}

/* 6. 0x20E and 0x20F (PHYSBASE7/PHYSMASK7) are accessible; 0x210 (PHYSBASE8, beyond VCNT) #GPs. */
static void test_6_last_pair_and_beyond(void **state)
{
	struct mtrr_state s;
	fresh(&s);
	expect_read(&s, 0x20E, 0);
	expect_read(&s, 0x20F, 0);
	expect_write_ok(&s, 0x20E, 0xFFFFF000ull | 6, 36);
	expect_write_ok(&s, 0x20F, 0xFF0000800ull, 36);
	expect_read_gp(&s, 0x210);
	assert_int_equal(mtrr_write(&s, 0x210, 0, 36), GP);
	assert_int_equal(mtrr_write(&s, 0x210, 6, 36), GP);
	assert_true(mtrr_is_mtrr_msr(0x210)); /* routed here so that it #GPs, not somewhere else */
}

/* 7. Fixed ranges: all-WB reads back; a reserved type in byte 0 or byte 7 #GPs; 0x251 and 0x25A #GP. */
static void test_7_fixed(void **state)
{
	struct mtrr_state s;
	fresh(&s);
	for (unsigned i = 0; i < ARRAY_SIZE(fixed_msrs); i++)
		expect_write_ok(&s, fixed_msrs[i], ALL_06, 39);
	expect_write_gp(&s, 0x250, 0x0606060606060602ull, 39);
	expect_write_gp(&s, 0x250, 0x0706060606060606ull, 39);
	expect_read(&s, 0x250, ALL_06);
	for (u32 msr = 0x251; msr <= 0x25A; msr += 9) {
		expect_read_gp(&s, msr);
		assert_int_equal(mtrr_write(&s, msr, 0, 39), GP);
		assert_int_equal(mtrr_write(&s, msr, ALL_06, 39), GP);
	}
}

/* 8. PAT (0x277) is emulated by hv/msr.c, not here: the MTRR module must not claim it. */
static void test_8_pat_not_an_mtrr(void **state)
{
	struct mtrr_state s;
	fresh(&s);
	assert_false(mtrr_is_mtrr_msr(PAT));
	expect_read_gp(&s, PAT);
	assert_int_equal(mtrr_write(&s, PAT, 0x0007040600070406ull, 39), GP);
	struct mtrr_state z;
	memset(&z, 0, sizeof(z));
	assert_memory_equal(&s, &z, sizeof(s));
}

/* ---- Sweeps ---- */

/* R3.1: every MSR in 0x200-0x2FF is either implemented (reads, accepts 0) or #GPs both ways; all of them except
 * PAT are routed to the MTRR module. Just outside the block nothing is claimed except MTRRCAP. */
static void test_msr_block_classification(void **state)
{
	unsigned implemented = 0;
	for (u32 msr = 0x200; msr <= 0x2FF; msr++) {
		struct mtrr_state s;
		fresh(&s);
		if (msr == PAT) {
			assert_false(mtrr_is_mtrr_msr(msr));
			continue;
		}
		if (!mtrr_is_mtrr_msr(msr))
			fail_msg("MSR 0x%x not routed to the MTRR module", msr);
		if (spec_has_storage(msr)) {
			implemented++;
			expect_read(&s, msr, 0);
			expect_write_ok(&s, msr, 0, 39);
		} else {
			expect_read_gp(&s, msr);
			if (mtrr_write(&s, msr, 0, 39) != GP || mtrr_write(&s, msr, 6, 39) != GP)
				fail_msg("wrmsr(0x%x) accepted: not an implemented MTRR", msr);
			struct mtrr_state z;
			memset(&z, 0, sizeof(z));
			assert_memory_equal(&s, &z, sizeof(s));
		}
	}
	assert_int_equal(implemented, 16 + 11 + 1);
	/* The unimplemented sub-ranges named by R3.1, spot-checked at both ends. */
	static const u32 gp_edges[] = { 0x210, 0x21F, 0x251, 0x257, 0x25A, 0x267, 0x270, 0x276, 0x278, 0x2FE };
	for (unsigned i = 0; i < ARRAY_SIZE(gp_edges); i++)
		assert_false(spec_has_storage(gp_edges[i]));
	static const u32 outside[] = { 0x0, 0xFD, 0xFF, 0x1FF, 0x300, 0x1F2, 0x1F3, 0xC0000080 };
	for (unsigned i = 0; i < ARRAY_SIZE(outside); i++) {
		struct mtrr_state s;
		fresh(&s);
		if (mtrr_is_mtrr_msr(outside[i]))
			fail_msg("MSR 0x%x claimed as an MTRR", outside[i]);
		expect_read_gp(&s, outside[i]);
		assert_int_equal(mtrr_write(&s, outside[i], 0, 39), GP);
	}
}

/* Every fixed MSR accepts 0x06 in all 8 bytes and rejects a reserved type in each byte position; every one of the
 * 256 byte values in every position is accepted exactly when it is a valid type. */
static void test_fixed_every_byte(void **state)
{
	for (unsigned i = 0; i < ARRAY_SIZE(fixed_msrs); i++) {
		u32 msr = fixed_msrs[i];
		struct mtrr_state s;
		fresh(&s);
		expect_write_ok(&s, msr, ALL_06, 39);
		for (unsigned pos = 0; pos < 8; pos++) {
			u64 clear = ALL_06 & ~(0xFFull << (pos * 8));
			for (unsigned t = 0; t < 256; t++) {
				u64 v = clear | (u64)t << (pos * 8);
				if (spec_type_ok(t))
					expect_write_ok(&s, msr, v, 39);
				else
					expect_write_gp(&s, msr, v, 39);
			}
			/* The literal "bad byte" at this position. */
			expect_write_ok(&s, msr, ALL_06, 39);
			expect_write_gp(&s, msr, clear | 2ull << (pos * 8), 39);
			expect_read(&s, msr, ALL_06);
		}
		/* Mixed valid types, one per byte, read back exactly. */
		expect_write_ok(&s, msr, 0x0006050401000605ull, 39);
	}
}

/* All 256 type values, in DEF_TYPE (with E/FE both clear and both set) and in every PHYSBASEn: exactly
 * {0, 1, 4, 5, 6} are accepted. */
static void test_all_256_types(void **state)
{
	struct mtrr_state s;
	fresh(&s);
	unsigned accepted = 0;
	for (unsigned t = 0; t < 256; t++) {
		bool ok = spec_type_ok(t);
		accepted += ok;
		for (u64 flags = 0; flags <= 0xC00; flags += 0x400) {
			if (ok)
				expect_write_ok(&s, DEF, flags | t, 39);
			else
				expect_write_gp(&s, DEF, flags | t, 39);
		}
		for (unsigned n = 0; n < 8; n++)
			for (unsigned k = 0; k < ARRAY_SIZE(maxphyaddrs); k++) {
				unsigned m = maxphyaddrs[k];
				u64 v = 0xABCDE000ull | t;
				if (ok)
					expect_write_ok(&s, PHYSBASE(n), v, m);
				else
					expect_write_gp(&s, PHYSBASE(n), v, m);
			}
	}
	assert_int_equal(accepted, 5);
	/* A PHYSMASK has no type field: its low byte is reserved whatever it holds. */
	for (unsigned t = 1; t < 256; t++)
		expect_write_gp(&s, PHYSMASK(0), 0x800ull | t, 39);
}

/* DEF_TYPE: bits 8, 9 and 12..63 are each reserved; 10 (FE) and 11 (E) are not. */
static void test_def_type_each_bit(void **state)
{
	struct mtrr_state s;
	fresh(&s);
	for (unsigned b = 8; b < 64; b++) {
		u64 v = 6 | 1ull << b;
		if (b == 10 || b == 11)
			expect_write_ok(&s, DEF, v, 39);
		else
			expect_write_gp(&s, DEF, v, 39);
	}
	expect_write_gp(&s, DEF, ~0ull, 39);
	expect_write_gp(&s, DEF, 0xC06 | 0xFFFFFFFFFFFFF000ull, 39);
	/* DEF_TYPE does not depend on MAXPHYADDR: bit 12 is reserved even with M = 52. */
	expect_write_gp(&s, DEF, 0x1006, 52);
}

/* PHYSBASEn / PHYSMASKn, every bit position, every pair, every M. */
static void test_var_each_bit(void **state)
{
	for (unsigned k = 0; k < ARRAY_SIZE(maxphyaddrs); k++) {
		unsigned m = maxphyaddrs[k];
		for (unsigned n = 0; n < 8; n++) {
			struct mtrr_state s;
			fresh(&s);
			/* PHYSBASE: type 7:0 (here WB), bits 11:8 reserved, 12..M-1 address, M..63 reserved. */
			for (unsigned b = 8; b < 64; b++) {
				u64 v = 6 | 1ull << b;
				if (b >= 12 && b < m)
					expect_write_ok(&s, PHYSBASE(n), v, m);
				else
					expect_write_gp(&s, PHYSBASE(n), v, m);
			}
			/* PHYSMASK: bits 10:0 reserved, 11 = V, 12..M-1 mask, M..63 reserved. */
			for (unsigned b = 0; b < 64; b++) {
				u64 v = 1ull << b;
				if (b >= 11 && b < m)
					expect_write_ok(&s, PHYSMASK(n), v, m);
				else
					expect_write_gp(&s, PHYSMASK(n), v, m);
			}
			expect_write_ok(&s, PHYSBASE(n), ((1ull << m) - 1) & ~0xFFFull, m);
			expect_write_gp(&s, PHYSBASE(n), (1ull << m) - 1, m);
			expect_write_ok(&s, PHYSMASK(n), ((1ull << m) - 1) & ~0x7FFull, m);
			expect_write_gp(&s, PHYSMASK(n), ~0ull & ~0x7FFull, m);
		}
	}
}

/* R3.2: the MAXPHYADDR argument, not a constant, decides bits M..63: bit 39 is an address bit for M = 46 and
 * reserved for M = 39. A 64-bit MAXPHYADDR leaves nothing reserved (no undefined shift). */
static void test_maxphyaddr_is_the_guests(void **state)
{
	struct mtrr_state s;
	fresh(&s);
	expect_write_ok(&s, PHYSBASE(3), 1ull << 39 | 6, 46);
	expect_write_gp(&s, PHYSBASE(3), 1ull << 38 | 1ull << 39 | 6, 39);
	expect_read(&s, PHYSBASE(3), 1ull << 39 | 6);
	expect_write_ok(&s, PHYSMASK(3), 1ull << 45 | 0x800, 46);
	expect_write_gp(&s, PHYSMASK(3), 1ull << 45 | 0x800, 36);
	expect_write_ok(&s, PHYSMASK(3), 1ull << 35 | 0x800, 36);
	expect_write_ok(&s, PHYSBASE(4), 1ull << 63 | 6, 64);
	expect_write_gp(&s, PHYSBASE(4), 1ull << 51 | 6, 51);
}

/* A fixed-range value whose 8 bytes are valid types spelling `i` in base 5 (distinct for i < 5^8). */
static u64 valid_types_from(unsigned i)
{
	static const u8 types[5] = { 0, 1, 4, 5, 6 };
	u64 v = 0;
	for (unsigned pos = 0; pos < 8; pos++, i /= 5)
		v |= (u64)types[i % 5] << (pos * 8);
	return v;
}

/* Accepted values read back bit-exactly, each MSR in its own slot (no two MSRs alias), including DEF_TYPE's E/FE
 * bits and PHYSMASK's V bit. */
static void test_readback_exact(void **state)
{
	struct mtrr_state s;
	fresh(&s);
	static const u64 defs[] = { 0x000, 0x400, 0x800, 0xC00, 0xC06, 0x801, 0x404, 0xC05, 0x006 };
	for (unsigned i = 0; i < ARRAY_SIZE(defs); i++)
		expect_write_ok(&s, DEF, defs[i], 39);

	/* A distinct value for every implemented MSR, then read them all. */
	u64 want[0x100];
	for (u32 msr = 0x200; msr <= 0x2FF; msr++) {
		if (!spec_has_storage(msr))
			continue;
		u32 i = msr - 0x200;
		if (msr == DEF)
			want[i] = 0xC05;
		else if (is_fixed(msr))
			want[i] = valid_types_from(i);
		else if (msr & 1)
			want[i] = (0x7F0000000ull + ((u64)i << 12)) | 0x800;
		else
			want[i] = (0x100000000ull + ((u64)i << 20)) | (i % 4 == 0 ? 6 : 1);
		expect_write_ok(&s, msr, want[i], 36);
	}
	for (u32 msr = 0x200; msr <= 0x2FF; msr++)
		if (spec_has_storage(msr))
			expect_read(&s, msr, want[msr - 0x200]);
	expect_read(&s, CAP, 0x508);

	/* And the writes went nowhere else: reset, write one MSR, every other one still reads 0. */
	for (u32 target = 0x200; target <= 0x2FF; target++) {
		if (!spec_has_storage(target))
			continue;
		fresh(&s);
		expect_write_ok(&s, target, want[target - 0x200], 36);
		for (u32 msr = 0x200; msr <= 0x2FF; msr++)
			if (spec_has_storage(msr) && msr != target)
				expect_read(&s, msr, 0);
	}
}

/* R3.6: CPUID.1:EDX.MTRR (bit 12) is always set in the guest policy, whatever the host says; and the policy's
 * MAXPHYADDR (what the guest sees in 0x80000008, 36 when absent) is what mtrr_write is given. */
static u32 host_edx1;
static u32 host_max_ext;

static void fake_host(u32 leaf, u32 subleaf, u32 out[4])
{
	out[0] = out[1] = out[2] = out[3] = 0;
	if (leaf == 0)
		out[0] = 1;
	else if (leaf == 1)
		out[3] = host_edx1;
	else if (leaf == 0x80000000)
		out[0] = host_max_ext;
	else if (leaf == 0x80000008 && host_max_ext >= 0x80000008)
		out[0] = 0x302E; /* 46-bit physical, 48-bit linear */
}

static struct cpuid_policy pol;

static u32 guest_edx1(u32 host_edx, u32 vcpus)
{
	const struct cpuid_vm_config cfg = { .backend_kind = MICROHV_BACKEND_VMX, .vcpu_count = vcpus };
	u32 r[4];
	host_edx1 = host_edx;
	host_max_ext = 0x80000008;
	cpuid_policy_build(&pol, fake_host, &cfg);
	cpuid_policy_lookup(&pol, 1, 0, 0, r);
	return r[3];
}

static void test_cpuid_mtrr_bit(void **state)
{
	assert_int_equal(guest_edx1(0, 1) & (1u << 12), 1u << 12);
	assert_int_equal(guest_edx1(0, 4) & (1u << 12), 1u << 12);
	assert_int_equal(guest_edx1(1u << 12, 1) & (1u << 12), 1u << 12);
	assert_int_equal(guest_edx1(0xFFFFFFFFu, 2) & (1u << 12), 1u << 12);
	/* Nothing else of the host's absent EDX is invented next to it (HTT only with vCPUs > 1). */
	assert_int_equal(guest_edx1(0, 1), 1u << 12);

	struct mtrr_state s;
	fresh(&s);
	assert_int_equal(pol.maxphyaddr, 46);
	expect_write_ok(&s, PHYSBASE(0), 1ull << 45 | 6, pol.maxphyaddr);
	expect_write_gp(&s, PHYSBASE(0), 1ull << 46 | 6, pol.maxphyaddr);

	const struct cpuid_vm_config cfg = { .backend_kind = MICROHV_BACKEND_SVM, .vcpu_count = 1 };
	host_max_ext = 0x80000004; /* no 0x80000008: MAXPHYADDR 36 */
	cpuid_policy_build(&pol, fake_host, &cfg);
	assert_int_equal(pol.maxphyaddr, 36);
	expect_write_ok(&s, PHYSMASK(0), 1ull << 35 | 0x800, pol.maxphyaddr);
	expect_write_gp(&s, PHYSMASK(0), 1ull << 36 | 0x800, pol.maxphyaddr);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_1_mtrrcap),
		cmocka_unit_test(test_2_reset_state_zero),
		cmocka_unit_test(test_3_def_type),
		cmocka_unit_test(test_4_physbase),
		cmocka_unit_test(test_5_physmask),
		cmocka_unit_test(test_6_last_pair_and_beyond),
		cmocka_unit_test(test_7_fixed),
		cmocka_unit_test(test_8_pat_not_an_mtrr),
		cmocka_unit_test(test_msr_block_classification),
		cmocka_unit_test(test_fixed_every_byte),
		cmocka_unit_test(test_all_256_types),
		cmocka_unit_test(test_def_type_each_bit),
		cmocka_unit_test(test_var_each_bit),
		cmocka_unit_test(test_maxphyaddr_is_the_guests),
		cmocka_unit_test(test_readback_exact),
		cmocka_unit_test(test_cpuid_mtrr_bit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
