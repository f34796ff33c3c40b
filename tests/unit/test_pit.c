/* Host unit tests for the 8254 PIT model (hv/platform/rules/pit.h). The expectations restate QEMU's
 * hw/timer/i8254.c, hw/audio/pcspk.c and the 82C54 datasheet with their own constants. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "hv/platform/rules/pit.h"

#define CH0 0
#define CH2 2
#define CTRL 3
#define CW(ch, access, mode) ((uint8_t)((ch) << 6 | (access) << 4 | (mode) << 1))
#define LOBYTE 1
#define HIBYTE 2
#define LOHI 3
#define P61_GATE 0x01
#define P61_SPK 0x02
#define P61_REFRESH 0x10
#define P61_OUT2 0x20

static struct pit p;

static int setup(void **state)
{
	(void)state;
	pit_init(&p, 0);
	return 0;
}

static void load(unsigned ch, unsigned mode, uint16_t count, uint64_t now)
{
	pit_write(&p, CTRL, CW(ch, LOHI, mode), now);
	pit_write(&p, ch, (uint8_t)count, now);
	pit_write(&p, ch, (uint8_t)(count >> 8), now);
}

static uint16_t read_lohi(unsigned ch, uint64_t now)
{
	uint8_t lo = pit_read(&p, ch, now);
	return (uint16_t)(lo | pit_read(&p, ch, now) << 8);
}

static void test_reset(void **state)
{
	(void)state;
	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(p.ch[i].mode, 3);
		assert_int_equal(p.ch[i].count, 0x10000);
	}
	assert_true(p.ch[0].gate);
	assert_false(p.ch[2].gate);
	/* Channel 0 runs at 18.2 Hz from reset: the first edge after 65536 ticks. */
	assert_int_equal(pit_irq0_next(&p), 0x10000);
	assert_int_equal(pit_read(&p, CTRL, 5), 0); /* write-only */
}

static void test_mode0_count_and_out(void **state)
{
	(void)state;
	load(CH2, 0, 1000, 100);
	assert_int_equal(pit_current_count(&p.ch[2], 100), 1000);
	assert_int_equal(read_lohi(CH2, 350), 750);
	assert_false(pit_out(&p.ch[2], 1099));
	assert_true(pit_out(&p.ch[2], 1100));
	assert_int_equal(read_lohi(CH2, 1101), 0xFFFF); /* wraps after terminal count */
	/* The count starts at the second byte only. */
	pit_write(&p, CTRL, CW(CH2, LOHI, 0), 2000);
	pit_write(&p, CH2, 0x10, 2000);
	assert_true(pit_out(&p.ch[2], 2500)); /* still the old count's state */
	assert_int_equal(pit_current_count(&p.ch[2], 2500), (1000 - 2400) & 0xFFFF); /* the old count runs on */
	pit_write(&p, CH2, 0x00, 3000);
	assert_int_equal(p.ch[2].count, 0x10);
	assert_false(pit_out(&p.ch[2], 3015));
	assert_true(pit_out(&p.ch[2], 3016));
}

static void test_access_modes(void **state)
{
	(void)state;
	pit_write(&p, CTRL, CW(CH2, LOBYTE, 0), 0);
	pit_write(&p, CH2, 0x34, 0);
	assert_int_equal(p.ch[2].count, 0x34);
	assert_int_equal(pit_read(&p, CH2, 4), 0x30);
	assert_int_equal(pit_read(&p, CH2, 4), 0x30); /* lobyte every time */
	pit_write(&p, CTRL, CW(CH2, HIBYTE, 0), 0);
	pit_write(&p, CH2, 0x12, 0);
	assert_int_equal(p.ch[2].count, 0x1200);
	assert_int_equal(pit_read(&p, CH2, 0x100), 0x11);
	pit_write(&p, CH2, 0, 0); /* 0 is 65536 */
	assert_int_equal(p.ch[2].count, 0x10000);
	load(CH2, 0, 0x1234, 0);
	assert_int_equal(read_lohi(CH2, 0), 0x1234);
}

static void test_latch_and_readback(void **state)
{
	(void)state;
	load(CH0, 2, 5000, 0);
	pit_write(&p, CTRL, CW(CH0, 0, 0), 1000); /* counter latch */
	assert_int_equal(pit_read(&p, CH0, 3000), 4000 & 0xFF);
	pit_write(&p, CTRL, CW(CH0, 0, 0), 3500); /* a second latch while the first is unread: ignored */
	assert_int_equal(pit_read(&p, CH0, 3000), 4000 >> 8);
	assert_int_equal(read_lohi(CH0, 3000), 2000); /* live again */
	/* Read-back: status and count of channel 0 (bits 5, 4 clear = both). */
	pit_write(&p, CTRL, 0xC0 | 0x02, 4000);
	uint8_t status = pit_read(&p, CH0, 4500);
	assert_int_equal(status, LOHI << 4 | 2 << 1); /* OUT low mid-period in mode 2 */
	assert_int_equal(read_lohi(CH0, 4500), 1000);
	/* Status only, with OUT high (mode 0 after terminal count), and BCD reported. */
	pit_write(&p, CTRL, CW(CH2, LOBYTE, 0) | 1, 0);
	pit_write(&p, CH2, 10, 0);
	pit_write(&p, CTRL, 0xC0 | 0x20 | 0x08, 20);
	assert_int_equal(pit_read(&p, CH2, 20), 0x80 | LOBYTE << 4 | 0 << 1 | 1);
	assert_int_equal(pit_read(&p, CH2, 25), (uint8_t)(10 - 25));
}

static void test_mode2_mode3(void **state)
{
	(void)state;
	load(CH2, 2, 100, 0);
	assert_int_equal(pit_current_count(&p.ch[2], 30), 70);
	assert_int_equal(pit_current_count(&p.ch[2], 130), 70); /* periodic */
	assert_true(pit_out(&p.ch[2], 200));
	assert_false(pit_out(&p.ch[2], 201));
	load(CH2, 3, 100, 0);
	assert_int_equal(pit_current_count(&p.ch[2], 10), 80); /* by two */
	assert_true(pit_out(&p.ch[2], 49));
	assert_false(pit_out(&p.ch[2], 50));
	assert_true(pit_out(&p.ch[2], 100));
	pit_write(&p, CTRL, CW(CH2, LOHI, 6), 0); /* mode 6 is mode 2, 7 is 3 */
	assert_int_equal(p.ch[2].mode, 2);
	pit_write(&p, CTRL, CW(CH2, LOHI, 7), 0);
	assert_int_equal(p.ch[2].mode, 3);
}

static void test_port61_and_gate(void **state)
{
	(void)state;
	uint8_t a = pit_port61_read(&p, 0), b = pit_port61_read(&p, 0);
	assert_int_equal((a ^ b) & 0xFF, P61_REFRESH); /* only the refresh bit toggles */
	assert_int_equal(a & P61_GATE, 0);
	pit_port61_write(&p, P61_GATE | P61_SPK, 10);
	uint8_t c = pit_port61_read(&p, 10);
	assert_true(c & P61_GATE);
	assert_true(c & P61_SPK);
	/* TSC calibration as microhv does it: gate on, mode 0, poll OUT2. */
	pit_port61_write(&p, P61_GATE, 1000);
	load(CH2, 0, 11932, 1000);
	assert_false(pit_port61_read(&p, 12931) & P61_OUT2);
	assert_true(pit_port61_read(&p, 12932) & P61_OUT2);
	/* A rising gate restarts mode 2, not mode 0. */
	load(CH2, 2, 100, 0);
	pit_port61_write(&p, 0, 50);
	pit_port61_write(&p, P61_GATE, 60);
	assert_int_equal(pit_current_count(&p.ch[2], 70), 90);
	load(CH2, 0, 100, 0);
	pit_port61_write(&p, 0, 50);
	pit_port61_write(&p, P61_GATE, 60);
	assert_int_equal(pit_current_count(&p.ch[2], 70), 30);
}

static void test_irq0_edges(void **state)
{
	(void)state;
	load(CH0, 2, 1000, 500);
	assert_int_equal(pit_irq0_next(&p), 1500);
	assert_int_equal(pit_irq0_take(&p, 1499), 0);
	assert_int_equal(pit_irq0_take(&p, 1500), 1);
	assert_int_equal(pit_irq0_next(&p), 2500);
	assert_int_equal(pit_irq0_take(&p, 5600), 4); /* 2500, 3500, 4500, 5500 */
	assert_int_equal(pit_irq0_next(&p), 6500);
	load(CH0, 3, 1000, 7000);
	assert_int_equal(pit_irq0_next(&p), 8000);
	load(CH0, 0, 300, 9000); /* one-shot */
	assert_int_equal(pit_irq0_next(&p), 9300);
	assert_int_equal(pit_irq0_take(&p, 9400), 1);
	assert_int_equal(pit_irq0_next(&p), 0);
	assert_int_equal(pit_irq0_take(&p, 99999), 0);
	load(CH0, 1, 300, 100000); /* gate-triggered: never on channel 0 */
	assert_int_equal(pit_irq0_next(&p), 0);
}

static void test_tsc_conversion(void **state)
{
	(void)state;
	const uint64_t hz = 2999999999ull;
	assert_int_equal(pit_ticks_from_tsc(hz, hz), PIT_HZ);
	assert_int_equal(pit_ticks_from_tsc(hz * 3600, hz), 3600ull * PIT_HZ);
	for (uint64_t t = 1; t < (1ull << 40); t = t * 3 + 7) {
		uint64_t tsc = pit_tsc_from_ticks(t, hz);
		assert_true(pit_ticks_from_tsc(tsc, hz) >= t);     /* the tick has passed at that TSC */
		assert_true(pit_ticks_from_tsc(tsc - 1, hz) < t);  /* and not one TSC tick earlier */
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_reset, setup),
		cmocka_unit_test_setup(test_mode0_count_and_out, setup),
		cmocka_unit_test_setup(test_access_modes, setup),
		cmocka_unit_test_setup(test_latch_and_readback, setup),
		cmocka_unit_test_setup(test_mode2_mode3, setup),
		cmocka_unit_test_setup(test_port61_and_gate, setup),
		cmocka_unit_test_setup(test_irq0_edges, setup),
		cmocka_unit_test_setup(test_tsc_conversion, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
