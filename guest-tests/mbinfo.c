/* mbinfo: prints what the boot loader and the platform tell a guest, so that the same kernel can be run
 * on plain QEMU (-kernel/-append/-initrd/-smp) and under microhv and the two outputs compared line by line
 * (scripts/check-qemu-compat.sh). Every "# " line holds only what both must agree on:
 *
 *   # cmdline 'k.elf a b c'                       the Multiboot command line (QEMU: kernel file name, -append)
 *   # mbi at 0x9500 flags 0x24f boot_device 0x8000ffff loader 'qemu'
 *   # mbi cmdline at 0x104000 mods 1 at 0x104000  where QEMU's loader puts its strings and module list
 *   # module 0 'm.bin x' at 0x105000-0x105123 size 291 fnv1a 0x811c9dc5
 *   # fw_cfg signature 'QEMU' traditional 1 cpus 1 max_cpus 1 ram 0x2000000
 *   # madt lapic 0xfee00000 processors 1 apic ids 0
 *
 * and the cases check the fw_cfg port semantics of QEMU's hw/nvram/fw_cfg.c (I/O variant), the ACPI
 * checksums and that the exit port reads 0. Constants are written out from the specifications here, not taken from microhv's headers,
 * so a mistake there cannot hide itself. */
#include "guest.h"
#include "hv/lib/fmt.h"
#include "hv/rules/loader/multiboot_info.h"

/* QEMU fw_cfg, legacy I/O interface (docs/specs/fw_cfg.rst in QEMU). */
#define FW_CFG_PORT_SEL 0x510
#define FW_CFG_PORT_DATA 0x511
#define FW_CFG_SIGNATURE 0x0000
#define FW_CFG_ID 0x0001
#define FW_CFG_RAM_SIZE 0x0003
#define FW_CFG_NB_CPUS 0x0005
#define FW_CFG_MAX_CPUS 0x000f
#define FW_CFG_WRITE_CHANNEL 0x4000
#define FW_CFG_ENTRY_UNUSED 0x3ffe  /* no QEMU machine defines this key */
#define FW_CFG_VERSION_TRADITIONAL 0x1u
#define FW_CFG_SIGNATURE_LEN 4
static const char fw_cfg_signature[FW_CFG_SIGNATURE_LEN] = { 'Q', 'E', 'M', 'U' };

/* ACPI 1.0: the RSDP is on a 16-byte boundary in the BIOS area (ACPI spec 5.2.5.1). */
#define RSDP_SEARCH_START 0xE0000ull
#define RSDP_SEARCH_END 0x100000ull
#define RSDP_ALIGN 16
#define RSDP_V1_LEN 20
#define RSDP_RSDT_OFFSET 16
#define SDT_HEADER_LEN 36
#define SDT_LENGTH_OFFSET 4
#define MADT_LAPIC_ADDR_OFFSET 36
#define MADT_ENTRIES_OFFSET 44
#define MADT_TYPE_LAPIC 0
#define MADT_TYPE_X2APIC 9
#define MADT_LAPIC_ID_OFFSET 3
#define MADT_LAPIC_FLAGS_OFFSET 4
#define MADT_X2APIC_ID_OFFSET 4
#define MADT_X2APIC_FLAGS_OFFSET 8
#define MADT_ENABLED 0x1u
#define MAX_CPUS 1024
#define CPUID_1_EBX_APIC_ID_SHIFT 24

#define FNV1A_OFFSET 2166136261u
#define FNV1A_PRIME 16777619u
#define IDS_TEXT_MAX 160

static u64 fw_cfg_read(u16 key, u32 len)
{
	u64 v = 0;
	outw(FW_CFG_PORT_SEL, key);
	for (u32 i = 0; i < len; i++)
		v |= (u64)inb(FW_CFG_PORT_DATA) << (8 * i);
	return v;
}

static u32 fnv1a(const u8 *p, u64 n)
{
	u32 h = FNV1A_OFFSET;
	while (n--)
		h = (h ^ *p++) * FNV1A_PRIME;
	return h;
}

static u8 checksum(const u8 *p, u32 n)
{
	u8 s = 0;
	while (n--)
		s += *p++;
	return s;
}

static u32 le32(const u8 *p)
{
	return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

/* ---- Multiboot ---- */

static void report_multiboot(void)
{
	const struct multiboot_info *mbi = (const void *)(u64)runtime_mbi();

	tap_diag("cmdline '%s'", runtime_cmdline());
	tap_diag("mbi at 0x%x flags 0x%x boot_device 0x%x loader '%s'", runtime_mbi(), mbi->flags,
		 mbi->boot_device,
		 mbi->flags & MBI_FLAG_LOADER_NAME ? (const char *)(u64)mbi->boot_loader_name : "");
	CHECK(mbi->flags & MBI_FLAG_CMDLINE, "mbi_has_cmdline");
	if (!CHECK(mbi->flags & MBI_FLAG_MODS, "mbi_has_modules"))
		return;
	tap_diag("mbi cmdline at 0x%x mods %u at 0x%x", mbi->cmdline, mbi->mods_count, mbi->mods_addr);
	const struct multiboot_mod *m = (const void *)(u64)mbi->mods_addr;
	bool ordered = true;
	for (u32 i = 0; i < mbi->mods_count; i++) {
		tap_diag("module %u '%s' at 0x%x-0x%x size %u fnv1a 0x%x", i, (const char *)(u64)m[i].string,
			 m[i].mod_start, m[i].mod_end, m[i].mod_end - m[i].mod_start,
			 fnv1a((const u8 *)(u64)m[i].mod_start, m[i].mod_end - m[i].mod_start));
		ordered &= m[i].mod_end >= m[i].mod_start;
	}
	CHECK(ordered, "modules_end_after_start");
}

/* ---- fw_cfg ---- */

static void report_fw_cfg(u32 *cpus)
{
	char sig[FW_CFG_SIGNATURE_LEN];
	outw(FW_CFG_PORT_SEL, FW_CFG_SIGNATURE);
	for (u32 i = 0; i < FW_CFG_SIGNATURE_LEN; i++)
		sig[i] = (char)inb(FW_CFG_PORT_DATA);
	u32 id = (u32)fw_cfg_read(FW_CFG_ID, sizeof(u32));
	*cpus = (u32)fw_cfg_read(FW_CFG_NB_CPUS, sizeof(u16));
	u32 max_cpus = (u32)fw_cfg_read(FW_CFG_MAX_CPUS, sizeof(u16));
	tap_diag("fw_cfg signature '%.4s' traditional %u cpus %u max_cpus %u ram 0x%llx", sig,
		 id & FW_CFG_VERSION_TRADITIONAL, *cpus, max_cpus, fw_cfg_read(FW_CFG_RAM_SIZE, sizeof(u64)));
	CHECK(memcmp(sig, fw_cfg_signature, sizeof(sig)) == 0, "fwcfg_signature");
	CHECK(id & FW_CFG_VERSION_TRADITIONAL, "fwcfg_id_traditional");
	CHECK(*cpus >= 1 && *cpus <= max_cpus, "fwcfg_cpus_within_max");
}

/* The I/O-port semantics of QEMU's fw_cfg_comb_mem_ops: 8-bit reads from either port read data, a
 * 16-bit write to 0x510 selects, every other access reads 0 or is ignored. */
static void check_fw_cfg_ports(void)
{
	outw(FW_CFG_PORT_SEL, FW_CFG_SIGNATURE);
	CHECK_EQ(inb(FW_CFG_PORT_SEL), 'Q', "fwcfg_inb_sel_port_reads_data");
	CHECK_EQ(inw(FW_CFG_PORT_SEL), 0, "fwcfg_inw_reads_0");
	CHECK_EQ(inl(FW_CFG_PORT_SEL), 0, "fwcfg_inl_reads_0");
	CHECK_EQ(inb(FW_CFG_PORT_DATA), 'E', "fwcfg_wide_reads_do_not_advance");
	outb(FW_CFG_PORT_DATA, 0);
	outb(FW_CFG_PORT_SEL, FW_CFG_ID);
	CHECK_EQ(inb(FW_CFG_PORT_DATA), 'M', "fwcfg_outb_ignored");
	outw(FW_CFG_PORT_DATA, FW_CFG_ID); /* unaligned: refused */
	outl(FW_CFG_PORT_SEL, FW_CFG_ID);  /* too wide: refused */
	CHECK_EQ(inb(FW_CFG_PORT_DATA), 'U', "fwcfg_outw_data_port_and_outl_ignored");
	CHECK_EQ(inb(FW_CFG_PORT_DATA), 0, "fwcfg_past_end_reads_0");
	CHECK_EQ(fw_cfg_read(FW_CFG_ENTRY_UNUSED, sizeof(u32)), 0, "fwcfg_unknown_key_reads_0");
	CHECK_EQ(fw_cfg_read(FW_CFG_SIGNATURE | FW_CFG_WRITE_CHANNEL, sizeof(u32)), le32((const u8 *)fw_cfg_signature),
		 "fwcfg_write_channel_bit_ignored_on_read");
}

/* ---- ACPI ---- */

static const u8 *find_rsdp(void)
{
	for (u64 a = RSDP_SEARCH_START; a < RSDP_SEARCH_END; a += RSDP_ALIGN) {
		const u8 *p = (const u8 *)a;
		if (memcmp(p, "RSD PTR ", 8) == 0 && checksum(p, RSDP_V1_LEN) == 0)
			return p;
	}
	return NULL;
}

static const u8 *find_table(const u8 *rsdt, const char *sig)
{
	u32 len = le32(rsdt + SDT_LENGTH_OFFSET);
	for (u32 off = SDT_HEADER_LEN; off + sizeof(u32) <= len; off += sizeof(u32)) {
		const u8 *t = (const u8 *)(u64)le32(rsdt + off);
		if (memcmp(t, sig, 4) == 0)
			return t;
	}
	return NULL;
}

/* Appends "a" or "a-b" for the run of IDs [a, b]. */
static void put_range(char *buf, u32 *len, u32 a, u32 b)
{
	*len += (u32)snprintf(buf + *len, IDS_TEXT_MAX - MIN(*len, IDS_TEXT_MAX), *len ? " %u" : "%u", a);
	if (b != a)
		*len += (u32)snprintf(buf + *len, IDS_TEXT_MAX - MIN(*len, IDS_TEXT_MAX), "-%u", b);
}

/* Collects the enabled processors' APIC IDs in table order; returns how many. */
static u32 madt_apic_ids(const u8 *madt, u32 *ids)
{
	u32 len = le32(madt + SDT_LENGTH_OFFSET), n = 0;
	for (u32 off = MADT_ENTRIES_OFFSET; off + 2 <= len && madt[off + 1] >= 2; off += madt[off + 1]) {
		const u8 *e = madt + off;
		bool lapic = e[0] == MADT_TYPE_LAPIC && (e[MADT_LAPIC_FLAGS_OFFSET] & MADT_ENABLED);
		bool x2apic = e[0] == MADT_TYPE_X2APIC && (le32(e + MADT_X2APIC_FLAGS_OFFSET) & MADT_ENABLED);
		if ((lapic || x2apic) && n < MAX_CPUS)
			ids[n++] = lapic ? e[MADT_LAPIC_ID_OFFSET] : le32(e + MADT_X2APIC_ID_OFFSET);
	}
	return n;
}

static void report_madt(u32 fw_cfg_cpus)
{
	static u32 ids[MAX_CPUS];
	char text[IDS_TEXT_MAX] = "";
	u32 len = 0;

	const u8 *rsdp = find_rsdp();
	if (!CHECK(rsdp, "acpi_rsdp_found"))
		return;
	const u8 *rsdt = (const u8 *)(u64)le32(rsdp + RSDP_RSDT_OFFSET);
	CHECK(memcmp(rsdt, "RSDT", 4) == 0 && checksum(rsdt, le32(rsdt + SDT_LENGTH_OFFSET)) == 0, "acpi_rsdt_valid");
	const u8 *madt = find_table(rsdt, "APIC");
	if (!CHECK(madt, "acpi_madt_found"))
		return;
	CHECK_EQ(checksum(madt, le32(madt + SDT_LENGTH_OFFSET)), 0, "acpi_madt_checksum");
	u32 n = madt_apic_ids(madt, ids);
	bool unique = true, bsp_listed = false;
	u32 bsp = cpuid(1, 0).ebx >> CPUID_1_EBX_APIC_ID_SHIFT;
	for (u32 i = 0, start = 0; i < n; i++) {
		for (u32 j = 0; j < i; j++)
			unique &= ids[j] != ids[i];
		bsp_listed |= ids[i] == bsp;
		if (i + 1 == n || ids[i + 1] != ids[i] + 1) {
			put_range(text, &len, ids[start], ids[i]);
			start = i + 1;
		}
	}
	tap_diag("madt lapic 0x%x processors %u apic ids %s", le32(madt + MADT_LAPIC_ADDR_OFFSET), n, text);
	CHECK(unique, "madt_apic_ids_unique");
	CHECK(bsp_listed, "madt_lists_the_bsp");
	CHECK_EQ(n, fw_cfg_cpus, "madt_processors_match_fwcfg_cpus");
}

void test_main(void)
{
	u32 cpus = 0;

	report_multiboot();
	report_fw_cfg(&cpus);
	check_fw_cfg_ports();
	report_madt(cpus);
	/* QEMU's isa-debug-exit answers reads with 0 (microhv: hv/io.c); only writes end the guest. */
	CHECK_EQ(inl(GUEST_EXIT_PORT), 0, "debug_exit_in_reads_0");
}
