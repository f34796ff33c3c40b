/* The small PC platform a VM's guest sees besides its vCPUs (docs/guest-abi.md, section 2): the UART and
 * the exit port (hv/io.c), QEMU's fw_cfg, ACPI tables in the BIOS area, and q35's PM block, RTC/CMOS and
 * PCI/reset ports (docs/devices.md). */
#ifndef HV_PLATFORM_PLATFORM_H
#define HV_PLATFORM_PLATFORM_H

#include "../lib/types.h"

struct vm;

/* Where the ACPI tables go: the F segment, which the Multiboot memory map reports as reserved
 * (hv/rules/loader/mbi.c) and which every RSDP search covers. */
#define PLATFORM_ACPI_START 0xF0000u
#define PLATFORM_ACPI_END 0x100000u

/* Fills fw_cfg (vm->nvcpus CPUs, vm->ram_size bytes of RAM), resets the PM block, RTC and PCI models (their
 * clocks start now) and writes the ACPI tables into guest RAM.
 * Call once the guest is loaded and every vCPU exists. Returns 0, or -EINVAL with *why set. */
int platform_setup(struct vm *vm, const char **why);

#endif
