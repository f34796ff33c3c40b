/* A deliberately small x86 instruction decoder: exactly the instructions microhv emulates, and a clear
 * error for everything else. Pure (bytes in, struct out).
 *
 * Needed because AMD SVM without decode assists (QEMU TCG, Bochs) reports a CR0 intercept without the
 * instruction, and a nested page fault on emulated MMIO (the local APIC page) without the access: the
 * hypervisor fetches the bytes at CS:RIP (guest_walk.h) and decodes them here.
 *
 * Decoded: legacy prefixes (66, 67, 26/2E/36/3E/64/65, F0, F2/F3), REX (64-bit mode only), ModRM/SIB/
 * displacement in 16-, 32- and 64-bit addressing (RIP-relative included), and
 *   MOV CRn,r (0F 22)  MOV r,CRn (0F 20)  CLTS (0F 06)  LMSW r/m16 (0F 01 /6)  SMSW r/m (0F 01 /4)
 *   MOV r/m8,r8 (88)  MOV r/m,r (89)  MOV r8,r/m8 (8A)  MOV r,r/m (8B)  MOV r/m8,imm8 (C6 /0)
 *   MOV r/m,imm (C7 /0)  MOVZX (0F B6/B7)  MOVSX (0F BE/BF).
 * Not decoded (DECODE_ERR_UNSUPPORTED): everything else, including MOV moffs (A0-A3), MOV Sreg, string
 * moves, VEX/EVEX. */
#ifndef HV_DECODE_H
#define HV_DECODE_H

#include "types.h"

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
	INSN_MOV_STORE,   /* 88, 89: r/m <- reg */
	INSN_MOV_LOAD,    /* 8A, 8B: reg <- r/m */
	INSN_MOV_IMM,     /* C6 /0, C7 /0: r/m <- imm */
	INSN_MOVZX,       /* 0F B6, 0F B7: reg <- zero-extended r/m (rm_size 1 or 2) */
	INSN_MOVSX,       /* 0F BE, 0F BF: reg <- sign-extended r/m */
	/* Without operands: decoded for their length only (SVM without NRIP save must skip them). */
	INSN_CPUID,       /* 0F A2 */
	INSN_RDMSR,       /* 0F 32 */
	INSN_WRMSR,       /* 0F 30 */
	INSN_INVD,        /* 0F 08 */
	INSN_HLT,         /* F4 */
	INSN_PAUSE,       /* F3 90 */
	INSN_VMMCALL,     /* 0F 01 D9 */
	/* String I/O: op_size 1, 2 or 4, addr_size, REP in prefixes, mem.seg the source segment of OUTS
	 * (DS or the override; INS always writes ES:rDI). */
	INSN_INS,         /* 6C, 6D */
	INSN_OUTS,        /* 6E, 6F */
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
	s64 disp;     /* sign-extended */
	bool rip_relative;
	u8 seg;       /* enum seg: the override, else DS (SS for BP/SP-based addresses) */
};

struct insn {
	u8 len;            /* bytes, prefixes included */
	enum insn_kind kind;
	enum cpu_mode mode;
	u8 op_size;        /* bytes of the operation: the reg operand of MOV, the CR move width, the MOV imm */
	u8 rm_size;        /* bytes of the r/m operand: = op_size except MOVZX/MOVSX (1/2) and LMSW/SMSW m16 (2) */
	u8 addr_size;      /* 2, 4 or 8 */
	bool rm_is_mem;    /* the r/m operand is memory (mem valid), else a register (rm valid) */
	bool writes_rm;    /* the r/m operand is the destination (MOV 88/89/C6/C7, SMSW, MOV from CR) */
	struct insn_reg reg; /* ModRM.reg as a register (MOV, MOVZX, MOVSX); unused otherwise */
	struct insn_reg rm;  /* the register r/m operand, or the GPR of MOV to/from CR */
	u8 cr;             /* MOV to/from CR: the control register number (0, 2, 3, 4, 8). LOCK MOV CR0 decodes as
			    * CR8 (AMD's AltMovCr8, INSN_PFX_LOCK set): #UD it if the guest's CPUID
			    * 8000_0001 ECX[4] is clear */
	u64 imm;           /* MOV imm: the value stored, already sign-extended and truncated to op_size */
	struct insn_mem mem;
	u32 prefixes;      /* INSN_PFX_* */
	u8 rex;            /* the REX prefix byte, 0 if none (INSN_REX_* bits) */
	const char *reason; /* on error: a static string saying why; NULL on success */
};

/* The mode the CPU decodes in: 16-bit in real and virtual-8086 mode, 64-bit with EFER.LMA and CS.L,
 * else CS.D picks 32 or 16 (also for compatibility mode). */
enum cpu_mode decode_cpu_mode(bool cr0_pe, bool rflags_vm, bool efer_lma, bool cs_l, bool cs_d);

/* The linear address of the instruction at rip: CS.base + rip, both wrapped to 32 bits outside 64-bit
 * mode; CS.base is ignored in 64-bit mode. */
u64 insn_fetch_linear(enum cpu_mode mode, u64 cs_base, u64 rip);

/* Decodes the instruction at bytes[0..len) (len may exceed the instruction; at most 15 bytes are looked at).
 * Returns 0 and fills *out, or a negative enum decode_error with out->reason set. */
int insn_decode(const u8 *bytes, u32 len, enum cpu_mode mode, struct insn *out);

/* The name of an error code, for logs. */
const char *decode_error_name(int err);

/* The linear address of the memory operand (insn.rm_is_mem): the effective address wrapped to addr_size,
 * plus the segment base (only FS/GS bases count in 64-bit mode; outside it the sum wraps at 4 GiB).
 * rip is the address of the instruction itself (RIP-relative adds insn.len). Segment limits and
 * canonicality are not checked. */
u64 insn_linear_addr(const struct insn *in, const u64 gpr[16], u64 rip, const u64 seg_base[NUM_SEGS]);

/* Register access with x86 partial-register rules: reads the low `size` bytes (or AH..BH); a write of 4
 * bytes zero-extends to 64 bits, 1 or 2 bytes leave the other bits alone. */
u64 insn_reg_read(const u64 gpr[16], struct insn_reg r, u8 size);
void insn_reg_write(u64 gpr[16], struct insn_reg r, u8 size, u64 val);

/* For a load (MOV_LOAD, MOVZX, MOVSX): the value the reg operand receives, op_size bytes wide, from the
 * rm_size-byte value read. Pass it to insn_reg_write(gpr, in->reg, in->op_size, ...). */
u64 insn_load_value(const struct insn *in, u64 raw);

#endif
