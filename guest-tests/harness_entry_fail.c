/* Harness check: microhv is asked (HC_DEBUG_BREAK_ENTRY) to make the next VM entry fail, the one
 * that would return from the hypercall. Expected outcome: fail-entry (the runner must notice the
 * refused entry and report it, not hang or crash). On plain QEMU there is no hypervisor to ask: the
 * case SKIPs and the guest exits normally. */
#include "guest.h"

void test_main(void)
{
	CHECK(true, "before_entry_fail");
	if (!require_microhv("break_entry"))
		return;
	serial_flush();
	s64 ret = hc_debug_break_entry();

	/* Not reached when the entry fails. Otherwise stay here, but keep exiting to microhv: a guest
	 * spinning with IF=0 and no exits never reaches the watchdog on every platform (see harness_hang
	 * in suite.txt), and this one must end as a timeout, which the runner reports as a failure. */
	tap_diag("the VM entry after HC_DEBUG_BREAK_ENTRY succeeded (hypercall returned %lld)", ret);
	for (;;)
		hc_version();
}
