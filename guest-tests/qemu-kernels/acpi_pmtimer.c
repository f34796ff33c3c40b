/* ACPI as a kernel finds it: the RSDP by the BIOS-area search (ACPI 6.5 5.2.5.1, 0xE0000-0xFFFFF on 16-byte
 * boundaries), the RSDT and every table's checksum, the MADT's enabled processors against fw_cfg's CPU
 * count, and the FADT's PM timer (24- or 32-bit at 3.579545 MHz) read through its I/O port. */
#include "kl.h"

struct sdt { char sig[4]; u32 length; u8 rev, checksum; char oem[6], oem_table[8]; u32 oem_rev, creator, creator_rev; } __attribute__((packed));
#define FADT_PM_TMR_BLK 76
#define FADT_FLAGS 112
#define FADT_TMR_VAL_EXT (1u << 8)
#define MADT_ENTRIES 44
#define MADT_LAPIC 0
#define MADT_X2APIC 9
#define FW_CFG_SEL 0x510
#define FW_CFG_DATA 0x511
#define FW_CFG_NB_CPUS 0x05

static u8 sum(const void *p, u32 n)
{
	u8 s = 0;
	for (u32 i = 0; i < n; i++)
		s += ((const volatile u8 *)p)[i];
	return s;
}

static const u8 *find_rsdp(void)
{
	for (uptr a = 0xE0000; a < 0x100000; a += 16)
		if (!memcmp((const void *)a, "RSD PTR ", 8) && sum((const void *)a, 20) == 0)
			return (const u8 *)a;
	return 0;
}

static const struct sdt *find_table(const struct sdt *rsdt, const char *sig)
{
	u32 n = (rsdt->length - sizeof(*rsdt)) / 4;
	const u32 *ent = (const u32 *)(rsdt + 1);
	for (u32 i = 0; i < n; i++) {
		const struct sdt *t = (const struct sdt *)(uptr)ent[i];
		if (!memcmp(t->sig, sig, 4))
			return t;
	}
	return 0;
}

void kmain(void);
void kmain(void)
{
	const u8 *rsdp = find_rsdp();
	if (!kl_check("rsdp_found", rsdp != 0, "no RSDP in 0xE0000-0xFFFFF"))
		kl_finish();
	const struct sdt *rsdt = (const struct sdt *)(uptr)*(const u32 *)(rsdp + 16);
	kl_check("rsdt_valid", !memcmp(rsdt->sig, "RSDT", 4) && sum(rsdt, rsdt->length) == 0, "signature or checksum");
	u32 n = (rsdt->length - sizeof(*rsdt)) / 4, bad = 0;
	for (u32 i = 0; i < n; i++) {
		const struct sdt *t = (const struct sdt *)(uptr)((const u32 *)(rsdt + 1))[i];
		bad += sum(t, t->length) != 0;
	}
	kl_check_eq("table_checksums", bad, 0);

	const struct sdt *madt = find_table(rsdt, "APIC");
	if (kl_check("madt_present", madt != 0, "no MADT")) {
		kl_check_eq("madt_lapic_address", *(const u32 *)((const u8 *)madt + 36), LAPIC_BASE);
		u32 cpus = 0;
		for (const u8 *p = (const u8 *)madt + MADT_ENTRIES; p < (const u8 *)madt + madt->length && p[1]; p += p[1]) {
			if (p[0] == MADT_LAPIC && (*(const u32 *)(p + 4) & 1))
				cpus++;
			if (p[0] == MADT_X2APIC && (*(const u32 *)(p + 8) & 1))
				cpus++;
		}
		outw(FW_CFG_SEL, FW_CFG_NB_CPUS);
		u32 fw = inb(FW_CFG_DATA) | (u32)inb(FW_CFG_DATA) << 8;
		kl_check("madt_cpus_equal_fw_cfg", cpus == fw && cpus > 0, "MADT %u, fw_cfg %u", cpus, fw);
		u64 want;
		if (kl_cmdline_num("cpus", &want))
			kl_check_eq("madt_cpus_equal_cmdline", cpus, want);
	}

	const struct sdt *fadt = find_table(rsdt, "FACP");
	if (!kl_check("fadt_present", fadt != 0, "no FADT"))
		kl_finish();
	u32 port = *(const u32 *)((const u8 *)fadt + FADT_PM_TMR_BLK);
	u32 flags = *(const u32 *)((const u8 *)fadt + FADT_FLAGS);
	u32 mask = (flags & FADT_TMR_VAL_EXT) ? 0xFFFFFFFF : 0xFFFFFF;
	kl_check("pm_tmr_blk_set", port != 0 && port < 0x10000, "PM_TMR_BLK 0x%x", port);
	u32 a = inl((u16)port);
	u32 same = 1, prev = a;
	for (int i = 0; i < 1000; i++) {
		u32 v = inl((u16)port);
		same &= (v & ~mask) == 0;
		prev = v;
	}
	kl_check("pm_timer_width", same, "bits above the timer width set");
	u64 t0 = rdtsc();
	while (rdtsc() - t0 < 20000000)
		pause();
	u32 b = inl((u16)port);
	u32 ticks = (b - a) & mask;
	kl_check("pm_timer_advances", ticks > 0 && ticks < mask / 2, "0x%x -> 0x%x (last 0x%x)", a, b, prev);
	kl_finish();
}
