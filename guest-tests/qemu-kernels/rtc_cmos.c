/* The MC146818 RTC and CMOS at 0x70/0x71 (QEMU hw/rtc/mc146818rtc.c and pc.c's CMOS layout): status
 * registers A-D, a BCD time that is valid and moves on, the update-in-progress protocol, alarm
 * registers read back, and the memory-size bytes the BIOS reads (0x30/0x31, 0x34/0x35) against -m. */
#include "kl.h"

#define CMOS_INDEX 0x70
#define CMOS_DATA 0x71
#define NMI_DISABLE 0x80
#define RTC_SEC 0x00
#define RTC_SEC_ALARM 0x01
#define RTC_MIN 0x02
#define RTC_HOUR 0x04
#define RTC_DAY 0x07
#define RTC_MONTH 0x08
#define RTC_YEAR 0x09
#define RTC_A 0x0A
#define RTC_B 0x0B
#define RTC_C 0x0C
#define RTC_D 0x0D
#define REG_A_UIP 0x80
#define REG_B_24H 0x02
#define REG_B_BINARY 0x04
#define REG_D_VRT 0x80
#define CMOS_EXT_MEM_LO 0x30
#define CMOS_EXT_MEM_HI 0x31
#define CMOS_MEM16_LO 0x34
#define CMOS_MEM16_HI 0x35

static u8 cmos(u8 reg)
{
	outb(CMOS_INDEX, NMI_DISABLE | reg);
	return inb(CMOS_DATA);
}
static void cmos_set(u8 reg, u8 v)
{
	outb(CMOS_INDEX, NMI_DISABLE | reg);
	outb(CMOS_DATA, v);
}
static int bcd_ok(u8 v, u8 max) { return (v & 0xF) <= 9 && (v >> 4) <= 9 && ((v >> 4) * 10 + (v & 0xF)) <= max; }
static u8 read_seconds(void)
{
	for (unsigned long i = 0; i < 100000 && (cmos(RTC_A) & REG_A_UIP); i++) /* UIP lasts 244 us */
		;
	return cmos(RTC_SEC);
}

void kmain(void);
void kmain(void)
{
	u8 a = cmos(RTC_A), b = cmos(RTC_B), d = cmos(RTC_D);
	if (a == 0xFF && b == 0xFF) { /* an empty bus: no RTC to wait for */
		kl_fail("rtc_present", "registers A and B read 0xFF");
		kl_finish();
	}
	kl_check_eq("reg_a_divider_32khz", a & 0x70, 0x20);
	kl_check_eq("reg_b_24h_bcd", b & (REG_B_24H | REG_B_BINARY), REG_B_24H);
	kl_check_eq("reg_d_valid_ram_time", d & REG_D_VRT, REG_D_VRT);
	u8 s = read_seconds(), m = cmos(RTC_MIN), h = cmos(RTC_HOUR);
	u8 day = cmos(RTC_DAY), mon = cmos(RTC_MONTH), y = cmos(RTC_YEAR);
	kl_check("time_is_bcd", bcd_ok(s, 59) && bcd_ok(m, 59) && bcd_ok(h, 23), "%x:%x:%x", h, m, s);
	kl_check("date_is_bcd", bcd_ok(day, 31) && day && bcd_ok(mon, 12) && mon && bcd_ok(y, 99), "%x-%x-%x", y, mon, day);
	/* Seconds move on within ~2 s of RTC time; wait by polling (no wall clock here). */
	u8 s2 = s;
	u64 t0 = rdtsc(); /* up to ~2^34 TSC ticks (seconds on any emulator) or 30M polls, whichever first */
	for (unsigned long i = 0; i < 30000000 && s2 == s && rdtsc() - t0 < (1ULL << 34); i++)
		s2 = read_seconds();
	kl_check("seconds_advance", s2 != s, "stuck at %x", s);
	cmos_set(RTC_SEC_ALARM, 0x42);
	kl_check_eq("alarm_reads_back", cmos(RTC_SEC_ALARM), 0x42);
	cmos(RTC_C); /* reading C clears its flags */
	kl_check_eq("reg_c_cleared_by_read", cmos(RTC_C) & 0x70, 0);

	u64 mib = 128;
	kl_cmdline_num("mem", &mib);
	u32 ext = cmos(CMOS_EXT_MEM_LO) | (u32)cmos(CMOS_EXT_MEM_HI) << 8;
	u32 above16 = cmos(CMOS_MEM16_LO) | (u32)cmos(CMOS_MEM16_HI) << 8;
	kl_check_eq("cmos_ext_mem_kib", ext, (mib - 1) * 1024 > 0xFFFF ? 0xFFFF : (u32)(mib - 1) * 1024); /* QEMU pc.c: capped */
	kl_check_eq("cmos_mem_above_16m_64k", above16, mib > 16 ? (u32)(mib - 16) * 16 : 0);
	outb(CMOS_INDEX, 0x00); /* NMIs back on */
	kl_finish();
}
