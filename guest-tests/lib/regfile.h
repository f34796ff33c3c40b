/* The guest-visible register state no VMCS/VMCB field holds: XMM0-15, MXCSR, the x87 control/status/tag
 * words, DR0-DR3, DR6, DR7 and CR2. A test fills it with a pattern and reads it back, to prove that
 * what one VM or vCPU leaves there is never seen by another (docs/isolation.md). */
#ifndef GUEST_REGFILE_H
#define GUEST_REGFILE_H

#include "hv/lib/types.h"

#define REGFILE_XMM_REGS 16
#define MXCSR_RESET 0x1F80u   /* SDM Vol. 1 §10.2.3.1 */
#define FCW_RESET 0x037Fu     /* after FNINIT (SDM Vol. 1 §8.1.5); KVM and QEMU reset to it too */
#define FTW_ALL_EMPTY 0xFFFFu /* FNSTENV tag word: every register empty */
#define DR6_RESET 0xFFFF0FF0ull
#define DR7_RESET 0x400ull

struct regfile {
	u64 xmm[REGFILE_XMM_REGS][2];
	u32 mxcsr;
	u16 fcw, fsw, ftw;
	u64 dr[4], dr6, dr7, cr2;
};

/* SSE needs CR4.OSFXSR (else #UD): sets it and OSXMMEXCPT on this CPU. */
void regfile_enable_sse(void);
void regfile_read(struct regfile *s);
/* Loads a pattern derived from `seed` into every register above: XMM lanes, MXCSR (a valid value other
 * than the reset one), FCW, two x87 stack entries, DR0-3 (canonical addresses, DR7 enables nothing). */
void regfile_fill(u64 seed);
/* The value regfile_fill(seed) put into XMMn's low quadword. */
u64 regfile_xmm_pattern(u64 seed, u32 n);
u32 regfile_mxcsr_pattern(u64 seed);

#endif
