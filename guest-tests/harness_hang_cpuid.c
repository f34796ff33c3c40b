/* Harness check: spin forever on CPUID, an exit the back end answers on its fast path without the core.
 * The slice still ends and the watchdog still stops the guest. Expected outcome: fail-timeout. */
#include "guest.h"

void test_main(void)
{
	CHECK(true, "before_hang");
	serial_flush();
	for (;;)
		cpuid(0, 0);
}
