/* Harness check: interrupts off, then HLT, which can never be woken up (only NMI/SMI/INIT could).
 * Expected outcome: fail-halt (microhv should notice a halted vCPU with IF=0). */
#include "guest.h"

void test_main(void)
{
	CHECK(true, "before_halt");
	serial_flush();
	for (;;) {
		cli();
		hlt();
	}
}
