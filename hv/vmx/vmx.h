/* Intel VMX back end: private state shared by its files. */
#ifndef HV_VMX_VMX_H
#define HV_VMX_VMX_H

#include "../backend.h"
#include "ept.h"
#include "vmcs.h"

struct vmx_caps {
	u64 basic, misc, ept_vpid;
	u64 cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	u32 pin, primary, secondary, exit, entry; /* the controls microhv runs with */
	u32 preemption_ticks; /* one watchdog slice in preemption-timer units, if the timer is used */
	u32 preemption_rate;  /* the timer counts TSC >> this (IA32_VMX_MISC[4:0]) */
};
extern struct vmx_caps vmx_caps;
extern struct inject_caps vmx_inject_caps;

struct vmx_vcpu {
	void *vmcs;
	bool launched;
	u64 cr0_shadow, cr4_shadow; /* the guest-visible CR0/CR4 (the read shadows) */
	u64 next_rip;
	u64 exit_rsp, exit_rflags; /* as read at the last exit: unchanged values need no VMWRITE */
	u64 preemption_value;      /* the preemption-timer field as last written */
	bool event_pending;        /* VM-entry interruption information holds an event for the next entry */
	u64 msr_shadow[NUM_VREGS]; /* guest MSRs the VMCS does not hold */
	u16 vpid;
};

struct vmx_vm {
	struct stage2 ept;
};

int vmx_world_switch(struct vcpu *v, int launched);
void vmx_exit_entry(void);

/* Writes a VMCS field; a failure is logged (and then surfaces as a VM-entry failure). */
void vmcs_write(u64 field, u64 value);
void vmx_decode_exit(struct vcpu *v, struct exit_info *e);
void vmx_report_entry_failure(struct vcpu *v, struct exit_info *e, int how);
void vmx_set_cr0(struct vcpu *v, u64 cr0);
void vmx_set_cr4(struct vcpu *v, u64 cr4);

/* vmx.c: CPU-wide parts, used by the vCPU code's backend table. */
bool vmx_probe(void);
int vmx_cpu_init(void);
int vmx_vm_init(struct vm *vm);
void vmx_vm_destroy(struct vm *vm);

#endif
