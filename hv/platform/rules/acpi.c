/* ACPI tables for the guest (see acpi.h). Section numbers are those of the ACPI Specification 6.5;
 * the layouts used here are unchanged since ACPI 1.0 (RSDP, RSDT, MADT types 0-4), 2.0 (the FADT
 * revision 3 fields, MADT type 10) and 4.0 (MADT type 9). */
#include "acpi.h"
#include "../../lib/fmt.h"

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
#define RSDT_ENTRIES 2 /* the FADT, then the MADT, in QEMU's order */

/* 5.2.12 MADT. Revision 1 as in QEMU 7.2's acpi_build_madt(). */
#define MADT_SIGNATURE "APIC"
#define MADT_REVISION 1
#define MADT_LAPIC_ADDRESS 36
#define MADT_FLAGS 40
#define MADT_HEADER_LENGTH 44
#define MADT_PCAT_COMPAT 0x1u /* the dual 8259 is there too (QEMU sets it) */

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

/* 5.2.12.5 I/O APIC Structure: QEMU's one IOAPIC, ID 0 (ACPI_BUILD_IOAPIC_ID), GSIs from 0. */
#define MADT_TYPE_IO_APIC 1
#define IOAPIC_LENGTH 12
#define IOAPIC_ID 2
#define IOAPIC_ADDRESS 4
#define IOAPIC_GSI_BASE 8
#define Q35_IOAPIC_ID 0

/* 5.2.12.6 Interrupt Source Override: QEMU's acpi_build_madt() maps ISA IRQ 0 to GSI 2 (conforming
 * polarity and trigger) and marks IRQs 5, 9, 10, 11 (the PCI link interrupts, mask 0x0E20) level
 * triggered, active high, on their own GSI. */
#define MADT_TYPE_ISO 2
#define ISO_LENGTH 10
#define ISO_BUS 2
#define ISO_SOURCE 3
#define ISO_GSI 4
#define ISO_FLAGS 8
#define ISO_BUS_ISA 0
#define ISO_IRQ0_GSI 2
#define ISO_FLAGS_CONFORMING 0x0
#define ISO_FLAGS_LEVEL_HIGH 0xD /* polarity 01 active high, trigger 11 level */
#define ISO_LEVEL_IRQS 0x0E20u
#define ISA_IRQS 16
#define MADT_ISOS 5 /* IRQ 0 and the four of ISO_LEVEL_IRQS */

/* 5.2.12.7 Local APIC NMI (5.2.12.13 Local x2APIC NMI once x2APIC structures are used, as QEMU):
 * every processor's LINT1 is the NMI, polarity and trigger conforming. */
#define MADT_TYPE_LAPIC_NMI 4
#define LAPIC_NMI_LENGTH 6
#define LAPIC_NMI_UID 2
#define LAPIC_NMI_FLAGS 3
#define LAPIC_NMI_LINT 5
#define MADT_TYPE_X2APIC_NMI 10
#define X2APIC_NMI_LENGTH 12
#define X2APIC_NMI_FLAGS 2
#define X2APIC_NMI_UID 4
#define X2APIC_NMI_LINT 8
#define NMI_ALL_PROCESSORS_8 0xFFu
#define NMI_ALL_PROCESSORS_32 0xFFFFFFFFu
#define NMI_LINT1 1

/* 5.2.9 FADT, revision 3 (244 bytes) as QEMU 7.2 builds it for q35 (tests/data/acpi/q35/FACP): the ICH9
 * PM block at 0x600 (hv/platform/rules/pmtimer.h), SCI on IRQ 9, SMI_CMD 0xB2 with ICH9's enable/disable values,
 * the century byte 0x32 of the CMOS, and the reset register 0xCF9 with QEMU's value 0x0F. */
#define FADT_SIGNATURE "FACP"
#define FADT_REVISION 3
#define FADT_LENGTH 244
#define FADT_FIRMWARE_CTRL 36
#define FADT_DSDT 40
#define FADT_INT_MODEL 44
#define FADT_SCI_INT 46
#define FADT_SMI_CMD 48
#define FADT_ACPI_ENABLE 52
#define FADT_ACPI_DISABLE 53
#define FADT_PM1A_EVT_BLK 56
#define FADT_PM1A_CNT_BLK 64
#define FADT_PM_TMR_BLK 76
#define FADT_GPE0_BLK 80
#define FADT_PM1_EVT_LEN 88
#define FADT_PM1_CNT_LEN 89
#define FADT_PM_TMR_LEN 91
#define FADT_GPE0_BLK_LEN 92
#define FADT_P_LVL2_LAT 96
#define FADT_P_LVL3_LAT 98
#define FADT_CENTURY 108
#define FADT_FLAGS 112
#define FADT_RESET_REG 116
#define FADT_RESET_VALUE 128
#define FADT_X_DSDT 140
#define FADT_X_PM1A_EVT_BLK 148
#define FADT_X_PM1A_CNT_BLK 172
#define FADT_X_PM_TMR_BLK 208
#define FADT_X_GPE0_BLK 220
#define INT_MODEL_MULTIPLE_APIC 1
#define Q35_SCI_IRQ 9
#define ICH9_PM_BASE 0x600u
#define ICH9_SMI_CMD 0xB2u
#define ICH9_ACPI_ENABLE 0x02
#define ICH9_ACPI_DISABLE 0x03
#define PM1_EVT_LEN 4
#define PM1_CNT_LEN 2
#define PM_TMR_LEN 4
#define GPE0_LEN 16
#define PM1A_CNT_OFFSET 4
#define PM_TMR_OFFSET 8
#define GPE0_OFFSET 0x20
#define C_STATE_LATENCY_NONE 0x0FFF /* > 100 / > 1000 us: C2 and C3 not supported */
#define CMOS_CENTURY 0x32
/* Flags: WBINVD (0), PROC_C1 (2), SLP_BUTTON (5), RTC_S4 (7), RESET_REG_SUP (10), USE_PLATFORM_CLOCK (15);
 * TMR_VAL_EXT (8) clear: the PM timer is 24 bits wide. FORCE_APIC_PHYSICAL_DESTINATION_MODE (19) when
 * there are more than 8 CPUs (flat logical mode reaches only 8). */
#define FADT_FLAGS_Q35 0x84A5u
#define FADT_FLAG_FORCE_APIC_PHYS_DEST 0x80000u
#define FLAT_LOGICAL_MAX_CPUS 8
#define RESET_PORT 0xCF9u
#define RESET_VALUE 0x0F /* QEMU's: bit 2 (reset CPU) with bits 1 and 3 (system, full reset) */

/* 5.2.3.2 Generic Address Structure, in the system I/O space, legacy access size. */
#define GAS_SPACE 0
#define GAS_BIT_WIDTH 1
#define GAS_ADDRESS 4
#define GAS_SYSTEM_IO 1
#define BITS_PER_BYTE 8

/* 5.2.10 FACS: 64 bytes on a 64-byte boundary, all zero after the signature and length (QEMU's
 * build_facs(); no checksum). Needed because the FADT is not hardware-reduced. */
#define FACS_SIGNATURE "FACS"
#define FACS_LENGTH 64
#define FACS_ALIGN 64
#define FACS_LENGTH_OFFSET 4

/* 5.2.11.1 DSDT: a header and the one object OSPM needs to power off through PM1a_CNT,
 * Name (\_S5, Package (4) { 0, 0, 0, 0 }), QEMU's S5 SLP_TYP values. Revision 1 (32-bit integers) as
 * QEMU's DSDT. AML (ACPI 6.5 section 20): NameOp, NameString \_S5_, PackageOp, PkgLength (6: itself,
 * NumElements and four ZeroOps), NumElements 4, ZeroOp x 4. */
#define DSDT_SIGNATURE "DSDT"
#define DSDT_REVISION 1
static const u8 dsdt_aml[] = { 0x08, '\\', '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0x00, 0x00, 0x00, 0x00 };
#define DSDT_LENGTH (SDT_HEADER_LENGTH + sizeof(dsdt_aml))

#define MADT_ENTRY_TYPE 0
#define MADT_ENTRY_LENGTH 1
#define MADT_LAPIC_ENABLED 0x1u /* flags bit 0: usable now (Online Capable, bit 1, is for disabled ones) */

#define TABLE_ALIGN 16u /* between tables: not required by ACPI, just tidy */
#define U8_BITS 8

struct acpi_layout {
	u32 rsdp, rsdt, facs, dsdt, fadt, madt, end; /* offsets from the region's base */
};

/* QEMU's acpi_build_madt() uses the x2APIC NMI structure once the highest APIC ID passes 254. */
static bool x2apic_madt(u32 ncpus)
{
	return ncpus > ACPI_X2APIC_MIN_ID;
}

static u32 madt_length(u32 ncpus)
{
	u32 xapic = MIN(ncpus, ACPI_X2APIC_MIN_ID);
	return MADT_HEADER_LENGTH + xapic * LAPIC_LENGTH + (ncpus - xapic) * X2APIC_LENGTH + IOAPIC_LENGTH +
	       MADT_ISOS * ISO_LENGTH + (x2apic_madt(ncpus) ? X2APIC_NMI_LENGTH : LAPIC_NMI_LENGTH);
}

/* Offsets from `base`; the FACS's 64-byte alignment is one of its guest-physical address. */
static struct acpi_layout layout(u32 base, u32 ncpus)
{
	struct acpi_layout l = { .rsdp = 0 };
	l.rsdt = (u32)ALIGN_UP(l.rsdp + RSDP_V1_LENGTH, TABLE_ALIGN);
	l.facs = (u32)ALIGN_UP(base + l.rsdt + SDT_HEADER_LENGTH + RSDT_ENTRIES * sizeof(u32), FACS_ALIGN) - base;
	l.dsdt = (u32)ALIGN_UP(l.facs + FACS_LENGTH, TABLE_ALIGN);
	l.fadt = (u32)ALIGN_UP(l.dsdt + DSDT_LENGTH, TABLE_ALIGN);
	l.madt = (u32)ALIGN_UP(l.fadt + FADT_LENGTH, TABLE_ALIGN);
	l.end = l.madt + madt_length(ncpus);
	return l;
}

u32 acpi_tables_size(u32 ncpus)
{
	return layout(0, ncpus).end;
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

static void put64(u8 *p, u64 v)
{
	put32(p, (u32)v);
	put32(p + sizeof(u32), (u32)(v >> (4 * U8_BITS)));
}

static void put_gas_io(u8 *g, u32 port, u32 bytes)
{
	g[GAS_SPACE] = GAS_SYSTEM_IO;
	g[GAS_BIT_WIDTH] = (u8)(bytes * BITS_PER_BYTE);
	put64(g + GAS_ADDRESS, port);
}

/* The FADT's four ICH9 blocks: 32-bit address, length byte, and the X_ form (a Generic Address). */
struct fadt_pm_block {
	u8 address, length, x_address, offset, bytes;
};

static const struct fadt_pm_block pm_blocks[] = {
	{ FADT_PM1A_EVT_BLK, FADT_PM1_EVT_LEN, FADT_X_PM1A_EVT_BLK, 0, PM1_EVT_LEN },
	{ FADT_PM1A_CNT_BLK, FADT_PM1_CNT_LEN, FADT_X_PM1A_CNT_BLK, PM1A_CNT_OFFSET, PM1_CNT_LEN },
	{ FADT_PM_TMR_BLK, FADT_PM_TMR_LEN, FADT_X_PM_TMR_BLK, PM_TMR_OFFSET, PM_TMR_LEN },
	{ FADT_GPE0_BLK, FADT_GPE0_BLK_LEN, FADT_X_GPE0_BLK, GPE0_OFFSET, GPE0_LEN },
};

static void put_fadt(u8 *t, u32 facs, u32 dsdt, u32 ncpus)
{
	memset(t, 0, FADT_LENGTH);
	put_header(t, FADT_SIGNATURE, FADT_LENGTH, FADT_REVISION);
	put32(t + FADT_FIRMWARE_CTRL, facs); /* X_FIRMWARE_CTRL stays 0, as QEMU's */
	put32(t + FADT_DSDT, dsdt);
	put64(t + FADT_X_DSDT, dsdt);
	t[FADT_INT_MODEL] = INT_MODEL_MULTIPLE_APIC;
	put16(t + FADT_SCI_INT, Q35_SCI_IRQ);
	put32(t + FADT_SMI_CMD, ICH9_SMI_CMD);
	t[FADT_ACPI_ENABLE] = ICH9_ACPI_ENABLE;
	t[FADT_ACPI_DISABLE] = ICH9_ACPI_DISABLE;
	for (u32 i = 0; i < ARRAY_SIZE(pm_blocks); i++) {
		const struct fadt_pm_block *b = &pm_blocks[i];
		put32(t + b->address, ICH9_PM_BASE + b->offset);
		t[b->length] = b->bytes;
		put_gas_io(t + b->x_address, ICH9_PM_BASE + b->offset, b->bytes);
	}
	put16(t + FADT_P_LVL2_LAT, C_STATE_LATENCY_NONE);
	put16(t + FADT_P_LVL3_LAT, C_STATE_LATENCY_NONE);
	t[FADT_CENTURY] = CMOS_CENTURY;
	put32(t + FADT_FLAGS, FADT_FLAGS_Q35 | (ncpus > FLAT_LOGICAL_MAX_CPUS ? FADT_FLAG_FORCE_APIC_PHYS_DEST : 0));
	put_gas_io(t + FADT_RESET_REG, RESET_PORT, 1);
	t[FADT_RESET_VALUE] = RESET_VALUE;
	t[SDT_CHECKSUM] = checksum_byte(t, FADT_LENGTH);
}

static void put_facs(u8 *t)
{
	memset(t, 0, FACS_LENGTH);
	memcpy(t, FACS_SIGNATURE, ACPI_SIG_LEN);
	put32(t + FACS_LENGTH_OFFSET, FACS_LENGTH);
}

static void put_dsdt(u8 *t)
{
	put_header(t, DSDT_SIGNATURE, DSDT_LENGTH, DSDT_REVISION);
	memcpy(t + SDT_HEADER_LENGTH, dsdt_aml, sizeof(dsdt_aml));
	t[SDT_CHECKSUM] = checksum_byte(t, DSDT_LENGTH);
}

static u8 *put_cpus(u8 *e, u32 ncpus)
{
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
	return e;
}

static u8 *put_iso(u8 *e, u8 irq, u32 gsi, u16 flags)
{
	e[MADT_ENTRY_TYPE] = MADT_TYPE_ISO;
	e[MADT_ENTRY_LENGTH] = ISO_LENGTH;
	e[ISO_BUS] = ISO_BUS_ISA;
	e[ISO_SOURCE] = irq;
	put32(e + ISO_GSI, gsi);
	put16(e + ISO_FLAGS, flags);
	return e + ISO_LENGTH;
}

/* The interrupt controllers after the CPUs, in QEMU's order: I/O APIC, overrides, NMI. */
static u8 *put_interrupt_entries(u8 *e, u32 ncpus)
{
	e[MADT_ENTRY_TYPE] = MADT_TYPE_IO_APIC;
	e[MADT_ENTRY_LENGTH] = IOAPIC_LENGTH;
	e[IOAPIC_ID] = Q35_IOAPIC_ID;
	e[IOAPIC_ID + 1] = 0;
	put32(e + IOAPIC_ADDRESS, ACPI_IOAPIC_DEFAULT_ADDRESS);
	put32(e + IOAPIC_GSI_BASE, 0);
	e += IOAPIC_LENGTH;
	e = put_iso(e, 0, ISO_IRQ0_GSI, ISO_FLAGS_CONFORMING);
	for (u8 irq = 1; irq < ISA_IRQS; irq++)
		if (ISO_LEVEL_IRQS & (1u << irq))
			e = put_iso(e, irq, irq, ISO_FLAGS_LEVEL_HIGH);
	if (x2apic_madt(ncpus)) {
		e[MADT_ENTRY_TYPE] = MADT_TYPE_X2APIC_NMI;
		e[MADT_ENTRY_LENGTH] = X2APIC_NMI_LENGTH;
		put16(e + X2APIC_NMI_FLAGS, 0);
		put32(e + X2APIC_NMI_UID, NMI_ALL_PROCESSORS_32);
		e[X2APIC_NMI_LINT] = NMI_LINT1;
		memset(e + X2APIC_NMI_LINT + 1, 0, X2APIC_NMI_LENGTH - X2APIC_NMI_LINT - 1);
		return e + X2APIC_NMI_LENGTH;
	}
	e[MADT_ENTRY_TYPE] = MADT_TYPE_LAPIC_NMI;
	e[MADT_ENTRY_LENGTH] = LAPIC_NMI_LENGTH;
	e[LAPIC_NMI_UID] = NMI_ALL_PROCESSORS_8;
	put16(e + LAPIC_NMI_FLAGS, 0);
	e[LAPIC_NMI_LINT] = NMI_LINT1;
	return e + LAPIC_NMI_LENGTH;
}

static void put_madt(u8 *t, u32 ncpus)
{
	u32 length = madt_length(ncpus);

	put_header(t, MADT_SIGNATURE, length, MADT_REVISION);
	put32(t + MADT_LAPIC_ADDRESS, ACPI_LAPIC_DEFAULT_ADDRESS);
	put32(t + MADT_FLAGS, MADT_PCAT_COMPAT);
	put_interrupt_entries(put_cpus(t + MADT_HEADER_LENGTH, ncpus), ncpus);
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
	else if (layout(base, ncpus).end > limit - base) {
		snprintf(reason, sizeof(reason), "ACPI tables for %u vCPUs need %u bytes, the region at 0x%x holds %u",
			 ncpus, layout(base, ncpus).end, base, limit - base);
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
	struct acpi_layout l = layout(base, ncpus);
	u8 *rsdp = ram + base + l.rsdp, *rsdt = ram + base + l.rsdt;

	put_facs(ram + base + l.facs);
	put_dsdt(ram + base + l.dsdt);
	put_fadt(ram + base + l.fadt, base + l.facs, base + l.dsdt, ncpus);
	put_madt(ram + base + l.madt, ncpus);

	put_header(rsdt, RSDT_SIGNATURE, SDT_HEADER_LENGTH + RSDT_ENTRIES * sizeof(u32), RSDT_REVISION);
	put32(rsdt + SDT_HEADER_LENGTH, base + l.fadt);
	put32(rsdt + SDT_HEADER_LENGTH + sizeof(u32), base + l.madt);
	rsdt[SDT_CHECKSUM] = checksum_byte(rsdt, SDT_HEADER_LENGTH + RSDT_ENTRIES * sizeof(u32));

	memcpy(rsdp, RSDP_SIGNATURE, RSDP_SIGNATURE_LEN);
	rsdp[RSDP_CHECKSUM] = 0;
	memcpy(rsdp + RSDP_OEM_ID, ACPI_OEM_ID, ACPI_OEM_ID_LEN);
	rsdp[RSDP_REVISION] = RSDP_REVISION_ACPI_1;
	put32(rsdp + RSDP_RSDT_ADDRESS, base + l.rsdt);
	rsdp[RSDP_CHECKSUM] = checksum_byte(rsdp, RSDP_V1_LENGTH);
	return 0;
}
