/* The ACPI tables a guest finds in its BIOS area: RSDP (ACPI 1.0) -> RSDT -> FADT (-> FACS, DSDT) and
 * MADT. Pure builder, no hardware access: writes into a buffer that is the guest's RAM.
 *
 * What QEMU 7.2 (-machine q35) gives a -kernel guest, and what microhv gives (docs/differences.md):
 *   RSDP revision 0 in the F segment, RSDT revision 1 listing the FADT then the MADT.
 *   MADT revision 1, local APIC at 0xFEE00000, flags PCAT_COMPAT; one Processor Local APIC structure
 *   (type 0) per CPU with an APIC ID below 255 and a Processor Local x2APIC structure (type 9) per CPU
 *   from 255 up (hw/i386/acpi-common.c, pc_madt_cpu_entry()), each enabled, ACPI processor UID = APIC
 *   ID = CPU index; then the I/O APIC (ID 0, 0xFEC00000, GSI base 0), the interrupt source overrides
 *   IRQ 0 -> GSI 2 and IRQs 5, 9, 10, 11 level/active high, and a Local APIC NMI structure (LINT1 of
 *   every processor; the x2APIC form beyond 255 CPUs), all as acpi_build_madt().
 *   FADT revision 3 as QEMU's q35 one (ICH9 PM block at 0x600, PM timer 0x608 24-bit, SCI 9, SMI_CMD
 *   0xB2, century 0x32, reset register 0xCF9 value 0x0F), FACS, and a DSDT holding only \_S5 (QEMU's
 *   DSDT describes the whole machine in AML; its \_S5 is the same Package (4) { 0, 0, 0, 0 }).
 *   QEMU also has HPET, MCFG and WAET tables: microhv has no HPET or MMCONFIG, so it has none of those. */
#ifndef HV_PLATFORM_ACPI_H
#define HV_PLATFORM_ACPI_H

#include "../../lib/types.h"

/* ACPI 6.5 section 5.2.5.1: on IA-PC systems OSPM finds the RSDP by searching the BIOS read-only memory
 * space 0xE0000-0xFFFFF on 16-byte boundaries (and the first KiB of the EBDA). Some guests search only
 * 0xF0000-0xFFFFF, as kvm-unit-tests does, so the caller's region is best inside the F segment. */
#define ACPI_RSDP_SEARCH_START 0xE0000u
#define ACPI_RSDP_SEARCH_END 0x100000u
#define ACPI_RSDP_ALIGN 16u

#define ACPI_LAPIC_DEFAULT_ADDRESS 0xFEE00000u
#define ACPI_IOAPIC_DEFAULT_ADDRESS 0xFEC00000u
#define ACPI_X2APIC_MIN_ID 255u /* section 5.2.12.12: IDs from 255 up need an x2APIC structure */

/* Bytes the tables need for `ncpus` vCPUs from a 64-byte aligned base, including alignment padding
 * between them (the MADT is last). A base that is only 16-byte aligned may need up to 48 more. */
u32 acpi_tables_size(u32 ncpus);

/* Writes the RSDP at guest-physical `base` and the other tables after it, all inside [base, limit),
 * into `ram` (the host view of guest RAM from GPA 0, ram_size bytes). vCPU i gets APIC ID i.
 * Returns 0, or -EINVAL with *why set (nothing written) when ncpus is 0, the region is not 16-byte
 * aligned, not inside the RSDP search area or not in RAM, or too small for the tables. */
int acpi_build_tables(u8 *ram, u64 ram_size, u32 base, u32 limit, u32 ncpus, const char **why);

#endif
