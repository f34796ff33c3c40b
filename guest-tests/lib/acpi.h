/* The ACPI tables a test guest reads to find its CPUs: RSDP, RSDT/XSDT, MADT (ACPI 6.5 §5.2). Every
 * structure is checksummed before use; a table that fails is treated as absent. */
#ifndef GUEST_ACPI_H
#define GUEST_ACPI_H

#include "hv/lib/types.h"

/* Every ACPI table starts with this header (§5.2.6). */
struct acpi_header {
	char signature[4];
	u32 length;
	u8 revision;
	u8 checksum;
	char oem_id[6];
	char oem_table_id[8];
	u32 oem_revision;
	u32 creator_id;
	u32 creator_revision;
} __attribute__((packed));

/* One processor entry of the MADT: Processor Local APIC (type 0) or Processor Local x2APIC (type 9). */
struct acpi_cpu {
	u32 apic_id;
	u32 uid;          /* ACPI processor UID (type 0: the 8-bit processor ID) */
	bool enabled;     /* flags bit 0: usable now */
	bool online_capable; /* flags bit 1: may be enabled later (hotplug) */
	bool x2apic_entry;   /* came from a type 9 entry */
};

/* The RSDP (§5.2.5.1): searched in the first KiB of the EBDA, then in 0xE0000-0xFFFFF. NULL if none. */
const void *acpi_find_rsdp(void);

/* The table with this signature ("APIC" for the MADT), through the XSDT if there is one, else the
 * RSDT. NULL if absent or its checksum is wrong. */
const struct acpi_header *acpi_find_table(const char *signature);

/* The MADT's processor entries in table order, up to `max`; returns how many entries there are (which
 * may exceed max). *lapic_base, if not NULL, gets the MADT's local APIC address. -1 without a MADT. */
int acpi_madt_cpus(struct acpi_cpu *out, u32 max, u32 *lapic_base);

#endif
