/* Host unit tests for hv/rules/xcr0.c: the XCR0 a guest may set and the checks of XSETBV (SDM Vol. 1 §13.3,
 * Vol. 2C XSETBV). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "hv/rules/xcr0.h"

#define AVX_HOST 0x7ull    /* x87 SSE AVX */
#define AVX512_HOST 0xE7ull

static void test_valid_values(void **state)
{
	assert_true(xcr0_valid(XCR0_X87, AVX512_HOST));
	assert_true(xcr0_valid(XCR0_X87 | XCR0_SSE, AVX512_HOST));
	assert_true(xcr0_valid(AVX_HOST, AVX512_HOST));
	assert_true(xcr0_valid(AVX512_HOST, AVX512_HOST));
	assert_true(xcr0_valid(XCR0_X87 | XCR0_AVX512 | XCR0_SSE | XCR0_AVX, AVX512_HOST));
}

static void test_invalid_values(void **state)
{
	assert_false(xcr0_valid(0, AVX512_HOST));                        /* bit 0 must be 1 */
	assert_false(xcr0_valid(XCR0_SSE, AVX512_HOST));
	assert_false(xcr0_valid(XCR0_X87 | XCR0_AVX, AVX512_HOST));      /* XCR0[2:1] = 10b */
	assert_false(xcr0_valid(XCR0_X87 | XCR0_SSE | XCR0_AVX | XCR0_OPMASK, AVX512_HOST)); /* [7:5] partial */
	assert_false(xcr0_valid(XCR0_X87 | XCR0_SSE | XCR0_AVX | XCR0_OPMASK | XCR0_ZMM_HI256, AVX512_HOST));
	assert_false(xcr0_valid(XCR0_X87 | XCR0_SSE | XCR0_AVX512, AVX512_HOST)); /* AVX-512 without AVX */
	assert_false(xcr0_valid(AVX512_HOST, AVX_HOST));                  /* not supported */
	assert_false(xcr0_valid(AVX_HOST | BIT(9), AVX512_HOST));         /* PKRU: not offered */
	assert_false(xcr0_valid(AVX_HOST | (1ull << 63), AVX512_HOST));   /* reserved */
}

static enum xsetbv_result run(bool osxsave, u8 cpl, bool v8086, u64 supported, u32 ecx, u64 value)
{
	const struct xsetbv_context c = { .osxsave = osxsave, .cpl = cpl, .v8086 = v8086, .supported = supported };
	return xsetbv_check(&c, ecx, value);
}

static void test_xsetbv_checks(void **state)
{
	assert_int_equal(run(true, 0, false, AVX_HOST, 0, 7), XSETBV_OK);
	assert_int_equal(run(false, 0, false, AVX_HOST, 0, 7), XSETBV_UD); /* CR4.OSXSAVE = 0 */
	assert_int_equal(run(true, 0, false, 0, 0, 1), XSETBV_UD);         /* no XSAVE */
	assert_int_equal(run(false, 3, false, AVX_HOST, 1, 0), XSETBV_UD); /* #UD before the privilege check */
	assert_int_equal(run(true, 3, false, AVX_HOST, 0, 7), XSETBV_GP);
	assert_int_equal(run(true, 1, false, AVX_HOST, 0, 7), XSETBV_GP);
	assert_int_equal(run(true, 0, true, AVX_HOST, 0, 7), XSETBV_GP);   /* virtual-8086 mode */
	assert_int_equal(run(true, 0, false, AVX_HOST, 1, 7), XSETBV_GP);  /* XCR1 is read-only */
	assert_int_equal(run(true, 0, false, AVX_HOST, 0x80000000u, 1), XSETBV_GP);
	assert_int_equal(run(true, 0, false, AVX_HOST, 0, 0), XSETBV_GP);
	assert_int_equal(run(true, 0, false, AVX_HOST, 0, 5), XSETBV_GP);
	assert_int_equal(run(true, 0, false, AVX_HOST, 0, 0xE7), XSETBV_GP);
}

static void test_guest_supported(void **state)
{
	assert_int_equal(xcr0_guest_supported(0x2E7, ~0ull), 0xE7);  /* tigerlake: PKRU dropped */
	assert_int_equal(xcr0_guest_supported(0x21F, ~0ull), 0x7);   /* QEMU: MPX, PKRU dropped */
	assert_int_equal(xcr0_guest_supported(0x2E7, 0x7), 0x7);     /* host XCR0 without AVX-512 */
	assert_int_equal(xcr0_guest_supported(0x67, ~0ull), 0x7);    /* incomplete AVX-512 */
	assert_int_equal(xcr0_guest_supported(0xE3, ~0ull), 0x3);    /* AVX-512 without AVX */
	assert_int_equal(xcr0_guest_supported(0x1, ~0ull), 0);       /* no SSE state: nothing usable */
	assert_int_equal(xcr0_guest_supported(0x7, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_values),
		cmocka_unit_test(test_invalid_values),
		cmocka_unit_test(test_xsetbv_checks),
		cmocka_unit_test(test_guest_supported),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
