/* Harness check: interrupts off, spin forever without exiting.
 * Expected outcome: fail-timeout (suite.txt gives it a short timeout). */
#include "guest.h"

void test_main(void)
{
	CHECK(true, "before_hang");
	serial_flush();
	cli();
	for (;;)
		cpu_relax();
}
