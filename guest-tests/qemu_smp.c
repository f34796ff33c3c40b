/* An ordinary SMP test kernel, as one would write for plain QEMU: it finds its CPUs in the ACPI MADT
 * (RSDP in the BIOS area), their number through fw_cfg, starts every AP with INIT-SIPI-SIPI, has each
 * report its APIC ID and bounce an IPI off the BSP, and exits through port 0xF4.
 *
 * Deliverable: it runs unmodified on plain QEMU (scripts/run-direct.sh with SMP=N) and under microhv
 * with vcpus=N, and prints exactly the same lines on both: no timings, no platform-dependent SKIPs. */
#include "guest.h"
#include "acpi.h"
#include "fw_cfg.h"

#define PING_VECTOR 0x40 /* AP -> BSP */
#define PONG_VECTOR 0x41 /* BSP -> AP */
#define ROUND_TRIP_TIMEOUT_US 1000000 /* long only when failing */
#define MADT_MAX_CPUS SMP_MAX_CPUS
#define ICR_FIXED (APIC_ICR_DM_FIXED | APIC_ICR_LEVEL_ASSERT)

static struct acpi_cpu madt[MADT_MAX_CPUS];

/* On the AP: its APIC ID as its own local APIC reports it. An ID above 255 exists only in x2APIC mode
 * (SDM Vol. 3A §11.12; the xAPIC ID register holds its low 8 bits), so such an AP switches first, as an
 * OS must (SeaBIOS has already done it on plain QEMU). */
static u64 ap_apic_id(u64 expected)
{
	if (expected > 0xFF)
		lapic_enable_x2apic();
	return lapic_id();
}

/* On the AP: ping the BSP, wait for its pong; returns the pongs received (1). */
static u64 ap_round_trip(u64 bsp_apic_id)
{
	u64 before = irq_count(PONG_VECTOR);

	lapic_send_ipi((u32)bsp_apic_id, ICR_FIXED | PING_VECTOR);
	return irq_wait(PONG_VECTOR, before + 1, ROUND_TRIP_TIMEOUT_US * TSC_PER_US) - before;
}

/* The enabled MADT entries; checks them against fw_cfg. Returns their number (0 if unusable). */
static u32 discover(void)
{
	u32 lapic_base = 0, enabled = 0;
	u32 fw_count = fw_cfg_cpu_count();
	int n = acpi_madt_cpus(madt, ARRAY_SIZE(madt), &lapic_base);

	CHECK(fw_cfg_present(), "fw_cfg_signature");
	tap_diag("fw_cfg: %u CPUs", fw_count);
	if (!CHECK(n > 0, "madt_found"))
		return 0;
	for (int i = 0; i < n && i < (int)ARRAY_SIZE(madt); i++) {
		tap_diag("MADT: processor UID %u, APIC ID %u%s", madt[i].uid, madt[i].apic_id,
			 madt[i].enabled ? "" : " (disabled)");
		enabled += madt[i].enabled;
	}
	CHECK_EQ(lapic_base, APIC_DEFAULT_BASE, "madt_lapic_base");
	CHECK_EQ(enabled, fw_count, "madt_cpus_match_fw_cfg");
	return (u32)n < ARRAY_SIZE(madt) ? (u32)n : ARRAY_SIZE(madt);
}

/* Every enabled MADT processor but the BSP joins the CPU table; returns the BSP's position or -1. */
static int add_cpus(u32 n, u32 bsp_id)
{
	int bsp = -1;

	for (u32 i = 0; i < n; i++) {
		if (!madt[i].enabled)
			continue;
		if (madt[i].apic_id == bsp_id)
			bsp = (int)i;
		else if (smp_add_cpu(madt[i].apic_id) < 0)
			tap_diag("APIC ID %u: no room for its per-CPU area", madt[i].apic_id);
	}
	return bsp;
}

static void check_ap(u32 index)
{
	struct cpu_local *c = smp_cpu(index);
	char name[40];

	snprintf(name, sizeof(name), "cpu%u_online", index);
	if (!CHECK_EQ(c->state, CPU_ONLINE, name))
		return;
	snprintf(name, sizeof(name), "cpu%u_apic_id", index);
	CHECK_EQ(smp_call(index, ap_apic_id, c->apic_id), c->apic_id, name);
	tap_diag("CPU %u: APIC ID %u", index, c->apic_id);

	u64 pings = irq_count(PING_VECTOR);
	u64 pongs = 0;
	bool posted = smp_call_async(index, ap_round_trip, lapic_id());
	bool pinged = posted && irq_wait(PING_VECTOR, pings + 1, ROUND_TRIP_TIMEOUT_US * TSC_PER_US) == pings + 1;
	if (pinged)
		lapic_send_ipi(c->apic_id, ICR_FIXED | PONG_VECTOR);
	bool done = posted && smp_call_wait(index, &pongs);
	snprintf(name, sizeof(name), "cpu%u_ipi_round_trip", index);
	if (!CHECK(pinged && done && pongs == 1, name))
		tap_diag("posted %d, ping seen %d, AP done %d, pongs %llu", posted, pinged, done, pongs);
}

void test_main(void)
{
	lapic_setup(SMP_SPURIOUS_VECTOR);
	irq_register(PING_VECTOR);
	irq_register(PONG_VECTOR);
	sti();

	u32 n = discover();
	int bsp = add_cpus(n, lapic_id());
	CHECK(bsp >= 0, "bsp_in_madt");

	u32 online = smp_start_all();
	CHECK_EQ(online, smp_cpu_count(), "all_cpus_online");
	tap_diag("%u of %u CPUs online", online, smp_cpu_count());
	for (u32 i = 1; i < smp_cpu_count(); i++)
		check_ap(i);
	CHECK_EQ(smp_strays(), 0, "no_stray_cpus");
}
