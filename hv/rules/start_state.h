/* The register state a vCPU starts in, as data: built here once by pure functions, applied by each back
 * end's set_state() (the core never touches VMCS/VMCB fields). Two starts exist:
 *  - the Multiboot entry of the BSP (Multiboot 0.6.96 §3.2 "Machine state"): 32-bit flat protected mode,
 *    paging off, EAX = the boot loader magic, EBX = the information structure, everything else as after
 *    RESET;
 *  - an AP's STARTUP IPI after INIT (SDM Vol. 3A §10.1.1 Table 10-1 and §9.4.4.1 ... §10.4.4.1 in
 *    newer editions): real mode at CS = vector << 8, base vector << 12, IP = 0, CR0 from RESET or
 *    kept CD/NW after INIT (spec R4.3), EDX = the processor signature.
 * Segments use the access-rights layout of a segment descriptor's bytes 5-6 (SDM Vol. 3A §3.4.5, as
 * the VMCS stores them): type 3:0, S 4, DPL 6:5, P 7, AVL 12, L 13, D/B 14, G 15. */
#ifndef HV_START_STATE_H
#define HV_START_STATE_H

#include "../lib/types.h"

#define SEG_AR_CODE16 0x009Bu  /* P, S, code execute/read, accessed (limit in bytes) */
#define SEG_AR_DATA16 0x0093u  /* P, S, data read/write, accessed */
#define SEG_AR_CODE32 0xC09Bu  /* G, D, P, S, code execute/read, accessed */
#define SEG_AR_DATA32 0xC093u  /* G, B, P, S, data read/write, accessed */
#define SEG_AR_LDT 0x0082u     /* P, system type 2 (LDT) */
#define SEG_AR_TSS_BUSY 0x008Bu /* P, system type 11 (busy 32/64-bit TSS): VM entry wants a busy TSS */

#define START_DR6 0xFFFF0FF0ull /* Table 10-1 */
#define START_DR7 0x400ull

struct start_segment {
	u16 selector;
	u16 ar;
	u32 limit;
	u64 base;
};

struct start_table {
	u64 base;
	u16 limit;
};

struct start_state {
	struct start_segment cs, ds, es, ss, fs, gs, ldtr, tr;
	struct start_table gdtr, idtr;
	u64 rip, rflags;
	u64 rax, rbx, rdx; /* every other GPR is 0 */
	u64 cr0, cr3, cr4, efer, cr2;
	u64 dr6, dr7;
	/* RESET only: MSRs that INIT leaves alone (Table 10-1: PAT, SYSENTER_*) take their power-up values. */
	bool reset_msrs;
	u64 pat;
};

/* The BSP at the Multiboot entry point `rip` (cr0: PE | ET, from the loader). */
void start_state_multiboot(struct start_state *s, u64 rip, u64 cr0, u32 magic, u32 info);
/* An AP after INIT (or RESET) and a STARTUP IPI with `vector`; `cr0` as cr0_reset_value() or
 * cr0_init_value() give it, `signature` = CPUID.1:EAX. */
void start_state_sipi(struct start_state *s, u64 cr0, u8 vector, u32 signature);

#endif
