/* Harness check: the guest resets or powers off the machine the ways a kernel does on QEMU q35, and
 * microhv must stop the VM with "guest requested reset" / "guest requested power off" (VM_RESET,
 * VM_POWER_OFF), not run on or call it a crash. One image, several suite rows (image=harness_reset);
 * the row's name, the first word of the command line, picks the way:
 *   harness_reset_cf9      0x06 to RST_CNT (0xCF9), as Linux's reboot=pci
 *   harness_reset_acpi     the FADT's reset register and value (0xCF9, 0x0F), as Linux's reboot=acpi
 *   harness_reset_port92   bit 0 of port 0x92 from 0 to 1 (fast reset)
 *   harness_poweroff       SLP_TYP from the DSDT's \_S5 (0) with SLP_EN to the FADT's PM1a_CNT (0x604)
 * Expected outcomes: fail-reset, fail-poweroff. On plain QEMU with -no-reboot both end QEMU with status 0. */
#include "guest.h"
#include "acpi.h"

#define RST_CNT 0xCF9
#define RST_CNT_SOFT_RESET 0x06 /* SYS_RST | RST_CPU */
#define PORT92 0x92
#define PORT92_FAST_RESET 0x01
#define PM1A_CNT 0x604
#define SLP_EN 0x2000
#define SLP_TYP_S5 0
#define SLP_TYP_SHIFT 10
#define FADT_RESET_REG_ADDRESS 120
#define FADT_RESET_VALUE 128

static void reset_through_fadt(void)
{
	const u8 *f = (const u8 *)acpi_find_table("FACP");
	CHECK(f != NULL, "fadt_present");
	if (f)
		outb((u16)(f[FADT_RESET_REG_ADDRESS] | f[FADT_RESET_REG_ADDRESS + 1] << 8), f[FADT_RESET_VALUE]);
}

void test_main(void)
{
	CHECK(true, "before_reset");
	serial_flush();
	if (runtime_cmdline_has("harness_reset_cf9"))
		outb(RST_CNT, RST_CNT_SOFT_RESET);
	else if (runtime_cmdline_has("harness_reset_acpi"))
		reset_through_fadt();
	else if (runtime_cmdline_has("harness_reset_port92"))
		outb(PORT92, (u8)((inb(PORT92) & ~PORT92_FAST_RESET) | PORT92_FAST_RESET));
	else if (runtime_cmdline_has("harness_poweroff"))
		outw(PM1A_CNT, SLP_TYP_S5 << SLP_TYP_SHIFT | SLP_EN);
	/* Still running: the machine did not reset (or the row name is unknown). A plain exit then fails
	 * the row, whose expectation is a reset or a power off. */
	CHECK(false, "machine_still_running");
}
