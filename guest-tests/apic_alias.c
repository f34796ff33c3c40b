/* Aliased xAPIC IDs: errata spec §5.5 item 7, §5.3 rows 3 and 4, with three vCPUs in xAPIC mode.
 *
 * vCPU 2 writes its xAPIC ID to 1, the ID vCPU 1 already has; vCPU 0 sends fixed IPIs, physical mode:
 *   row 3, destination 1: flag apic_32bit_ids off (KVM column A, architectural): vCPUs 1 and 2 both
 *          receive; flag on (column B, the "hotplug hack"): only vCPU 1, the first in vCPU order;
 *   row 4, destination 2: nobody has ID 2 any more, so nobody receives (both columns).
 * The suite runs it twice, without and with the option apic-32bit-ids; the guest reads which from its
 * command line (on plain QEMU: APPEND=apic-32bit-ids). */
#include "guest.h"
#include "fw_cfg.h"
#include "ipi_check.h"

#define ALIAS_CPU 2u
#define ALIASED_ID 1u
#define ROW3_VECTOR 0x42 /* spec §5.5 item 7 */
#define ROW4_VECTOR 0x43
#define CPUS 3u
#define ICR_FIXED_PHYS(v) (APIC_ICR_DM_FIXED | APIC_ICR_LEVEL_ASSERT | (v))

static u64 ap_write_xapic_id(u64 id)
{
	xapic_write(APIC_ID, (u32)id << APIC_ID_SHIFT);
	return xapic_read(APIC_ID);
}

void test_main(void)
{
	bool ids32 = runtime_cmdline_has("apic-32bit-ids");
	u32 cpus = fw_cfg_cpu_count();

	tap_diag("apic_32bit_ids %s: expecting KVM column %s", ids32 ? "on" : "off", ids32 ? "B" : "A");
	lapic_setup(SMP_SPURIOUS_VECTOR);
	irq_register(ROW3_VECTOR);
	irq_register(ROW4_VECTOR);
	sti();
	if (cpus && !CHECK(cpus >= CPUS, "three_cpus")) {
		tap_diag("fw_cfg reports %u CPUs (suite vcpus=3, run-direct SMP=3)", cpus);
		return;
	}
	smp_add_dense(CPUS);
	if (!CHECK_EQ(smp_start_all(), CPUS, "all_cpus_online"))
		return;

	/* With ID 1, vCPU 2 no longer hears kicks to ID 2: it spins for its commands meanwhile. */
	smp_set_idle(ALIAS_CPU, CPU_IDLE_SPIN);
	CHECK_EQ(smp_call(ALIAS_CPU, ap_write_xapic_id, ALIASED_ID), ALIASED_ID << APIC_ID_SHIFT, "alias_id_written");

	struct cpu_set row3 = ids32 ? cpu_set_of(1, 1) : cpu_set_of(2, 1, ALIAS_CPU);
	if (!ids32 && runtime_plain_tcg())
		SKIP("row3_alias_phys_1", "QEMU 7.2 TCG delivers a physical IPI to the first APIC with the ID only "
					  "(apic_find_dest), i.e. column B whatever the flag");
	else
		ipi_check("row3_alias_phys_1", &(struct ipi){ .dest = ALIASED_ID, .icr = ICR_FIXED_PHYS(ROW3_VECTOR) },
			  ROW3_VECTOR, &row3);
	struct cpu_set nobody = cpu_set_none();
	ipi_check("row4_alias_phys_2_nobody", &(struct ipi){ .dest = ALIAS_CPU, .icr = ICR_FIXED_PHYS(ROW4_VECTOR) },
		  ROW4_VECTOR, &nobody);

	CHECK_EQ(smp_call(ALIAS_CPU, ap_write_xapic_id, ALIAS_CPU), ALIAS_CPU << APIC_ID_SHIFT, "alias_id_restored");
	smp_set_idle(ALIAS_CPU, CPU_IDLE_HALT);
	struct cpu_set restored = cpu_set_of(1, ALIAS_CPU);
	ipi_check("restored_phys_2", &(struct ipi){ .dest = ALIAS_CPU, .icr = ICR_FIXED_PHYS(ROW4_VECTOR) },
		  ROW4_VECTOR, &restored);
}
