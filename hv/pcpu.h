/* The physical CPUs microhv owns: one struct pcpu each, in its own pages (nothing of two pCPUs shares a
 * cache line). The boot CPU is pCPU 0; the APs (from the ACPI MADT) follow in table order. */
#ifndef HV_PCPU_H
#define HV_PCPU_H

#include "../boot/boot_info.h"
#include "cpu.h"
#include "rules/madt.h"
#include "lib/types.h"

#define PCPU_MAX MADT_MAX_CPUS
#define CACHE_LINE_BYTES 64

enum pcpu_state {
	PCPU_OFF,      /* not started (left out by pcpus=, or not yet) */
	PCPU_STARTING, /* INIT and STARTUP IPIs sent, no answer yet */
	PCPU_ALIVE,    /* reached its C entry: setting itself up */
	PCPU_ONLINE,   /* VMX/SVM on, parked in its idle loop */
	PCPU_FAILED,   /* no answer, or its set-up failed: left out, sent back to wait-for-SIPI */
};

struct pcpu;
typedef void (*pcpu_work_fn)(struct pcpu *self, void *arg);

/* The work slot: one item at a time. Ordering: the poster writes arg, then fn with release; the owner
 * reads fn with acquire, runs it, and writes fn = NULL with release (so the poster, reading fn with
 * acquire, sees everything the work wrote). Only the boot CPU posts for now: no poster-side lock. */
struct pcpu_mailbox {
	pcpu_work_fn fn; /* NULL: empty */
	void *arg;
	u64 done;        /* items run so far */
} __attribute__((aligned(CACHE_LINE_BYTES)));

struct vcpu;
struct suite_job;

struct pcpu {
	struct pcpu *self;        /* first: this_pcpu() reads it at GS:0 */
	struct cpu_tables tables; /* GDT, TSS, IDT (the boot CPU's are cpu.c's own) */
	u32 index;                /* 0: the boot CPU */
	u32 apic_id;              /* as the MADT lists it */
	u64 stack_top, ist_stack_top; /* each with an unmapped guard page below */
	void *virt_area;          /* the back end's: VMX the VMXON region, SVM the host save area */
	void *host_state;         /* SVM: the host VMCB that VMSAVE/VMLOAD use around VMRUN */
	u32 state;                /* enum pcpu_state: the pCPU itself writes it, the boot CPU waits on it */
	int error;                /* -errno of a failed set-up (state PCPU_FAILED) */
	const char *why;          /* what failed, in words (the back end's cpu_init sets it) */
	struct pcpu_mailbox mailbox;
	/* What this pCPU's hardware holds now, for the code that switches it only on change. Only the pCPU
	 * itself reads or writes these. */
	void *loaded_vmcs_owner;     /* VMX: the vCPU whose VMCS is current here (NULL: none) */
	const void **asid_owner;     /* SVM: per ASID, the vCPU whose translations this TLB may hold */
	u64 host_timer_armed_tsc;    /* when this pCPU's host timer fires next (0: not armed) */
	struct vcpu *xstate_owner;   /* whose FPU/SSE/AVX state the registers hold */
	u64 hw_xcr0, hw_tsc_aux;     /* XCR0 and IA32_TSC_AUX as loaded */
	struct suite_job *job;       /* the suite job running here (hv/suite_jobs.h), NULL between jobs */
	bool ready_for_guests;       /* pcpu_prepare_for_guests() ran */
};

/* The pCPU this code runs on: its struct pcpu is at the GS base (IA32_GS_BASE, set once per pCPU by
 * pcpu_make_current() after its GDT is loaded; the host never loads GS otherwise, and VMX's host-state GS base and SVM's host
 * VMSAVE area put it back after every exit). Valid from pcpu_discover() on. */
static inline struct pcpu *this_pcpu(void)
{
	struct pcpu *p;
	__asm__("mov %%gs:0, %0" : "=r"(p));
	return p;
}

/* On pCPU p itself: makes this_pcpu() return p. */
void pcpu_make_current(struct pcpu *p);
/* On pCPU `self`, before its first guest: what the boot CPU set up for itself before the APs could run
 * guests (its host timer, its XCR0 and TSC_AUX). Once per pCPU; nothing on the boot CPU. */
void pcpu_prepare_for_guests(struct pcpu *self);

/* A back end's cpu_init() failing on `p`: records why and returns err. */
static inline int pcpu_setup_failed(struct pcpu *p, int err, const char *why)
{
	p->why = why;
	return err;
}

/* Finds the pCPUs in the ACPI MADT (or, without one, the firmware's MP services list that boot/ made)
 * and prepares at most `limit` of them (0: all): their structures and stacks. Before cpu_setup_bsp(), which maps the stacks' guard pages. Logs what it
 * leaves out. */
void pcpu_discover(const struct boot_info *bi, u32 limit);
u32 pcpu_count(void);              /* the pCPUs prepared, the boot CPU included */
struct pcpu *pcpu_get(u32 index);  /* 0 <= index < pcpu_count() */
u32 pcpu_online_count(void);

/* An AP's life after its set-up: runs what its mailbox holds, else halts until an IPI (HOST_WAKE_VECTOR)
 * or another interrupt wakes it. Never returns. */
void pcpu_idle(struct pcpu *self) __attribute__((noreturn));
/* Puts fn(arg) into p's mailbox and wakes p. The mailbox must be empty (pcpu_wait_idle()). */
void pcpu_post(struct pcpu *p, pcpu_work_fn fn, void *arg);
/* Waits up to `ms` for p's mailbox to be empty again; true if it is. */
bool pcpu_wait_idle(struct pcpu *p, u64 ms);

#endif
