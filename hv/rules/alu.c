/* See alu.h. Every flag is computed from the operands and the truncated result, never from host flags. */
#include "alu.h"

#define AF_CARRY_BIT BIT(4) /* AF: the carry or borrow out of bit 3 */

static u64 width_mask(u8 size)
{
	return size >= 8 ? ~0ull : BIT(8 * size) - 1;
}

static u64 sign_bit(u8 size)
{
	return BIT(8 * size - 1);
}

/* PF: set when the low byte of the result has an even number of 1 bits. */
static bool low_byte_parity_even(u64 v)
{
	u8 b = (u8)v;
	b ^= b >> 4;
	b ^= b >> 2;
	b ^= b >> 1;
	return !(b & 1);
}

/* SF, ZF and PF of a truncated result. */
static u64 result_flags(u8 size, u64 res)
{
	u64 f = 0;
	if (!res)
		f |= RFLAGS_ZF;
	if (res & sign_bit(size))
		f |= RFLAGS_SF;
	if (low_byte_parity_even(res))
		f |= RFLAGS_PF;
	return f;
}

/* res = a + b + carry_in (truncated). CF: the sum did not fit; OF: both operands had the same sign and the
 * result has the other. */
static u64 add_flags(u8 size, u64 a, u64 b, u64 res, bool carry_in)
{
	u64 f = result_flags(size, res);
	if (carry_in ? res <= a : res < a)
		f |= RFLAGS_CF;
	if (~(a ^ b) & (a ^ res) & sign_bit(size))
		f |= RFLAGS_OF;
	if ((a ^ b ^ res) & AF_CARRY_BIT)
		f |= RFLAGS_AF;
	return f;
}

/* res = a - b - borrow_in (truncated). CF: a borrow (a < b + borrow_in unsigned); OF: the operands had
 * different signs and the result has b's. */
static u64 sub_flags(u8 size, u64 a, u64 b, u64 res, bool borrow_in)
{
	u64 f = result_flags(size, res);
	if (borrow_in ? a <= b : a < b)
		f |= RFLAGS_CF;
	if ((a ^ b) & (a ^ res) & sign_bit(size))
		f |= RFLAGS_OF;
	if ((a ^ b ^ res) & AF_CARRY_BIT)
		f |= RFLAGS_AF;
	return f;
}

static void set_flags(u64 *rflags, u64 mask, u64 f)
{
	*rflags = (*rflags & ~mask) | (f & mask);
}

u64 alu_binary(u8 op, u8 size, u64 dst, u64 src, u64 *rflags)
{
	u64 m = width_mask(size), a = dst & m, b = src & m, res, f;
	bool cf = *rflags & RFLAGS_CF;

	switch (op) {
	case ALU_ADD: res = (a + b) & m; f = add_flags(size, a, b, res, false); break;
	case ALU_ADC: res = (a + b + cf) & m; f = add_flags(size, a, b, res, cf); break;
	case ALU_SBB: res = (a - b - cf) & m; f = sub_flags(size, a, b, res, cf); break;
	case ALU_SUB:
	case ALU_CMP: res = (a - b) & m; f = sub_flags(size, a, b, res, false); break;
	case ALU_AND: res = a & b; f = result_flags(size, res); break;
	case ALU_OR: res = a | b; f = result_flags(size, res); break;
	default: res = a ^ b; f = result_flags(size, res); break; /* ALU_XOR */
	}
	set_flags(rflags, RFLAGS_ARITH, f);
	return res;
}

u64 alu_inc(u8 size, u64 v, u64 *rflags)
{
	u64 m = width_mask(size), a = v & m, res = (a + 1) & m;
	set_flags(rflags, RFLAGS_ARITH & ~RFLAGS_CF, add_flags(size, a, 1, res, false));
	return res;
}

u64 alu_dec(u8 size, u64 v, u64 *rflags)
{
	u64 m = width_mask(size), a = v & m, res = (a - 1) & m;
	set_flags(rflags, RFLAGS_ARITH & ~RFLAGS_CF, sub_flags(size, a, 1, res, false));
	return res;
}

u64 alu_neg(u8 size, u64 v, u64 *rflags)
{
	u64 m = width_mask(size), b = v & m, res = (0 - b) & m;
	set_flags(rflags, RFLAGS_ARITH, sub_flags(size, 0, b, res, false));
	return res;
}

u64 alu_bit(u8 op, u8 size, u64 v, u32 bit, u64 *rflags)
{
	u64 m = width_mask(size), mask = BIT(bit & (8u * size - 1));

	v &= m;
	set_flags(rflags, RFLAGS_CF, (v & mask) ? RFLAGS_CF : 0);
	switch (op) {
	case BT_SET: return v | mask;
	case BT_RESET: return v & ~mask;
	case BT_COMPLEMENT: return v ^ mask;
	default: return v; /* BT_TEST */
	}
}
