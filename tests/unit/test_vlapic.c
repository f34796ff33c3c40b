/* Host unit tests for the virtual local APIC registers (hv/apic/rules/vlapic.h): spec §5.5 items 1-5
 * (/work/shared/spec/errata-behaviour.md), the xAPIC write masks of §5.2, IA32_APIC_BASE transitions,
 * the MMIO rules and the RESET/INIT values (SDM Vol. 3A §11.4.7.1, §11.4.7.3).
 * Expected values are written from the spec and the SDM, as literals where possible. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "hv/apic/rules/vlapic.h"

#define EN (1ull << 11)
#define EXTD (1ull << 10)
#define BSP (1ull << 8)
#define BASE 0xFEE00000ull
#define MAXPHY 46
#define GP (-22) /* -EINVAL: the guest gets #GP */

static const u32 ids[] = { 0, 1, 2, 5, 15, 16, 17, 31, 255, 256, 257, 0x1234 };

static u32 mmio32(struct vlapic *a, u32 off)
{
	u32 v = 0xDEADBEEF;
	vlapic_mmio_read(a, 0, off, 4, &v);
	return v;
}

static int mmio_wr(struct vlapic *a, u32 off, u32 val, struct vlapic_effects *fx)
{
	return vlapic_mmio_write(a, 0, off, 4, val, fx);
}

static u64 rdmsr_ok(struct vlapic *a, u32 msr)
{
	u64 v = 0;
	if (vlapic_msr_read(a, 0, msr, &v) != 0)
		fail_msg("rdmsr 0x%x: unexpected #GP", msr);
	return v;
}

static int rdmsr(struct vlapic *a, u32 msr) { u64 v; return vlapic_msr_read(a, 0, msr, &v); }
static int wrmsr(struct vlapic *a, u32 msr, u64 val) { return vlapic_msr_write(a, 0, msr, val, NULL); }

/* vCPU n, reset, software-enabled (SVR = 0x1FF), in x2APIC mode if asked (APIC_BASE |= 0xC00). */
static void setup(struct vlapic *a, u32 n, bool x2)
{
	vlapic_reset(a, n, n == 0);
	assert_int_equal(mmio_wr(a, 0xF0, 0x1FF, NULL), VLAPIC_MMIO_DONE);
	if (x2)
		assert_int_equal(vlapic_set_base(a, a->apic_base | EN | EXTD, MAXPHY, true, NULL), 0);
}

/* ---- spec §5.5 items 1-2 ---- */

static void test_xapic_id_is_vcpu_low_byte(void **state)
{
	struct vlapic a;
	for (unsigned i = 0; i < ARRAY_SIZE(ids); i++) {
		vlapic_reset(&a, ids[i], false);
		if (mmio32(&a, 0x20) >> 24 != (ids[i] & 0xFF))
			fail_msg("vcpu %u: xAPIC ID 0x%x", ids[i], mmio32(&a, 0x20));
		assert_int_equal(mmio32(&a, 0x20) & 0x00FFFFFF, 0);
	}
}

static void test_x2apic_id_and_ldr(void **state)
{
	struct vlapic a;
	for (unsigned i = 0; i < ARRAY_SIZE(ids); i++) {
		u32 n = ids[i];
		setup(&a, n, true);
		assert_int_equal(rdmsr_ok(&a, 0x802), n);
		assert_int_equal(rdmsr_ok(&a, 0x80D), ((n >> 4) << 16) | (1u << (n & 15)));
	}
	setup(&a, 0, true);
	assert_int_equal(rdmsr_ok(&a, 0x80D), 0x00000001);
	setup(&a, 17, true);
	assert_int_equal(rdmsr_ok(&a, 0x80D), 0x00010002);
	setup(&a, 0x1234, true);
	assert_int_equal(rdmsr_ok(&a, 0x80D), 0x01230010);
}

static void test_x2apic_id_ldr_read_only(void **state)
{
	struct vlapic a;
	setup(&a, 3, true);
	assert_int_equal(wrmsr(&a, 0x802, 7), GP);
	assert_int_equal(wrmsr(&a, 0x802, 3), GP); /* even the current value */
	assert_int_equal(wrmsr(&a, 0x80D, 0x10001), GP);
	assert_int_equal(rdmsr_ok(&a, 0x802), 3);
	assert_int_equal(rdmsr_ok(&a, 0x80D), 0x8);
}

static void test_x2apic_unreadable_msrs(void **state)
{
	static const u32 gp_read[] = { 0x80E /*DFR*/, 0x809 /*ARBPRI*/, 0x831 /*ICR2*/, 0x83F /*SELF_IPI*/,
				       0x80B /*EOI*/ };
	struct vlapic a;
	setup(&a, 1, true);
	for (unsigned i = 0; i < ARRAY_SIZE(gp_read); i++) {
		u64 v = 0x5555;
		if (vlapic_msr_read(&a, 0, gp_read[i], &v) != GP)
			fail_msg("rdmsr 0x%x did not #GP", gp_read[i]);
		assert_int_equal(v, 0);
	}
	assert_int_equal(wrmsr(&a, 0x80E, 0xFFFFFFFF), GP); /* DFR and ICR2 do not exist in x2APIC mode */
	assert_int_equal(wrmsr(&a, 0x831, 0), GP);
	assert_int_equal(wrmsr(&a, 0x809, 0), GP);
}

static void test_x2apic_undefined_and_read_only_msrs(void **state)
{
	static const u32 undefined[] = { 0x800, 0x801, 0x804, 0x807, 0x80C, 0x82F, 0x83A, 0x83D, 0x840, 0x8FF };
	static const u32 read_only[] = { 0x803 /*version*/, 0x80A /*PPR*/, 0x810 /*ISR*/, 0x818 /*TMR*/,
					 0x827 /*IRR*/, 0x839 /*current count*/ };
	struct vlapic a;
	setup(&a, 1, true);
	for (unsigned i = 0; i < ARRAY_SIZE(undefined); i++) {
		if (rdmsr(&a, undefined[i]) != GP || wrmsr(&a, undefined[i], 0) != GP)
			fail_msg("MSR 0x%x is not #GP", undefined[i]);
	}
	for (unsigned i = 0; i < ARRAY_SIZE(read_only); i++) {
		rdmsr_ok(&a, read_only[i]);
		if (wrmsr(&a, read_only[i], 0) != GP)
			fail_msg("wrmsr 0x%x (read-only) did not #GP", read_only[i]);
	}
	assert_int_equal(rdmsr_ok(&a, 0x803), 0x00050014);
}

static void test_x2apic_msrs_gp_outside_x2apic_mode(void **state)
{
	struct vlapic a;
	setup(&a, 1, false);
	assert_int_equal(rdmsr(&a, 0x802), GP);
	assert_int_equal(rdmsr(&a, 0x808), GP);
	assert_int_equal(wrmsr(&a, 0x808, 0x20), GP);
	assert_int_equal(wrmsr(&a, 0x830, 0x40), GP);
	assert_int_equal(a.tpr, 0);
	assert_int_equal(vlapic_set_base(&a, 0, MAXPHY, true, NULL), 0); /* disabled */
	assert_int_equal(rdmsr(&a, 0x802), GP);
}

/* ---- spec §5.5 items 3-4 ---- */

static void test_x2apic_icr_reserved_bits(void **state)
{
	static const unsigned bad_bits[] = { 13, 16, 17, 20, 24, 31 };
	struct vlapic a;
	struct vlapic_effects fx;
	setup(&a, 0, true);
	for (unsigned i = 0; i < ARRAY_SIZE(bad_bits); i++) {
		u64 icr = 0x41 | 1ull << bad_bits[i] | (u64)2 << 32;
		if (vlapic_msr_write(&a, 0, 0x830, icr, &fx) != GP)
			fail_msg("ICR bit %u accepted", bad_bits[i]);
		assert_false(fx.ipi);
	}
	assert_int_equal(rdmsr_ok(&a, 0x830), 0); /* nothing stored */
	assert_int_equal(vlapic_msr_write(&a, 0, 0x830, 0x41 | 1ull << 12 | (u64)0x101 << 32, &fx), 0);
	assert_true(fx.ipi);
	assert_int_equal(rdmsr_ok(&a, 0x830) & (1u << 12), 0);
	assert_int_equal(rdmsr_ok(&a, 0x830), 0x41 | (u64)0x101 << 32);
	assert_int_equal(fx.ipi_msg.vector, 0x41);
	assert_int_equal(fx.ipi_msg.dest, 0x101); /* x2APIC: 32-bit destination, bits 63:32 */
}

static void test_x2apic_icr_fields(void **state)
{
	struct vlapic a;
	struct vlapic_effects fx;
	setup(&a, 0, true);
	/* NMI (100b), logical, assert, level, all-excluding-self, dest 0xFFFFFFFF */
	u64 icr = 0x02 | 4u << 8 | 1u << 11 | 1u << 14 | 1u << 15 | 3u << 18 | 0xFFFFFFFFull << 32;
	assert_int_equal(vlapic_msr_write(&a, 0, 0x830, icr, &fx), 0);
	assert_true(fx.ipi);
	assert_int_equal(fx.ipi_msg.vector, 2);
	assert_int_equal(fx.ipi_msg.delivery_mode, APIC_DM_NMI);
	assert_true(fx.ipi_msg.logical);
	assert_true(fx.ipi_msg.level);
	assert_true(fx.ipi_msg.trigger_level);
	assert_int_equal(fx.ipi_msg.shorthand, APIC_SH_ALL_EXCLUDING);
	assert_int_equal(fx.ipi_msg.dest, 0xFFFFFFFFu);
}

static void test_self_ipi(void **state)
{
	struct vlapic a;
	struct vlapic_effects fx;
	setup(&a, 4, true);
	assert_int_equal(vlapic_msr_write(&a, 0, 0x83F, 0x40, &fx), 0);
	assert_false(fx.ipi); /* straight into IRR, no routing */
	assert_true(fx.intr_changed);
	assert_int_equal(rdmsr_ok(&a, 0x822), 1u << 0); /* IRR bits 64..95: vector 0x40 */
	assert_int_equal(vlapic_highest_deliverable(&a), 0x40);
	assert_int_equal(wrmsr(&a, 0x83F, 0x140), GP);
	assert_int_equal(wrmsr(&a, 0x83F, 0x41 | 1ull << 32), GP);
	assert_int_equal(rdmsr_ok(&a, 0x822), 1u << 0);
	assert_int_equal(rdmsr(&a, 0x83F), GP);
	/* No SELF_IPI register in xAPIC mode: the MMIO write is ignored. */
	setup(&a, 4, false);
	assert_int_equal(mmio_wr(&a, 0x3F0, 0x40, NULL), VLAPIC_MMIO_IGNORED);
	assert_int_equal(vlapic_highest_deliverable(&a), -1);
}

static void test_x2apic_upper_half_gp(void **state)
{
	static const u32 regs32[] = { 0x808 /*TPR*/, 0x80B /*EOI*/, 0x80F /*SVR*/, 0x828 /*ESR*/, 0x832 /*LVTT*/,
				      0x835 /*LINT0*/, 0x838 /*TMICT*/, 0x83E /*TDCR*/ };
	struct vlapic a;
	setup(&a, 0, true);
	assert_int_equal(wrmsr(&a, 0x808, 1ull << 32), GP);
	assert_int_equal(rdmsr_ok(&a, 0x808), 0);
	for (unsigned i = 0; i < ARRAY_SIZE(regs32); i++)
		if (wrmsr(&a, regs32[i], 1ull << 63 | 0x10) != GP)
			fail_msg("wrmsr 0x%x with bit 63 accepted", regs32[i]);
	assert_int_equal(wrmsr(&a, 0x808, 0x20), 0);
	assert_int_equal(rdmsr_ok(&a, 0x808), 0x20);
	assert_int_equal(wrmsr(&a, 0x808, 0x1FF), 0); /* reserved bits 31:8 are dropped, not #GP (KVM) */
	assert_int_equal(rdmsr_ok(&a, 0x808), 0xFF);
}

static void test_x2apic_esr(void **state)
{
	struct vlapic a;
	setup(&a, 0, true);
	assert_int_equal(wrmsr(&a, 0x828, 0), 0);
	assert_int_equal(wrmsr(&a, 0x828, 1), GP);
	assert_int_equal(rdmsr_ok(&a, 0x828), 0);
	setup(&a, 0, false); /* xAPIC: any value is a plain latch write */
	assert_int_equal(mmio_wr(&a, 0x280, 0xFF, NULL), VLAPIC_MMIO_DONE);
	assert_int_equal(mmio32(&a, 0x280), 0);
}

/* SDM §11.5.3: a fixed IPI with vector 0-15 is not sent, sets "send illegal vector" (bit 5); one received
 * sets "receive illegal vector" (bit 6) instead of IRR; both raise the unmasked LVT error entry. The ESR
 * shows them only after the next ESR write. */
static void test_illegal_vector_errors(void **state)
{
	struct vlapic a;
	struct vlapic_effects fx;
	setup(&a, 0, false);
	assert_int_equal(mmio_wr(&a, 0x370, 0xE3, NULL), VLAPIC_MMIO_DONE); /* LVT error: vector 0xE3 */
	assert_int_equal(mmio_wr(&a, 0x300, 0x4005, &fx), VLAPIC_MMIO_DONE); /* fixed, vector 5, to self by ID */
	assert_false(fx.ipi);
	assert_int_equal(mmio32(&a, 0x280), 0); /* not latched yet */
	assert_int_equal(mmio_wr(&a, 0x280, 0, NULL), VLAPIC_MMIO_DONE);
	assert_int_equal(mmio32(&a, 0x280), 0x20);
	assert_int_equal(mmio32(&a, 0x200 + 0x70), 1u << 3); /* IRR bit 0xE3 = word 7 bit 3 */
	assert_true(vlapic_accept(&a, 7, APIC_DM_FIXED, true, false));
	assert_int_equal(mmio32(&a, 0x200), 0); /* vector 7 never reaches IRR */
	assert_int_equal(mmio_wr(&a, 0x280, 0, NULL), VLAPIC_MMIO_DONE);
	assert_int_equal(mmio32(&a, 0x280), 0x40);
	assert_int_equal(mmio_wr(&a, 0x280, 0, NULL), VLAPIC_MMIO_DONE);
	assert_int_equal(mmio32(&a, 0x280), 0);
	assert_int_equal(mmio_wr(&a, 0x300, 0x4020, &fx), VLAPIC_MMIO_DONE); /* vector 0x20 is sent */
	assert_true(fx.ipi);
	assert_int_equal(mmio_wr(&a, 0x300, 0x4403, &fx), VLAPIC_MMIO_DONE); /* NMI: the vector is ignored */
	assert_true(fx.ipi);
}

/* An LVT error entry with an illegal vector (0-15) records the error but never puts that vector in the IRR:
 * the hypervisor cannot be made to inject vectors 0-15 (exceptions) through the APIC. */
static void test_illegal_error_lvt_vector_not_raised(void **state)
{
	struct vlapic a;
	struct vlapic_effects fx;
	setup(&a, 0, false);
	assert_int_equal(mmio_wr(&a, 0x370, 0x0D, NULL), VLAPIC_MMIO_DONE); /* LVT error: vector 13 (#GP) */
	assert_int_equal(mmio_wr(&a, 0x300, 0x4005, &fx), VLAPIC_MMIO_DONE); /* send illegal vector 5 */
	assert_false(fx.ipi);
	assert_int_equal(mmio32(&a, 0x200), 0); /* IRR vectors 0-31: nothing */
	assert_int_equal(vlapic_highest_deliverable(&a), -1);
	assert_int_equal(mmio_wr(&a, 0x280, 0, NULL), VLAPIC_MMIO_DONE);
	assert_int_equal(mmio32(&a, 0x280), 0x20); /* the error itself is recorded */
}

/* ---- spec §5.5 item 5: IA32_APIC_BASE ---- */

static void test_apic_base_gp_cases(void **state)
{
	struct vlapic a;
	setup(&a, 1, true);
	assert_int_equal(vlapic_set_base(&a, BASE | EN, MAXPHY, true, NULL), GP); /* x2APIC -> xAPIC */
	assert_int_equal(a.apic_base, BASE | EN | EXTD);
	setup(&a, 1, false);
	assert_int_equal(vlapic_set_base(&a, BASE, MAXPHY, true, NULL), 0);     /* -> disabled */
	assert_int_equal(vlapic_set_base(&a, BASE | EN | EXTD, MAXPHY, true, NULL), GP); /* disabled -> x2APIC */
	assert_int_equal(vlapic_set_base(&a, BASE | EXTD, MAXPHY, true, NULL), GP);      /* EN = 0, EXTD = 1 */
	assert_int_equal(a.apic_base, BASE);
	setup(&a, 1, false);
	assert_int_equal(vlapic_set_base(&a, BASE | EN | 1ull << 9, MAXPHY, true, NULL), GP);
	assert_int_equal(vlapic_set_base(&a, BASE | EN | 1ull << 0, MAXPHY, true, NULL), GP);
	assert_int_equal(vlapic_set_base(&a, BASE | EN | 1ull << 7, MAXPHY, true, NULL), GP);
	assert_int_equal(vlapic_set_base(&a, BASE | EN | 1ull << MAXPHY, MAXPHY, true, NULL), GP);
	assert_int_equal(vlapic_set_base(&a, BASE | EN | 1ull << 36, 36, true, NULL), GP); /* MAXPHYADDR 36 */
	assert_int_equal(vlapic_set_base(&a, BASE | EN | EXTD, MAXPHY, false, NULL), GP); /* no x2APIC in CPUID */
	assert_int_equal(a.apic_base, BASE | EN);
	assert_int_equal(vlapic_set_base(&a, BASE | EN, MAXPHY, true, NULL), 0); /* unchanged value: fine */
	assert_int_equal(vlapic_set_base(&a, BASE | EN | 1ull << 35, MAXPHY, true, NULL), 0);
	assert_int_equal(vlapic_base_address(&a), BASE | 1ull << 35);
}

static void test_apic_base_valid_transitions(void **state)
{
	struct vlapic a;
	struct vlapic_effects fx;
	setup(&a, 0x23, false);
	assert_int_equal(mmio_wr(&a, 0x20, 0x07000000, NULL), VLAPIC_MMIO_DONE);
	assert_int_equal(vlapic_set_base(&a, BASE | BSP | EN | EXTD, MAXPHY, true, &fx), 0);
	assert_true(fx.map_changed && fx.mode_changed);
	assert_int_equal(rdmsr_ok(&a, 0x802), 0x23);
	assert_int_equal(rdmsr_ok(&a, 0x80D), 0x00020008);
	assert_int_equal(rdmsr_ok(&a, 0x80F), 0x1FF); /* xAPIC -> x2APIC keeps the other registers */
	/* The only way back: disable, then enable xAPIC (SDM §11.12.5.1). */
	assert_int_equal(vlapic_set_base(&a, BASE | BSP, MAXPHY, true, &fx), 0);
	assert_true(fx.map_changed && fx.mode_changed);
	assert_int_equal(rdmsr(&a, 0x802), GP);
	assert_int_equal(vlapic_set_base(&a, BASE | BSP | EN, MAXPHY, true, &fx), 0);
	assert_true(fx.map_changed);
	assert_int_equal(mmio32(&a, 0x20), 0x23000000); /* EN 0->1 recomputes the xAPIC ID */
	assert_int_equal(mmio32(&a, 0xD0), 0);           /* x2APIC LDR gone: power-up state */
	assert_int_equal(mmio32(&a, 0xE0), 0xFFFFFFFF);
	assert_int_equal(mmio32(&a, 0xF0), 0xFF);
}

static void test_hw_disable_resets_registers(void **state)
{
	struct vlapic a;
	setup(&a, 9, false);
	mmio_wr(&a, 0x80, 0x30, NULL);
	mmio_wr(&a, 0xD0, 0x01000000, NULL);
	mmio_wr(&a, 0x350, 0x700, NULL);
	vlapic_accept(&a, 0x50, APIC_DM_FIXED, true, false);
	assert_int_equal(vlapic_set_base(&a, BASE, MAXPHY, true, NULL), 0);
	assert_false(vlapic_accept(&a, 0x51, APIC_DM_FIXED, true, false)); /* disabled: accepts nothing */
	assert_false(vlapic_accept(&a, 0, APIC_DM_NMI, true, false));
	assert_int_equal(vlapic_set_base(&a, BASE | EN, MAXPHY, true, NULL), 0);
	assert_int_equal(mmio32(&a, 0x80), 0);
	assert_int_equal(mmio32(&a, 0xD0), 0);
	assert_int_equal(mmio32(&a, 0x350), 0x10000);
	assert_int_equal(mmio32(&a, 0x200 + 0x20), 0); /* IRR of vector 0x50 */
	assert_false(a.nmi_pending);
}

/* ---- xAPIC register write masks (spec §5.2, R5.1, R5.2) ---- */

static void test_xapic_id_ldr_dfr_icr2_masks(void **state)
{
	struct vlapic a;
	struct vlapic_effects fx;
	setup(&a, 2, false);
	assert_int_equal(mmio_wr(&a, 0x20, 0x05ABCDEF, &fx), VLAPIC_MMIO_DONE);
	assert_true(fx.map_changed);
	assert_int_equal(mmio32(&a, 0x20), 0x05000000); /* ID writable: val >> 24 */
	assert_int_equal(a.vcpu_id, 2);                 /* the x2APIC ID stays */
	mmio_wr(&a, 0xD0, 0x12345678, &fx);
	assert_true(fx.map_changed);
	assert_int_equal(mmio32(&a, 0xD0), 0x12000000);
	mmio_wr(&a, 0xE0, 0, &fx);
	assert_true(fx.map_changed);
	assert_int_equal(mmio32(&a, 0xE0), 0x0FFFFFFF); /* cluster model, bits 27:0 read 1 */
	mmio_wr(&a, 0xE0, 0xF0000000, NULL);
	assert_int_equal(mmio32(&a, 0xE0), 0xFFFFFFFF);
	mmio_wr(&a, 0x310, 0x12345678, &fx);
	assert_false(fx.ipi); /* ICR high alone sends nothing */
	assert_int_equal(mmio32(&a, 0x310), 0x12000000);
}

static void test_xapic_other_masks(void **state)
{
	static const struct { u32 off, written, read; } cases[] = {
		{ 0x080, 0xFFFFFFFF, 0x000000FF },   /* TPR 7:0 */
		{ 0x0F0, 0xFFFFFFFF, 0x000003FF },   /* SVR 9:0, no directed EOI */
		{ 0x3E0, 0xFFFFFFFF, 0x0000000B },   /* divide: bits 3, 1:0 */
		{ 0x320, 0xFFFFFFFF, 0x000700FF },   /* LVT timer: vector, mask, mode 18:17 */
		{ 0x330, 0xFFFFFFFF, 0x000107FF },   /* thermal: vector, mode, mask */
		{ 0x340, 0xFFFFFFFF, 0x000107FF },   /* perf */
		{ 0x350, 0xFFFFFFFF, 0x0001A7FF },   /* LINT0: + polarity, trigger; no status/remote IRR */
		{ 0x360, 0xFFFFFFFF, 0x0001A7FF },   /* LINT1 */
		{ 0x370, 0xFFFFFFFF, 0x000100FF },   /* error: vector, mask */
		{ 0x030, 0x12345678, 0x00050014 },   /* version: read-only */
		{ 0x0A0, 0x000000F0, 0x00000000 },   /* PPR: read-only */
		{ 0x390, 0x00001000, 0x00000000 },   /* current count: read-only */
		{ 0x090, 0x000000F0, 0x00000000 },   /* APR reads 0 */
	};
	struct vlapic a;
	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
		setup(&a, 0, false);
		mmio_wr(&a, cases[i].off, cases[i].written, NULL);
		if (mmio32(&a, cases[i].off) != cases[i].read)
			fail_msg("offset 0x%x: wrote 0x%x, read 0x%x, want 0x%x", cases[i].off, cases[i].written,
				 mmio32(&a, cases[i].off), cases[i].read);
	}
}

static void test_xapic_icr_sends_ipi(void **state)
{
	struct vlapic a;
	struct vlapic_effects fx;
	setup(&a, 0, false);
	mmio_wr(&a, 0x310, 0x03000000, NULL);
	/* vector 0x41, lowest priority, logical, assert, edge, no shorthand, busy bit set by the guest */
	assert_int_equal(mmio_wr(&a, 0x300, 0x41 | 1u << 8 | 1u << 11 | 1u << 14 | 1u << 12, &fx), VLAPIC_MMIO_DONE);
	assert_true(fx.ipi);
	assert_int_equal(fx.ipi_msg.vector, 0x41);
	assert_int_equal(fx.ipi_msg.delivery_mode, APIC_DM_LOWEST);
	assert_true(fx.ipi_msg.logical);
	assert_true(fx.ipi_msg.level);
	assert_false(fx.ipi_msg.trigger_level);
	assert_int_equal(fx.ipi_msg.shorthand, APIC_SH_NONE);
	assert_int_equal(fx.ipi_msg.dest, 3); /* ICR2[31:24] */
	assert_int_equal(mmio32(&a, 0x300) & (1u << 12), 0); /* delivery status reads 0 */
	assert_int_equal(mmio32(&a, 0x300), 0x41 | 1u << 8 | 1u << 11 | 1u << 14);
	mmio_wr(&a, 0x300, 0x500 | 1u << 15 | 1u << 18, &fx); /* INIT, level, de-assert, self */
	assert_int_equal(fx.ipi_msg.delivery_mode, APIC_DM_INIT);
	assert_int_equal(fx.ipi_msg.shorthand, APIC_SH_SELF);
	assert_false(fx.ipi_msg.level);
	assert_true(fx.ipi_msg.trigger_level);
}

/* ---- MMIO access rules ---- */

static void test_mmio_sizes_and_offsets(void **state)
{
	struct vlapic a;
	u32 v;
	setup(&a, 0xAB, false);
	assert_int_equal(vlapic_mmio_read(&a, 0, 0x23, 1, &v), VLAPIC_MMIO_DONE);
	assert_int_equal(v, 0xAB);
	assert_int_equal(vlapic_mmio_read(&a, 0, 0x22, 2, &v), VLAPIC_MMIO_DONE);
	assert_int_equal(v, 0xAB00);
	assert_int_equal(vlapic_mmio_read(&a, 0, 0x22, 4, &v), VLAPIC_MMIO_IGNORED); /* crosses the register */
	assert_int_equal(v, 0);
	assert_int_equal(vlapic_mmio_read(&a, 0, 0x24, 4, &v), VLAPIC_MMIO_IGNORED);
	assert_int_equal(v, 0);
	assert_int_equal(vlapic_mmio_read(&a, 0, 0x40, 4, &v), VLAPIC_MMIO_IGNORED); /* undefined */
	assert_int_equal(v, 0);
	assert_int_equal(vlapic_mmio_read(&a, 0, 0xB0, 4, &v), VLAPIC_MMIO_IGNORED); /* EOI is write-only */
	assert_int_equal(vlapic_mmio_read(&a, 0, 0x2F0, 4, &v), VLAPIC_MMIO_IGNORED); /* no CMCI LVT */
	assert_int_equal(vlapic_mmio_read(&a, 0, 0x1000, 4, &v), VLAPIC_MMIO_IGNORED);
	assert_int_equal(vlapic_mmio_write(&a, 0, 0x80, 1, 0x20, NULL), VLAPIC_MMIO_IGNORED);
	assert_int_equal(vlapic_mmio_write(&a, 0, 0x84, 4, 0x20, NULL), VLAPIC_MMIO_IGNORED);
	assert_int_equal(vlapic_mmio_write(&a, 0, 0x40, 4, 0x20, NULL), VLAPIC_MMIO_IGNORED);
	assert_int_equal(mmio32(&a, 0x80), 0);
	assert_int_equal(vlapic_mmio_write(&a, 0, 0x80, 4, 0x20, NULL), VLAPIC_MMIO_DONE);
	assert_int_equal(mmio32(&a, 0x80), 0x20);
}

static void test_mmio_hole(void **state)
{
	struct vlapic a;
	u32 v;
	setup(&a, 1, true); /* x2APIC mode: the page reads all ones and ignores writes */
	assert_int_equal(vlapic_mmio_read(&a, 0, 0x20, 4, &v), VLAPIC_MMIO_IGNORED);
	assert_int_equal(v, 0xFFFFFFFF);
	assert_int_equal(vlapic_mmio_read(&a, 0, 0x80, 1, &v), VLAPIC_MMIO_IGNORED);
	assert_int_equal(v, 0xFF);
	assert_int_equal(mmio_wr(&a, 0x80, 0x20, NULL), VLAPIC_MMIO_IGNORED);
	assert_int_equal(rdmsr_ok(&a, 0x808), 0);
	setup(&a, 1, false);
	vlapic_set_base(&a, BASE, MAXPHY, true, NULL); /* disabled */
	assert_int_equal(mmio32(&a, 0x30), 0xFFFFFFFF);
	assert_int_equal(mmio_wr(&a, 0xF0, 0x1FF, NULL), VLAPIC_MMIO_IGNORED);
	assert_int_equal(a.svr, 0xFF);
}

/* ---- RESET and INIT (SDM §11.4.7.1, §11.4.7.3) ---- */

static void check_power_up_registers(struct vlapic *a)
{
	for (u32 off = 0x100; off < 0x280; off += 0x10) /* ISR, TMR, IRR */
		assert_int_equal(mmio32(a, off), 0);
	for (u32 off = 0x320; off <= 0x370; off += 0x10)
		assert_int_equal(mmio32(a, off), 0x00010000); /* LVTs masked */
	assert_int_equal(mmio32(a, 0x30), 0x00050014);
	assert_int_equal(mmio32(a, 0x80), 0);
	assert_int_equal(mmio32(a, 0xA0), 0);
	assert_int_equal(mmio32(a, 0xD0), 0);
	assert_int_equal(mmio32(a, 0xE0), 0xFFFFFFFF);
	assert_int_equal(mmio32(a, 0xF0), 0xFF);
	assert_int_equal(mmio32(a, 0x280), 0);
	assert_int_equal(mmio32(a, 0x300), 0);
	assert_int_equal(mmio32(a, 0x310), 0);
	assert_int_equal(mmio32(a, 0x380), 0);
	assert_int_equal(mmio32(a, 0x390), 0);
	assert_int_equal(mmio32(a, 0x3E0), 0);
	assert_int_equal(vlapic_timer_next(a), 0);
}

static void test_reset_values(void **state)
{
	struct vlapic a;
	vlapic_reset(&a, 0, true);
	assert_int_equal(a.apic_base, 0xFEE00900); /* base, EN, BSP */
	check_power_up_registers(&a);
	assert_int_equal(mmio32(&a, 0x20), 0);
	vlapic_reset(&a, 0x105, false);
	assert_int_equal(a.apic_base, 0xFEE00800);
	assert_int_equal(mmio32(&a, 0x20), 0x05000000);
	assert_false(a.nmi_pending || a.init_pending || a.sipi_pending || a.smi_pending);
	/* RESET sets the xAPIC ID even after the guest changed it, and leaves x2APIC mode. */
	setup(&a, 7, true);
	vlapic_reset(&a, 7, false);
	assert_int_equal(mmio32(&a, 0x20), 0x07000000);
	assert_int_equal(rdmsr(&a, 0x802), GP);
}

static void dirty(struct vlapic *a)
{
	mmio_wr(a, 0x80, 0x40, NULL);
	mmio_wr(a, 0xD0, 0x08000000, NULL);
	mmio_wr(a, 0xE0, 0x0FFFFFFF, NULL);
	mmio_wr(a, 0x320, 0x20030, NULL);
	mmio_wr(a, 0x380, 1000, NULL);
	mmio_wr(a, 0x3E0, 0xB, NULL);
	mmio_wr(a, 0x310, 0x01000000, NULL);
	mmio_wr(a, 0x300, 0x4030, NULL);
	vlapic_accept(a, 0x60, APIC_DM_FIXED, true, true);
	vlapic_accept(a, 0x70, APIC_DM_FIXED, true, false);
	vlapic_ack(a, 0x70);
	vlapic_accept(a, 0, APIC_DM_NMI, true, false);
	vlapic_accept(a, 0, APIC_DM_INIT, true, false);
	vlapic_accept(a, 0x9A, APIC_DM_STARTUP, true, false);
}

static void test_init_values(void **state)
{
	struct vlapic a;
	setup(&a, 3, false);
	mmio_wr(&a, 0x20, 0x09000000, NULL);
	dirty(&a);
	assert_true(a.nmi_pending && a.init_pending && a.sipi_pending);
	vlapic_init_signal(&a);
	check_power_up_registers(&a);
	assert_int_equal(mmio32(&a, 0x20), 0x09000000); /* INIT preserves the xAPIC ID (R5.1) */
	assert_int_equal(a.apic_base, 0xFEE00800);
	assert_false(a.init_pending || a.nmi_pending);
	assert_true(a.sipi_pending); /* for the wait-for-SIPI state INIT leads to */
	assert_int_equal(a.sipi_vector, 0x9A);
	/* In x2APIC mode INIT keeps the mode, the ID and the derived LDR. */
	setup(&a, 0x21, true);
	wrmsr(&a, 0x808, 0x50);
	vlapic_init_signal(&a);
	assert_int_equal(a.apic_base, 0xFEE00C00);
	assert_int_equal(rdmsr_ok(&a, 0x802), 0x21);
	assert_int_equal(rdmsr_ok(&a, 0x80D), 0x00020002);
	assert_int_equal(rdmsr_ok(&a, 0x808), 0);
	assert_int_equal(rdmsr_ok(&a, 0x80F), 0xFF);
}

/* ---- Software disable (SDM §11.4.7.2; spec §5.3 rows 22-23) ---- */

static void test_software_disable(void **state)
{
	struct vlapic a;
	struct vlapic_effects fx;
	setup(&a, 1, false);
	mmio_wr(&a, 0x350, 0x700, NULL); /* LINT0 ExtINT, unmasked */
	mmio_wr(&a, 0x320, 0x30, NULL);
	assert_int_equal(mmio_wr(&a, 0xF0, 0xFF, &fx), VLAPIC_MMIO_DONE);
	assert_true(fx.map_changed);
	assert_int_equal(mmio32(&a, 0x350), 0x10700);
	assert_int_equal(mmio32(&a, 0x320), 0x10030);
	mmio_wr(&a, 0x320, 0x31, NULL); /* the mask cannot be cleared while software-disabled */
	assert_int_equal(mmio32(&a, 0x320), 0x10031);
	assert_false(vlapic_accept(&a, 0x40, APIC_DM_FIXED, true, false));
	assert_false(vlapic_accept(&a, 0x40, APIC_DM_LOWEST, true, false));
	assert_int_equal(mmio32(&a, 0x200 + 0x20), 0);
	assert_true(vlapic_accept(&a, 0, APIC_DM_NMI, true, false));
	assert_true(vlapic_accept(&a, 0, APIC_DM_INIT, true, false));
	assert_true(vlapic_accept(&a, 0x10, APIC_DM_STARTUP, true, false));
	assert_true(vlapic_accept(&a, 0, APIC_DM_SMI, true, false));
	assert_true(a.nmi_pending && a.init_pending && a.sipi_pending && a.smi_pending);
	mmio_wr(&a, 0xF0, 0x1FF, &fx);
	assert_true(fx.map_changed);
	assert_int_equal(mmio32(&a, 0x320), 0x10031); /* re-enabling does not unmask */
	mmio_wr(&a, 0x320, 0x31, NULL);
	assert_int_equal(mmio32(&a, 0x320), 0x31);
}

/* ---- Routing view (hv/apic/rules/delivery.h) ---- */

static void test_to_target(void **state)
{
	struct vlapic a;
	struct apic_target t;
	setup(&a, 0x13, false);
	mmio_wr(&a, 0x20, 0x05000000, NULL);
	mmio_wr(&a, 0xD0, 0x02000000, NULL);
	mmio_wr(&a, 0xE0, 0x0FFFFFFF, NULL);
	vlapic_to_target(&a, &t);
	assert_true(t.vcpu_id == 0x13 && !t.x2apic && t.hw_enabled && t.sw_enabled);
	assert_true(t.xapic_id == 5 && t.ldr == 0x02000000 && t.dfr == 0x0FFFFFFF);
	setup(&a, 0x13, true);
	mmio_wr(&a, 0xF0, 0xFF, NULL); /* ignored: MMIO hole in x2APIC mode */
	wrmsr(&a, 0x80F, 0xFF);
	vlapic_to_target(&a, &t);
	assert_true(t.x2apic && t.hw_enabled && !t.sw_enabled && t.ldr == 0x00010008);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xapic_id_is_vcpu_low_byte),
		cmocka_unit_test(test_x2apic_id_and_ldr),
		cmocka_unit_test(test_x2apic_id_ldr_read_only),
		cmocka_unit_test(test_x2apic_unreadable_msrs),
		cmocka_unit_test(test_x2apic_undefined_and_read_only_msrs),
		cmocka_unit_test(test_x2apic_msrs_gp_outside_x2apic_mode),
		cmocka_unit_test(test_x2apic_icr_reserved_bits),
		cmocka_unit_test(test_x2apic_icr_fields),
		cmocka_unit_test(test_self_ipi),
		cmocka_unit_test(test_x2apic_upper_half_gp),
		cmocka_unit_test(test_x2apic_esr),
		cmocka_unit_test(test_illegal_vector_errors),
		cmocka_unit_test(test_illegal_error_lvt_vector_not_raised),
		cmocka_unit_test(test_apic_base_gp_cases),
		cmocka_unit_test(test_apic_base_valid_transitions),
		cmocka_unit_test(test_hw_disable_resets_registers),
		cmocka_unit_test(test_xapic_id_ldr_dfr_icr2_masks),
		cmocka_unit_test(test_xapic_other_masks),
		cmocka_unit_test(test_xapic_icr_sends_ipi),
		cmocka_unit_test(test_mmio_sizes_and_offsets),
		cmocka_unit_test(test_mmio_hole),
		cmocka_unit_test(test_reset_values),
		cmocka_unit_test(test_init_values),
		cmocka_unit_test(test_software_disable),
		cmocka_unit_test(test_to_target),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
