/* vCPUs with APIC IDs above 255 brought up by an x2APIC-mode BSP while they are still in xAPIC mode:
 * the "hotplug hack" of KVM_X2APIC_API_USE_32BIT_IDS (errata spec §5.2, §5.3 rows 5-7 with vCPU 257).
 * 288 vCPUs (IDs 0-287): vCPUs 256-287 start in xAPIC mode with xAPIC IDs 0-31 (ID & 0xFF, R5.1), so
 * they alias vCPUs 0-31 in the 8-bit ID space; vCPU 257 (0x101) aliases vCPU 1.
 *
 * The BSP enters x2APIC mode and sends INIT-SIPI-SIPI with 32-bit destinations:
 *   1. to 0x101 while every AP still waits for its SIPI. Flag on (column B): vCPU 257 starts
 *      (phys_map[0x101]). Flag off (column A): it may start (slow path: mda > 0xFF is compared with
 *      the vCPU ID) or the message may be dropped (optimized map without 0x101): the spec says rely on
 *      neither. Defined either way: nobody else starts, vCPU 1 in particular;
 *   2. to 1..254, then to 255 (0xFF): those start. Flag on: they alone; flag off: the aliases
 *      256-287 may start too;
 *   3. to every AP still offline. Flag on: all of them start, each exactly once.
 * Then fixed IPIs, physical (vCPU 1 now in x2APIC mode, vCPU 257 still xAPIC with xAPIC ID 1):
 *   row 6, to 1: flag on: vCPU 1 only; flag off: vCPUs 1 and 257 (slow path, both IDs match);
 *   row 5, to 0x101: flag on: vCPU 257; flag off: vCPU 257 or nobody;
 *   row 7, to 0xFFFFFFFF: the x2APIC-mode vCPUs (0 and 1), never an xAPIC-mode one (both flags).
 * An AP identifies itself (CPUID.0BH:EDX in the trampoline, lib/smp.h), never by the destination it
 * was sent to, so a start of the wrong vCPU shows as that vCPU's own start count.
 *
 * Column A under microhv is not left open: microhv's architectural matcher (docs/apic.md) is exact, so
 * the guest asserts its outcome. A destination above 0xFF is compared with the vCPU ID in either mode
 * (vCPU 257 starts at step 1); destinations 1-31 also reach their aliases 257-287 (vCPU 257 is INIT'ed
 * and started again); 0xFF from the x2APIC-mode BSP is the xAPIC broadcast for every xAPIC-mode target,
 * so every AP then online is started once more and vCPU 256 starts. The start count of every vCPU is
 * therefore known (column_a_starts()). On KVM the same flag-off run gets column B from QEMU, so the
 * column-A cases SKIP outside microhv.
 *
 * Plain QEMU: TCG refuses -smp above 255 and has no x2APIC (everything SKIPs). With KVM (ACCEL=kvm
 * SMP=288) QEMU itself turns on USE_32BIT_IDS (column B whatever the row says), and SeaBIOS, which
 * needs x2APIC for more than 255 CPUs, leaves every AP in x2APIC mode (an INIT keeps IA32_APIC_BASE):
 * the premise "still in xAPIC mode" holds only under microhv. There it is asserted; on plain QEMU the
 * APs are moved back to xAPIC mode once started, so rows 5-7 still see the intended modes. */
#include "guest.h"
#include "fw_cfg.h"
#include "ipi_check.h"

#define CPUS_WANTED 288u
#define V257 0x101u             /* x2APIC ID 257: xAPIC ID 1 after RESET */
#define V1 1u
#define LOW_IDS 256u            /* IDs that fit the 8-bit xAPIC destination */
#define ROW5_VECTOR 0x50
#define ROW6_VECTOR 0x51
#define ROW7_VECTOR 0x52
#define FIXED(v) (APIC_ICR_DM_FIXED | APIC_ICR_LEVEL_ASSERT | (v))

static u32 ncpu;
static bool ids32; /* apic_32bit_ids: KVM column B */
static bool column_a; /* flag off under microhv: the architectural outcome, asserted exactly */
#define SKIP_NOT_MICROHV_A "not microhv: with the flag off, KVM's outcome is column B (QEMU sets USE_32BIT_IDS)"
static u32 dests[SMP_MAX_CPUS];

static u64 ap_enable_x2apic(u64 unused) { return lapic_enable_x2apic(); }

/* x2APIC -> disabled -> xAPIC (the legal path, SDM §11.12.5), which also resets the xAPIC ID to the
 * vCPU ID's low 8 bits (KVM: EN 0 -> 1), then ready for interrupts again. */
static u64 ap_back_to_xapic(u64 unused)
{
	fault_t f = lapic_enable_xapic();
	lapic_setup(SMP_SPURIOUS_VECTOR);
	return f;
}
static u64 ap_xapic_id(u64 unused) { return xapic_read(APIC_ID) >> APIC_ID_SHIFT; }

static u32 starts(u32 cpu)
{
	return smp_cpu(cpu)->starts;
}

enum hotplug_step { AFTER_LOW_IDS, AFTER_DEST_FF };

/* Column A's start count of vCPU `cpu` after `step` (see the header): step 1 starts vCPU 257; IDs 1-254
 * start vCPU i and its alias 256 + i (i <= 31); 0xFF then starts every xAPIC-mode AP once more, vCPU 255
 * and 256 for the first time. */
static u32 column_a_starts(u32 cpu, enum hotplug_step step)
{
	u32 n = cpu == V257;
	if (cpu < XAPIC_BROADCAST || (cpu > LOW_IDS && cpu - LOW_IDS < XAPIC_BROADCAST))
		n += cpu != 0;
	if (step == AFTER_DEST_FF && cpu != 0)
		n += 1;
	return n;
}

/* vCPUs whose start count differs from column A's after `step`, the first few named. */
static u32 column_a_mismatches(enum hotplug_step step)
{
	u32 wrong = 0;
	for (u32 i = 1; i < ncpu; i++)
		if (starts(i) != column_a_starts(i, step) && wrong++ < 4)
			tap_diag("vCPU %u: started %u times, column A says %u", i, starts(i), column_a_starts(i, step));
	return wrong;
}

/* CPUs in [first, last) that have started at least once, except `except`. */
static u32 started_in(u32 first, u32 last, u32 except)
{
	u32 n = 0;
	for (u32 i = first; i < last && i < ncpu; i++)
		n += i != except && starts(i) > 0;
	return n;
}

/* INIT-SIPI-SIPI to the offline CPUs in [first, last), by their 32-bit IDs; then wait until each is
 * online, or the start timeout. Returns how many of them came online. */
static u32 start_range(u32 first, u32 last)
{
	u32 n = 0, online = 0;

	for (u32 i = first; i < last && i < ncpu; i++)
		if (smp_cpu(i)->state != CPU_ONLINE)
			dests[n++] = smp_cpu(i)->apic_id;
	smp_send_startup(dests, n);
	u64 deadline = tsc_deadline_us(SMP_START_TIMEOUT_US);
	for (u32 i = first; i < last && i < ncpu; i++) {
		while (smp_cpu(i)->state != CPU_ONLINE && !tsc_passed(deadline))
			cpu_relax();
		online += smp_cpu(i)->state == CPU_ONLINE;
	}
	return online;
}

/* Step 1: INIT-SIPI-SIPI to 0x101 with every AP waiting for its SIPI. */
static void test_sipi_0x101_first(void)
{
	u32 dest = V257;

	smp_send_startup(&dest, 1);
	bool up = smp_wait_starts(V257, 1, SMP_START_TIMEOUT_US);
	tap_diag("after INIT-SIPI-SIPI to 0x101: vCPU 257 %s, %u other APs started", up ? "started" : "did not start",
		 started_in(1, ncpu, V257));
	CHECK_EQ(starts(V1), 0, "sipi_0x101_does_not_start_cpu1");
	CHECK_EQ(started_in(1, ncpu, V257), 0, "sipi_0x101_starts_no_other_cpu");
	if (ids32 || column_a) /* microhv's column A compares a destination above 0xFF with the vCPU ID */
		CHECK(up && starts(V257) == 1, "row5_sipi_0x101_starts_cpu257");
	else
		SKIP("row5_sipi_0x101_starts_cpu257", SKIP_NOT_MICROHV_A);
}

/* Column B: no vCPU above 255 started, and vCPU 257 not INIT'ed again, by the starts so far. */
static void check_no_alias_started(const char *no_alias, const char *not_restarted, enum hotplug_step step)
{
	if (ids32) {
		CHECK_EQ(started_in(LOW_IDS, ncpu, V257), 0, no_alias);
		CHECK_EQ(starts(V257), 1, not_restarted);
		return;
	}
	u32 aliases = started_in(LOW_IDS, ncpu, V257);
	tap_diag("column A: %u vCPUs above 255 besides vCPU 257 started so far, vCPU 257 %u times", aliases,
		 starts(V257));
	if (!column_a) {
		SKIP(no_alias, SKIP_NOT_MICROHV_A);
		SKIP(not_restarted, SKIP_NOT_MICROHV_A);
		return;
	}
	/* Aliases 258-287 by IDs 2-31 (and vCPU 256 by the 0xFF broadcast); vCPU 257 by ID 1 (and 0xFF). */
	CHECK_EQ(aliases, step == AFTER_LOW_IDS ? 30 : 31,
		 step == AFTER_LOW_IDS ? "colA_ids_1_to_254_start_aliases" : "colA_dest_0xff_starts_xapic_cpu256");
	CHECK_EQ(column_a_mismatches(step), 0,
		 step == AFTER_LOW_IDS ? "colA_ids_1_to_254_start_counts" : "colA_dest_0xff_restarts_every_xapic_ap");
}

/* Step 2: the IDs an xAPIC destination can name. Destinations 1-31 also name vCPUs 256-287 in the
 * 8-bit space: column B resolves them to vCPUs 1-31 only (first in vCPU order, phys_map). 0xFF gets
 * its own case: from an x2APIC-mode sender it is not a broadcast (KVM kvm_apic_is_broadcast_dest(),
 * quirk on: only 0xFFFFFFFF is), so column B delivers it to phys_map[0xFF], vCPU 255 alone. */
static void test_start_low_ids(void)
{
	u32 below_ff = start_range(1, XAPIC_BROADCAST);

	CHECK_EQ(below_ff, MIN(ncpu, XAPIC_BROADCAST) - 1, "ids_1_to_254_start");
	check_no_alias_started("row5b_ids_1_to_254_start_no_alias", "row5b_ids_1_to_254_cpu257_not_restarted",
			       AFTER_LOW_IDS);
	CHECK_EQ(start_range(XAPIC_BROADCAST, LOW_IDS), 1, "id_255_starts");
	check_no_alias_started("row5b_dest_0xff_from_x2apic_is_cpu255_only", "row5b_dest_0xff_cpu257_not_restarted",
			       AFTER_DEST_FF);
}

/* Step 3: every AP still offline, i.e. the IDs above 255 (flag on: all of them, each once). */
static void test_start_high_ids(void)
{
	u32 high = start_range(LOW_IDS, ncpu);
	u32 want = ncpu > LOW_IDS ? ncpu - LOW_IDS : 0;

	if (ids32) {
		CHECK_EQ(high, want, "row5b_ids_above_255_start");
		u32 once = 0;
		for (u32 i = 1; i < ncpu; i++)
			once += starts(i) == 1;
		CHECK_EQ(once, ncpu - 1, "row5b_every_ap_started_once");
	} else if (column_a) { /* every one came up before: 256 by 0xFF, 257-287 as aliases; no start since */
		CHECK_EQ(high, want, "colA_ids_above_255_online");
		CHECK_EQ(column_a_mismatches(AFTER_DEST_FF), 0, "colA_no_start_by_ids_above_255");
	} else {
		tap_diag("column A: %u of %u vCPUs above 255 online", high, want);
		SKIP("row5b_ids_above_255_start", SKIP_NOT_MICROHV_A);
		SKIP("row5b_every_ap_started_once", SKIP_NOT_MICROHV_A);
	}
}

/* The premise: the APs were still in xAPIC mode when the SIPIs reached them. */
static void test_started_in_xapic_mode(void)
{
	u32 in_x2apic = 0;

	for (u32 i = 1; i < ncpu; i++)
		in_x2apic += smp_cpu(i)->starts && (smp_cpu(i)->first_apic_base & APIC_BASE_EXTD);
	if (in_x2apic && !under_microhv()) {
		tap_diag("%u APs were in x2APIC mode at their first start: moving them to xAPIC mode", in_x2apic);
		SKIP("aps_started_in_xapic_mode", "SeaBIOS put every CPU in x2APIC mode (more than 255 CPUs), and INIT keeps it");
		for (u32 i = 2; i < ncpu; i++) /* vCPU 1 goes to x2APIC mode for row 6 anyway */
			if (smp_cpu(i)->state == CPU_ONLINE && (smp_cpu(i)->first_apic_base & APIC_BASE_EXTD))
				smp_call(i, ap_back_to_xapic, 0);
		return;
	}
	CHECK_EQ(in_x2apic, 0, "aps_started_in_xapic_mode");
}

/* R5.1 for the vCPUs above 255: xAPIC ID = ID & 0xFF (asked only where commands reach them). */
static void test_high_xapic_ids(void)
{
	u32 wrong = 0;

	if (!ids32 && !column_a) {
		SKIP("xapic_id_is_low8_above_255", SKIP_NOT_MICROHV_A);
		return;
	}
	for (u32 i = LOW_IDS; i < ncpu; i++) {
		u64 id = smp_call(i, ap_xapic_id, 0);
		if (id != (i & 0xFF) && wrong++ < 4)
			tap_diag("vCPU %u: xAPIC ID 0x%llx", i, id);
	}
	CHECK_EQ(wrong, 0, "xapic_id_is_low8_above_255");
}

/* Rows 5, 6 and 7 with vCPU 257 running in xAPIC mode and vCPU 1 in x2APIC mode. */
static void test_rows_5_6_7(void)
{
	bool up257 = smp_cpu(V257)->state == CPU_ONLINE;
	struct cpu_set none = cpu_set_none(), only257 = cpu_set_of(1, V257);

	CHECK_EQ(smp_call(V1, ap_enable_x2apic, 0), FAULT_NONE, "cpu1_x2apic_enable");
	struct cpu_set row6 = ids32 ? cpu_set_of(1, V1) : cpu_set_of(2, V1, V257);
	if (ids32 || up257)
		ipi_check("row6_phys_1", &(struct ipi){ .dest = V1, .icr = FIXED(ROW6_VECTOR) }, ROW6_VECTOR, &row6);
	else
		SKIP("row6_phys_1", "column A and vCPU 257 never started (allowed by row 5)");

	struct ipi row5 = { .dest = V257, .icr = FIXED(ROW5_VECTOR) };
	if (ids32)
		ipi_check("row5_phys_0x101", &row5, ROW5_VECTOR, &only257);
	else /* vCPU 257 or nobody */
		ipi_check_within("row5_phys_0x101", &row5, ROW5_VECTOR, &none, &only257);

	struct cpu_set x2 = cpu_set_of(2, 0, V1);
	ipi_check("row7_x2apic_broadcast_misses_xapic_cpu257",
		  &(struct ipi){ .dest = X2APIC_BROADCAST, .icr = FIXED(ROW7_VECTOR) }, ROW7_VECTOR, &x2);
}

static bool setup(void)
{
	u32 fw = fw_cfg_cpu_count();

	ncpu = fw ? fw : CPUS_WANTED;
	ids32 = runtime_cmdline_has("apic-32bit-ids");
	column_a = !ids32 && under_microhv();
	tap_diag("%u CPUs (fw_cfg %u), apic_32bit_ids %s: KVM column %s", ncpu, fw, ids32 ? "on" : "off",
		 ids32 ? "B" : "A");
	if (!(cpuid(1, 0).ecx & CPUID_1_ECX_X2APIC) && !under_microhv()) {
		SKIP("hotplug", "plain QEMU 7.2 TCG has no x2APIC (and refuses -smp above 255)");
		return false;
	}
	if (!CHECK(ncpu > V257, "enough_cpus")) {
		tap_diag("needs vCPU 257 (suite vcpus=288, run-direct ACCEL=kvm SMP=288)");
		return false;
	}
	lapic_setup(SMP_SPURIOUS_VECTOR);
	irq_register(ROW5_VECTOR);
	irq_register(ROW6_VECTOR);
	irq_register(ROW7_VECTOR);
	sti();
	smp_add_dense(ncpu);
	if (!CHECK_EQ(smp_cpu_count(), ncpu, "per_cpu_areas"))
		return false;
	return CHECK_EQ(lapic_enable_x2apic(), FAULT_NONE, "bsp_x2apic_enable");
}

void test_main(void)
{
	if (!setup())
		return;
	test_sipi_0x101_first();
	test_start_low_ids();
	test_start_high_ids();
	test_started_in_xapic_mode();
	test_high_xapic_ids();
	test_rows_5_6_7();
	CHECK_EQ(smp_strays(), 0, "no_stray_cpus");
}
