/* The MC146818 RTC and CMOS RAM at ports 0x70/0x71, as QEMU q35 shows it to a kernel booted by SeaBIOS
 * (hw/rtc/mc146818rtc.c, hw/i386/pc.c pc_cmos_init(), SeaBIOS rtc_setup()). Pure model: time comes in as
 * TSC values.
 *
 *   0x70 write: bits 6:0 select one of the 128 CMOS bytes, bit 7 is the NMI mask (kept, no NMI source);
 *        read: 0xFF (QEMU's cmos_ioport_read of the index port)
 *   0x71: the selected byte. 0x00-0x09 the time and date: seconds, minutes, hours, day of week, day of
 *        month, month, year in BCD or binary (status B bit 2) and 12 or 24 hour form (status B bit 1: in
 *        12 hour form the hour is 1-12 with bit 7 for PM); 0x0A status A (bit 7 UIP, read-only: set during
 *        the last 244 us of each second, as QEMU), 0x0B status B (SET, bit 7, freezes the clock: writes to
 *        the time bytes then set it when SET clears), 0x0C status C (UF, bit 4, once a second has
 *        passed since the last read; reading clears it; no alarm, periodic or update interrupt is raised:
 *        IRQ8 is not wired), 0x0D status D (0x80: valid RAM and time), 0x32 the century (BCD as the
 *        year), and the bytes QEMU writes at boot: 0x15/0x16 base memory (640 KiB), 0x17/0x18 and
 *        0x30/0x31 KiB above 1 MiB (at most 65535), 0x34/0x35 64-KiB units above 16 MiB below 4 GiB,
 *        0x5B-0x5D 64-KiB units above 4 GiB, 0x5F the CPU count minus one. Every other byte is RAM that
 *        reads what was written, 0 at first.
 * Status A/B/C/D start as SeaBIOS leaves them: 0x26, 0x02 (24 hour, BCD), 0x00, 0x80.
 * The clock starts at RTC_EPOCH (a fixed time, so that runs are reproducible; QEMU starts from the host's
 * clock) and advances with the TSC. */
#ifndef HV_PLATFORM_RTC_H
#define HV_PLATFORM_RTC_H

#include "../../lib/types.h"

#define RTC_PORT_INDEX 0x70
#define RTC_PORT_DATA 0x71
#define RTC_PORTS 2
#define RTC_CMOS_BYTES 128

#define RTC_SECONDS 0x00
#define RTC_MINUTES 0x02
#define RTC_HOURS 0x04
#define RTC_DAY_OF_WEEK 0x06
#define RTC_DAY_OF_MONTH 0x07
#define RTC_MONTH 0x08
#define RTC_YEAR 0x09
#define RTC_REG_A 0x0A
#define RTC_REG_B 0x0B
#define RTC_REG_C 0x0C
#define RTC_REG_D 0x0D
#define RTC_CENTURY 0x32
#define RTC_REG_A_UIP 0x80
#define RTC_REG_B_SET 0x80
#define RTC_REG_B_DM_BINARY 0x04
#define RTC_REG_B_24H 0x02
#define RTC_REG_C_UF 0x10
#define RTC_REG_D_VRT 0x80
#define RTC_INDEX_NMI_DISABLE 0x80
#define RTC_INDEX_MASK 0x7F
#define RTC_UIP_US 244 /* QEMU: UIP is set this long before each update */

/* 2026-01-01 00:00:00 UTC, a Thursday, in seconds since 1970-01-01. */
#define RTC_EPOCH 1767225600ull

struct rtc_time {
	u32 year; /* e.g. 2026 */
	u8 month, day, hour, minute, second; /* month 1-12, day 1-31 */
	u8 weekday;                          /* 1 (Sunday) to 7, as the MC146818 counts */
};

struct rtc {
	u64 tsc_hz;
	u64 tsc_base;     /* TSC at which the clock read base_seconds */
	u64 base_seconds; /* seconds since 1970 */
	u64 uf_second;    /* the clock's second when status C was last read */
	u8 index;
	bool nmi_disabled;
	u8 cmos[RTC_CMOS_BYTES];
};

/* Seconds since 1970-01-01 <-> calendar time (proleptic Gregorian, UTC). */
void rtc_time_from_seconds(u64 seconds, struct rtc_time *t);
u64 rtc_seconds_from_time(const struct rtc_time *t);

/* Reset state at TSC `now` for a VM with `ram_size` bytes below 4 GiB (all of microhv's RAM is) and
 * `cpus` vCPUs. */
void rtc_init(struct rtc *r, u64 tsc_hz, u64 now, u64 ram_size, u32 cpus);
/* An access of `size` bytes at port 0x70 + offset (offset < RTC_PORTS). A wider aligned access is split
 * into bytes as QEMU's memory core does, even bytes to the index port and odd ones to the data port (so
 * a 16-bit OUT to 0x70 selects and writes); an unaligned one reads 0 and writes nothing. IN returns the
 * value. */
u32 rtc_io(struct rtc *r, u16 offset, u8 size, bool in, u32 value, u64 now);

#endif
