/* Host unit tests for the NPT leaf's memory type (hv/svm/rules/npt.h): the host PAT entry that a 2 MiB leaf's
 * PAT (bit 12), PCD (bit 4) and PWT (bit 3) select, APM Vol. 2 §15.25.8 and §7.8.2 (PAT index =
 * PAT:PCD:PWT). Bits and PAT values are spelled as literals here, not taken from hv/x86.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "hv/svm/rules/npt.h"

#define LEAF_BASE 0x200087ull      /* 2 MiB frame 1, P, RW, US, PS */
#define PAT_POWER_ON 0x0007040600070406ull /* WB WT UC- UC WB WT UC- UC (APM Table 7-10 reset value) */
#define PAT_EVERY_TYPE 0x0706050407060504ull /* an index-unique value: entry i holds 4 + (i & 3) */

static void test_plain_leaf_is_entry0(void **state)
{
	(void)state;
	assert_int_equal(npt_leaf_memtype(LEAF_BASE, PAT_POWER_ON), 6); /* WB */
}

static void test_index_bits(void **state)
{
	(void)state;
	static const struct { uint64_t bits; unsigned index; } rows[] = {
		{ 0, 0 }, { 1ull << 3, 1 }, { 1ull << 4, 2 }, { (1ull << 3) | (1ull << 4), 3 },
		{ 1ull << 12, 4 }, { (1ull << 12) | (1ull << 3), 5 }, { (1ull << 12) | (1ull << 4), 6 },
		{ (1ull << 12) | (1ull << 4) | (1ull << 3), 7 },
	};
	for (unsigned i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		uint64_t pat = 0; /* every entry UC but the selected one */
		pat |= 6ull << (rows[i].index * 8);
		assert_int_equal(npt_leaf_memtype(LEAF_BASE | rows[i].bits, pat), 6);
		assert_int_equal(npt_leaf_memtype(LEAF_BASE | rows[i].bits, PAT_EVERY_TYPE), 4 + (rows[i].index & 3));
	}
}

/* Bit 7 is PS in a large leaf, never the PAT bit; bits 0-2 and the frame do not take part. */
static void test_other_bits_ignored(void **state)
{
	(void)state;
	assert_int_equal(npt_leaf_memtype(0x7FFFFE00087ull, PAT_POWER_ON), 6);
	assert_int_equal(npt_leaf_memtype(LEAF_BASE | (1ull << 4), PAT_POWER_ON), 7); /* UC- */
	assert_int_equal(npt_leaf_memtype(LEAF_BASE | (1ull << 4) | (1ull << 3), PAT_POWER_ON), 0); /* UC */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_leaf_is_entry0),
		cmocka_unit_test(test_index_bits),
		cmocka_unit_test(test_other_bits_ignored),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
