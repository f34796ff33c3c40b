/* The decoder against NASM: tests/unit/decode_forms.asm, assembled at build time, holds every memory form
 * of the decoder's table in each operand size, addressing form and mode, each behind a record of what
 * NASM made of it (length, kind, operand size, mode). Each must decode to exactly that length, kind and
 * operand size, with a memory operand (string instructions: their implicit one). A second assembler's
 * view: the hand-written tables of test_decode*.c came from GNU as and objdump. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "hv/rules/decode.h"

extern const uint8_t decode_forms[], decode_forms_end[];

/* decode_forms.asm's K_* numbers, in order. */
static const enum insn_kind kinds[] = {
	INSN_MOV_STORE, INSN_MOV_LOAD, INSN_MOV_IMM, INSN_MOVZX, INSN_MOVSX, INSN_ALU, INSN_TEST, INSN_INC,
	INSN_DEC, INSN_NOT, INSN_NEG, INSN_BT, INSN_XCHG, INSN_CMPXCHG, INSN_XADD, INSN_PUSH, INSN_POP,
	INSN_MOVS, INSN_STOS, INSN_LODS, INSN_CMPS, INSN_SCAS, INSN_SSE_MOV,
};

#define RECORD_BYTES 4
#define MODES 3

static void test_every_nasm_form(void **state)
{
	(void)state;
	unsigned forms = 0, per_mode[MODES] = { 0 }, per_kind[sizeof kinds / sizeof kinds[0]] = { 0 };
	for (const uint8_t *p = decode_forms; p < decode_forms_end; forms++) {
		uint8_t len = p[0], kind = p[1], size = p[2], mode = p[3];
		const uint8_t *bytes = p + RECORD_BYTES;
		struct insn in;
		if (kind >= sizeof kinds / sizeof kinds[0] || mode >= MODES || !len || len > INSN_MAX_LEN)
			fail_msg("form %u: a bad record (%u %u %u %u)", forms, len, kind, size, mode);
		int rc = insn_decode(bytes, len, (enum cpu_mode)mode, &in);
		char hex[3 * INSN_MAX_LEN + 1] = "";
		for (unsigned i = 0; i < len; i++)
			snprintf(hex + 3 * i, 4, "%02x ", bytes[i]);
		if (rc)
			fail_msg("form %u (%u-bit: %s): does not decode: %s", forms, 16u << mode, hex, in.reason);
		if (in.len != len || in.kind != kinds[kind] || in.op_size != size)
			fail_msg("form %u (%u-bit: %s): length %u kind %d size %u, NASM says %u, %d, %u", forms, 16u << mode,
				 hex, in.len, in.kind, in.op_size, len, kinds[kind], size);
		if (!in.rm_is_mem && !(in.kind >= INSN_MOVS && in.kind <= INSN_SCAS))
			fail_msg("form %u (%u-bit: %s): no memory operand", forms, 16u << mode, hex);
		/* One byte fewer is always truncated, never a shorter instruction. */
		if (insn_decode(bytes, len - 1u, (enum cpu_mode)mode, &in) != DECODE_ERR_TRUNCATED)
			fail_msg("form %u (%u-bit: %s): decodes from %u bytes", forms, 16u << mode, hex, len - 1u);
		per_mode[mode]++;
		per_kind[kind]++;
		p = bytes + len;
	}
	printf("  %u NASM forms: %u 16-bit, %u 32-bit, %u 64-bit\n", forms, per_mode[0], per_mode[1], per_mode[2]);
	for (unsigned k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
		if (!per_kind[k])
			fail_msg("kind %u has no form in decode_forms.asm", k);
	assert_true(per_mode[0] && per_mode[1] && per_mode[2]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_nasm_form),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
