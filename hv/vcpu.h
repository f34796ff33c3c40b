/* The arch-neutral virtual CPU. The back end keeps its hardware state (VMCB/VMCS) behind `arch`. */
#ifndef HV_VCPU_H
#define HV_VCPU_H

#include "exit.h"
#include "guest_xstate.h"
#include "rules/insn_cache.h"
#include "rules/msr_stored.h"
#include "rules/tsc.h"
#include "rules/mtrr.h"
#include "lib/types.h"
#include "apic/rules/vlapic.h"

/* General-purpose registers in x86 encoding order, so a ModRM register number indexes gpr[]. */
enum gpr {
	GPR_RAX, GPR_RCX, GPR_RDX, GPR_RBX, GPR_RSP, GPR_RBP, GPR_RSI, GPR_RDI,
	GPR_R8, GPR_R9, GPR_R10, GPR_R11, GPR_R12, GPR_R13, GPR_R14, GPR_R15,
	NUM_GPRS
};

/* Guest state the core reads or writes through the back end (never a VMCB/VMCS field directly). */
enum vreg {
	VREG_CR0, VREG_CR3, VREG_CR4, VREG_EFER, VREG_PAT,
	VREG_FS_BASE, VREG_GS_BASE, VREG_KERNEL_GS_BASE,
	VREG_STAR, VREG_LSTAR, VREG_CSTAR, VREG_SFMASK,
	VREG_SYSENTER_CS, VREG_SYSENTER_ESP, VREG_SYSENTER_EIP,
	VREG_CS_SELECTOR,
	VREG_CPL,
	VREG_CS_L, /* CS.L: 64-bit code segment */
	VREG_CS_D, /* CS.D: 32-bit default operand size */
	VREG_CS_BASE,
	VREG_CR2,  /* SVM: the VMCB's; VMX: the hardware register, which holds the running vCPU's CR2 */
	VREG_DR6,  /* likewise */
	VREG_ES_BASE, VREG_SS_BASE, VREG_DS_BASE, /* for memory operands outside 64-bit mode (FS/GS above) */
	/* Read-only, for HC_QUERY_CR0: what the hardware runs with, not the guest's view. */
	VREG_HW_CR0,           /* the CR0 in the VMCS guest area / VMCB save area */
	VREG_CR0_WRITE_EXITS,  /* CR0 bits whose change by a guest write exits to microhv */
	VREG_CR0_READ_EXITS,   /* CR0 bits a guest read takes from microhv (shadow or intercept), not hardware */
	VREG_TSC_OFFSET, /* added to the host TSC for the guest's RDTSC (VMX TSC offset, SVM TSC_OFFSET) */
	NUM_VREGS
};

/* An exception queued by hv_inject_exception(); sanitized only at VM entry (the guest mode may change). */
struct queued_exception {
	bool valid;
	u8 vector;
	bool has_ec;
	u32 ec;
	u32 flags;
};

struct vcpu_stats {
	u64 exits;
	u64 ec_dropped;
	u64 ec_added;
	u64 nmis;
};

struct vm;

/* Where a vCPU is in its life (SDM Vol. 3A §9.4 MP initialization, §11.6.1 INIT/STARTUP). */
enum vcpu_state {
	VCPU_RUNNABLE,      /* queued or running */
	VCPU_HALTED,        /* executed HLT: runs again when an interrupt it can take or an NMI is pending */
	VCPU_WAIT_FOR_SIPI, /* an AP after RESET, or any vCPU after INIT: only a STARTUP IPI moves it on */
};

struct vcpu {
	u64 gpr[NUM_GPRS]; /* first member: the world-switch code addresses it from the vcpu pointer */
	u64 rip;
	u64 rflags;
	struct vm *vm;
	u32 id;
	void *arch;
	struct queued_exception exception;
	struct vcpu_stats stats;
	/* Guest MTRR MSRs (hv/rules/mtrr.h), only stored. All zero = the RESET state (R3.3) without an explicit
	 * mtrr_reset(): the vCPU lives inside struct vm, whose pages mm_alloc_pages() zeroes. INIT keeps it. */
	struct mtrr_state mtrr;
	enum vcpu_state state;
	bool queued;           /* in the VM's run queue (hv/sched.c) */
	bool yield;            /* gave up the rest of its slice (PAUSE): the scheduler runs another vCPU */
	bool started;          /* has run since RESET: INIT then keeps its CR0.CD/NW (spec R4.3) */
	bool start_pending;    /* a STARTUP IPI arrived in wait-for-SIPI: enter real mode at start_vector */
	u8 start_vector;
	u64 next_rip;          /* the last exit's report: past the exiting instruction */
	struct guest_intr_state intr; /* the last exit's report, as the core has changed it since */
	bool end_shadow;       /* the core completed an instruction: the next entry ends its shadow */
	char stop_why[128];    /* the reason of a VERDICT_STOP (hv/verdict.h) */
	bool pause_exiting;    /* intercept PAUSE: another vCPU waits to run (sched.c keeps it) */
	struct vlapic apic;    /* its virtual local APIC (hv/apic/) */
	struct guest_xstate xstate; /* FPU/SSE/AVX, DR0-3, DR6, CR2 (hv/guest_xstate.h) */
	struct stored_msrs msrs;    /* MSRs with a value and no effect (hv/rules/msr_stored.h) */
	struct guest_tsc tsc;       /* its TSC offset and IA32_TSC_ADJUST (hv/rules/tsc.h); zero at RESET */
	struct insn_cache insn_cache; /* decoded instruction sites (hv/rules/insn_cache.h); every hit is re-validated */
};

#endif
