/* The MADT's processors (see madt.h). */
#include "madt.h"
#include "../lib/fmt.h"

#define RSDP_V1_BYTES 20
#define RSDP_REVISION 15
#define RSDP_RSDT 16
#define RSDP_LENGTH 20
#define RSDP_XSDT 24
#define SDT_HEADER_BYTES 36
#define SDT_LENGTH 4
#define MADT_ENTRIES 44 /* after the header, the local APIC address and the flags */
#define MADT_LOCAL_APIC 0
#define MADT_LOCAL_X2APIC 9
#define MADT_LOCAL_APIC_BYTES 8
#define MADT_LOCAL_X2APIC_BYTES 16
#define MADT_ENABLED BIT(0) /* Local APIC Flags: Enabled (bit 1, Online Capable, is hot-plug) */
#define SDT_MAX_BYTES (1u << 20)

static u32 le32(const u8 *p)
{
	u32 v;
	memcpy(&v, p, sizeof(v));
	return v;
}

static u64 le64(const u8 *p)
{
	u64 v;
	memcpy(&v, p, sizeof(v));
	return v;
}

static bool checksum_ok(const u8 *p, u32 len)
{
	u8 sum = 0;
	for (u32 i = 0; i < len; i++)
		sum = (u8)(sum + p[i]);
	return sum == 0;
}

static const u8 *valid_sdt(u64 addr)
{
	const u8 *t = (const u8 *)(uintptr_t)addr;
	if (!t)
		return NULL;
	u32 len = le32(t + SDT_LENGTH);
	return len >= SDT_HEADER_BYTES && len <= SDT_MAX_BYTES && checksum_ok(t, len) ? t : NULL;
}

const u8 *acpi_find_table(u64 rsdp_addr, const char sig[4])
{
	const u8 *rsdp = (const u8 *)(uintptr_t)rsdp_addr;
	if (!rsdp || memcmp(rsdp, "RSD PTR ", 8) || !checksum_ok(rsdp, RSDP_V1_BYTES))
		return NULL;
	bool xsdt = rsdp[RSDP_REVISION] >= 2 && checksum_ok(rsdp, le32(rsdp + RSDP_LENGTH));
	const u8 *root = valid_sdt(xsdt ? le64(rsdp + RSDP_XSDT) : le32(rsdp + RSDP_RSDT));
	if (!root)
		return NULL;
	u32 entry_bytes = xsdt ? 8 : 4;
	u32 count = (le32(root + SDT_LENGTH) - SDT_HEADER_BYTES) / entry_bytes;
	for (u32 i = 0; i < count; i++) {
		const u8 *e = root + SDT_HEADER_BYTES + i * entry_bytes;
		const u8 *t = valid_sdt(xsdt ? le64(e) : le32(e));
		if (t && memcmp(t, sig, 4) == 0)
			return t;
	}
	return NULL;
}

static void record(struct madt_cpus *out, u32 apic_id, u32 flags)
{
	if (!(flags & MADT_ENABLED)) {
		out->disabled++;
		return;
	}
	for (u32 i = 0; i < out->n; i++)
		if (out->apic_id[i] == apic_id) /* firmware may list one CPU as both types */
			return;
	if (out->n == MADT_MAX_CPUS)
		out->dropped++;
	else
		out->apic_id[out->n++] = apic_id;
}

int madt_enabled_cpus(const u8 *madt, struct madt_cpus *out)
{
	memset(out, 0, sizeof(*out));
	u32 len = le32(madt + SDT_LENGTH);
	if (len < MADT_ENTRIES)
		return -EINVAL;
	for (u32 off = MADT_ENTRIES; off < len;) {
		if (len - off < 2)
			return -EINVAL;
		u8 type = madt[off], elen = madt[off + 1];
		if (elen < 2 || elen > len - off)
			return -EINVAL;
		if (type == MADT_LOCAL_APIC) {
			if (elen < MADT_LOCAL_APIC_BYTES)
				return -EINVAL;
			record(out, madt[off + 3], le32(madt + off + 4));
		} else if (type == MADT_LOCAL_X2APIC) {
			if (elen < MADT_LOCAL_X2APIC_BYTES)
				return -EINVAL;
			record(out, le32(madt + off + 4), le32(madt + off + 8));
		}
		off += elen;
	}
	return 0;
}
