/* A small x86 instruction decoder: the instructions microhv emulates (CR accesses, and every form a compiler
 * or a hand-written kernel uses on device memory), and a clear error for everything else. Pure (bytes in,
 * struct out).
 *
 * Needed because AMD SVM without decode assists (QEMU TCG, Bochs) reports a CR0 intercept without the
 * instruction, and a nested page fault on emulated MMIO (the local APIC page) without the access: the
 * hypervisor fetches the bytes at CS:RIP (guest_walk.h), decodes them here and emulates them
 * (mmio_emul.h).
 *
 * Decoded: legacy prefixes (66, 67, 26/2E/36/3E/64/65, F0, F2/F3), REX (64-bit mode only), ModRM/SIB/
 * displacement in 16-, 32- and 64-bit addressing (RIP-relative included), and
 *   control registers: MOV CRn,r (0F 22), MOV r,CRn (0F 20), CLTS, LMSW (0F 01 /6), SMSW (0F 01 /4);
 *   moves: MOV 88/89/8A/8B/C6 /0/C7 /0, MOV moffs (A0-A3), MOVZX (0F B6/B7), MOVSX (0F BE/BF),
 *     MOVSXD (63, 64-bit mode), MOVNTI (0F C3), XCHG (86/87), PUSH r/m (FF /6), POP r/m (8F /0);
 *   arithmetic: ADD/OR/ADC/SBB/AND/SUB/XOR/CMP (00-3B, 80-83), TEST (84/85, F6/F7 /0), INC/DEC (FE/FF /0 /1),
 *     NOT/NEG (F6/F7 /2 /3), BT/BTS/BTR/BTC (0F A3/AB/B3/BB, 0F BA /4-7), CMPXCHG (0F B0/B1),
 *     XADD (0F C0/C1), with LOCK where the SDM allows it (a memory destination);
 *   string instructions MOVS, CMPS, STOS, LODS, SCAS (A4-A7, AA-AF) with REP/REPE/REPNE;
 *   SSE moves (MOVUPS/MOVAPS/MOVUPD/MOVAPD/MOVSS/MOVSD/MOVD/MOVQ/MOVDQA/MOVDQU/MOVNTPS/MOVNTPD/MOVNTDQ):
 *     decoded and named, not emulated;
 *   for their length only: CPUID, RDMSR, WRMSR, INVD, HLT, PAUSE, VMMCALL.
 * Not decoded (DECODE_ERR_UNSUPPORTED): everything else, including MOV Sreg, MUL/DIV, VEX/EVEX, MMX. */
#ifndef HV_DECODE_H
#define HV_DECODE_H

#include "../lib/types.h"

#define INSN_MAX_LEN 15 /* longer instructions raise #GP (SDM Vol. 2A §2.3.11) */

/* The code size the CPU decodes with: from CR0.PE, RFLAGS.VM, EFER.LMA, CS.L and CS.D (decode_cpu_mode). */
enum cpu_mode { CPU_MODE_16, CPU_MODE_32, CPU_MODE_64 };

/* Segment registers in the encoding order of MOV Sreg / the SVM save area (es, cs, ss, ds, fs, gs). */
enum seg { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, NUM_SEGS };

enum insn_kind {
	INSN_MOV_TO_CR,   /* 0F 22: CR[cr] <- rm register (op_size bytes) */
	INSN_MOV_FROM_CR, /* 0F 20: rm register <- CR[cr] */
	INSN_CLTS,        /* 0F 06 */
	INSN_LMSW,        /* 0F 01 /6: CR0[3:0] <- bits 3:0 of the 16-bit r/m source (PE can be set, not cleared) */
	INSN_SMSW,        /* 0F 01 /4: r/m <- CR0 (a 16-bit store to memory; op_size bytes to a register) */
	INSN_MOV_STORE,   /* 88, 89, A2, A3, MOVNTI 0F C3: r/m <- reg */
	INSN_MOV_LOAD,    /* 8A, 8B, A0, A1: reg <- r/m */
	INSN_MOV_IMM,     /* C6 /0, C7 /0: r/m <- imm */
	INSN_MOVZX,       /* 0F B6, 0F B7: reg <- zero-extended r/m (rm_size 1 or 2) */
	INSN_MOVSX,       /* 0F BE, 0F BF, 63 (MOVSXD, rm_size 4 or op_size): reg <- sign-extended r/m */
	INSN_ALU,         /* insn.alu: dst <- dst op src, flags (CMP: flags only); dst is reg if dst_is_reg */
	INSN_TEST,        /* 84, 85, F6/F7 /0: flags of r/m AND (reg or imm) */
	INSN_INC,         /* FE/FF /0 */
	INSN_DEC,         /* FE/FF /1 */
	INSN_NOT,         /* F6/F7 /2 */
	INSN_NEG,         /* F6/F7 /3 */
	INSN_BT,          /* insn.bt: CF <- bit (reg or imm) of r/m, then BTS/BTR/BTC set/clear/flip it */
	INSN_XCHG,        /* 86, 87: r/m <-> reg */
	INSN_CMPXCHG,     /* 0F B0, 0F B1: if rAX = r/m then r/m <- reg else rAX <- r/m */
	INSN_XADD,        /* 0F C0, 0F C1: r/m <- r/m + reg, reg <- old r/m */
	INSN_PUSH,        /* FF /6: push r/m */
	INSN_POP,         /* 8F /0: pop r/m */
	/* String instructions: mem is [rSI] in DS (or the override) for MOVS/CMPS/LODS, [rDI] in ES for
	 * STOS/SCAS; ES:[rDI] is the implicit second operand of MOVS/CMPS. */
	INSN_MOVS,
	INSN_CMPS,
	INSN_STOS,
	INSN_LODS,
	INSN_SCAS,
	INSN_SSE_MOV,     /* insn.sse names it; reg.num is the XMM register; rm_size 4, 8 or 16 */
	/* Without operands: decoded for their length only (SVM without NRIP save must skip them). */
	INSN_CPUID,       /* 0F A2 */
	INSN_RDMSR,       /* 0F 32 */
	INSN_WRMSR,       /* 0F 30 */
	INSN_INVD,        /* 0F 08 */
	INSN_HLT,         /* F4 */
	INSN_PAUSE,       /* F3 90 */
	INSN_VMMCALL,     /* 0F 01 D9 */
	INSN_XSETBV,      /* 0F 01 D1 */
	/* String I/O: op_size (= rm_size) 1, 2 or 4, addr_size, REP in prefixes, mem.seg the source segment
	 * of OUTS (DS or the override; INS always writes ES:rDI). Emulated by hv/string_io.c. */
	INSN_INS,         /* 6C, 6D */
	INSN_OUTS,        /* 6E, 6F */
	INSN_KIND_COUNT
};

#define INSN_FIRST_NO_OPERANDS INSN_CPUID

/* INSN_ALU operations, in the order of their opcode rows 00-38 and of group 1's ModRM.reg (SDM Table A-6). */
enum insn_alu { ALU_ADD, ALU_OR, ALU_ADC, ALU_SBB, ALU_AND, ALU_SUB, ALU_XOR, ALU_CMP };

/* INSN_BT variants, in the order of group 8's ModRM.reg minus 4 (0F BA /4-/7). */
enum insn_bt { BT_TEST, BT_SET, BT_RESET, BT_COMPLEMENT };

/* INSN_SSE_MOV instructions. */
enum insn_sse {
	SSE_MOVUPS, SSE_MOVUPD, SSE_MOVSS, SSE_MOVSD, SSE_MOVAPS, SSE_MOVAPD, SSE_MOVNTPS, SSE_MOVNTPD,
	SSE_MOVD, SSE_MOVQ, SSE_MOVDQA, SSE_MOVDQU, SSE_MOVNTDQ,
};

/* Negative results of insn_decode(); insn.reason says more. */
enum decode_error {
	DECODE_ERR_UNSUPPORTED = -1, /* a valid instruction (or one we cannot tell) that microhv does not decode */
	DECODE_ERR_TRUNCATED = -2,   /* the bytes ended before the instruction did: fetch more, or the fault stands */
	DECODE_ERR_TOO_LONG = -3,    /* more than 15 bytes: the guest gets #GP(0) */
	DECODE_ERR_INVALID = -4,     /* architecturally #UD: LOCK where not allowed, CR1/CR5-7/CR9-15, ... */
};

/* Prefixes seen (insn.prefixes). Segment overrides are reported through mem.seg instead. */
#define INSN_PFX_OPSIZE BIT(0) /* 66 */
#define INSN_PFX_ADDRSIZE BIT(1) /* 67 */
#define INSN_PFX_LOCK BIT(2) /* F0 */
#define INSN_PFX_REPNE BIT(3) /* F2 */
#define INSN_PFX_REP BIT(4) /* F3 */
#define INSN_PFX_SEG BIT(5) /* a segment override that applies (26/2E/36/3E are ignored in 64-bit mode) */

/* REX bits, tested on insn.rex: the REX prefix byte itself (0x40-0x4F), 0 without one. A bare REX (0x40)
 * still matters: it turns byte registers 4-7 from AH..BH into SPL..DIL. */
#define INSN_REX_B BIT(0)
#define INSN_REX_X BIT(1)
#define INSN_REX_R BIT(2)
#define INSN_REX_W BIT(3)

/* A general-purpose register operand. high8: AH/CH/DH/BH, i.e. bits 15:8 of gpr `num` (0..3), which a
 * byte register number 4-7 means when there is no REX prefix. */
struct insn_reg {
	u8 num;    /* enum gpr */
	bool high8;
};

#define INSN_NO_REG 0xFF

/* The effective-address components of a memory operand: [base + index * scale + disp], or
 * [next RIP + disp] when rip_relative, wrapped to addr_size, in segment `seg`. */
struct insn_mem {
	u8 base;      /* enum gpr, or INSN_NO_REG */
	u8 index;     /* enum gpr, or INSN_NO_REG */
	u8 scale;     /* 1, 2, 4 or 8 */
	s64 disp;     /* sign-extended; a moffs (A0-A3) is zero-extended (moffs set) */
	bool moffs;   /* A0-A3: disp is the whole address, addr_size bytes wide */
	bool rip_relative;
	u8 seg;       /* enum seg: the override, else DS (SS for BP/SP-based addresses) */
};

struct insn {
	u8 len;            /* bytes, prefixes included */
	enum insn_kind kind;
	enum cpu_mode mode;
	u8 op_size;        /* bytes of the operation: the reg operand of MOV, the CR move width, the MOV imm */
	u8 rm_size;        /* bytes of the r/m operand: = op_size except MOVZX/MOVSX (1/2/4), LMSW/SMSW m16 (2), SSE */
	u8 addr_size;      /* 2, 4 or 8 */
	bool rm_is_mem;    /* the r/m operand is memory (mem valid), else a register (rm valid) */
	bool writes_rm;    /* the r/m operand is written (MOV stores, SMSW, MOV from CR, ALU but CMP with r/m
			    * first, INC/DEC/NOT/NEG, BTS/BTR/BTC, XCHG, CMPXCHG, XADD, POP, STOS) */
	bool dst_is_reg;   /* the reg operand comes first (ALU 02/03-3A/3B: reg <- reg op r/m) */
	bool src_imm;      /* the second operand is imm (MOV_IMM, ALU 80-83, TEST F6/F7, BT 0F BA) */
	u8 alu;            /* INSN_ALU: enum insn_alu */
	u8 bt;             /* INSN_BT: enum insn_bt */
	u8 sse;            /* INSN_SSE_MOV: enum insn_sse */
	struct insn_reg reg; /* ModRM.reg as a register (the accumulator for A0-A3); unused otherwise */
	struct insn_reg rm;  /* the register r/m operand, or the GPR of MOV to/from CR */
	u8 cr;             /* MOV to/from CR: the control register number (0, 2, 3, 4, 8). LOCK MOV CR0 decodes as
			    * CR8 (AMD's AltMovCr8, INSN_PFX_LOCK set): #UD it if the guest's CPUID
			    * 8000_0001 ECX[4] is clear */
	u64 imm;           /* src_imm: the value, already sign-extended and truncated to op_size */
	struct insn_mem mem;
	u32 prefixes;      /* INSN_PFX_* */
	u8 rex;            /* the REX prefix byte, 0 if none (INSN_REX_* bits) */
	const char *reason; /* on error: a static string saying why; NULL on success */
};

/* The mode the CPU decodes in: 16-bit in real and virtual-8086 mode, 64-bit with EFER.LMA and CS.L,
 * else CS.D picks 32 or 16 (also for compatibility mode). Inline: every emulated exit asks. */
static inline enum cpu_mode decode_cpu_mode(bool cr0_pe, bool rflags_vm, bool efer_lma, bool cs_l, bool cs_d)
{
	if (!cr0_pe || rflags_vm)
		return CPU_MODE_16;
	if (efer_lma && cs_l)
		return CPU_MODE_64;
	return cs_d ? CPU_MODE_32 : CPU_MODE_16;
}

/* The linear address of the instruction at rip: CS.base + rip, both wrapped to 32 bits outside 64-bit
 * mode; CS.base is ignored in 64-bit mode. */
static inline u64 insn_fetch_linear(enum cpu_mode mode, u64 cs_base, u64 rip)
{
	return mode == CPU_MODE_64 ? rip : (cs_base + rip) & 0xFFFFFFFFull;
}

/* Decodes the instruction at bytes[0..len) (len may exceed the instruction; at most 15 bytes are looked at).
 * Returns 0 and fills *out, or a negative enum decode_error with out->reason set. */
int insn_decode(const u8 *bytes, u32 len, enum cpu_mode mode, struct insn *out);

/* The name of an error code, for logs. */
const char *decode_error_name(int err);

/* The mnemonic of a decoded instruction ("mov", "cmpxchg", "movdqu", "rep stos"), for logs. */
const char *insn_name(const struct insn *in);

/* The low `bytes` bytes of a word (all 64 bits for 8 or more). */
static inline u64 insn_size_mask(u32 bytes)
{
	return bytes >= 8 ? ~0ull : BIT(8 * bytes) - 1;
}

/* The linear address of effective address ea (already wrapped to the address size) in segment seg, by
 * the rules of insn_linear_addr(). */
static inline u64 insn_seg_linear(enum cpu_mode mode, u8 seg, const u64 seg_base[NUM_SEGS], u64 ea)
{
	if (mode == CPU_MODE_64)
		return (seg == SEG_FS || seg == SEG_GS) ? ea + seg_base[seg] : ea;
	return (ea + seg_base[seg]) & 0xFFFFFFFFull;
}

/* The linear address of the memory operand (insn.rm_is_mem): the effective address wrapped to addr_size,
 * plus the segment base (only FS/GS bases count in 64-bit mode; outside it the sum wraps at 4 GiB).
 * rip is the address of the instruction itself (RIP-relative adds insn.len). Segment limits and
 * canonicality are not checked. Inline, as the register helpers below: every emulated access uses them. */
static inline u64 insn_linear_addr(const struct insn *in, const u64 gpr[16], u64 rip, const u64 seg_base[NUM_SEGS])
{
	const struct insn_mem *m = &in->mem;
	u64 ea = (u64)m->disp;

	if (m->rip_relative)
		ea += rip + in->len; /* relative to the next instruction */
	if (m->base != INSN_NO_REG)
		ea += gpr[m->base];
	if (m->index != INSN_NO_REG)
		ea += gpr[m->index] * m->scale;
	ea &= insn_size_mask(in->addr_size); /* the effective address wraps at the address size */
	return insn_seg_linear(in->mode, m->seg, seg_base, ea);
}

#define INSN_HIGH8_SHIFT 8 /* AH..BH are bits 15:8 */

/* Register access with x86 partial-register rules: reads the low `size` bytes (or AH..BH); a write of 4
 * bytes zero-extends to 64 bits, 1 or 2 bytes leave the other bits alone. */
static inline u64 insn_reg_read(const u64 gpr[16], struct insn_reg r, u8 size)
{
	if (r.high8)
		return (gpr[r.num] >> INSN_HIGH8_SHIFT) & insn_size_mask(1);
	return gpr[r.num] & insn_size_mask(size);
}

static inline void insn_reg_write(u64 gpr[16], struct insn_reg r, u8 size, u64 val)
{
	if (r.high8) {
		u64 byte = insn_size_mask(1) << INSN_HIGH8_SHIFT;
		gpr[r.num] = (gpr[r.num] & ~byte) | ((val << INSN_HIGH8_SHIFT) & byte);
	} else if (size >= 4) {
		gpr[r.num] = val & insn_size_mask(size); /* 32-bit writes zero bits 63:32 */
	} else {
		gpr[r.num] = (gpr[r.num] & ~insn_size_mask(size)) | (val & insn_size_mask(size));
	}
}

/* For a load (MOV_LOAD, MOVZX, MOVSX): the value the reg operand receives, op_size bytes wide, from the
 * rm_size-byte value read. Pass it to insn_reg_write(gpr, in->reg, in->op_size, ...). */
u64 insn_load_value(const struct insn *in, u64 raw);

#endif
