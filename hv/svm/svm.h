/* AMD SVM back end: private state shared by its files. */
#ifndef HV_SVM_SVM_H
#define HV_SVM_SVM_H

#include "../backend.h"
#include "../stage2.h"
#include "rules/npt.h"
#include "vmcb.h"

struct svm_vcpu {
	struct vmcb *vmcb;
	u64 next_rip;  /* where skip_instruction() moves RIP for the current exit */
	u64 cr0_cd_nw; /* the CD/NW bits of the guest's CR0 (the VMCB may hold them cleared) */
	/* SVM has no virtual NMI blocking: it is tracked here, from the injection to the handler's IRET
	 * (intercepted), and lifted at the first exit after the IRET has executed. */
	bool nmi_masked;
	bool nmi_iret_seen;
	u64 nmi_iret_rip;
	/* An NMI that became pending while the handler ran is due right after its IRET. Without vNMI there
	 * is no NMI-window exit, so the IRET is single-stepped (TF set, #DB intercepted): the #DB exit after
	 * it is the window (what KVM does, svm_enable_nmi_window()). */
	bool nmi_singlestep;
	u64 nmi_ss_guest_flags; /* the guest's own TF and RF before the IRET */
	u64 nmi_ss_dr6;         /* its DR6 then, restored when the #DB was only the window */
};

struct svm_vm {
	struct stage2 npt;
};

struct svm_caps {
	bool nrip_save;
	bool flush_by_asid;
	u32 nasid;
};
extern struct svm_caps svm_caps;

/* Translates the VMCB's exit into the core's terms and computes svm_vcpu.next_rip. */
void svm_decode_exit(struct vcpu *v, struct exit_info *e);
/* The facts of an IOIO intercept, from its EXITINFO1 (APM Vol. 2 §15.10.2). */
struct exit_io svm_io_of(u64 exit_info1);
/* The #DB intercept: the NMI window after a single-stepped IRET, or the guest's own #DB (reflected). */
void svm_nmi_singlestep_exit(struct vcpu *v, struct exit_info *e);

void svm_world_switch(struct vcpu *v, u64 guest_vmcb_pa, u64 host_vmcb_pa);

/* svm_fast.c: an exit answered in the entry loop (RIP past it, shadow ended, counted); false: to the core. */
struct vmcb;
bool svm_answered_on_fast_path(struct vcpu *v, struct vmcb *vmcb);
/* bench/ (HC_BENCH_MODE): the null path for the VM's selected exit kinds, the fast path for the others. */
bool svm_answered_on_null_path(struct vcpu *v, struct vmcb *vmcb);

/* svm_cr.c: the guest's CR0 as the VMCB holds it (the intercepted instructions are decoded by the core). */
void svm_set_cr0(struct vcpu *v, u64 cr0);
/* The next VMRUN drops the guest's TLB entries (as its own MOV to CR0/CR3/CR4 would have). */
void svm_flush_guest_tlb(struct vcpu *v);
u64 svm_get_cr0(const struct vcpu *v);
u64 svm_cr0_view(const struct vcpu *v, enum vreg r); /* VREG_HW_CR0 .. VREG_CR0_READ_EXITS */

#endif
