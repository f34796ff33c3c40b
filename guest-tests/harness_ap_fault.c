/* Harness guest (expect fail-assert): an AP takes an exception nobody expected. The AP must stop and
 * the BSP must report it, both where it waits for the AP (a failed "cpu1_call") and at the end (a failed
 * "cpu1_unexpected_exception"), then exit with 1. Exit status 2 means the AP never started, which
 * proves nothing, so the suite counts it as a failure of this row. 2 vCPUs. */
#include "guest.h"

#define NOT_STARTED_STATUS 2

static u64 ap_undefined_opcode(u64 unused)
{
	asm volatile("ud2");
	return 0;
}

void test_main(void)
{
	lapic_setup(SMP_SPURIOUS_VECTOR);
	sti();
	smp_add_dense(2);
	if (smp_start_all() != 2)
		guest_exit(NOT_STARTED_STATUS);
	smp_call(1, ap_undefined_opcode, 0);
}
