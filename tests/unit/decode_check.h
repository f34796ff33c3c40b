/* What the decoder's table-driven tests (test_decode.c, test_decode_ops.c) share: operand encodings for
 * the expectations and the length check every valid case gets. */
#ifndef TESTS_UNIT_DECODE_CHECK_H
#define TESTS_UNIT_DECODE_CHECK_H

#include "hv/rules/decode.h"

/* A register as the cases write it: 0 = none, num + 1, bit 7 = AH..BH. */
static inline u8 enc_reg(struct insn_reg r)
{
	if (r.num == INSN_NO_REG)
		return 0;
	return (u8)((r.num + 1) | (r.high8 ? 0x80 : 0));
}

static inline u8 enc_gpr(u8 num)
{
	return num == INSN_NO_REG ? 0 : (u8)(num + 1);
}

static inline u8 default_addr(enum cpu_mode m)
{
	return m == CPU_MODE_64 ? 8 : m == CPU_MODE_32 ? 4 : 2;
}

/* Every strict prefix of a valid instruction is "truncated"; extra bytes after it are not consumed. */
static inline void check_decode_lengths(const char *text, enum cpu_mode mode, const u8 *bytes, u8 n)
{
	u8 buf[2 * INSN_MAX_LEN];
	struct insn in;

	for (u8 k = 0; k < n; k++) {
		int rc = insn_decode(bytes, k, mode, &in);
		if (rc != DECODE_ERR_TRUNCATED)
			fail_msg("%s: first %u of %u bytes: rc %d (%s), want truncated", text, k, n, rc,
				 decode_error_name(rc));
		assert_non_null(in.reason);
	}
	memset(buf, 0xCC, sizeof(buf)); /* INT3: never part of an instruction in the tables */
	memcpy(buf, bytes, n);
	assert_int_equal(insn_decode(buf, sizeof(buf), mode, &in), 0);
	if (in.len != n)
		fail_msg("%s: len with trailing bytes %u, want %u", text, in.len, n);
}

#endif
