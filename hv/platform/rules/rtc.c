/* The MC146818 RTC and CMOS RAM (see rtc.h for the rules and where they come from). */
#include "rtc.h"

#define SECONDS_PER_DAY 86400ull
#define SECONDS_PER_HOUR 3600u
#define SECONDS_PER_MINUTE 60u
#define DAYS_1970_TO_0000_03_01 719468ll /* days from 0000-03-01 to 1970-01-01 (civil calendar) */
#define DAYS_PER_ERA 146097ll            /* 400 Gregorian years */
#define YEARS_PER_ERA 400
#define WEEKDAY_1970_01_01 5             /* Thursday, counting Sunday as 1 */
#define DAYS_PER_WEEK 7
#define HOURS_12 12
#define HOUR_PM 0x80
#define US_PER_SECOND 1000000ull
#define BITS_PER_BYTE 8
#define ALL_ONES_BYTE 0xFF

/* The bytes pc_cmos_init() (each 16-bit value low byte first, at LO and LO + 1) writes (hw/i386/pc.c) and the CPU count of x86_rtc_set_cpus_count(). */
#define CMOS_BASE_MEM_LO 0x15
#define CMOS_EXT_MEM_LO 0x17
#define CMOS_EXT_MEM2_LO 0x30
#define CMOS_MEM_16M_LO 0x34
#define CMOS_MEM_4G_0 0x5B
#define CMOS_MEM_4G_1 0x5C
#define CMOS_MEM_4G_2 0x5D
#define CMOS_CPUS_MINUS_ONE 0x5F
#define KIB 1024ull
#define MIB (1024ull * KIB)
#define BASE_MEM_KIB 640u
#define CMOS_16BIT_MAX 65535ull
#define MEM_16M_UNIT (64 * KIB)

/* SeaBIOS rtc_setup(): divider 010 (32.768 kHz), rate 0110; 24 hour, BCD; VRT. */
#define REG_A_RESET 0x26
#define REG_B_RESET RTC_REG_B_24H
#define REG_A_WRITABLE 0x7F

/* Howard Hinnant's days_from_civil / civil_from_days, for the proleptic Gregorian calendar. */
void rtc_time_from_seconds(u64 seconds, struct rtc_time *t)
{
	s64 days = (s64)(seconds / SECONDS_PER_DAY);
	u32 rest = (u32)(seconds % SECONDS_PER_DAY);
	s64 z = days + DAYS_1970_TO_0000_03_01;
	s64 era = z / DAYS_PER_ERA;
	u32 doe = (u32)(z - era * DAYS_PER_ERA);
	u32 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	u32 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	u32 mp = (5 * doy + 2) / 153;
	t->day = (u8)(doy - (153 * mp + 2) / 5 + 1);
	t->month = (u8)(mp < 10 ? mp + 3 : mp - 9);
	t->year = (u32)(yoe + era * YEARS_PER_ERA + (t->month <= 2));
	t->hour = (u8)(rest / SECONDS_PER_HOUR);
	t->minute = (u8)(rest % SECONDS_PER_HOUR / SECONDS_PER_MINUTE);
	t->second = (u8)(rest % SECONDS_PER_MINUTE);
	t->weekday = (u8)((days + WEEKDAY_1970_01_01 - 1) % DAYS_PER_WEEK + 1);
}

u64 rtc_seconds_from_time(const struct rtc_time *t)
{
	s64 y = (s64)t->year - (t->month <= 2);
	s64 era = y / YEARS_PER_ERA;
	u32 yoe = (u32)(y - era * YEARS_PER_ERA);
	u32 m = t->month;
	u32 doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + t->day - 1;
	u32 doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	s64 days = era * DAYS_PER_ERA + doe - DAYS_1970_TO_0000_03_01;
	if (days < 0)
		return 0; /* before 1970: the clock stops at its start rather than wrap */
	return (u64)days * SECONDS_PER_DAY + t->hour * SECONDS_PER_HOUR + t->minute * SECONDS_PER_MINUTE + t->second;
}

static u8 to_bcd(u32 v)
{
	return (u8)((v / 10 % 10) << 4 | v % 10);
}

static u32 from_bcd(u8 v)
{
	return (v >> 4) * 10u + (v & 0xF);
}

static bool binary(const struct rtc *r)
{
	return r->cmos[RTC_REG_B] & RTC_REG_B_DM_BINARY;
}

static u8 encode(const struct rtc *r, u32 v)
{
	return binary(r) ? (u8)v : to_bcd(v);
}

static u32 decode(const struct rtc *r, u8 v)
{
	return binary(r) ? v : from_bcd(v);
}

static u8 encode_hour(const struct rtc *r, u32 hour)
{
	if (r->cmos[RTC_REG_B] & RTC_REG_B_24H)
		return encode(r, hour);
	u32 h12 = hour % HOURS_12 ? hour % HOURS_12 : HOURS_12;
	return (u8)(encode(r, h12) | (hour >= HOURS_12 ? HOUR_PM : 0));
}

static u32 decode_hour(const struct rtc *r, u8 v)
{
	if (r->cmos[RTC_REG_B] & RTC_REG_B_24H)
		return decode(r, v);
	u32 h = decode(r, v & (u8)~HOUR_PM) % HOURS_12;
	return h + (v & HOUR_PM ? HOURS_12 : 0);
}

static u64 elapsed_us(const struct rtc *r, u64 now)
{
	u64 d = now >= r->tsc_base ? now - r->tsc_base : 0;
	return d / r->tsc_hz * US_PER_SECOND + d % r->tsc_hz * US_PER_SECOND / r->tsc_hz;
}

static u64 now_seconds(const struct rtc *r, u64 now)
{
	if (r->cmos[RTC_REG_B] & RTC_REG_B_SET)
		return r->base_seconds; /* frozen while SET */
	return r->base_seconds + elapsed_us(r, now) / US_PER_SECOND;
}

/* The time bytes as the guest reads them now (while SET, what it wrote). */
static void refresh_time(struct rtc *r, u64 now)
{
	if (r->cmos[RTC_REG_B] & RTC_REG_B_SET)
		return;
	struct rtc_time t;
	rtc_time_from_seconds(now_seconds(r, now), &t);
	r->cmos[RTC_SECONDS] = encode(r, t.second);
	r->cmos[RTC_MINUTES] = encode(r, t.minute);
	r->cmos[RTC_HOURS] = encode_hour(r, t.hour);
	r->cmos[RTC_DAY_OF_WEEK] = encode(r, t.weekday);
	r->cmos[RTC_DAY_OF_MONTH] = encode(r, t.day);
	r->cmos[RTC_MONTH] = encode(r, t.month);
	r->cmos[RTC_YEAR] = encode(r, t.year % 100);
	r->cmos[RTC_CENTURY] = encode(r, t.year / 100);
}

/* SET cleared: the clock restarts from the bytes the guest wrote (QEMU's rtc_set_time()). */
static void take_time(struct rtc *r, u64 now)
{
	struct rtc_time t = {
		.year = decode(r, r->cmos[RTC_CENTURY]) * 100 + decode(r, r->cmos[RTC_YEAR]),
		.month = (u8)decode(r, r->cmos[RTC_MONTH]),
		.day = (u8)decode(r, r->cmos[RTC_DAY_OF_MONTH]),
		.hour = (u8)decode_hour(r, r->cmos[RTC_HOURS]),
		.minute = (u8)decode(r, r->cmos[RTC_MINUTES]),
		.second = (u8)decode(r, r->cmos[RTC_SECONDS]),
	};
	r->base_seconds = rtc_seconds_from_time(&t);
	r->tsc_base = now;
	r->uf_second = r->base_seconds;
}

static void put16(u8 *lo, u64 v)
{
	lo[0] = (u8)v;
	lo[1] = (u8)(v >> BITS_PER_BYTE);
}

void rtc_init(struct rtc *r, u64 tsc_hz, u64 now, u64 ram_size, u32 cpus)
{
	*r = (struct rtc){ .tsc_hz = tsc_hz ? tsc_hz : 1, .tsc_base = now, .base_seconds = RTC_EPOCH,
			   .uf_second = RTC_EPOCH };
	r->cmos[RTC_REG_A] = REG_A_RESET;
	r->cmos[RTC_REG_B] = REG_B_RESET;
	r->cmos[RTC_REG_D] = RTC_REG_D_VRT;
	put16(&r->cmos[CMOS_BASE_MEM_LO], MIN(ram_size / KIB, BASE_MEM_KIB));
	u64 ext = ram_size > MIB ? MIN((ram_size - MIB) / KIB, CMOS_16BIT_MAX) : 0;
	put16(&r->cmos[CMOS_EXT_MEM_LO], ext);
	put16(&r->cmos[CMOS_EXT_MEM2_LO], ext);
	u64 above16 = ram_size > 16 * MIB ? MIN((ram_size - 16 * MIB) / MEM_16M_UNIT, CMOS_16BIT_MAX) : 0;
	put16(&r->cmos[CMOS_MEM_16M_LO], above16);
	r->cmos[CMOS_MEM_4G_0] = r->cmos[CMOS_MEM_4G_1] = r->cmos[CMOS_MEM_4G_2] = 0; /* no RAM above 4 GiB */
	r->cmos[CMOS_CPUS_MINUS_ONE] = (u8)(cpus ? cpus - 1 : 0);
	refresh_time(r, now);
}

static u8 read_data(struct rtc *r, u64 now)
{
	u8 i = r->index;
	if (i <= RTC_YEAR || i == RTC_CENTURY) {
		refresh_time(r, now);
		return r->cmos[i];
	}
	if (i == RTC_REG_A) {
		bool set = r->cmos[RTC_REG_B] & RTC_REG_B_SET;
		bool uip = !set && elapsed_us(r, now) % US_PER_SECOND >= US_PER_SECOND - RTC_UIP_US;
		return (u8)(r->cmos[RTC_REG_A] | (uip ? RTC_REG_A_UIP : 0));
	}
	if (i == RTC_REG_C) {
		u64 s = now_seconds(r, now);
		u8 c = s != r->uf_second ? RTC_REG_C_UF : 0;
		r->uf_second = s; /* reading C clears its flags */
		return c;
	}
	return r->cmos[i];
}

static void write_data(struct rtc *r, u8 v, u64 now)
{
	u8 i = r->index;
	if (i == RTC_REG_A) {
		r->cmos[i] = v & REG_A_WRITABLE; /* UIP is read-only */
	} else if (i == RTC_REG_B) {
		bool was_set = r->cmos[i] & RTC_REG_B_SET, set = v & RTC_REG_B_SET;
		if (!was_set && set) { /* freeze the clock's bytes at the current second */
			refresh_time(r, now);
			r->base_seconds = now_seconds(r, now);
		}
		r->cmos[i] = v; /* a new BCD/binary or 12/24 hour format applies from the next read */
		if (was_set && !set)
			take_time(r, now);
	} else if (i == RTC_REG_C || i == RTC_REG_D) {
		/* read-only */
	} else {
		if (i <= RTC_YEAR || i == RTC_CENTURY)
			refresh_time(r, now); /* keep the other time bytes current; this one takes the write */
		r->cmos[i] = v;
		if ((i <= RTC_YEAR || i == RTC_CENTURY) && !(r->cmos[RTC_REG_B] & RTC_REG_B_SET))
			take_time(r, now); /* QEMU: a time byte written without SET sets the clock at once */
	}
}

/* QEMU's cmos_ops implement 1-byte accesses only: the memory core splits a wider (aligned) one into
 * bytes, lowest first, and the device tells the index from the data port by bit 0 of the offset
 * (cmos_ioport_read/write), so a 16-bit OUT to 0x70 selects and writes. */
u32 rtc_io(struct rtc *r, u16 offset, u8 size, bool in, u32 value, u64 now)
{
	u32 result = 0;
	if (offset % size)
		return 0; /* unaligned: refused */
	for (u8 b = 0; b < size; b++) {
		bool data_port = (offset + b) & 1;
		u8 byte = (u8)(value >> (b * BITS_PER_BYTE)), got = ALL_ONES_BYTE;
		if (data_port && in)
			got = read_data(r, now);
		else if (data_port)
			write_data(r, byte, now);
		else if (!in) {
			r->index = byte & RTC_INDEX_MASK;
			r->nmi_disabled = byte & RTC_INDEX_NMI_DISABLE;
		}
		result |= (u32)got << (b * BITS_PER_BYTE);
	}
	return in ? result : 0;
}
