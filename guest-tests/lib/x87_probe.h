/* x87 pointer-register probes (errata spec section 1): load one operand with FLD, then save the x87
 * environment in one of the formats, so a test can read FIP/FCS/FDP/FDS back.
 *
 * The *32 probes run in compatibility mode (compat32.h) with CS = SEL_CODE32 and DS = SEL_DATA, which
 * gives the 32-bit protected-mode layouts real, non-zero selectors to store; the 64-bit probe runs in
 * the runtime's 64-bit mode. Every probe records the CS and DS it ran with, and starts with FNINIT,
 * so FCW = 0x037F (all exceptions masked) and the FLD below raises nothing. */
#ifndef GUEST_X87_PROBE_H
#define GUEST_X87_PROBE_H

#include "compat32.h"
#include "hv/lib/types.h"

#define X87_FXSAVE_BYTES 512
#define X87_FXSAVE_ALIGN 16
#define X87_FNSAVE32_BYTES 108
#define X87_ENV32_BYTES 28

/* FSTENV/FSAVE image, 32-bit protected mode (SDM Vol. 1 Fig. 8-9). */
#define ENV32_FCW 0
#define ENV32_FIP 12
#define ENV32_FCS 16 /* bits 15:0; FOP in bits 26:16 */
#define ENV32_FDP 20
#define ENV32_FDS 24 /* bits 15:0 */

/* FXSAVE image without REX.W (SDM Vol. 1 Table 10-2). FXSAVE64 has 64-bit FIP/FDP at +8/+16 instead. */
#define FXSAVE_FIP 8
#define FXSAVE_FCS 12
#define FXSAVE_FDP 16
#define FXSAVE_FDS 20

/* Shared with x87_probe32.asm: keep the offsets in sync (checked below). */
struct x87_probe {
	u8 fxsave[X87_FXSAVE_BYTES];  /* +0 */
	u8 fnsave[X87_FNSAVE32_BYTES]; /* +512 */
	u8 env[X87_ENV32_BYTES];       /* +620 */
	u32 operand;                   /* +648: the FLD m32 operand, a float */
	u16 cs, ds;                    /* +652, +654: the selectors the probe ran with */
} __attribute__((aligned(X87_FXSAVE_ALIGN)));

_Static_assert(__builtin_offsetof(struct x87_probe, fnsave) == 512, "x87_probe32.asm PROBE_FNSAVE");
_Static_assert(__builtin_offsetof(struct x87_probe, env) == 620, "x87_probe32.asm PROBE_ENV");
_Static_assert(__builtin_offsetof(struct x87_probe, operand) == 648, "x87_probe32.asm PROBE_OPERAND");
_Static_assert(__builtin_offsetof(struct x87_probe, cs) == 652, "x87_probe32.asm PROBE_CS");
_Static_assert(__builtin_offsetof(struct x87_probe, ds) == 654, "x87_probe32.asm PROBE_DS");

/* 32-bit code (x87_probe32.asm), entered through compat32_call() with EAX = struct x87_probe *. */
extern const char x87_fnstenv32[];        /* FNINIT; FLD operand; FNSTENV env */
extern const char x87_fxsave32[];         /* FNINIT; FLD operand; FXSAVE fxsave */
extern const char x87_fnsave_fnstenv32[]; /* FNINIT; FLD operand; FNSAVE fnsave; FNSTENV env */

/* 64-bit mode: FNINIT; FLD operand; FXSAVE fxsave, encoded without REX.W (the FCS/FDS layout). */
void x87_fxsave64_no_rexw(struct x87_probe *p);

static inline void x87_probe32(const char *probe, struct x87_probe *p)
{
	compat32_call((u32)(u64)probe, (u32)(u64)p);
}

#endif
