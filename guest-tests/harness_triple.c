/* Harness check: a triple fault. With an empty IDT (limit 0) the #UD cannot be delivered, which
 * raises #GP, which cannot be delivered either -> #DF -> shutdown.
 * Expected outcome: fail-triple (plain QEMU with -no-reboot just exits). */
#include "guest.h"

void test_main(void)
{
	static const struct desc_ptr empty_idt = { .limit = 0, .base = 0 };

	CHECK(true, "before_triple_fault");
	tap_diag("loading an empty IDT and executing ud2: expect a triple fault");
	serial_flush();
	lidt(&empty_idt);
	asm volatile("ud2");
	tap_diag("still running after ud2 with an empty IDT");
}
