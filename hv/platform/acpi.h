/* The ACPI tables a guest finds in its BIOS area: RSDP (ACPI 1.0) -> RSDT -> MADT, describing the local
 * APIC of every vCPU. Pure builder, no hardware access: writes into a buffer that is the guest's RAM.
 *
 * What QEMU 7.2 (-machine q35) gives a -kernel guest, and what microhv gives (docs/differences.md):
 *   RSDP revision 0 in the F segment, RSDT revision 1, MADT revision 1 with the local APIC at 0xFEE00000,
 *   one Processor Local APIC structure (type 0) per CPU with an APIC ID below 255 and a Processor Local
 *   x2APIC structure (type 9) per CPU from 255 up (hw/i386/acpi-common.c, pc_madt_cpu_entry()), each
 *   enabled, ACPI processor UID = CPU index, APIC ID = CPU index.
 *   QEMU adds an I/O APIC, interrupt source overrides, a local APIC NMI structure, MADT flag PCAT_COMPAT
 *   and the FADT, HPET, MCFG and WAET tables. microhv has no I/O APIC, 8259, HPET, PCI or ACPI PM
 *   hardware, so it describes none of them: PCAT_COMPAT is 0 (ACPI 6.5 section 5.2.12, Multiple APIC Flags: set
 *   when "the system also has a PC-AT-compatible dual-8259 setup", which is not true here), and there is no FADT, whose content
 *   is exactly that missing hardware (PM timer, SCI, PM1 blocks, reset register, DSDT). */
#ifndef HV_PLATFORM_ACPI_H
#define HV_PLATFORM_ACPI_H

#include "../types.h"

/* ACPI 6.5 section 5.2.5.1: on IA-PC systems OSPM finds the RSDP by searching the BIOS read-only memory
 * space 0xE0000-0xFFFFF on 16-byte boundaries (and the first KiB of the EBDA). Some guests search only
 * 0xF0000-0xFFFFF, as kvm-unit-tests does, so the caller's region is best inside the F segment. */
#define ACPI_RSDP_SEARCH_START 0xE0000u
#define ACPI_RSDP_SEARCH_END 0x100000u
#define ACPI_RSDP_ALIGN 16u

#define ACPI_LAPIC_DEFAULT_ADDRESS 0xFEE00000u
#define ACPI_X2APIC_MIN_ID 255u /* section 5.2.12.12: IDs from 255 up need an x2APIC structure */

/* Bytes the three tables need for `ncpus` vCPUs, including alignment padding between them. */
u32 acpi_tables_size(u32 ncpus);

/* Writes the RSDP at guest-physical `base` and the RSDT and MADT after it, all inside [base, limit),
 * into `ram` (the host view of guest RAM from GPA 0, ram_size bytes). vCPU i gets APIC ID i.
 * Returns 0, or -EINVAL with *why set (nothing written) when ncpus is 0, the region is not 16-byte
 * aligned, not inside the RSDP search area or not in RAM, or too small for the tables. */
int acpi_build_tables(u8 *ram, u64 ram_size, u32 base, u32 limit, u32 ncpus, const char **why);

#endif
