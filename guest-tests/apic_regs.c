/* Local APIC IDs, x2APIC MSR rules and IA32_APIC_BASE transitions on a single vCPU (vCPU 0): errata
 * spec §5.5 items 1-5 (R5.1-R5.3, R5.7), the KVM MMIO-hole quirk (spec §6: the xAPIC page reads all
 * ones in x2APIC mode and while disabled) and §2.6 test 8, second bullet (RDMSR 0x830 in xAPIC mode is
 * #GP(0) with the error code on the stack).
 *
 * The order matters: xAPIC (items 1, 2.6/8) -> x2APIC (items 2-4, hole) -> disabled -> xAPIC (item 5).
 * Every x2APIC access goes through the fault-safe helpers, so a missing rule fails its case instead of
 * ending the guest. Plain QEMU 7.2 (TCG) has no x2APIC: those cases SKIP there, never under microhv. */
#include "guest.h"

#define CPUID_1_EDX_APIC_BIT BIT(9)
#define RESET_APIC_BASE (APIC_DEFAULT_BASE | APIC_BASE_EN | APIC_BASE_BSP) /* 0xFEE00900 */
#define X2APIC_APIC_BASE (RESET_APIC_BASE | APIC_BASE_EXTD)               /* 0xFEE00D00 */
#define DISABLED_APIC_BASE (APIC_DEFAULT_BASE | APIC_BASE_BSP)            /* 0xFEE00100 */
#define APIC_BASE_RSVD_BIT9 BIT(9)
#define APIC_BASE_RSVD_BIT0 BIT(0)

#define VCPU_ID 0u                       /* a single-vCPU VM: the BSP is vCPU 0 */
#define X2APIC_LDR_OF(id) ((((id) >> 4) << 16) | (1u << ((id) & 0xF)))
#define CPUID_LEAF_TOPOLOGY 0xBu
#define APIC_VERSION_MIN_LVT 5u          /* timer, thermal, perf, LINT0, LINT1, error: max LVT index >= 5 */
#define APIC_VERSION_INTEGRATED_MIN 0x10u /* SDM Figure 11-7: 1XH = integrated local APIC */
#define APIC_VERSION_INTEGRATED_MAX 0x15u
#define XAPIC_ID_WRITTEN 0x05u           /* R5.1: the xAPIC ID is writable in xAPIC mode */
#define MSR_X2APIC_ID X2APIC_MSR(APIC_ID)         /* 0x802 */
#define MSR_X2APIC_TPR X2APIC_MSR(APIC_TPR)       /* 0x808 */
#define MSR_X2APIC_APR X2APIC_MSR(APIC_APR)       /* 0x809 */
#define MSR_X2APIC_LDR X2APIC_MSR(APIC_LDR)       /* 0x80D */
#define MSR_X2APIC_DFR X2APIC_MSR(APIC_DFR)       /* 0x80E */
#define MSR_X2APIC_ICR X2APIC_MSR(APIC_ICR)       /* 0x830 */
#define MSR_X2APIC_ICR2 X2APIC_MSR(APIC_ICR2)     /* 0x831: does not exist in x2APIC mode */
#define MSR_X2APIC_SELF_IPI X2APIC_MSR(APIC_SELF_IPI) /* 0x83F: write-only */
#define X2APIC_ID_BOGUS 0x5u
#define X2APIC_LDR_BOGUS 0x2u
#define ICR_RSVD_BIT13 BIT(13) /* x2APIC ICR reserved bits: 31:20, 17:16, 13 (R5.7) */
#define ICR_RSVD_BIT16 BIT(16)
#define ICR_RSVD_BIT20 BIT(20)
#define ICR_RSVD_BIT17 BIT(17)
#define ICR_RSVD_BIT21 BIT(21)
#define ICR_RSVD_BIT31 BIT(31)
#define SELF_IPI_RSVD 0x100u   /* SELF_IPI bits 31:8 reserved */
#define TPR_UPPER_BIT BIT(32)  /* every x2APIC register but the ICR is 32 bits wide */
#define MMIO_HOLE_TPR_PROBE 0x30u

#define SPURIOUS_VEC 0xFF
#define ICR_VEC 0x50
#define SELF_IPI_VEC 0x40
#define SETTLE_TSC (1ull << 22) /* time given to a wrong (second) delivery to show up */

#define GP0 FAULT(X86_VEC_GP, 0)

/* Non-NULL: x2APIC cases SKIP with this reason (plain QEMU without x2APIC). Never set under microhv. */
static const char *x2_skip;

/* Reasons for the SKIPs of the plain-QEMU reference run, set only when not under microhv. */
static const char *qemu_no_hole;     /* QEMU's xAPIC page stays live while the APIC is disabled */
static const char *qemu_base_checks; /* QEMU ignores reserved and EXTD bits written to IA32_APIC_BASE */
static const char *qemu_no_reenable; /* QEMU cannot re-enable a disabled APIC before RESET */

/* CHECK_EQ, or SKIP with `skip` as the reason when it is not NULL (then `actual` is not evaluated). */
#define CHECK_EQ_UNLESS(skip, actual, expected, name)       \
	do {                                                \
		if (skip)                                   \
			SKIP(name, skip);                   \
		else                                        \
			CHECK_EQ(actual, expected, name);   \
	} while (0)

#define X2_CHECK_EQ(actual, expected, name) CHECK_EQ_UNLESS(x2_skip, actual, expected, name)

/* The MSR's value, or its fault (bit 63 set, which no 32-bit register value has). */
static u64 msr_or_fault(u32 msr)
{
	u64 v;
	fault_t f = rdmsr_safe(msr, &v);
	return f != FAULT_NONE ? f : v;
}

/* The last fault went through the fixup table and had an error code on the stack (§2.6 test 8). */
static bool last_fault_had_ec(void)
{
	const struct exc_record *r = exc_last();
	return r->vector == X86_VEC_GP && r->fixed_up && r->has_ec;
}

/* CPUID.1 and the RESET value of IA32_APIC_BASE. */
static void test_enumeration(void)
{
	struct cpuid_regs r = cpuid(1, 0);
	bool has_x2apic = r.ecx & CPUID_1_ECX_X2APIC;

	CHECK_EQ(r.edx & CPUID_1_EDX_APIC, CPUID_1_EDX_APIC, "cpuid_apic");
	if (!under_microhv()) {
		qemu_no_hole = "QEMU 7.2 keeps the xAPIC page live while the APIC is disabled (no MMIO hole)";
		qemu_base_checks = "QEMU 7.2 ignores reserved bits and EXTD in IA32_APIC_BASE writes (apic_set_base)";
		qemu_no_reenable = "QEMU 7.2 cannot re-enable a disabled APIC before RESET (apic_set_base)";
	}
	if (!has_x2apic && !under_microhv())
		x2_skip = "plain QEMU 7.2 TCG has no x2APIC (CPUID.1:ECX[21] clear)";
	X2_CHECK_EQ(r.ecx & CPUID_1_ECX_X2APIC, CPUID_1_ECX_X2APIC, "cpuid_x2apic");
	if (!(r.ecx & CPUID_1_ECX_TSC_DEADLINE) && !under_microhv())
		SKIP("cpuid_tsc_deadline", "plain QEMU 7.2 TCG has no TSC-deadline timer");
	else
		CHECK_EQ(r.ecx & CPUID_1_ECX_TSC_DEADLINE, CPUID_1_ECX_TSC_DEADLINE, "cpuid_tsc_deadline");
	CHECK_EQ(apic_base_get(), RESET_APIC_BASE, "apic_base_reset");
}

/* Item 1 and R5.1 (xAPIC mode); §2.6 test 8, second bullet. */
static void test_xapic(void)
{
	u32 ver = xapic_read(APIC_VERSION);
	u32 id = xapic_read(APIC_ID) >> APIC_ID_SHIFT;

	CHECK_EQ(id, VCPU_ID, "xapic_id");
	CHECK_EQ(id, cpuid(1, 0).ebx >> CPUID_1_EBX_APIC_ID_SHIFT, "xapic_id_cpuid");
	if (!CHECK(APIC_VERSION_MAX_LVT(ver) >= APIC_VERSION_MIN_LVT, "version_max_lvt"))
		tap_diag("version register 0x%x", ver);
	if (!CHECK((ver & 0xFF) >= APIC_VERSION_INTEGRATED_MIN && (ver & 0xFF) <= APIC_VERSION_INTEGRATED_MAX,
		   "version_integrated"))
		tap_diag("version register 0x%x", ver);

	/* The x2APIC MSRs do not exist in xAPIC mode. */
	X2_CHECK_EQ(msr_or_fault(MSR_X2APIC_ICR), GP0, "icr_msr_in_xapic_gp0");
	X2_CHECK_EQ(last_fault_had_ec(), true, "icr_msr_in_xapic_ec_pushed");

	/* Writable in xAPIC mode (R5.1); entering x2APIC mode below must bring back ID = vCPU index. */
	xapic_write(APIC_ID, XAPIC_ID_WRITTEN << APIC_ID_SHIFT);
	CHECK_EQ(xapic_read(APIC_ID), XAPIC_ID_WRITTEN << APIC_ID_SHIFT, "xapic_id_writable");
}

/* Item 2 (R5.1, R5.2, R5.3): IDs and the registers that fault in x2APIC mode. */
static void test_x2apic_ids(void)
{
	X2_CHECK_EQ(lapic_enable_x2apic(), FAULT_NONE, "x2apic_enable");
	X2_CHECK_EQ(apic_base_get(), X2APIC_APIC_BASE, "x2apic_base_value");
	X2_CHECK_EQ(msr_or_fault(MSR_X2APIC_ID), VCPU_ID, "x2apic_id");
	X2_CHECK_EQ(msr_or_fault(MSR_X2APIC_ID), cpuid(CPUID_LEAF_TOPOLOGY, 0).edx, "x2apic_id_cpuid_b");
	X2_CHECK_EQ(msr_or_fault(MSR_X2APIC_LDR), X2APIC_LDR_OF(VCPU_ID), "x2apic_ldr");

	X2_CHECK_EQ(wrmsr_safe(MSR_X2APIC_ID, X2APIC_ID_BOGUS), GP0, "x2apic_id_write_gp0");
	X2_CHECK_EQ(msr_or_fault(MSR_X2APIC_ID), VCPU_ID, "x2apic_id_read_only");
	X2_CHECK_EQ(wrmsr_safe(MSR_X2APIC_LDR, X2APIC_LDR_BOGUS), GP0, "x2apic_ldr_write_gp0");
	X2_CHECK_EQ(msr_or_fault(MSR_X2APIC_LDR), X2APIC_LDR_OF(VCPU_ID), "x2apic_ldr_read_only");

	X2_CHECK_EQ(msr_or_fault(MSR_X2APIC_DFR), GP0, "x2apic_dfr_read_gp0");
	X2_CHECK_EQ(msr_or_fault(MSR_X2APIC_APR), GP0, "x2apic_apr_read_gp0");
	X2_CHECK_EQ(msr_or_fault(MSR_X2APIC_ICR2), GP0, "x2apic_icr2_read_gp0");
	X2_CHECK_EQ(msr_or_fault(MSR_X2APIC_SELF_IPI), GP0, "x2apic_self_ipi_read_gp0");
}

/* KVM_X86_QUIRK_LAPIC_MMIO_HOLE (on by default): in x2APIC mode the xAPIC page reads all ones and
 * ignores writes. */
static void test_x2apic_mmio_hole(void)
{
	X2_CHECK_EQ(xapic_read(APIC_ID), APIC_MMIO_HOLE, "mmio_hole_x2apic_id");
	X2_CHECK_EQ(xapic_read(APIC_VERSION), APIC_MMIO_HOLE, "mmio_hole_x2apic_version");
	if (x2_skip) {
		SKIP("mmio_hole_x2apic_write_ignored", x2_skip);
		return;
	}
	xapic_write(APIC_TPR, MMIO_HOLE_TPR_PROBE);
	CHECK_EQ(msr_or_fault(MSR_X2APIC_TPR), 0, "mmio_hole_x2apic_write_ignored");
	wrmsr_safe(MSR_X2APIC_TPR, 0);
}

/* Item 3 (R5.7): the 64-bit ICR, its reserved bits, BUSY, and a fixed physical IPI to ourselves. */
static void test_x2apic_icr(void)
{
	u64 icr = ICR_VEC | APIC_ICR_DM_FIXED | (u64)VCPU_ID << APIC_ICR_X2APIC_DEST_SHIFT;

	irq_reset();
	X2_CHECK_EQ(wrmsr_safe(MSR_X2APIC_ICR, icr | ICR_RSVD_BIT13), GP0, "icr_rsvd_bit13_gp0");
	X2_CHECK_EQ(wrmsr_safe(MSR_X2APIC_ICR, icr | ICR_RSVD_BIT16), GP0, "icr_rsvd_bit16_gp0");
	X2_CHECK_EQ(wrmsr_safe(MSR_X2APIC_ICR, icr | ICR_RSVD_BIT20), GP0, "icr_rsvd_bit20_gp0");
	/* The edges of the reserved ranges: 17 (of 17:16), 21 and 31 (of 31:20). */
	X2_CHECK_EQ(wrmsr_safe(MSR_X2APIC_ICR, icr | ICR_RSVD_BIT17), GP0, "icr_rsvd_bit17_gp0");
	X2_CHECK_EQ(wrmsr_safe(MSR_X2APIC_ICR, icr | ICR_RSVD_BIT21), GP0, "icr_rsvd_bit21_gp0");
	X2_CHECK_EQ(wrmsr_safe(MSR_X2APIC_ICR, icr | ICR_RSVD_BIT31), GP0, "icr_rsvd_bit31_gp0");
	irq_spin_until(rdtsc() + SETTLE_TSC);
	X2_CHECK_EQ(irq_count(ICR_VEC), 0, "icr_rsvd_not_sent");

	X2_CHECK_EQ(wrmsr_safe(MSR_X2APIC_ICR, icr | APIC_ICR_BUSY), FAULT_NONE, "icr_busy_write_ok");
	X2_CHECK_EQ(irq_wait(ICR_VEC, 1, IRQ_WAIT_TSC), 1, "icr_self_delivered");
	irq_spin_until(rdtsc() + SETTLE_TSC);
	X2_CHECK_EQ(irq_count(ICR_VEC), 1, "icr_self_once");
	X2_CHECK_EQ(msr_or_fault(MSR_X2APIC_ICR) & (APIC_ICR_BUSY | FAULT_RAISED), 0, "icr_busy_reads_zero");
	X2_CHECK_EQ(msr_or_fault(MSR_X2APIC_ICR), icr, "icr_readback");
	X2_CHECK_EQ(irq_total(), irq_count(ICR_VEC), "icr_no_other_vector");
}

/* Item 4 (R5.3, R5.7): SELF_IPI and 32-bit registers. */
static void test_x2apic_self_ipi(void)
{
	irq_reset();
	X2_CHECK_EQ(wrmsr_safe(MSR_X2APIC_SELF_IPI, SELF_IPI_VEC), FAULT_NONE, "self_ipi_write_ok");
	X2_CHECK_EQ(irq_wait(SELF_IPI_VEC, 1, IRQ_WAIT_TSC), 1, "self_ipi_delivered");
	irq_spin_until(rdtsc() + SETTLE_TSC);
	X2_CHECK_EQ(irq_count(SELF_IPI_VEC), 1, "self_ipi_once");

	X2_CHECK_EQ(wrmsr_safe(MSR_X2APIC_SELF_IPI, SELF_IPI_RSVD | SELF_IPI_VEC), GP0, "self_ipi_rsvd_gp0");
	irq_spin_until(rdtsc() + SETTLE_TSC);
	X2_CHECK_EQ(irq_count(SELF_IPI_VEC), 1, "self_ipi_rsvd_not_sent");

	X2_CHECK_EQ(wrmsr_safe(MSR_X2APIC_TPR, TPR_UPPER_BIT), GP0, "tpr_upper_bits_gp0");
	X2_CHECK_EQ(msr_or_fault(MSR_X2APIC_TPR), 0, "tpr_upper_bits_unchanged");
	X2_CHECK_EQ(irq_total(), irq_count(SELF_IPI_VEC), "self_ipi_no_other_vector");
}

/* Item 5 (R5.3) and the hole while disabled: x2APIC -> (refused: xAPIC, EN=0/EXTD=1) -> disabled ->
 * (refused: x2APIC, EN=0/EXTD=1) -> xAPIC -> (refused: reserved bits 9 and 0). */
static void test_apic_base(void)
{
	if (x2_skip) {
		static const char *const names[] = { "base_x2apic_to_xapic_gp0", "base_x2apic_to_invalid_gp0",
						     "base_still_x2apic" };
		for (u32 i = 0; i < ARRAY_SIZE(names); i++)
			SKIP(names[i], x2_skip);
	} else {
		u64 x2 = apic_base_get();
		CHECK_EQ(apic_base_set_safe(x2 & ~APIC_BASE_EXTD), GP0, "base_x2apic_to_xapic_gp0");
		CHECK_EQ(apic_base_set_safe(x2 & ~APIC_BASE_EN), GP0, "base_x2apic_to_invalid_gp0");
		CHECK_EQ(apic_base_get(), X2APIC_APIC_BASE, "base_still_x2apic");
	}

	CHECK_EQ(lapic_disable(), FAULT_NONE, "base_disable");
	CHECK_EQ(apic_base_get(), DISABLED_APIC_BASE, "base_disabled_value");
	/* CPUID.1:EDX.APIC[9] follows IA32_APIC_BASE.EN (SDM Vol. 3A §11.4.3). */
	CHECK_EQ(cpuid(1, 0).edx & CPUID_1_EDX_APIC_BIT, 0, "cpuid_apic_bit_clear_while_disabled");
	CHECK_EQ_UNLESS(qemu_no_hole, xapic_read(APIC_ID), APIC_MMIO_HOLE, "mmio_hole_disabled");
	X2_CHECK_EQ(msr_or_fault(MSR_X2APIC_ID), GP0, "x2apic_msr_disabled_gp0");

	u64 off = apic_base_get();
	X2_CHECK_EQ(apic_base_set_safe(off | APIC_BASE_EN | APIC_BASE_EXTD), GP0, "base_disabled_to_x2apic_gp0");
	CHECK_EQ_UNLESS(qemu_base_checks, apic_base_set_safe(off | APIC_BASE_EXTD), GP0,
			"base_disabled_to_invalid_gp0");
	CHECK_EQ(apic_base_get(), DISABLED_APIC_BASE, "base_still_disabled");

	CHECK_EQ(apic_base_set_safe(off | APIC_BASE_EN), FAULT_NONE, "base_enable_xapic");
	CHECK_EQ(cpuid(1, 0).edx & CPUID_1_EDX_APIC_BIT, CPUID_1_EDX_APIC_BIT, "cpuid_apic_bit_set_when_enabled");
	CHECK_EQ_UNLESS(qemu_no_reenable, apic_base_get(), RESET_APIC_BASE, "base_xapic_value");
	CHECK_EQ_UNLESS(qemu_no_reenable, xapic_read(APIC_ID) >> APIC_ID_SHIFT, VCPU_ID, "xapic_id_after_reenable");

	u64 on = apic_base_get();
	const char *rsvd_skip = qemu_base_checks ? qemu_base_checks : qemu_no_reenable;
	CHECK_EQ_UNLESS(rsvd_skip, apic_base_set_safe(on | APIC_BASE_RSVD_BIT9), GP0, "base_rsvd_bit9_gp0");
	CHECK_EQ_UNLESS(rsvd_skip, apic_base_set_safe(on | APIC_BASE_RSVD_BIT0), GP0, "base_rsvd_bit0_gp0");
	CHECK_EQ_UNLESS(rsvd_skip, apic_base_get(), RESET_APIC_BASE, "base_rsvd_unchanged");

	/* R5.1: EN 0->1 recomputes the xAPIC ID also without a trip through x2APIC mode. */
	if (qemu_no_reenable) {
		SKIP("base_disable_enable_again", qemu_no_reenable);
		SKIP("xapic_id_reset_by_enable", qemu_no_reenable);
		return;
	}
	xapic_write(APIC_ID, XAPIC_ID_WRITTEN << APIC_ID_SHIFT);
	fault_t off_again = lapic_disable();
	fault_t on_again = lapic_enable_xapic();
	CHECK(off_again == FAULT_NONE && on_again == FAULT_NONE, "base_disable_enable_again");
	CHECK_EQ(xapic_read(APIC_ID) >> APIC_ID_SHIFT, VCPU_ID, "xapic_id_reset_by_enable");
}

void test_main(void)
{
	test_enumeration();
	test_xapic();

	irq_register(ICR_VEC);
	irq_register(SELF_IPI_VEC);
	test_x2apic_ids();
	lapic_setup(SPURIOUS_VEC); /* fixed interrupts need SVR[8] (SDM §11.4.7.2) */
	sti();
	test_x2apic_mmio_hole();
	test_x2apic_icr();
	test_x2apic_self_ipi();
	cli();
	test_apic_base();
}
