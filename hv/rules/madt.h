/* The host's processors, as the firmware's ACPI MADT lists them (ACPI 6.5 §5.2.12). Pure: the tables are
 * read through pointers (the hypervisor identity-maps physical memory; host unit tests pass their own). */
#ifndef HV_MADT_H
#define HV_MADT_H

#include "../lib/types.h"

#define MADT_MAX_CPUS 64

struct madt_cpus {
	u32 n;                      /* enabled processors recorded in apic_id[] */
	u32 apic_id[MADT_MAX_CPUS]; /* in table order, each ID once */
	u32 dropped;                /* enabled processors beyond MADT_MAX_CPUS */
	u32 disabled;               /* entries without the Enabled flag (hot-pluggable, absent) */
};

/* Finds the table with signature `sig` through the RSDP at `rsdp` (XSDT if revision >= 2, else RSDT).
 * Checks the RSDP's and the table's checksums. Returns the table or NULL. */
const u8 *acpi_find_table(u64 rsdp, const char sig[4]);
/* Lists the enabled processor local APIC (type 0) and x2APIC (type 9) entries of a MADT. Returns 0, or
 * -EINVAL if the table is malformed (an entry running past its end, an entry shorter than its type). */
int madt_enabled_cpus(const u8 *madt, struct madt_cpus *out);

#endif
