/* Host unit tests for the guest runtime's spin budget (guest-tests/lib/spin_budget.h): a wait times out on
 * the waiter's own spinning; a longer TSC step between two checks (the vCPU did not run) counts as the cap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "guest-tests/lib/spin_budget.h"

#define CAP 50u

static void test_small_steps_spend_it_exactly(void **state)
{
	(void)state;
	struct spin_budget b = { 1000, 100 };
	for (u64 now = 1010; now < 1100; now += 10)
		assert_false(spin_budget_step(&b, now, CAP));
	assert_true(spin_budget_step(&b, 1100, CAP)); /* the tenth step of 10 ends the 100 ticks */
	assert_int_equal(b.left, 0);
}

static void test_long_step_counts_as_cap(void **state)
{
	(void)state;
	struct spin_budget b = { 1000, 100 };
	assert_false(spin_budget_step(&b, 1000 + 1000000000ull, CAP)); /* a frozen vCPU: 50 of 1e9 count */
	assert_int_equal(b.left, 100 - CAP);
	assert_int_equal(b.last, 1000 + 1000000000ull);
	assert_false(spin_budget_step(&b, b.last + CAP - 1, CAP)); /* just under the cap counts whole */
	assert_int_equal(b.left, 1);
	assert_true(spin_budget_step(&b, b.last + CAP, CAP));
}

static void test_backwards_tsc_counts_as_cap(void **state)
{
	(void)state;
	struct spin_budget b = { 5000, 100 };
	assert_false(spin_budget_step(&b, 10, CAP)); /* the guest wrote its TSC back */
	assert_int_equal(b.left, 100 - CAP);
	assert_int_equal(b.last, 10);
}

static void test_empty_budget_is_spent_at_once(void **state)
{
	(void)state;
	struct spin_budget b = { 7, 0 };
	assert_true(spin_budget_step(&b, 7, CAP));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small_steps_spend_it_exactly),
		cmocka_unit_test(test_long_step_counts_as_cap),
		cmocka_unit_test(test_backwards_tsc_counts_as_cap),
		cmocka_unit_test(test_empty_budget_is_spent_at_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
