/* ACPI tables for the guest (see acpi.h). Section numbers are those of the ACPI Specification 6.5;
 * the layouts used here are unchanged since ACPI 1.0 (RSDP, RSDT, MADT type 0) and 4.0 (MADT type 9). */
#include "acpi.h"
#include "../fmt.h"

/* Identification in every header (5.2.5.3, 5.2.6). QEMU uses "BOCHS ", "BXPC    " and creator "BXPC". */
#define ACPI_OEM_ID "MICROH"
#define ACPI_OEM_TABLE_ID "MICROHV "
#define ACPI_OEM_REVISION 1u
#define ACPI_CREATOR_ID "MHV "
#define ACPI_CREATOR_REVISION 1u
#define ACPI_OEM_ID_LEN 6
#define ACPI_OEM_TABLE_ID_LEN 8
#define ACPI_SIG_LEN 4

/* 5.2.5.3 RSDP, ACPI 1.0 form (revision 0: 20 bytes, checksum over all of them, RSDT only). */
#define RSDP_SIGNATURE "RSD PTR "
#define RSDP_SIGNATURE_LEN 8
#define RSDP_CHECKSUM 8
#define RSDP_OEM_ID 9
#define RSDP_REVISION 15
#define RSDP_RSDT_ADDRESS 16
#define RSDP_V1_LENGTH 20
#define RSDP_REVISION_ACPI_1 0

/* 5.2.6 System Description Table Header. */
#define SDT_SIGNATURE 0
#define SDT_LENGTH 4
#define SDT_REVISION 8
#define SDT_CHECKSUM 9
#define SDT_OEM_ID 10
#define SDT_OEM_TABLE_ID 16
#define SDT_OEM_REVISION 24
#define SDT_CREATOR_ID 28
#define SDT_CREATOR_REVISION 32
#define SDT_HEADER_LENGTH 36

/* 5.2.7 RSDT: the header, then 32-bit table addresses. Revision 1 as in QEMU's build_rsdt(). */
#define RSDT_SIGNATURE "RSDT"
#define RSDT_REVISION 1
#define RSDT_ENTRIES 1 /* the MADT */

/* 5.2.12 MADT. Revision 1 as in QEMU 7.2's acpi_build_madt(). */
#define MADT_SIGNATURE "APIC"
#define MADT_REVISION 1
#define MADT_LAPIC_ADDRESS 36
#define MADT_FLAGS 40
#define MADT_HEADER_LENGTH 44
#define MADT_FLAGS_NONE 0 /* PCAT_COMPAT (bit 0) clear: there is no 8259 */

/* 5.2.12.2 Processor Local APIC Structure. */
#define MADT_TYPE_LOCAL_APIC 0
#define LAPIC_LENGTH 8
#define LAPIC_UID 2
#define LAPIC_APIC_ID 3
#define LAPIC_FLAGS 4

/* 5.2.12.12 Processor Local x2APIC Structure. */
#define MADT_TYPE_LOCAL_X2APIC 9
#define X2APIC_LENGTH 16
#define X2APIC_RESERVED 2
#define X2APIC_ID 4
#define X2APIC_FLAGS 8
#define X2APIC_UID 12

#define MADT_ENTRY_TYPE 0
#define MADT_ENTRY_LENGTH 1
#define MADT_LAPIC_ENABLED 0x1u /* flags bit 0: usable now (Online Capable, bit 1, is for disabled ones) */

#define TABLE_ALIGN 16u /* between tables: not required by ACPI, just tidy */
#define U8_BITS 8

struct acpi_layout {
	u32 rsdp, rsdt, madt, end; /* offsets from the region's base */
};

static u32 madt_length(u32 ncpus)
{
	u32 xapic = MIN(ncpus, ACPI_X2APIC_MIN_ID);
	return MADT_HEADER_LENGTH + xapic * LAPIC_LENGTH + (ncpus - xapic) * X2APIC_LENGTH;
}

static struct acpi_layout layout(u32 ncpus)
{
	struct acpi_layout l = { .rsdp = 0 };
	l.rsdt = (u32)ALIGN_UP(l.rsdp + RSDP_V1_LENGTH, TABLE_ALIGN);
	l.madt = (u32)ALIGN_UP(l.rsdt + SDT_HEADER_LENGTH + RSDT_ENTRIES * sizeof(u32), TABLE_ALIGN);
	l.end = l.madt + madt_length(ncpus);
	return l;
}

u32 acpi_tables_size(u32 ncpus)
{
	return layout(ncpus).end;
}

static void put16(u8 *p, u16 v)
{
	p[0] = (u8)v;
	p[1] = (u8)(v >> U8_BITS);
}

static void put32(u8 *p, u32 v)
{
	put16(p, (u16)v);
	put16(p + sizeof(u16), (u16)(v >> (2 * U8_BITS)));
}

/* The byte that makes `len` bytes sum to 0 (mod 256), as 5.2.5.3 and 5.2.6 require. */
static u8 checksum_byte(const u8 *p, u32 len)
{
	u8 sum = 0;
	for (u32 i = 0; i < len; i++)
		sum += p[i];
	return (u8)-sum;
}

static void put_header(u8 *t, const char *sig, u32 length, u8 revision)
{
	memcpy(t + SDT_SIGNATURE, sig, ACPI_SIG_LEN);
	put32(t + SDT_LENGTH, length);
	t[SDT_REVISION] = revision;
	t[SDT_CHECKSUM] = 0;
	memcpy(t + SDT_OEM_ID, ACPI_OEM_ID, ACPI_OEM_ID_LEN);
	memcpy(t + SDT_OEM_TABLE_ID, ACPI_OEM_TABLE_ID, ACPI_OEM_TABLE_ID_LEN);
	put32(t + SDT_OEM_REVISION, ACPI_OEM_REVISION);
	memcpy(t + SDT_CREATOR_ID, ACPI_CREATOR_ID, ACPI_SIG_LEN);
	put32(t + SDT_CREATOR_REVISION, ACPI_CREATOR_REVISION);
}

static void put_madt(u8 *t, u32 ncpus)
{
	u32 length = madt_length(ncpus);
	u8 *e = t + MADT_HEADER_LENGTH;

	put_header(t, MADT_SIGNATURE, length, MADT_REVISION);
	put32(t + MADT_LAPIC_ADDRESS, ACPI_LAPIC_DEFAULT_ADDRESS);
	put32(t + MADT_FLAGS, MADT_FLAGS_NONE);
	for (u32 cpu = 0; cpu < ncpus; cpu++) {
		u32 apic_id = cpu, uid = cpu;
		if (apic_id < ACPI_X2APIC_MIN_ID) {
			e[MADT_ENTRY_TYPE] = MADT_TYPE_LOCAL_APIC;
			e[MADT_ENTRY_LENGTH] = LAPIC_LENGTH;
			e[LAPIC_UID] = (u8)uid;
			e[LAPIC_APIC_ID] = (u8)apic_id;
			put32(e + LAPIC_FLAGS, MADT_LAPIC_ENABLED);
			e += LAPIC_LENGTH;
		} else {
			e[MADT_ENTRY_TYPE] = MADT_TYPE_LOCAL_X2APIC;
			e[MADT_ENTRY_LENGTH] = X2APIC_LENGTH;
			put16(e + X2APIC_RESERVED, 0);
			put32(e + X2APIC_ID, apic_id);
			put32(e + X2APIC_FLAGS, MADT_LAPIC_ENABLED);
			put32(e + X2APIC_UID, uid);
			e += X2APIC_LENGTH;
		}
	}
	t[SDT_CHECKSUM] = checksum_byte(t, length);
}

static int check_region(u64 ram_size, u32 base, u32 limit, u32 ncpus, const char **why)
{
	static char reason[128];

	if (ncpus == 0)
		*why = "ACPI tables: no vCPU to describe";
	else if (base % ACPI_RSDP_ALIGN)
		*why = "ACPI tables: the RSDP must be on a 16-byte boundary";
	else if (base < ACPI_RSDP_SEARCH_START || limit > ACPI_RSDP_SEARCH_END || base >= limit)
		*why = "ACPI tables: region outside 0xE0000-0xFFFFF, where guests search for the RSDP";
	else if (limit > ram_size)
		*why = "ACPI tables: region beyond guest RAM";
	else if (acpi_tables_size(ncpus) > limit - base) {
		snprintf(reason, sizeof(reason), "ACPI tables for %u vCPUs need %u bytes, the region at 0x%x holds %u",
			 ncpus, acpi_tables_size(ncpus), base, limit - base);
		*why = reason;
	} else
		return 0;
	return -EINVAL;
}

int acpi_build_tables(u8 *ram, u64 ram_size, u32 base, u32 limit, u32 ncpus, const char **why)
{
	int err = check_region(ram_size, base, limit, ncpus, why);
	if (err)
		return err;
	struct acpi_layout l = layout(ncpus);
	u8 *rsdp = ram + base + l.rsdp, *rsdt = ram + base + l.rsdt;

	put_madt(ram + base + l.madt, ncpus);

	put_header(rsdt, RSDT_SIGNATURE, SDT_HEADER_LENGTH + RSDT_ENTRIES * sizeof(u32), RSDT_REVISION);
	put32(rsdt + SDT_HEADER_LENGTH, base + l.madt);
	rsdt[SDT_CHECKSUM] = checksum_byte(rsdt, SDT_HEADER_LENGTH + RSDT_ENTRIES * sizeof(u32));

	memcpy(rsdp, RSDP_SIGNATURE, RSDP_SIGNATURE_LEN);
	rsdp[RSDP_CHECKSUM] = 0;
	memcpy(rsdp + RSDP_OEM_ID, ACPI_OEM_ID, ACPI_OEM_ID_LEN);
	rsdp[RSDP_REVISION] = RSDP_REVISION_ACPI_1;
	put32(rsdp + RSDP_RSDT_ADDRESS, base + l.rsdt);
	rsdp[RSDP_CHECKSUM] = checksum_byte(rsdp, RSDP_V1_LENGTH);
	return 0;
}
