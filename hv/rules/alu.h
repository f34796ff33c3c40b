/* The arithmetic of the instructions microhv emulates, with their RFLAGS results exactly as the SDM
 * defines them (Vol. 1 §3.4.3.1 and each instruction's "Flags Affected"). Pure: written once, used by the
 * MMIO emulator (mmio_emul.h) and checked against literal values in tests/unit/test_alu.c.
 *
 * Values are `size` bytes wide (1, 2, 4 or 8); inputs are truncated to that width, results are too. */
#ifndef HV_ALU_H
#define HV_ALU_H

#include "decode.h"
#include "../lib/types.h"

#define RFLAGS_CF BIT(0)
#define RFLAGS_PF BIT(2)
#define RFLAGS_AF BIT(4)
#define RFLAGS_ZF BIT(6)
#define RFLAGS_SF BIT(7)
#define RFLAGS_DF BIT(10)
#define RFLAGS_OF BIT(11)
#define RFLAGS_ARITH (RFLAGS_CF | RFLAGS_PF | RFLAGS_AF | RFLAGS_ZF | RFLAGS_SF | RFLAGS_OF)

/* dst op src (enum insn_alu). Returns the result (for CMP the difference, which is not stored) and sets
 * OF, SF, ZF, AF, PF, CF in *rflags; ADC and SBB take CF from it. AND/OR/XOR clear OF and CF and, where
 * the SDM leaves AF undefined, clear AF too. */
u64 alu_binary(u8 op, u8 size, u64 dst, u64 src, u64 *rflags);

/* INC and DEC: the flags of adding/subtracting 1, but CF is kept. */
u64 alu_inc(u8 size, u64 v, u64 *rflags);
u64 alu_dec(u8 size, u64 v, u64 *rflags);

/* NEG: 0 - v with SUB's flags (so CF = v != 0). NOT changes no flag and needs no helper. */
u64 alu_neg(u8 size, u64 v, u64 *rflags);

/* BT/BTS/BTR/BTC (enum insn_bt) of bit `bit` (< 8 * size) in v: CF <- the bit, then the bit is kept, set,
 * cleared or flipped; returns the new value. ZF is unchanged; OF, SF, AF and PF, undefined, are kept. */
u64 alu_bit(u8 op, u8 size, u64 v, u32 bit, u64 *rflags);

#endif
