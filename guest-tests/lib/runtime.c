/* Runtime glue: IDT, boot checks, test_main(), plan, exit. */
#include "hv/guest_abi.h"
#include "exc.h"
#include "runtime.h"
#include "serial.h"
#include "tap.h"
#include "x86.h"

static u32 boot_mbi;
static u32 boot_magic;

void runtime_main(u32 mbi, u32 magic)
{
	boot_mbi = mbi;
	boot_magic = magic;
	idt_init(); /* first: from here on any stray exception becomes a readable "not ok" */

	/* Only reported when wrong, so every test keeps the same case numbers on a healthy loader. */
	if (magic != MULTIBOOT_BOOTLOADER_MAGIC) {
		tap_result(false, "boot_magic");
		tap_diag("EAX at entry 0x%x, expected 0x%x", magic, MULTIBOOT_BOOTLOADER_MAGIC);
	}
	test_main();
	runtime_finish();
}

void runtime_finish(void)
{
	tap_plan();
	guest_exit(tap_failures() ? GUEST_EXIT_FAIL : GUEST_EXIT_PASS);
}

void guest_exit(u32 status)
{
	serial_flush();
	outl(GUEST_EXIT_PORT, status);
	for (;;) { /* the exit port did not stop us (no such device): stay quiet */
		cli();
		hlt();
	}
}

u32 runtime_mbi(void)
{
	return boot_mbi;
}

u32 runtime_boot_magic(void)
{
	return boot_magic;
}
