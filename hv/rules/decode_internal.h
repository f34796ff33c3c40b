/* What decode.c (prefixes, ModRM, the entry point) and decode_ops.c (the opcode tables) share. Not for
 * other modules: they see decode.h only. */
#ifndef HV_DECODE_INTERNAL_H
#define HV_DECODE_INTERNAL_H

#include "decode.h"

/* Every byte is taken through a cursor that knows both the caller's length and the 15-byte architectural
 * limit, so a truncated fetch and an over-long instruction are told apart. */
struct cursor {
	const u8 *bytes;
	u32 avail; /* bytes the caller gave, at most INSN_MAX_LEN */
	u32 pos;
};

#define MODRM_MOD(m) ((m) >> 6)
#define MODRM_REG(m) (((m) >> 3) & 7)
#define MODRM_RM(m) ((m) & 7)
#define MOD_REG 3

#define GPR_RAX_NUM 0 /* enum gpr numbers the decoder names itself */
#define GPR_RSP_NUM 4
#define GPR_RBP_NUM 5
#define GPR_RBX_NUM 3
#define GPR_RSI_NUM 6
#define GPR_RDI_NUM 7

int decode_fail(struct insn *out, int err, const char *why);
int decode_next_byte(struct cursor *c, struct insn *out, u8 *b);
/* The next byte without consuming it (the ModRM byte that selects a group member). */
int decode_peek_byte(struct cursor *c, struct insn *out, u8 *b);
/* A little-endian value of n bytes, sign-extended (zero-extended: decode_next_unsigned). */
int decode_next_signed(struct cursor *c, struct insn *out, u32 n, s64 *val);
int decode_next_unsigned(struct cursor *c, struct insn *out, u32 n, u64 *val);
static inline u64 decode_size_mask(u32 bytes) { return insn_size_mask(bytes); }

/* A register operand from a 3-bit field and its REX extension bit (AH..BH for byte registers 4-7
 * without REX). */
struct insn_reg decode_make_reg(const struct insn *out, u8 field, u8 rex_bit, bool byte_reg);

/* Reads ModRM (and SIB, displacement). reg_is_byte and rm_is_byte select byte-register naming. */
int decode_modrm(struct cursor *c, struct insn *out, bool reg_is_byte, bool rm_is_byte, u8 *modrm);

/* decode_ops.c: everything from the opcode byte on (prefixes and sizes are done). */
int decode_opcode(struct cursor *c, struct insn *out, u8 op);

#endif
