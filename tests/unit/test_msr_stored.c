/* Host unit tests for hv/rules/msr_stored.h: IA32_MISC_ENABLE (KVM's RESET value, stored) and AMD's legacy
 * performance counters (AMD only, counters 48 bits wide: APM Vol. 2 §13.2.1). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "hv/rules/msr_stored.h"

static u64 rd(struct stored_msrs *m, bool amd, u32 msr, int *handled)
{
	u64 v = 0xDEAD;
	*handled = stored_msr_access(m, amd, msr, false, &v);
	return v;
}

static void test_misc_enable(void **state)
{
	struct stored_msrs m;
	int h;
	stored_msrs_reset(&m);
	assert_int_equal(rd(&m, false, 0x1A0, &h), 0x1800); /* BTS and PEBS unavailable */
	assert_int_equal(h, 1);
	u64 v = 0x1801;
	assert_int_equal(stored_msr_access(&m, true, 0x1A0, true, &v), 1);
	assert_int_equal(rd(&m, true, 0x1A0, &h), 0x1801);
}

static void test_amd_perf(void **state)
{
	struct stored_msrs m;
	int h;
	stored_msrs_reset(&m);
	u64 ctl = 0x430076, ctr = ~0ull;
	assert_int_equal(stored_msr_access(&m, true, 0xC0010000, true, &ctl), 1);
	assert_int_equal(stored_msr_access(&m, true, 0xC0010007, true, &ctr), 1);
	assert_int_equal(rd(&m, true, 0xC0010000, &h), 0x430076);
	assert_int_equal(rd(&m, true, 0xC0010007, &h), 0xFFFFFFFFFFFFull);
	assert_int_equal(rd(&m, true, 0xC0010003, &h), 0);
	rd(&m, true, 0xC0010008, &h);
	assert_int_equal(h, 0); /* past PERF_CTR3 */
	rd(&m, false, 0xC0010000, &h);
	assert_int_equal(h, 0); /* Intel: no such MSR, #GP */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_misc_enable),
		cmocka_unit_test(test_amd_perf),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
