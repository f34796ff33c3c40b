/* Host unit tests for the flag arithmetic (hv/rules/alu.h). Every expected result and flag set below was
 * worked out by hand from the SDM's definitions (Vol. 1 §3.4.3.1: CF = carry/borrow out of the top bit,
 * OF = signed overflow, AF = carry/borrow out of bit 3, SF = top bit, ZF = zero, PF = even parity of the
 * low byte; each instruction's "Flags Affected"), never by calling the code under test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "hv/rules/alu.h"

#define O RFLAGS_OF
#define S RFLAGS_SF
#define Z RFLAGS_ZF
#define A RFLAGS_AF
#define P RFLAGS_PF
#define C RFLAGS_CF
#define KEEP (BIT(1) | BIT(9) | RFLAGS_DF) /* non-arithmetic bits: never touched */

enum op { ADD, OR, ADC, SBB, AND, SUB, XOR, CMP, INC, DEC, NEG, BT, BTS, BTR, BTC };

struct acase {
	const char *text;
	enum op op;
	u8 size;
	u64 a, b;   /* b: the source, or the bit number for BT* */
	u64 flags_in;
	u64 result;
	u64 flags_out;
};

static const struct acase cases[] = {
	{ "add 0x7f+0x01: signed overflow, nibble carry", ADD, 1, 0x7f, 0x01, 0, 0x80, O | S | A },
	{ "add 0xff+0x01: wraps to 0", ADD, 1, 0xff, 0x01, 0, 0x00, Z | A | P | C },
	{ "add 0x80000000+0x80000000", ADD, 4, 0x80000000, 0x80000000, 0, 0, O | Z | P | C },
	{ "add 2^64-1 + 2", ADD, 8, ~0ull, 2, 0, 1, A | C },
	{ "add 0x1234+0x4321", ADD, 2, 0x1234, 0x4321, C | Z, 0x5555, P },
	{ "add: inputs wider than size are truncated", ADD, 1, 0x1ff, 0x101, 0, 0x00, Z | A | P | C },
	{ "adc 0xff+0x00+CF", ADC, 1, 0xff, 0x00, C, 0x00, Z | A | P | C },
	{ "adc 0x7fffffff+0+CF", ADC, 4, 0x7fffffff, 0, C, 0x80000000, O | S | A | P },
	{ "adc without CF = add", ADC, 4, 0xffffffff, 1, 0, 0, Z | A | P | C },
	{ "sub 0-1: borrow", SUB, 1, 0x00, 0x01, 0, 0xff, S | A | P | C },
	{ "sub 0x80-1: signed overflow", SUB, 1, 0x80, 0x01, 0, 0x7f, O | A },
	{ "sub 2^63 - 1 (64-bit)", SUB, 8, 0x8000000000000000ull, 1, 0, 0x7fffffffffffffffull, O | A | P },
	{ "cmp 5-5", CMP, 4, 5, 5, O | S | C, 0, Z | P },
	{ "cmp 3-5", CMP, 4, 3, 5, 0, 0xfffffffe, S | A | C },
	{ "sbb 0-0-CF", SBB, 2, 0, 0, C, 0xffff, S | A | P | C },
	{ "sbb 2^63-0-CF", SBB, 8, 0x8000000000000000ull, 0, C, 0x7fffffffffffffffull, O | A | P },
	{ "sbb 5-5-CF: borrow when equal", SBB, 1, 5, 5, C, 0xff, S | A | P | C },
	{ "and: CF, OF, AF cleared", AND, 4, 0xf0f0, 0x0ff0, O | A | C, 0x00f0, P },
	{ "or 0x80|0x01", OR, 1, 0x80, 0x01, 0, 0x81, S | P },
	{ "xor x^x", XOR, 8, 0x123456789abcdefull, 0x123456789abcdefull, O | C, 0, Z | P },
	{ "inc 0x7f: CF kept set", INC, 1, 0x7f, 0, C, 0x80, O | S | A | C },
	{ "inc 0xffffffff: CF kept clear", INC, 4, 0xffffffff, 0, 0, 0, Z | A | P },
	{ "dec 0x8000: CF kept set", DEC, 2, 0x8000, 0, C, 0x7fff, O | A | P | C },
	{ "dec 1", DEC, 1, 1, 0, 0, 0, Z | P },
	{ "neg 0: CF clear", NEG, 4, 0, 0, C, 0, Z | P },
	{ "neg 1", NEG, 4, 1, 0, 0, 0xffffffff, S | A | P | C },
	{ "neg 0x80: overflows to itself", NEG, 1, 0x80, 0, 0, 0x80, O | S | C },
	{ "bt bit 8 of 0x100: ZF kept", BT, 4, 0x100, 8, Z, 0x100, Z | C },
	{ "bts bit 31 of 0", BTS, 4, 0, 31, C, 0x80000000, 0 },
	{ "btr bit 15 of 0xffff", BTR, 2, 0xffff, 15, 0, 0x7fff, C },
	{ "btc bit 63 of 0", BTC, 8, 0, 63, S | P, 0x8000000000000000ull, S | P },
	{ "bt bit 33 of a dword is bit 1", BT, 4, 2, 33, 0, 2, C },
};

static u64 run(const struct acase *c, u64 *flags)
{
	switch (c->op) {
	case INC: return alu_inc(c->size, c->a, flags);
	case DEC: return alu_dec(c->size, c->a, flags);
	case NEG: return alu_neg(c->size, c->a, flags);
	case BT:
	case BTS:
	case BTR:
	case BTC: return alu_bit((u8)(c->op - BT), c->size, c->a, (u32)c->b, flags);
	default: return alu_binary((u8)c->op, c->size, c->a, c->b, flags);
	}
}

static void test_alu(void **state)
{
	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct acase *c = &cases[i];
		u64 flags = c->flags_in | KEEP;
		u64 res = run(c, &flags);
		if (res != c->result)
			fail_msg("%s: result 0x%llx, want 0x%llx", c->text, res, c->result);
		if (flags != (c->flags_out | KEEP))
			fail_msg("%s: rflags 0x%llx, want 0x%llx", c->text, flags, c->flags_out | KEEP);
	}
}

/* enum op's first eight are the ModRM.reg numbers of group 1 (SDM Table A-6), as alu_binary() takes them. */
static void test_op_numbers(void **state)
{
	assert_int_equal(ADD, ALU_ADD);
	assert_int_equal(CMP, ALU_CMP);
	assert_int_equal(BTC - BT, BT_COMPLEMENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alu),
		cmocka_unit_test(test_op_numbers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
