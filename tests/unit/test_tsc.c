/* Host unit tests for hv/rules/tsc.c (the guest TSC offset and IA32_TSC_ADJUST, SDM Vol. 3B §18.17.3) and the
 * APIC timer's reaction to a TSC change (vlapic_timer_tsc_changed()). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "hv/apic/rules/vlapic.h"
#include "hv/rules/tsc.h"

#define HOST 1000000ull

static void test_reset_is_host(void **state)
{
	struct guest_tsc t = { 0 };
	assert_int_equal(tsc_guest_now(&t, HOST), HOST);
	assert_int_equal(tsc_guest_to_host(&t, HOST + 5), HOST + 5);
	assert_int_equal(t.adjust, 0);
}

/* WRMSR IA32_TSC: the TSC reads the value at once and TSC_ADJUST moves by the same difference. */
static void test_tsc_write(void **state)
{
	struct guest_tsc t = { 0 };
	assert_int_equal(tsc_write(&t, HOST, HOST + 500), 500);
	assert_int_equal(tsc_guest_now(&t, HOST), HOST + 500);
	assert_int_equal(tsc_guest_now(&t, HOST + 10), HOST + 510); /* keeps counting */
	assert_int_equal(t.adjust, 500);
	/* Backwards, to 0: the difference is negative, modulo 2^64 as the hardware's. */
	u64 d = tsc_write(&t, HOST + 10, 0);
	assert_int_equal(d, (u64)0 - (HOST + 510));
	assert_int_equal(tsc_guest_now(&t, HOST + 10), 0);
	assert_int_equal(tsc_guest_now(&t, HOST + 11), 1);
	assert_int_equal(t.adjust, (u64)500 - (HOST + 510));
	assert_int_equal(tsc_guest_to_host(&t, 100), HOST + 110);
}

/* WRMSR IA32_TSC_ADJUST: the TSC moves by new - old. */
static void test_adjust_write(void **state)
{
	struct guest_tsc t = { 0 };
	assert_int_equal(tsc_adjust_write(&t, 1000), 1000);
	assert_int_equal(t.adjust, 1000);
	assert_int_equal(tsc_guest_now(&t, HOST), HOST + 1000);
	assert_int_equal(tsc_adjust_write(&t, 400), (u64)-600);
	assert_int_equal(tsc_guest_now(&t, HOST), HOST + 400);
	/* A TSC write then an ADJUST write back to 0 undoes the TSC write. */
	tsc_write(&t, HOST, 7);
	tsc_adjust_write(&t, 0);
	assert_int_equal(tsc_guest_now(&t, HOST), HOST);
	assert_int_equal(t.offset, 0);
}

static void arm(struct vlapic *a, u32 mode, u64 now)
{
	struct vlapic_effects fx;
	vlapic_reset(a, 0, true);
	vlapic_fx_clear(&fx);
	u32 old = a->lvt[VLAPIC_LVT_TIMER];
	a->lvt[VLAPIC_LVT_TIMER] = 0x40 | (mode << VLAPIC_LVT_TIMER_MODE_SHIFT);
	vlapic_timer_write_lvt(a, old, &fx);
	if (mode == VLAPIC_TIMER_TSC_DEADLINE)
		vlapic_set_tsc_deadline(a, now, now + 1000, &fx);
	else
		vlapic_timer_write_initial(a, now, 100, &fx); /* divide by 2 (TDCR 0): 200 ticks */
}

static void test_timer_follows_tsc(void **state)
{
	struct vlapic a;
	arm(&a, VLAPIC_TIMER_ONESHOT, HOST);
	u64 before = vlapic_timer_next(&a);
	vlapic_timer_tsc_changed(&a, 5000);
	assert_int_equal(vlapic_timer_next(&a), before + 5000); /* same time left */
	assert_int_equal(vlapic_timer_current(&a, HOST + 5000), 100);

	arm(&a, VLAPIC_TIMER_TSC_DEADLINE, HOST);
	vlapic_timer_tsc_changed(&a, 5000);
	assert_int_equal(vlapic_timer_next(&a), HOST + 1000); /* a TSC value: stays, now already due */
	assert_int_equal(vlapic_get_tsc_deadline(&a), HOST + 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reset_is_host),
		cmocka_unit_test(test_tsc_write),
		cmocka_unit_test(test_adjust_write),
		cmocka_unit_test(test_timer_follows_tsc),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
