/* Intel VMX back end: private state shared by its files. */
#ifndef HV_VMX_VMX_H
#define HV_VMX_VMX_H

#include "../backend.h"
#include "rules/apicv_page.h"
#include "ept.h"
#include "vmcs.h"
#include "vmx_ops.h"

struct vmx_caps {
	u64 basic, misc, ept_vpid;
	u64 cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	u32 pin, primary, secondary, exit, entry; /* the controls microhv runs with */
	u32 preemption_ticks; /* one watchdog slice in preemption-timer units, if the timer is used */
	u32 preemption_rate;  /* the timer counts TSC >> this (IA32_VMX_MISC[4:0]) */
	bool apicv;           /* TPR shadow, APIC-register virtualization, virtual-interrupt delivery, both
	                       * "virtualize APIC accesses" and "virtualize x2APIC mode" (apicv.c) */
};
extern struct vmx_caps vmx_caps;
extern struct inject_caps vmx_inject_caps;
extern struct guest_insn_caps vmx_insn_caps;

/* What to publish before the next entry. */
#define APICV_DIRTY_INTERRUPTS BIT(0) /* IRR, ISR, TMR, TPR (an accepted interrupt, CR8) */
#define APICV_DIRTY_REGISTERS BIT(1)  /* anything: a register write, the mode, the base, RESET, INIT */

/* A vCPU's hardware APIC virtualization (apicv.c). */
struct vmx_apicv {
	bool on;              /* the VMCS virtualizes this vCPU's APIC */
	u8 dirty;             /* APICV_DIRTY_*: what changed in the vlapic since the page was written */
	u64 dirty_regs;       /* with APICV_DIRTY_REGISTERS: which (VLAPIC_REG_BIT(), VLAPIC_REGS_ALL) */
	bool idle;            /* the vlapic had no IRR and no ISR bit at the last publish or pull */
	enum apicv_mode mode; /* what the VMCS is set up for */
	u8 *page;             /* the virtual-APIC page */
	u32 secondary;        /* the secondary controls as written */
	u64 default_msr_bitmap, ram_eptp; /* what the VMCS holds outside x2APIC and xAPIC mode */
	u64 eoi_exit[APICV_EOI_EXIT_WORDS]; /* the EOI-exit bitmap as written */
};

struct vmx_vcpu {
	void *vmcs;
	bool launched;
	u64 cr0_shadow, cr4_shadow; /* the guest-visible CR0/CR4 (the read shadows) */
	u64 next_rip;
	u64 exit_rsp, exit_rflags; /* as read at the last exit: unchanged values need no VMWRITE */
	u64 preemption_value;      /* the preemption-timer field as last written */
	bool pause_exiting;        /* PROC_PAUSE_EXITING as last written (v->pause_exiting) */
	bool event_pending;        /* VM-entry interruption information holds an event for the next entry */
	u64 msr_shadow[NUM_VREGS]; /* guest MSRs the VMCS does not hold */
	u16 vpid;
	struct vmx_apicv apicv;
};

struct vmx_vm {
	struct stage2 ept;
	void *apic_access_page;          /* the page whose accesses the processor virtualizes (never touched) */
	struct ept_apic_tree apic_tree;  /* EPT with that page at the default xAPIC base */
	bool apic_tree_ready;            /* built: xAPIC accesses can be virtualized in this VM */
};

int vmx_world_switch(struct vcpu *v, int launched);
void vmx_exit_entry(void);

/* Writes a VMCS field; a failure is logged (and then surfaces as a VM-entry failure). Inline: the run
 * loop writes fields on every entry. */
void vmcs_write_failed(u64 field);
static inline void vmcs_write(u64 field, u64 value)
{
	if (__builtin_expect(!vmwrite(field, value), 0))
		vmcs_write_failed(field);
}
void vmx_decode_exit(struct vcpu *v, struct exit_info *e);
/* The facts of an I/O instruction exit, from its exit qualification (SDM Vol. 3C Table 28-5). */
struct exit_io vmx_io_of(u64 qual);
/* vmx_fast.c: true if the exit that just happened was answered in the back end (RIP advanced, the exit
 * counted) and the guest can be entered again at once. */
bool vmx_answered_on_fast_path(struct vcpu *v);
/* bench/ (HC_BENCH_MODE): the null path for the VM's selected exit kinds, the fast path for the others. */
bool vmx_answered_on_null_path(struct vcpu *v);
void vmx_report_entry_failure(struct vcpu *v, struct exit_info *e, int how);
void vmx_set_cr0(struct vcpu *v, u64 cr0);
void vmx_set_cr4(struct vcpu *v, u64 cr4);

/* apicv.c: hardware APIC virtualization. */
bool vmx_apicv_probe(u64 primary_cap, u64 secondary_cap);
int vmx_apicv_vm_init(struct vm *vm);
void vmx_apicv_vm_destroy(struct vm *vm);
int vmx_apicv_vcpu_init(struct vcpu *v);
void vmx_apicv_vcpu_destroy(struct vmx_vcpu *x);
void vmx_apicv_publish(struct vcpu *v);
void vmx_apicv_pull_all(struct vcpu *v);
bool vmx_apicv_fast_ipi_to_self(struct vcpu *v);
void vmx_apicv_decode_exit(struct vcpu *v, u32 basic, u64 qual, struct exit_info *e);
void vmx_apic_changed(struct vcpu *v, u64 regs);
bool vmx_apic_delivers(struct vcpu *v);

/* After every VM exit: what the guest changed in the virtual-APIC page without an exit goes back into the
 * vlapic. Most exits take the fast path: nothing was pending or in service, RVI and SVI are still 0 and
 * the TPR is unchanged, so IRR and ISR are still empty (apicv_intr_idle()). Inline: it runs every exit. */
static inline void vmx_apicv_pull(struct vcpu *v, struct vmx_apicv *p)
{
	if (p->idle && vmread(VMCS_GUEST_INTR_STATUS) == 0 &&
	    apicv_page_read32(p->page, VLAPIC_REG_TPR) == v->apic.tpr)
		apicv_page_pull_icr_high(&v->apic, p->page, p->mode);
	else
		vmx_apicv_pull_all(v);
}

/* vmx.c: CPU-wide parts, used by the vCPU code's backend table. */
bool vmx_probe(void);
struct pcpu;
int vmx_cpu_init(struct pcpu *self);
int vmx_vm_init(struct vm *vm);
void vmx_vm_destroy(struct vm *vm);

#endif
