/* The x2APIC broadcast quirk, errata spec §5.3 rows 9 and 10 (§5.5 item 11), from both sources that have
 * no sending CPU: an I/O APIC pin (HC_IOAPIC_PIN) and an MSI (HC_RAISE_MSI). At least MIN_CPUS vCPUs (as
 * many as fw_cfg reports), all in x2APIC mode, destination 0xFF:
 *   row 9,  physical: quirk on (KVM's default, R5.5) every CPU; quirk off only x2APIC ID 0xFF, i.e.
 *           nobody in a VM of fewer than 256 vCPUs (the suite runs it with 10 and with 257);
 *   row 10, logical: quirk on every CPU; quirk off cluster 0, bitmap 0xFF: x2APIC IDs 0-7 only.
 * First, in xAPIC mode, physical 0xFF is the architectural broadcast whatever the flag. The suite runs it
 * twice, without and with the VM option no-broadcast-quirk; the guest reads which from its command line.
 * Plain QEMU has neither hypercall: the guest SKIPs there. */
#include "guest.h"
#include "fw_cfg.h"
#include "ioapic.h"
#include "ipi_check.h"

#define MIN_CPUS 10u        /* more than the 8 members of x2APIC cluster 0 */
#define X2APIC_ID_FF 0xFFu
#define CLUSTER0_CPUS 8u
#define PIN 9u
#define FIRST_VEC 0x60
#define MSI_ADDR(dest, logical) (0xFEE00000ull | (u64)(dest) << 12 | ((logical) ? BIT(2) : 0))
#define MSI_DATA_SHIFT 32   /* the raise argument: address in bits 31:0, data in 63:32 */

static u8 next_vec = FIRST_VEC;

static u8 fresh(void)
{
	irq_register(next_vec);
	return next_vec++;
}

static u64 ap_enable_x2apic(u64 unused) { return lapic_enable_x2apic(); }

/* arg = the redirection entry: program the pin, pulse it, mask it again. */
static void raise_pin(u64 entry)
{
	ioapic_rte_write(PIN, entry);
	hc_ioapic_pin(PIN, 1);
	hc_ioapic_pin(PIN, 0);
	ioapic_rte_write(PIN, RTE_MASKED);
}

static void raise_msi(u64 packed)
{
	hc_raise_msi((u32)packed, packed >> MSI_DATA_SHIFT);
}

/* The same destination from the I/O APIC and as an MSI: two TAP lines, NAME_ioapic and NAME_msi. */
static void both(const char *name, u32 dest, bool logical, const struct cpu_set *expect)
{
	char line[64];
	u8 v = fresh();
	snprintf(line, sizeof(line), "%s_ioapic", name);
	irq_source_check(line, raise_pin, RTE_DEST(dest) | (logical ? RTE_LOGICAL : 0) | v, v, expect);
	v = fresh();
	snprintf(line, sizeof(line), "%s_msi", name);
	irq_source_check(line, raise_msi, MSI_ADDR(dest, logical) | (u64)v << MSI_DATA_SHIFT, v, expect);
}

void test_main(void)
{
	bool quirk = !runtime_cmdline_has("no-broadcast-quirk");
	tap_diag("x2apic broadcast quirk %s", quirk ? "on (default)" : "off (no-broadcast-quirk)");
	lapic_setup(SMP_SPURIOUS_VECTOR);
	sti();
	if (!require_microhv("broadcast_quirk_rows"))
		return;
	u32 cpus = fw_cfg_cpu_count();
	if (!CHECK(cpus >= MIN_CPUS && cpus <= SMP_MAX_CPUS, "at_least_ten_cpus"))
		return;
	smp_add_dense(cpus);
	if (!CHECK_EQ(smp_start_all(), cpus, "all_cpus_online"))
		return;

	/* APs in xAPIC mode. With more than 255 CPUs the BSP itself is in x2APIC mode (it had to address IDs
	 * above 0xFF to start them): quirk off, 0xFF is not its broadcast (row 8's mixed case). */
	struct cpu_set all = cpu_set_all(cpus), xapic_targets = all;
	bool bsp_x2apic = lapic_x2apic_mode();
	if (bsp_x2apic && !quirk)
		cpu_set_del(&xapic_targets, 0);
	both(bsp_x2apic ? "xapic_aps_phys_ff" : "xapic_phys_ff_all", 0xFF, false, &xapic_targets);

	u32 moved = 0;
	for (u32 i = 1; i < cpus; i++)
		moved += smp_call(i, ap_enable_x2apic, 0) == FAULT_NONE;
	moved += lapic_enable_x2apic() == FAULT_NONE;
	if (!CHECK_EQ(moved, cpus, "all_cpus_x2apic"))
		return;

	/* Quirk off, physical 0xFF is an ordinary x2APIC ID: the vCPU with index 0xFF, if there is one. */
	struct cpu_set id_ff = cpus > X2APIC_ID_FF ? cpu_set_of(1, X2APIC_ID_FF) : cpu_set_none();
	struct cpu_set cluster0 = cpu_set_all(CLUSTER0_CPUS);
	both(quirk ? "row9_phys_ff_quirk_all" : cpus > X2APIC_ID_FF ? "row9_phys_ff_no_quirk_id_ff_only" :
		     "row9_phys_ff_no_quirk_nobody", 0xFF, false, quirk ? &all : &id_ff);
	both(quirk ? "row10_logical_ff_quirk_all" : "row10_logical_ff_no_quirk_cluster0", 0xFF, true,
	     quirk ? &all : &cluster0);
	struct cpu_set three = cpu_set_of(1, 3);
	both("x2apic_phys_unicast_3", 3, false, &three);
}
