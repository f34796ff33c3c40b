/* The vendor interface. The core calls only these; hv/svm/ and hv/vmx/ implement them. */
#ifndef HV_BACKEND_H
#define HV_BACKEND_H

#include "rules/events_decide.h"
#include "exit.h"
#include "rules/inject.h"
#include "vcpu.h"

struct vm;
struct pcpu;
struct start_state;

/* Where a vCPU starts (a Multiboot entry: 32-bit flat protected mode, paging off). */
/* Instructions a guest can execute natively under the back end (filled in by probe()): the CPUID policy
 * offers the host's feature only where they run. */
struct guest_insn_caps {
	bool rdtscp;  /* RDTSCP and RDPID (VMX: the "enable RDTSCP" control) */
	bool invpcid; /* INVPCID (VMX: "enable INVPCID" without INVLPG exiting) */
};

/* What the core decided for the next entry (one request in; the exit report comes out). */
struct entry_request {
	enum entry_event inject;    /* what this entry delivers */
	struct exc_event exception; /* ENTRY_EVENT_EXCEPTION: already sanitized for the guest's mode */
	u8 vector;                  /* ENTRY_EVENT_APIC_INTERRUPT, ENTRY_EVENT_EXTINT */
	bool interrupt_window;      /* exit as soon as the guest can take an interrupt */
	bool nmi_window;            /* exit as soon as the guest can take an NMI */
	bool end_shadow;            /* the core completed the exiting instruction: its STI/MOV SS shadow ends */
	u64 slice_end_tsc;          /* return to the core by then (VMX: its preemption timer; else the host timer) */
	bool slice_for_timer;       /* ... and that moment is a guest APIC timer, not just the watchdog tick */
	bool bench_null_path;       /* bench/ (HC_BENCH_MODE): the VM's selected exit kinds take the null path */
};

/* What fetching the instruction at CS:RIP depends on (its mode, its linear address, the guest's paging),
 * read in one back-end call: an emulated MMIO access needs all of it at every exit. */
struct fetch_regs {
	u64 cr0, cr3, cr4, efer; /* as get_reg(VREG_CR0 ... VREG_EFER) return them */
	u64 cs_base;
	bool cs_l, cs_d;
};

struct backend {
	const char *name; /* "svm" or "vmx" */
	u32 kind;         /* MICROHV_BACKEND_* of guest_abi.h */
	const struct inject_caps *inject_caps; /* filled in by probe() */
	const struct guest_insn_caps *insn_caps; /* filled in by probe() */
	/* True if this CPU offers what the back end needs (decided by feature bits, not the vendor). */
	bool (*probe)(void);
	/* Enables virtualization on the calling pCPU `self` (the boot CPU first, then each AP, one at a
	 * time): checks the feature and the firmware's lock on this pCPU, puts its VMXON region / host save
	 * area into self. Returns 0, or -errno with self->why saying what failed. */
	int (*cpu_init)(struct pcpu *self);
	/* Builds the second-level page tables for vm->ram (memory type: always write-back). */
	int (*vm_init)(struct vm *vm);
	void (*vm_destroy)(struct vm *vm);
	/* Creates v's VMCB/VMCS with microhv's controls; its register state comes from set_state(). */
	int (*vcpu_init)(struct vcpu *v);
	void (*vcpu_destroy)(struct vcpu *v);
	/* Makes v's state the one this CPU works on (VMX: VMPTRLD). The core calls it when it switches vCPUs;
	 * every call below that takes a vCPU assumes it is the loaded one. */
	void (*load)(struct vcpu *v);
	/* Loads a start (hv/rules/start_state.h: the Multiboot entry, or INIT + STARTUP) into v's VMCB/VMCS, with
	 * nothing pending from before. The core has set v's GPRs, RIP and RFLAGS from it. 0 or -errno. */
	int (*set_state)(struct vcpu *v, const struct start_state *s);
	/* Applies `in`, enters the guest, and returns with the report of the next exit the core must see. */
	void (*run)(struct vcpu *v, const struct entry_request *in, struct exit_info *out);
	u64 (*get_reg)(struct vcpu *v, enum vreg r);
	void (*set_reg)(struct vcpu *v, enum vreg r, u64 value);
	/* get_reg() of CR0, CR3, CR4, EFER, CS_BASE, CS_L and CS_D, in one call. */
	void (*get_fetch_regs)(struct vcpu *v, struct fetch_regs *out);
	/* Hardware APIC virtualization (VMX APICv; no-ops on SVM, which has no AVIC on these platforms). The
	 * vCPU's vlapic (hv/apic/rules/vlapic.h) stays the truth: the back end copies it to the hardware before an
	 * entry and what the guest changed there back into it at the exit.
	 * apic_changed(): the core changed v's vlapic: only its interrupt state (IRR, ISR, TMR, TPR) if
	 * `regs` is VLAPIC_REGS_NONE, those registers too for a VLAPIC_REG_BIT() mask (after a guest write:
	 * vlapic_regs_written()), anything (mode, base) for VLAPIC_REGS_ALL. The hardware's copy is refreshed
	 * before v runs again. v need not be the loaded vCPU.
	 * apic_delivers(): true if the hardware delivers v's pending fixed interrupts itself (virtual-interrupt
	 * delivery): the core then injects none and opens no interrupt window for them. */
	void (*apic_changed)(struct vcpu *v, u64 regs);
	bool (*apic_delivers)(struct vcpu *v);
	/* Puts state into the VMCB/VMCS that the next VM entry must refuse (proves entry failures are caught). */
	void (*break_next_entry)(struct vcpu *v);
	/* The effective memory type of a guest-physical address, or -EINVAL if unmapped. */
	int (*query_memtype)(struct vm *vm, u64 gpa, u8 *type, bool *ignore_pat);
};

/* Probes the CPU and returns the back end to use, or NULL (after logging why). */
const struct backend *backend_probe(void);
extern const struct backend svm_backend;
extern const struct backend vmx_backend;

#endif
