/* Guest CPU state that neither VMX nor SVM switches at entry and exit: the x87/SSE/AVX register file,
 * DR0-DR3, DR6 and CR2. The hypervisor never uses them, so the hardware holds the state of the vCPU that
 * ran last on this CPU; it is saved and the next vCPU's loaded only when another vCPU runs here. */
#ifndef HV_GUEST_XSTATE_H
#define HV_GUEST_XSTATE_H

#include "lib/types.h"
#include "verdict.h"

struct vcpu;

struct guest_xstate {
	void *area;   /* XSAVE (or FXSAVE) image, page aligned */
	u64 dr[4];
	u64 dr6;
	u64 cr2;
	u64 xcr0;     /* the guest's XCR0 (XSETBV is emulated): in the hardware only while it runs */
	u64 tsc_aux;  /* IA32_TSC_AUX (RDTSCP, RDPID read it natively): in the hardware while it runs */
};

/* Once at boot: how the register file is saved (XSAVE with the host's XCR0, else FXSAVE). */
void guest_xstate_probe(void);
void guest_xstate_cpu_init(void); /* on each AP, after guest_xstate_probe() on the boot CPU */
/* The RESET/INIT-like state of a new vCPU: x87 after FNINIT, MXCSR 1F80H, XMM/YMM zero, DR0-3 zero,
 * DR6 FFFF0FF0H, CR2 zero. 0 or -ENOMEM. */
int guest_xstate_init(struct vcpu *v);
/* Before v enters the guest: makes the hardware hold v's state. */
void guest_xstate_switch_to(struct vcpu *v);
/* INIT: DR0-3, DR6 and CR2 return to their reset values, the x87/SSE/AVX registers are kept
 * (SDM Vol. 3A Table 10-1). */
void guest_xstate_init_signal(struct vcpu *v);
/* The components microhv saves per vCPU (its own XCR0), 0 without XSAVE: what a guest's XCR0 may hold. */
u64 guest_xstate_host_xcr0(void);
/* Right before entering v (guest_cr4: its CR4) and right after the exit: the hardware's XCR0 is the
 * guest's while it runs with CR4.OSXSAVE set, the host's at every other time (VMX and SVM switch
 * neither). IA32_TSC_AUX, which microhv does not use, is loaded with v's before the entry. */
void guest_xstate_enter(struct vcpu *v, u64 guest_cr4);
void guest_xstate_leave(struct vcpu *v, u64 guest_cr4);
/* Emulates an intercepted XSETBV of the current exit: #UD, #GP(0), or XCR0 set and RIP moved on. */
struct verdict guest_xstate_xsetbv(struct vcpu *v);
/* v is going away: its state is dropped, never saved over another vCPU's. */
void guest_xstate_release(struct vcpu *v);

#endif
