/* platform_devices: what a kernel sees of QEMU q35's non-interrupt devices, the same on plain QEMU
 * (-machine q35, SeaBIOS: make run-direct TEST=platform_devices) and under microhv (docs/devices.md):
 * the FADT, FACS and DSDT \_S5 and the MADT's I/O APIC, overrides and NMI entries; the ACPI PM timer
 * (24 bits, 3.579545 MHz against the RTC's second), PM1 registers and the APM ACPI-enable command; the
 * RTC/CMOS status registers, time bytes and the memory-size bytes (checked against fw_cfg); port 0x80,
 * port 0x92, RST_CNT; PCI configuration mechanism #1 with q35's host bridge and an empty slot; fw_cfg's
 * etc/e820 file.
 * Constants are written out here from the specifications and QEMU, not taken from microhv's headers. */
#include "guest.h"
#include "acpi.h"
#include "fw_cfg.h"

#define PM_BASE 0x600
#define PM1_STS (PM_BASE + 0)
#define PM1_EN (PM_BASE + 2)
#define PM1_CNT (PM_BASE + 4)
#define PM_TMR (PM_BASE + 8)
#define PM_TIMER_HZ 3579545u
#define PM_TIMER_MASK 0xFFFFFFu
#define APM_CNT 0xB2
#define ACPI_ENABLE 0x02
#define SCI_EN 0x1
#define PWRBTN_EN 0x0100
#define TMR_STS 0x1

#define CMOS_INDEX 0x70
#define CMOS_DATA 0x71
#define RTC_SECONDS 0x00
#define RTC_MINUTES 0x02
#define RTC_HOURS 0x04
#define RTC_DAY 0x07
#define RTC_MONTH 0x08
#define RTC_YEAR 0x09
#define RTC_A 0x0A
#define RTC_B 0x0B
#define RTC_D 0x0D
#define RTC_CENTURY 0x32
#define RTC_A_UIP 0x80
#define RTC_B_24H_BCD 0x02
#define RTC_B_BINARY 0x04
#define CMOS_SCRATCH 0x7E /* no QEMU or SeaBIOS use */

#define POST_PORT 0x80
#define PORT92 0x92
#define PORT92_A20 0x02
#define PCI_ADDR 0xCF8
#define PCI_DATA 0xCFC
#define RST_CNT 0xCF9
#define RST_CNT_SYS_RST 0x02
#define PCI_ENABLE 0x80000000u
#define EMPTY_SLOT 5 /* nothing there on q35 with -nodefaults */

#define FW_CFG_RAM_SIZE 0x0003
#define FW_CFG_FILE_DIR 0x0019
#define FW_CFG_FILE_ENTRY 64
#define FW_CFG_MAX_FILES 64
#define E820_ENTRY 20
#define E820_RAM 1
#define KIB 1024ull
#define MIB (1024 * KIB)
#define POLL_LIMIT 200000000ull

static u8 cmos_read(u8 index)
{
	outb(CMOS_INDEX, index);
	return inb(CMOS_DATA);
}

static void cmos_write(u8 index, u8 v)
{
	outb(CMOS_INDEX, index);
	outb(CMOS_DATA, v);
}

static u32 le32(const u8 *p)
{
	return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

static u64 le64(const u8 *p)
{
	return le32(p) | (u64)le32(p + 4) << 32;
}

static u8 sum(const u8 *p, u32 n)
{
	u8 s = 0;
	while (n--)
		s += *p++;
	return s;
}

/* The FADT that QEMU's build_fadt() makes for q35 (ACPI 6.5 5.2.9), the FACS and the DSDT's \_S5. */
static void check_fadt(void)
{
	const u8 *f = (const u8 *)acpi_find_table("FACP");
	CHECK(f != NULL, "fadt_present");
	if (!f)
		return;
	tap_diag("FADT revision %u length %u flags 0x%x", f[8], le32(f + 4), le32(f + 112));
	CHECK_EQ(f[8], 3, "fadt_revision_3");
	CHECK_EQ(le32(f + 56), PM_BASE, "fadt_pm1a_evt_0x600");
	CHECK_EQ(le32(f + 64), PM_BASE + 4, "fadt_pm1a_cnt_0x604");
	CHECK_EQ(le32(f + 76), PM_TMR, "fadt_pm_tmr_0x608");
	CHECK_EQ(f[91], 4, "fadt_pm_tmr_len_4");
	CHECK_EQ(le32(f + 112) & (1u << 8), 0, "fadt_tmr_val_ext_clear_24_bit");
	CHECK_EQ(le32(f + 112) & (1u << 10), 1u << 10, "fadt_reset_reg_supported");
	CHECK(f[116] == 1 && f[117] == 8 && le64(f + 120) == RST_CNT, "fadt_reset_reg_io_0xcf9");
	CHECK_EQ(f[128], 0x0F, "fadt_reset_value_0x0f");
	CHECK_EQ(f[108], RTC_CENTURY, "fadt_century_0x32");
	CHECK(f[46] == 9 && le32(f + 48) == APM_CNT && f[52] == ACPI_ENABLE, "fadt_sci9_smi_cmd_0xb2");

	const u8 *facs = (const u8 *)(u64)(le32(f + 36) ? le32(f + 36) : le64(f + 132));
	CHECK(memcmp(facs, "FACS", 4) == 0 && le32(facs + 4) == 64 && (u64)facs % 64 == 0, "facs_64_aligned");
	const u8 *dsdt = (const u8 *)(u64)(le64(f + 140) ? le64(f + 140) : le32(f + 40));
	bool dsdt_ok = memcmp(dsdt, "DSDT", 4) == 0 && sum(dsdt, le32(dsdt + 4)) == 0;
	CHECK(dsdt_ok, "dsdt_checksum");
	/* Name (_S5, Package (4) { 0, ... }): NameOp, _S5_, PackageOp, PkgLength, 4 elements, ZeroOp */
	bool s5 = false;
	for (u32 i = 36; dsdt_ok && i + 9 <= le32(dsdt + 4) && !s5; i++)
		s5 = memcmp(dsdt + i, "_S5_", 4) == 0 && dsdt[i + 4] == 0x12 && dsdt[i + 6] == 4 && dsdt[i + 7] == 0;
	CHECK(s5, "dsdt_s5_slp_typ_0");
}

/* The MADT's entries after the CPUs, as QEMU's acpi_build_madt(). */
static void check_madt(void)
{
	const u8 *m = (const u8 *)acpi_find_table("APIC");
	CHECK(m != NULL, "madt_present");
	if (!m)
		return;
	bool ioapic = false, iso0 = false, nmi = false;
	for (u32 off = 44; off + 2 <= le32(m + 4) && m[off + 1]; off += m[off + 1]) {
		const u8 *e = m + off;
		if (e[0] == 1)
			ioapic = e[2] == 0 && le32(e + 4) == 0xFEC00000u && le32(e + 8) == 0;
		if (e[0] == 2 && e[3] == 0)
			iso0 = e[2] == 0 && le32(e + 4) == 2 && (e[8] | e[9] << 8) == 0;
		if (e[0] == 4)
			nmi = e[2] == 0xFF && e[5] == 1;
	}
	CHECK_EQ(le32(m + 40) & 1, 1, "madt_pcat_compat");
	CHECK(ioapic, "madt_ioapic_0_at_0xfec00000_gsi_0");
	CHECK(iso0, "madt_override_irq0_gsi2");
	CHECK(nmi, "madt_lapic_nmi_lint1");
}

/* One RTC second edge, placed between two PM timer reads: [*lo, *hi] holds the tick the seconds byte changed. */
static bool wait_second_edge(u32 *lo, u32 *hi)
{
	u8 s = cmos_read(RTC_SECONDS);
	u32 prev = inl(PM_TMR);
	for (u64 i = 0; i < POLL_LIMIT; i++) {
		u8 now = cmos_read(RTC_SECONDS);
		u32 t = inl(PM_TMR);
		if (now != s) {
			*lo = prev;
			*hi = t;
			return true;
		}
		prev = t;
	}
	return false;
}

#define PM_TICKS(from, to) (((to) - (from)) & PM_TIMER_MASK)
#define EDGE_WINDOW_MAX (PM_TIMER_HZ / 100) /* wider than 10 ms: the vCPU was stopped near an edge */

static void check_pm_timer(void)
{
	u32 a = inl(PM_TMR), b = a;
	for (u64 i = 0; i < POLL_LIMIT && b == a; i++) /* two reads within a tick (279 ns) may be equal */
		b = inl(PM_TMR);
	CHECK_EQ(a >> 24, 0, "pm_timer_24_bits");
	CHECK(b != a, "pm_timer_advances");
	/* One RTC second in PM timer ticks: 3.579545 MHz, 10% either way for emulator jitter. The edges are
	 * bracketed by timer reads, and taken again when a busy host stopped the vCPU around one. */
	bool edges = false;
	u32 lo1 = 0, hi1 = 0, lo2 = 0, hi2 = 0;
	for (int tries = 0; tries < 5; tries++) {
		edges = wait_second_edge(&lo1, &hi1) && wait_second_edge(&lo2, &hi2);
		if (!edges || (PM_TICKS(lo1, hi1) < EDGE_WINDOW_MAX && PM_TICKS(lo2, hi2) < EDGE_WINDOW_MAX))
			break;
	}
	u32 fewest = PM_TICKS(hi1, lo2), most = PM_TICKS(lo1, hi2);
	tap_diag("PM timer: %u..%u ticks in one RTC second", fewest, most);
	CHECK(edges, "rtc_seconds_advance");
	CHECK(fewest > PM_TIMER_HZ * 9 / 10 && most < PM_TIMER_HZ * 11 / 10, "pm_timer_3_579545_mhz");
	/* QEMU's timer handler ignores the offset: a 16-bit read at 0x60A gets the low half, not bits 31:16.
	 * Bracketed by two full reads rather than bounded by a time: a busy host may stop the vCPU in between;
	 * a window of 2^16 ticks or more (18 ms) says nothing, so it is taken again. */
	u32 before, after;
	u16 at_60a;
	for (int tries = 0;; tries++) {
		before = inl(PM_TMR);
		at_60a = inw(PM_TMR + 2);
		after = inl(PM_TMR);
		if (((after - before) & PM_TIMER_MASK) < 0x10000 || tries == 100)
			break;
	}
	tap_diag("PM timer 0x%x, inw(0x60a) 0x%x, then 0x%x", before, at_60a, after);
	CHECK((u16)(at_60a - before) <= (u16)(after - before), "pm_timer_16bit_read_at_0x60a_low_half");
}

static void check_pm1(void)
{
	outw(PM1_EN, PWRBTN_EN);
	CHECK_EQ(inw(PM1_EN), PWRBTN_EN, "pm1_en_reads_back");
	outw(PM1_EN, 0);
	outw(PM1_STS, TMR_STS);
	CHECK_EQ(inw(PM1_STS) & TMR_STS, 0, "pm1_tmr_sts_write_1_clears");
	u16 cnt = inw(PM1_CNT);
	tap_diag("PM1_CNT at boot 0x%x", cnt);
	CHECK_EQ(cnt & 0x2000, 0, "pm1_cnt_slp_en_reads_0");
	outb(APM_CNT, ACPI_ENABLE);
	CHECK_EQ(inw(PM1_CNT) & SCI_EN, SCI_EN, "apm_acpi_enable_sets_sci_en");
}

static bool bcd_ok(u8 v, u32 max)
{
	return (v & 0xF) <= 9 && (v >> 4) <= 9 && (v >> 4) * 10u + (v & 0xF) <= max;
}

static void check_rtc(void)
{
	CHECK_EQ(cmos_read(RTC_A) & 0x7F, 0x26, "rtc_status_a_0x26");
	CHECK_EQ(cmos_read(RTC_B), RTC_B_24H_BCD, "rtc_status_b_24h_bcd");
	CHECK_EQ(cmos_read(RTC_D), 0x80, "rtc_status_d_vrt");
	CHECK_EQ(cmos_read(RTC_CENTURY), 0x20, "rtc_century_20");
	u8 sec = cmos_read(RTC_SECONDS), min = cmos_read(RTC_MINUTES), hour = cmos_read(RTC_HOURS);
	u8 day = cmos_read(RTC_DAY), mon = cmos_read(RTC_MONTH), year = cmos_read(RTC_YEAR);
	tap_diag("RTC 20%02x-%02x-%02x %02x:%02x:%02x", year, mon, day, hour, min, sec);
	CHECK(bcd_ok(sec, 59) && bcd_ok(min, 59) && bcd_ok(hour, 23) && bcd_ok(year, 99) && bcd_ok(day, 31) &&
		      day && bcd_ok(mon, 12) && mon,
	      "rtc_time_valid_bcd");
	bool uip = false;
	for (u64 i = 0; i < POLL_LIMIT && !uip; i++)
		uip = cmos_read(RTC_A) & RTC_A_UIP;
	CHECK(uip, "rtc_uip_seen");
	cmos_write(RTC_B, RTC_B_24H_BCD | RTC_B_BINARY);
	u8 bin = cmos_read(RTC_SECONDS);
	cmos_write(RTC_B, RTC_B_24H_BCD);
	CHECK(bin < 60, "rtc_binary_mode");
	outw(CMOS_INDEX, 0xA5 << 8 | CMOS_SCRATCH); /* index in the low byte, data in the high */
	CHECK_EQ(cmos_read(CMOS_SCRATCH), 0xA5, "cmos_outw_index_then_data");
	CHECK_EQ(inb(CMOS_INDEX), 0xFF, "cmos_index_port_reads_ff");
}

/* pc_cmos_init()'s memory bytes, from the RAM size fw_cfg reports. */
static void check_cmos_memory(void)
{
	u64 ram = 0;
	fw_cfg_read(FW_CFG_RAM_SIZE, &ram, sizeof(ram));
	u64 ext = MIN((ram - MIB) / KIB, 65535), above16 = ram > 16 * MIB ? MIN((ram - 16 * MIB) / (64 * KIB), 65535) : 0;
	tap_diag("RAM 0x%llx: CMOS 0x30 %u, 0x34 %u", ram, cmos_read(0x30) | cmos_read(0x31) << 8,
		 cmos_read(0x34) | cmos_read(0x35) << 8);
	CHECK_EQ(cmos_read(0x15) | cmos_read(0x16) << 8, 640, "cmos_base_memory_640k");
	CHECK_EQ(cmos_read(0x30) | cmos_read(0x31) << 8, ext, "cmos_0x30_kib_above_1m");
	CHECK_EQ(cmos_read(0x17) | cmos_read(0x18) << 8, ext, "cmos_0x17_kib_above_1m");
	CHECK_EQ(cmos_read(0x34) | cmos_read(0x35) << 8, above16, "cmos_0x34_64k_above_16m");
	CHECK_EQ(cmos_read(0x5B) | cmos_read(0x5C) | cmos_read(0x5D), 0, "cmos_0x5b_none_above_4g");
	CHECK_EQ(cmos_read(0x5F), fw_cfg_cpu_count() - 1, "cmos_0x5f_cpus_minus_1");
}

static u32 be32(const u8 *p)
{
	return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3];
}

/* fw_cfg's "etc/e820" (QEMU's E820 table, found through FW_CFG_FILE_DIR): RAM from 0 to the RAM size. */
static void check_fw_cfg_e820(void)
{
	static u8 dir[4 + FW_CFG_MAX_FILES * FW_CFG_FILE_ENTRY];
	u64 ram = 0;
	fw_cfg_read(FW_CFG_RAM_SIZE, &ram, sizeof(ram));
	fw_cfg_read(FW_CFG_FILE_DIR, dir, sizeof(dir));
	u32 n = MIN(be32(dir), FW_CFG_MAX_FILES), size = 0;
	u16 key = 0;
	for (u32 i = 0; i < n && !key; i++) {
		const u8 *e = dir + 4 + i * FW_CFG_FILE_ENTRY;
		if (strcmp((const char *)e + 8, "etc/e820") == 0) {
			size = be32(e);
			key = (u16)(e[4] << 8 | e[5]);
		}
	}
	tap_diag("fw_cfg: %u files, etc/e820 key 0x%x, %u bytes", be32(dir), key, size);
	CHECK(key != 0 && size >= E820_ENTRY && size % E820_ENTRY == 0, "fw_cfg_etc_e820_listed");
	if (!key)
		return;
	static u8 table[E820_ENTRY * 8];
	fw_cfg_read(key, table, sizeof(table));
	/* QEMU 7.2 puts the AMD HyperTransport hole (0xFD00000000, reserved) first for an AMD vCPU with 40+
	 * physical address bits; microhv lists the RAM only. Both have RAM from 0 to the RAM size. */
	bool ram_entry = false;
	for (u32 off = 0; off < MIN(size, sizeof(table)); off += E820_ENTRY) {
		const u8 *e = table + off;
		tap_diag("e820 0x%llx +0x%llx type %u", le64(e), le64(e + 8), le32(e + 16));
		ram_entry |= le64(e) == 0 && le64(e + 8) == ram && le32(e + 16) == E820_RAM;
	}
	CHECK(ram_entry, "fw_cfg_e820_ram_0_to_ram_size");
}

static u32 pci_read(u32 bus, u32 dev, u32 fn, u32 reg)
{
	outl(PCI_ADDR, PCI_ENABLE | bus << 16 | dev << 11 | fn << 8 | reg);
	return inl(PCI_DATA);
}

static void check_pci_and_ports(void)
{
	CHECK_EQ(pci_read(0, 0, 0, 0x00), 0x29C08086, "pci_0_0_0_q35_host_bridge");
	CHECK_EQ(pci_read(0, 0, 0, 0x08) >> 16, 0x0600, "pci_host_bridge_class");
	CHECK_EQ((pci_read(0, 0, 0, 0x0C) >> 16) & 0xFF, 0, "pci_host_bridge_header_type_0");
	CHECK_EQ(pci_read(0, 0, 0, 0x2C), 0x11001AF4, "pci_host_bridge_subsystem");
	outl(PCI_ADDR, PCI_ENABLE);
	CHECK_EQ(inw(PCI_DATA + 2), 0x29C0, "pci_data_16bit_at_0xcfe");
	CHECK_EQ(inb(PCI_DATA + 1), 0x80, "pci_data_8bit_at_0xcfd");
	CHECK_EQ(inl(PCI_ADDR), PCI_ENABLE, "pci_config_address_reads_back");
	CHECK_EQ(pci_read(0, EMPTY_SLOT, 0, 0x00), 0xFFFFFFFF, "pci_empty_slot_all_ones");
	outl(PCI_ADDR, 0);
	CHECK_EQ(inl(PCI_DATA), 0xFFFFFFFF, "pci_disabled_reads_all_ones");
	outb(RST_CNT, RST_CNT_SYS_RST); /* no reset without bit 2 */
	CHECK_EQ(inb(RST_CNT), RST_CNT_SYS_RST, "rst_cnt_keeps_sys_rst");
	outb(RST_CNT, 0);
	CHECK_EQ(inb(PORT92) & PORT92_A20, PORT92_A20, "port92_a20_on");
	outb(POST_PORT, 0x42);
	CHECK_EQ(inb(POST_PORT), 0xFF, "port80_reads_ff");
}

void test_main(void)
{
	check_fadt();
	check_madt();
	check_pm1();
	check_pm_timer();
	check_rtc();
	check_cmos_memory();
	check_fw_cfg_e820();
	check_pci_and_ports();
}
