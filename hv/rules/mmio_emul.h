/* One emulation step for an instruction that touched emulated device memory (MMIO): given the decoded
 * instruction (decode.h), the guest's registers and a bus that reaches the device, perform the
 * instruction's memory access(es) and its register and flag updates as the SDM defines them (the flag
 * arithmetic is alu.h's). Pure: the caller's bus callbacks do every access, by linear address, so the
 * same step serves the local APIC page today and any other device model later.
 *
 * Emulated: MOV (all forms), MOVZX, MOVSX, MOVSXD, MOVNTI, ADD/OR/ADC/SBB/AND/SUB/XOR/CMP, TEST, INC, DEC,
 * NOT, NEG, BT/BTS/BTR/BTC (register and immediate bit offsets), XCHG, CMPXCHG, XADD, PUSH m, POP m, and
 * MOVS/CMPS/STOS/LODS/SCAS with REP/REPE/REPNE and RFLAGS.DF. Not emulated (EMUL_UNSUPPORTED): the SSE
 * moves (their operand is an XMM register) and anything without a memory operand.
 *
 * The step is all-or-nothing for the registers: they are written only after every access succeeded,
 * except that a REP string instruction keeps the iterations it completed (rCX, rSI, rDI), as the CPU
 * does when it is interrupted. Device reads may have side effects, so each location is read once. */
#ifndef HV_MMIO_EMUL_H
#define HV_MMIO_EMUL_H

#include "decode.h"
#include "../lib/types.h"

enum emul_result {
	EMUL_DONE = 0,           /* complete: the caller advances RIP by insn.len */
	EMUL_REPEAT = 1,         /* a REP string instruction did EMUL_REP_CHUNK iterations and rCX is not 0:
				  * RIP stays, the guest executes it again (SDM Vol. 2B "REP": interruptible) */
	EMUL_UNSUPPORTED = -1,   /* decoded, but not emulated here */
	EMUL_NO_MEMORY = -2,     /* no memory operand: not an instruction that accesses a device */
	EMUL_CROSSES_PAGE = -3,  /* an access crosses a 4-KiB page boundary: nothing of it was done */
	EMUL_BUS_ERROR = -4,     /* the bus refused an access (it knows why) */
	EMUL_FAULT_GP = -5,      /* the instruction raises #GP(0) (a misaligned MOVAPS/MOVDQA/MOVNT*): nothing done */
};

/* Iterations of a REP string instruction per call: bounds the time one exit can take. */
#define EMUL_REP_CHUNK 64u

/* Accesses of 1, 2, 4 or 8 bytes at a linear address, never crossing a 4-KiB page. 0 on success,
 * nonzero to refuse (beyond the device, an unmapped page, ...). */
struct emul_bus {
	int (*read)(void *ctx, u64 linear, u8 size, u64 *value);
	int (*write)(void *ctx, u64 linear, u8 size, u64 value);
	void *ctx;
};

struct emul_cpu {
	u64 *gpr;            /* 16 registers, enum gpr order */
	u64 *rflags;
	u64 rip;             /* the instruction's own address (RIP-relative operands) */
	const u64 *seg_base; /* NUM_SEGS bases */
	u8 stack_size;       /* PUSH/POP stack-address size: 8 in 64-bit mode, else SS.B ? 4 : 2 */
	u8 *xmm;             /* INSN_SSE_MOV: the 16 bytes of the XMM register ModRM.reg names (NULL: not
			      * emulated); the caller writes them back to the register after a load */
};

/* Emulates `in`; returns an enum emul_result. */
int mmio_emulate(const struct insn *in, struct emul_cpu *cpu, const struct emul_bus *bus);

/* True when the instruction's only memory access is its r/m operand at the effective address (no stack,
 * no string pointer, no register bit offset): the linear page of that address is then the page the
 * faulting access hit, so a caller can pair it with the faulting guest-physical page instead of walking
 * the guest's page tables. For such an instruction mmio_emulate()'s first bus access is at the EA. */
bool mmio_only_accesses_ea(const struct insn *in);

const char *emul_result_name(int result);

#endif
