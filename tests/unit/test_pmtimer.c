/* Host unit tests for the ICH9 ACPI PM block model (hv/platform/rules/pmtimer.h). Expectations restate ACPI 6.5
 * section 4.8 (PM1 registers, PM timer) and QEMU 7.2's hw/acpi/core.c, ich9.c with their own numbers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "hv/platform/rules/pmtimer.h"

#define HZ 3000000000ull /* a 3 GHz TSC */
#define T0 1000000ull
#define STS 0x00
#define EN 0x02
#define CNT 0x04
#define TMR 0x08
#define GPE0 0x20

static struct pm pm;
static enum pm_action act;

static uint32_t in(uint16_t off, uint8_t size, uint64_t now)
{
	return pm_io(&pm, off, size, true, 0, now, &act);
}

static enum pm_action out(uint16_t off, uint8_t size, uint32_t v, uint64_t now)
{
	assert_int_equal(pm_io(&pm, off, size, false, v, now, &act), 0);
	return act;
}

static int setup(void **state)
{
	memset(&pm, 0xA5, sizeof(pm)); /* pm_init must not depend on the old contents */
	pm_init(&pm, HZ, T0);
	return 0;
}

/* 3.579545 MHz from the TSC, 24 bits, wrapping; narrower reads get the low bytes at any offset. */
static void test_timer_rate_and_width(void **state)
{
	assert_int_equal(in(TMR, 4, T0), 0);
	assert_int_equal(in(TMR, 4, T0 + HZ), 3579545);            /* one second */
	assert_int_equal(in(TMR, 4, T0 + HZ / 1000), 3579);        /* one millisecond (3579.545) */
	assert_int_equal(in(TMR, 4, T0 + 10 * HZ), 35795450 & 0xFFFFFF); /* wrapped at 2^24 */
	assert_int_equal(in(TMR, 4, T0 + 10 * HZ) >> 24, 0);
	assert_int_equal(pm_ticks(&pm, T0 + 10 * HZ), 35795450);
	/* A day of TSC at 3 GHz does not overflow the conversion. */
	assert_int_equal(pm_ticks(&pm, T0 + 86400 * HZ), 86400ull * 3579545);
	assert_int_equal(in(TMR, 2, T0 + HZ), 3579545 & 0xFFFF); /* QEMU's acpi_pm_tmr_ops: impl 4 bytes */
	assert_int_equal(in(TMR, 1, T0 + HZ), 3579545 & 0xFF);
	assert_int_equal(in(TMR + 2, 2, T0 + HZ), 3579545 & 0xFFFF); /* the offset is ignored */
	assert_int_equal(in(TMR + 3, 1, T0 + HZ), 3579545 & 0xFF);
	assert_int_equal(in(TMR + 1, 2, T0 + HZ), 0); /* unaligned: refused */
	assert_int_equal(out(TMR, 4, 0x123456, T0 + HZ), PM_NONE); /* read-only */
	assert_int_equal(in(TMR, 4, T0 + HZ), 3579545);
	assert_int_equal(in(TMR, 4, T0 - 5), 0); /* a TSC before the start reads 0, never garbage */
}

/* TMR_STS: set when bit 23 changes (every 2^23 ticks, 2.34 s), write 1 to clear, re-armed then. */
static void test_tmr_sts(void **state)
{
	uint64_t tick = HZ / 3579545 + 1; /* TSC cycles per tick, rounded up */
	uint64_t edge = T0 + (1ull << 23) * HZ / 3579545 + tick;
	assert_int_equal(in(STS, 2, T0), 0);
	assert_int_equal(in(STS, 2, edge - 2 * tick), 0);
	assert_int_equal(in(STS, 2, edge), 1);
	assert_int_equal(in(STS, 2, edge + HZ), 1); /* latched */
	out(STS, 2, 0x0000, edge + HZ);             /* writing 0 clears nothing */
	assert_int_equal(in(STS, 2, edge + HZ), 1);
	out(STS, 2, 0x0001, edge + HZ);
	assert_int_equal(in(STS, 2, edge + HZ), 0);
	assert_int_equal(in(STS, 2, edge + HZ + HZ / 2), 0);
	assert_int_equal(in(STS, 2, T0 + (2ull << 23) * HZ / 3579545 + tick), 1); /* the next change */
	assert_int_equal(in(STS, 1, T0 + (2ull << 23) * HZ / 3579545 + tick), 1);
}

static void test_enable_and_widths(void **state)
{
	out(EN, 2, 0x0121, T0);
	assert_int_equal(in(EN, 2, T0), 0x0121);
	assert_int_equal(in(EN, 1, T0), 0x21);
	assert_int_equal(in(EN + 1, 1, T0), 0); /* odd byte: QEMU's 16-bit handler sees offset 3, reads 0 */
	out(EN + 1, 1, 0xFF, T0);               /* ... and writes nothing */
	assert_int_equal(in(EN, 2, T0), 0x0121);
	out(EN, 1, 0x01, T0); /* an even byte is the whole new value */
	assert_int_equal(in(EN, 2, T0), 0x0001);
	assert_int_equal(in(STS, 4, T0), 0);     /* 32-bit: refused (valid.max_access_size 2) */
	assert_int_equal(in(STS + 1, 2, T0), 0); /* unaligned: refused */
	assert_int_equal(in(0x06, 2, T0), 0xFFFF); /* no register: like an unassigned port */
	assert_int_equal(in(0x0C, 4, T0), 0xFFFFFFFF);
	assert_int_equal(in(0x40, 1, T0), 0xFF);
}

/* PM1_CNT: SCI_EN and SLP_TYP kept, SLP_EN write-only; S5 and S4 power off, S3 suspends. */
static void test_pm1_cnt_sleep(void **state)
{
	assert_int_equal(in(CNT, 2, T0), 0);
	assert_int_equal(out(CNT, 2, 0x0001 | (5 << 10), T0), PM_NONE);
	assert_int_equal(in(CNT, 2, T0), 0x1401);
	assert_int_equal(in(CNT + 1, 1, T0), 0x14); /* the control handler shifts: cnt >> 8 */
	assert_int_equal(out(CNT, 2, 0x2000 | (5 << 10), T0), PM_NONE); /* SLP_TYP 5: QEMU does nothing */
	assert_int_equal(in(CNT, 2, T0) & 0x2000, 0);                   /* SLP_EN reads 0 */
	assert_int_equal(out(CNT, 2, 0x2000 | (1 << 10), T0), PM_SUSPEND);
	assert_int_equal(out(CNT, 2, 0x2000 | (2 << 10), T0), PM_POWER_OFF);
	assert_int_equal(out(CNT, 2, 0x2000 | (0 << 10) | 1, T0), PM_POWER_OFF);
	assert_int_equal(out(CNT + 1, 1, 0x20, T0), PM_POWER_OFF); /* byte 1: SLP_EN with SLP_TYP 0 */
	assert_int_equal(out(CNT, 2, 0x0000, T0), PM_NONE);
	assert_int_equal(out(CNT, 1, 0xFF, T0), PM_NONE); /* the low byte holds no SLP_EN */
	assert_int_equal(in(CNT, 2, T0), 0x00FF);
}

static void test_apm_acpi_enable(void **state)
{
	assert_int_equal(pm_apm_io(&pm, 0xB2, 1, false, 0x02), 0);
	assert_int_equal(in(CNT, 2, T0) & 1, 1); /* SCI_EN */
	assert_int_equal(pm_apm_io(&pm, 0xB2, 1, true, 0), 0x02);
	pm_apm_io(&pm, 0xB2, 1, false, 0x03);
	assert_int_equal(in(CNT, 2, T0) & 1, 0);
	pm_apm_io(&pm, 0xB2, 1, false, 0x77); /* other commands: only stored */
	assert_int_equal(in(CNT, 2, T0) & 1, 0);
	pm_apm_io(&pm, 0xB3, 1, false, 0x5A);
	assert_int_equal(pm_apm_io(&pm, 0xB3, 1, true, 0), 0x5A);
	assert_int_equal(pm_apm_io(&pm, 0xB2, 2, true, 0), 0);
}

static void test_gpe0(void **state)
{
	out(GPE0 + 8, 4, 0x04030201, T0);
	assert_int_equal(in(GPE0 + 8, 4, T0), 0x04030201);
	assert_int_equal(in(GPE0 + 9, 1, T0), 0x02);
	assert_int_equal(in(GPE0, 4, T0), 0); /* no GPE source: status 0 */
	out(GPE0, 4, 0xFFFFFFFF, T0);
	assert_int_equal(in(GPE0, 4, T0), 0);
	assert_int_equal(in(GPE0 + 2, 4, T0), 0); /* unaligned */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_timer_rate_and_width, setup),
		cmocka_unit_test_setup(test_tmr_sts, setup),
		cmocka_unit_test_setup(test_enable_and_widths, setup),
		cmocka_unit_test_setup(test_pm1_cnt_sleep, setup),
		cmocka_unit_test_setup(test_apm_acpi_enable, setup),
		cmocka_unit_test_setup(test_gpe0, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
