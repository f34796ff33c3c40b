/* RSDP search, RSDT/XSDT walk and MADT processor entries (see acpi.h). */
#include "hv/lib/fmt.h"
#include "acpi.h"

#define RSDP_SIGNATURE "RSD PTR "
#define RSDP_ALIGN 16
#define RSDP_V1_LENGTH 20        /* the part the first checksum covers */
#define RSDP_REVISION_XSDT 2     /* ACPI 2.0+: length, XSDT address and extended checksum */
#define BDA_EBDA_SEGMENT 0x40E   /* BIOS data area: EBDA segment */
#define EBDA_SEARCH_BYTES 1024
#define BIOS_AREA_START 0xE0000u
#define BIOS_AREA_END 0x100000u
#define LOW_MEMORY_END 0xA0000u

#define MADT_ENTRIES_OFFSET 44   /* header, local APIC address, flags */
#define MADT_LAPIC_ADDR_OFFSET 36
#define MADT_TYPE_LOCAL_APIC 0
#define MADT_TYPE_LOCAL_X2APIC 9
#define MADT_CPU_ENABLED BIT(0)
#define MADT_CPU_ONLINE_CAPABLE BIT(1)

struct rsdp {
	char signature[8];
	u8 checksum;
	char oem_id[6];
	u8 revision;
	u32 rsdt;
	u32 length; /* revision >= 2 from here on */
	u64 xsdt;
	u8 extended_checksum;
	u8 reserved[3];
} __attribute__((packed));

static u8 sum(const void *p, u32 n)
{
	const u8 *b = p;
	u8 s = 0;

	while (n--)
		s += *b++;
	return s;
}

static const struct rsdp *rsdp_at(u64 addr)
{
	const struct rsdp *r = (const void *)addr;

	if (memcmp(r->signature, RSDP_SIGNATURE, sizeof(r->signature)) != 0 || sum(r, RSDP_V1_LENGTH) != 0)
		return NULL;
	if (r->revision >= RSDP_REVISION_XSDT && sum(r, r->length) != 0)
		return NULL;
	return r;
}

static const struct rsdp *scan(u64 start, u64 end)
{
	for (u64 a = start; a + sizeof(struct rsdp) <= end; a += RSDP_ALIGN) {
		const struct rsdp *r = rsdp_at(a);
		if (r)
			return r;
	}
	return NULL;
}

/* A load from a fixed low address, in asm: GCC takes a pointer below 4 KiB for a null-pointer offset. */
static u16 read_low_u16(u64 addr)
{
	u16 v;
	asm volatile("movw (%1), %0" : "=r"(v) : "r"(addr) : "memory");
	return v;
}

const void *acpi_find_rsdp(void)
{
	u64 ebda = (u64)read_low_u16(BDA_EBDA_SEGMENT) << 4;
	const struct rsdp *r = NULL;

	if (ebda && ebda < LOW_MEMORY_END) /* no BIOS data area (microhv's RAM reads 0): skip */
		r = scan(ebda, ebda + EBDA_SEARCH_BYTES);
	return r ? r : scan(BIOS_AREA_START, BIOS_AREA_END);
}

static const struct acpi_header *checked(u64 addr)
{
	const struct acpi_header *h = (const void *)addr;
	return addr && sum(h, h->length) == 0 ? h : NULL;
}

const struct acpi_header *acpi_find_table(const char *signature)
{
	const struct rsdp *r = acpi_find_rsdp();
	bool x = r && r->revision >= RSDP_REVISION_XSDT && r->xsdt;
	const struct acpi_header *root = r ? checked(x ? r->xsdt : r->rsdt) : NULL;

	if (!root)
		return NULL;
	u32 width = x ? sizeof(u64) : sizeof(u32);
	u32 n = (root->length - sizeof(*root)) / width;
	const u8 *entries = (const u8 *)(root + 1);
	for (u32 i = 0; i < n; i++) {
		u64 addr = 0;
		memcpy(&addr, entries + i * width, width);
		const struct acpi_header *t = checked(addr);
		if (t && memcmp(t->signature, signature, sizeof(t->signature)) == 0)
			return t;
	}
	return NULL;
}

/* One processor entry, or false for any other entry type. */
static bool madt_cpu(const u8 *e, struct acpi_cpu *cpu)
{
	u32 flags;

	switch (e[0]) {
	case MADT_TYPE_LOCAL_APIC: /* type, length, processor ID, APIC ID, flags */
		memcpy(&flags, e + 4, sizeof(flags));
		*cpu = (struct acpi_cpu){ .apic_id = e[3], .uid = e[2] };
		break;
	case MADT_TYPE_LOCAL_X2APIC: /* type, length, reserved[2], x2APIC ID, flags, UID */
		memcpy(&cpu->apic_id, e + 4, sizeof(u32));
		memcpy(&flags, e + 8, sizeof(flags));
		memcpy(&cpu->uid, e + 12, sizeof(u32));
		break;
	default:
		return false;
	}
	cpu->enabled = flags & MADT_CPU_ENABLED;
	cpu->online_capable = flags & MADT_CPU_ONLINE_CAPABLE;
	cpu->x2apic_entry = e[0] == MADT_TYPE_LOCAL_X2APIC;
	return true;
}

int acpi_madt_cpus(struct acpi_cpu *out, u32 max, u32 *lapic_base)
{
	const struct acpi_header *madt = acpi_find_table("APIC");
	u32 n = 0;

	if (!madt)
		return -1;
	if (lapic_base)
		memcpy(lapic_base, (const u8 *)madt + MADT_LAPIC_ADDR_OFFSET, sizeof(u32));
	const u8 *p = (const u8 *)madt + MADT_ENTRIES_OFFSET, *end = (const u8 *)madt + madt->length;
	while (p + 2 <= end && p[1] >= 2 && p + p[1] <= end) {
		struct acpi_cpu cpu;
		if (madt_cpu(p, &cpu)) {
			if (n < max)
				out[n] = cpu;
			n++;
		}
		p += p[1];
	}
	return (int)n;
}
