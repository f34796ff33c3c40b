/* Host unit tests for hv/rules/bench_null.c: which HC_BENCH_MODE arguments select a null path (docs/guest-abi.md). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "hv/rules/bench_null.h"
#include "hv/rules/guest_abi.h"

static const struct bench_null before = { .kinds = HC_BENCH_NULL_CPUID, .mmio_len = 0 };

static void test_normal_clears_everything(void **state)
{
	struct bench_null b = { .kinds = HC_BENCH_NULL_MMIO, .mmio_len = 3 };
	assert_int_equal(bench_null_select(&b, HC_BENCH_NORMAL, 0), 0);
	assert_int_equal(b.kinds, 0);
	assert_int_equal(b.mmio_len, 0);
}

static void test_every_kind_accepted(void **state)
{
	struct bench_null b = before;
	assert_int_equal(bench_null_select(&b, HC_BENCH_NULL_KINDS, 2), 0);
	assert_int_equal(b.kinds, HC_BENCH_NULL_KINDS);
	assert_int_equal(b.mmio_len, 2);
	assert_int_equal(bench_null_select(&b, HC_BENCH_NULL_RDMSR | HC_BENCH_NULL_HLT, 0), 0);
	assert_int_equal(b.kinds, HC_BENCH_NULL_RDMSR | HC_BENCH_NULL_HLT);
}

/* The length only matters with the MMIO kind: without it a stale length must not linger. */
static void test_length_kept_only_for_mmio(void **state)
{
	struct bench_null b = before;
	assert_int_equal(bench_null_select(&b, HC_BENCH_NULL_OUT, 7), 0);
	assert_int_equal(b.mmio_len, 0);
	assert_int_equal(bench_null_select(&b, HC_BENCH_NULL_MMIO, 1), 0);
	assert_int_equal(b.mmio_len, 1);
	assert_int_equal(bench_null_select(&b, HC_BENCH_NULL_MMIO, HC_BENCH_MMIO_LEN_MAX), 0);
	assert_int_equal(b.mmio_len, HC_BENCH_MMIO_LEN_MAX);
}

static void test_refused_leaves_selection(void **state)
{
	struct bench_null b = before;
	assert_int_equal(bench_null_select(&b, HC_BENCH_NULL_KINDS + 1, 0), -EINVAL);
	assert_int_equal(bench_null_select(&b, 1ull << 32 | HC_BENCH_NULL_CPUID, 0), -EINVAL);
	assert_int_equal(bench_null_select(&b, ~0ull, ~0ull), -EINVAL);
	assert_int_equal(bench_null_select(&b, HC_BENCH_NULL_MMIO, 0), -EINVAL);
	assert_int_equal(bench_null_select(&b, HC_BENCH_NULL_MMIO, HC_BENCH_MMIO_LEN_MAX + 1), -EINVAL);
	assert_int_equal(bench_null_select(&b, HC_BENCH_NULL_MMIO, 1ull << 32 | 2), -EINVAL);
	assert_int_equal(b.kinds, before.kinds);
	assert_int_equal(b.mmio_len, before.mmio_len);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normal_clears_everything),
		cmocka_unit_test(test_every_kind_accepted),
		cmocka_unit_test(test_length_kept_only_for_mmio),
		cmocka_unit_test(test_refused_leaves_selection),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
