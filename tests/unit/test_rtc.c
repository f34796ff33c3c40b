/* Host unit tests for the RTC/CMOS model (hv/platform/rules/rtc.h). Expectations restate the MC146818 data
 * sheet's registers and QEMU 7.2's pc_cmos_init() / SeaBIOS rtc_setup() with their own numbers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "hv/platform/rules/rtc.h"

#define HZ 2000000000ull
#define T0 5000ull
#define MIB (1024ull * 1024)

static struct rtc r;

static uint8_t cmos(uint8_t index, uint64_t now)
{
	rtc_io(&r, 0, 1, false, index, now);
	return (uint8_t)rtc_io(&r, 1, 1, true, 0, now);
}

static void cmos_write(uint8_t index, uint8_t v, uint64_t now)
{
	rtc_io(&r, 0, 1, false, index, now);
	rtc_io(&r, 1, 1, false, v, now);
}

static int setup(void **state)
{
	memset(&r, 0x5A, sizeof(r));
	rtc_init(&r, HZ, T0, 128 * MIB, 4);
	return 0;
}

static void test_calendar(void **state)
{
	struct rtc_time t;
	rtc_time_from_seconds(0, &t);
	assert_int_equal(t.year, 1970);
	assert_int_equal(t.month, 1);
	assert_int_equal(t.day, 1);
	assert_int_equal(t.weekday, 5); /* Thursday, Sunday = 1 */
	rtc_time_from_seconds(951782400, &t); /* 2000-02-29 00:00:00, a leap day */
	assert_int_equal(t.year, 2000);
	assert_int_equal(t.month, 2);
	assert_int_equal(t.day, 29);
	assert_int_equal(t.weekday, 3); /* Tuesday */
	rtc_time_from_seconds(1767225600 - 1, &t); /* 2025-12-31 23:59:59 */
	assert_int_equal(t.year, 2025);
	assert_int_equal(t.month, 12);
	assert_int_equal(t.day, 31);
	assert_int_equal(t.hour, 23);
	assert_int_equal(t.minute, 59);
	assert_int_equal(t.second, 59);
	for (uint64_t s = 0; s < 4102444800ull; s += 86400ull * 37 + 3671) { /* to 2100, round trips */
		rtc_time_from_seconds(s, &t);
		assert_int_equal(rtc_seconds_from_time(&t), s);
	}
}

/* Reset: 2026-01-01 00:00:00 Thursday, BCD, 24 h; status registers as SeaBIOS leaves them. */
static void test_reset_state(void **state)
{
	assert_int_equal(cmos(0x00, T0), 0x00);
	assert_int_equal(cmos(0x04, T0), 0x00);
	assert_int_equal(cmos(0x06, T0), 0x05);
	assert_int_equal(cmos(0x07, T0), 0x01);
	assert_int_equal(cmos(0x08, T0), 0x01);
	assert_int_equal(cmos(0x09, T0), 0x26);
	assert_int_equal(cmos(0x32, T0), 0x20); /* century, BCD */
	assert_int_equal(cmos(0x0A, T0), 0x26);
	assert_int_equal(cmos(0x0B, T0), 0x02);
	assert_int_equal(cmos(0x0C, T0), 0x00);
	assert_int_equal(cmos(0x0D, T0), 0x80);
	assert_int_equal(rtc_io(&r, 0, 1, true, 0, T0), 0xFF); /* the index port reads 0xFF */
}

/* pc_cmos_init(): 128 MiB -> base 640 KiB, KiB above 1 MiB saturated at 65535, 112 MiB above 16 MiB in
 * 64 KiB units; 32 MiB -> 31 MiB above 1 MiB. */
static void test_memory_bytes(void **state)
{
	assert_int_equal(cmos(0x15, T0) | cmos(0x16, T0) << 8, 640);
	assert_int_equal(cmos(0x17, T0) | cmos(0x18, T0) << 8, 65535);
	assert_int_equal(cmos(0x30, T0) | cmos(0x31, T0) << 8, 65535);
	assert_int_equal(cmos(0x34, T0) | cmos(0x35, T0) << 8, 112 * 16);
	assert_int_equal(cmos(0x5B, T0) | cmos(0x5C, T0) | cmos(0x5D, T0), 0);
	assert_int_equal(cmos(0x5F, T0), 3); /* CPUs - 1 */
	rtc_init(&r, HZ, T0, 32 * MIB, 2);
	assert_int_equal(cmos(0x17, T0) | cmos(0x18, T0) << 8, 31 * 1024);
	assert_int_equal(cmos(0x30, T0) | cmos(0x31, T0) << 8, 31 * 1024);
	assert_int_equal(cmos(0x34, T0) | cmos(0x35, T0) << 8, 16 * 16);
	assert_int_equal(cmos(0x5F, T0), 1);
	rtc_init(&r, HZ, T0, 2048 * MIB, 1);
	assert_int_equal(cmos(0x34, T0) | cmos(0x35, T0) << 8, (2048 - 16) * 16);
	assert_int_equal(cmos(0x5F, T0), 0);
	rtc_init(&r, HZ, T0, 16 * MIB, 1);
	assert_int_equal(cmos(0x34, T0) | cmos(0x35, T0) << 8, 0);
}

static void test_time_advances(void **state)
{
	uint64_t t = T0 + 3723 * HZ + HZ / 2; /* 01:02:03.5 */
	assert_int_equal(cmos(0x00, t), 0x03);
	assert_int_equal(cmos(0x02, t), 0x02);
	assert_int_equal(cmos(0x04, t), 0x01);
	t = T0 + 86400 * HZ * 31; /* 2026-02-01, a Sunday */
	assert_int_equal(cmos(0x07, t), 0x01);
	assert_int_equal(cmos(0x08, t), 0x02);
	assert_int_equal(cmos(0x06, t), 0x01);
}

static void test_binary_and_12_hour(void **state)
{
	uint64_t t = T0 + 13 * 3600 * HZ + 45 * HZ; /* 13:00:45 */
	cmos_write(0x0B, 0x04, t);                   /* binary, 12 hour */
	assert_int_equal(cmos(0x00, t), 45);
	assert_int_equal(cmos(0x04, t), 0x80 | 1); /* 1 PM */
	assert_int_equal(cmos(0x09, t), 26);
	assert_int_equal(cmos(0x04, T0), 12); /* midnight is 12 AM */
	cmos_write(0x0B, 0x00, t);            /* BCD, 12 hour */
	assert_int_equal(cmos(0x04, T0 + 12 * 3600 * HZ), 0x80 | 0x12); /* noon is 12 PM */
	assert_int_equal(cmos(0x04, T0 + 23 * 3600 * HZ), 0x80 | 0x11);
}

/* SET freezes the clock; the time written while SET starts running when SET clears. */
static void test_set_time(void **state)
{
	uint64_t t = T0 + 10 * HZ;
	cmos_write(0x0B, 0x82, t); /* SET, 24 hour, BCD */
	assert_int_equal(cmos(0x00, t + 5 * HZ), 0x10); /* frozen at 00:00:10 */
	assert_int_equal(cmos(0x0A, t + HZ - 1) & 0x80, 0); /* no UIP while SET */
	cmos_write(0x09, 0x99, t);
	cmos_write(0x32, 0x19, t);
	cmos_write(0x08, 0x12, t);
	cmos_write(0x07, 0x31, t);
	cmos_write(0x04, 0x23, t);
	cmos_write(0x02, 0x59, t);
	cmos_write(0x00, 0x58, t);
	cmos_write(0x0B, 0x02, t + 7 * HZ);
	assert_int_equal(cmos(0x00, t + 7 * HZ), 0x58);
	assert_int_equal(cmos(0x00, t + 9 * HZ), 0x00); /* 2000-01-01 00:00:00 */
	assert_int_equal(cmos(0x09, t + 9 * HZ), 0x00);
	assert_int_equal(cmos(0x32, t + 9 * HZ), 0x20);
	assert_int_equal(cmos(0x08, t + 9 * HZ), 0x01);
	assert_int_equal(cmos(0x06, t + 9 * HZ), 0x07); /* Saturday */
}

static void test_status_registers(void **state)
{
	assert_int_equal(cmos(0x0A, T0 + HZ - HZ / 1000000 * 100) & 0x80, 0x80); /* 100 us before an update */
	assert_int_equal(cmos(0x0A, T0 + HZ / 2) & 0x80, 0);
	cmos_write(0x0A, 0xA6, T0);
	assert_int_equal(cmos(0x0A, T0) & 0x7F, 0x26); /* UIP is read-only */
	assert_int_equal(cmos(0x0C, T0 + HZ / 2), 0x00);
	assert_int_equal(cmos(0x0C, T0 + HZ + 1), 0x10); /* UF after the update */
	assert_int_equal(cmos(0x0C, T0 + HZ + 2), 0x00); /* read clears */
	cmos_write(0x0C, 0xFF, T0);
	cmos_write(0x0D, 0x00, T0);
	assert_int_equal(cmos(0x0D, T0), 0x80); /* read-only */
}

static void test_ram_and_index(void **state)
{
	cmos_write(0x40, 0xAB, T0);
	assert_int_equal(cmos(0x40, T0), 0xAB);
	cmos_write(0x7F, 0x11, T0);
	assert_int_equal(cmos(0x7F, T0), 0x11);
	rtc_io(&r, 0, 1, false, 0x80 | 0x40, T0); /* NMI disable bit: index 0x40 */
	assert_true(r.nmi_disabled);
	assert_int_equal(rtc_io(&r, 1, 1, true, 0, T0), 0xAB);
	rtc_io(&r, 0, 1, false, 0x40, T0);
	assert_false(r.nmi_disabled);
	/* A 16-bit OUT to 0x70 selects (low byte) and writes (high byte); a 16-bit IN reads 0xFF, data. */
	rtc_io(&r, 0, 2, false, 0x5541, T0);
	assert_int_equal(cmos(0x41, T0), 0x55);
	rtc_io(&r, 0, 1, false, 0x41, T0);
	assert_int_equal(rtc_io(&r, 0, 2, true, 0, T0), 0x55FF);
	assert_int_equal(rtc_io(&r, 1, 2, true, 0, T0), 0); /* unaligned */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_calendar, setup),
		cmocka_unit_test_setup(test_reset_state, setup),
		cmocka_unit_test_setup(test_memory_bytes, setup),
		cmocka_unit_test_setup(test_time_advances, setup),
		cmocka_unit_test_setup(test_binary_and_12_hour, setup),
		cmocka_unit_test_setup(test_set_time, setup),
		cmocka_unit_test_setup(test_status_registers, setup),
		cmocka_unit_test_setup(test_ram_and_index, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
