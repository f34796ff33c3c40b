/* VMCS set-up for a vCPU, the run loop, and guest register access for the VMX back end. */
#include "vmx.h"
#include "rules/controls.h"
#include "vmx_ops.h"
#include "../cpu.h"
#include "../lib/fmt.h"
#include "../rules/guest_abi.h"
#include "../log.h"
#include "../mm.h"
#include "../pcpu.h"
#include "../spinlock.h"
#include "../rules/start_state.h"
#include "../time.h"
#include "../vm.h"
#include "../x86.h"

#define IO_BITMAP_PAGES 2 /* A: ports 0-0x7FFF, B: 0x8000-0xFFFF; all ones = every port exits */
#define MSR_BITMAP_PAGES 1 /* all ones = every RDMSR/WRMSR exits */
#define VMCS_LINK_POINTER_NONE 0xFFFFFFFFFFFFFFFFull
#define CS_AR_L (1u << 13)
#define CS_AR_D (1u << 14)
/* Only CR0.TS and CR0.WP are the guest's own (spec R4.1); every other bit of CR0, and all of CR4, exit. */
#define CR0_GUEST_OWNED (CR0_TS | CR0_WP)
#define CR4_HOST_OWNED_ALL 0xFFFFFFFFFFFFFFFFull

static void *io_bitmaps, *msr_bitmap;
static void vmx_set_reg(struct vcpu *v, enum vreg r, u64 value);
static void vmx_load(struct vcpu *v);
static u16 next_vpid = 1;            /* 0 belongs to the host */
static struct spinlock bitmaps_lock;  /* the first vCPUs of two pCPUs may be made at once */
#define MAX_VPID 0xFFFF

static int alloc_bitmaps(void)
{
	if (__atomic_load_n(&msr_bitmap, __ATOMIC_ACQUIRE))
		return 0;
	spin_lock(&bitmaps_lock);
	if (!io_bitmaps)
		io_bitmaps = mm_alloc_pages(IO_BITMAP_PAGES, PAGE_SIZE);
	void *msrs = msr_bitmap ? msr_bitmap : mm_alloc_pages(MSR_BITMAP_PAGES, PAGE_SIZE);
	if (io_bitmaps && msrs && !msr_bitmap) {
		memset(io_bitmaps, 0xFF, IO_BITMAP_PAGES * PAGE_SIZE);
		memset(msrs, 0xFF, MSR_BITMAP_PAGES * PAGE_SIZE);
		__atomic_store_n(&msr_bitmap, msrs, __ATOMIC_RELEASE); /* last: the test above reads it */
	}
	spin_unlock(&bitmaps_lock);
	return msr_bitmap ? 0 : -ENOMEM;
}

/* MSRs the VMCS does not switch. The hypervisor never uses them, so the hardware simply holds the
 * current vCPU's values: written through on WRMSR and reloaded when another vCPU's VMCS is loaded. */
static const struct {
	enum vreg reg;
	u32 msr;
} unswitched_msrs[] = {
	{ VREG_KERNEL_GS_BASE, MSR_KERNEL_GS_BASE }, { VREG_STAR, MSR_STAR }, { VREG_LSTAR, MSR_LSTAR },
	{ VREG_CSTAR, MSR_CSTAR },                   { VREG_SFMASK, MSR_SFMASK },
};

static void load_unswitched_msrs(const struct vmx_vcpu *x)
{
	for (u32 i = 0; i < ARRAY_SIZE(unswitched_msrs); i++)
		wrmsr(unswitched_msrs[i].msr, x->msr_shadow[unswitched_msrs[i].reg]);
}

static void store_unswitched_msr(struct vmx_vcpu *x, enum vreg r, u64 value)
{
	x->msr_shadow[r] = value;
	for (u32 i = 0; i < ARRAY_SIZE(unswitched_msrs); i++)
		if (unswitched_msrs[i].reg == r)
			wrmsr(unswitched_msrs[i].msr, value);
}

static void setup_host_state(void)
{
	const struct host_tables h = cpu_host_tables(); /* the pCPU the vCPU is made on, and runs on */
	vmcs_write(VMCS_HOST_CR0, read_cr0());
	vmcs_write(VMCS_HOST_CR3, read_cr3());
	vmcs_write(VMCS_HOST_CR4, read_cr4());
	vmcs_write(VMCS_HOST_CS_SELECTOR, HOST_CS_SELECTOR);
	vmcs_write(VMCS_HOST_SS_SELECTOR, HOST_DS_SELECTOR);
	vmcs_write(VMCS_HOST_DS_SELECTOR, HOST_DS_SELECTOR);
	vmcs_write(VMCS_HOST_ES_SELECTOR, HOST_DS_SELECTOR);
	vmcs_write(VMCS_HOST_FS_SELECTOR, 0);
	vmcs_write(VMCS_HOST_GS_SELECTOR, 0);
	vmcs_write(VMCS_HOST_TR_SELECTOR, HOST_TR_SELECTOR);
	vmcs_write(VMCS_HOST_FS_BASE, 0);
	vmcs_write(VMCS_HOST_GS_BASE, rdmsr(MSR_GS_BASE)); /* this_pcpu() */
	vmcs_write(VMCS_HOST_TR_BASE, h.tss_base);
	vmcs_write(VMCS_HOST_GDTR_BASE, h.gdt_base);
	vmcs_write(VMCS_HOST_IDTR_BASE, h.idt_base);
	vmcs_write(VMCS_HOST_SYSENTER_CS, 0);
	vmcs_write(VMCS_HOST_SYSENTER_ESP, 0);
	vmcs_write(VMCS_HOST_SYSENTER_EIP, 0);
	vmcs_write(VMCS_HOST_EFER, rdmsr(MSR_EFER));
	vmcs_write(VMCS_HOST_PAT, rdmsr(MSR_IA32_PAT));
	vmcs_write(VMCS_HOST_RIP, (u64)vmx_exit_entry);
}

static void set_segment_at(u64 selector_field, u16 selector, u64 base, u32 ar, u32 limit)
{
	/* Selector, base, limit and access-rights fields are laid out at fixed strides per register. */
	u64 index = (selector_field - VMCS_GUEST_ES_SELECTOR) / 2;
	vmcs_write(selector_field, selector);
	vmcs_write(VMCS_GUEST_ES_BASE + index * 2, base);
	vmcs_write(VMCS_GUEST_ES_LIMIT + index * 2, limit);
	vmcs_write(VMCS_GUEST_ES_AR + index * 2, ar);
}

static void set_segment(u64 selector_field, const struct start_segment *g)
{
	set_segment_at(selector_field, g->selector, g->base, g->ar, g->limit);
}

/* A start (hv/rules/start_state.h; the VMCS takes the descriptor's access rights as they are). Real mode is
 * accepted by VM entry only with "unrestricted guest", a required control here. Nothing pending from
 * before survives: no event, no interrupt shadow, no interrupt or NMI window. DR6 and CR2 are not in
 * the VMCS: the per-vCPU register file (guest_xstate.c) resets them. */
static int vmx_set_state(struct vcpu *v, const struct start_state *g)
{
	struct vmx_vcpu *x = v->arch;
	const struct { u64 field; const struct start_segment *seg; } segs[] = {
		{ VMCS_GUEST_CS_SELECTOR, &g->cs }, { VMCS_GUEST_DS_SELECTOR, &g->ds },
		{ VMCS_GUEST_ES_SELECTOR, &g->es }, { VMCS_GUEST_SS_SELECTOR, &g->ss },
		{ VMCS_GUEST_FS_SELECTOR, &g->fs }, { VMCS_GUEST_GS_SELECTOR, &g->gs },
		{ VMCS_GUEST_TR_SELECTOR, &g->tr }, { VMCS_GUEST_LDTR_SELECTOR, &g->ldtr },
	};
	vmx_load(v);
	for (u32 i = 0; i < ARRAY_SIZE(segs); i++)
		set_segment(segs[i].field, segs[i].seg);
	vmcs_write(VMCS_GUEST_GDTR_BASE, g->gdtr.base);
	vmcs_write(VMCS_GUEST_GDTR_LIMIT, g->gdtr.limit);
	vmcs_write(VMCS_GUEST_IDTR_BASE, g->idtr.base);
	vmcs_write(VMCS_GUEST_IDTR_LIMIT, g->idtr.limit);
	vmcs_write(VMCS_GUEST_CR3, g->cr3);
	vmcs_write(VMCS_GUEST_DR7, g->dr7);
	if (g->reset_msrs) {
		vmcs_write(VMCS_GUEST_PAT, g->pat);
		vmcs_write(VMCS_GUEST_SYSENTER_CS, 0);
		vmcs_write(VMCS_GUEST_SYSENTER_ESP, 0);
		vmcs_write(VMCS_GUEST_SYSENTER_EIP, 0);
	}
	vmcs_write(VMCS_GUEST_INTERRUPTIBILITY, 0);
	vmcs_write(VMCS_GUEST_ACTIVITY_STATE, 0);
	vmcs_write(VMCS_ENTRY_INTERRUPTION_INFO, 0);
	vmcs_write(VMCS_LINK_POINTER, VMCS_LINK_POINTER_NONE);
	vmcs_write(VMCS_PRIMARY_CONTROLS,
		   vmread(VMCS_PRIMARY_CONTROLS) & ~(PROC_INTERRUPT_WINDOW_EXITING | PROC_NMI_WINDOW_EXITING));
	x->event_pending = false;
	vmx_set_reg(v, VREG_EFER, g->efer);
	vmx_set_cr4(v, g->cr4);
	vmx_set_cr0(v, g->cr0);
	x->exit_rsp = ~v->gpr[GPR_RSP]; /* force the writes of RSP and RFLAGS at the next entry */
	x->exit_rflags = ~v->rflags;
	return 0;
}

/* VPIDs are handed out round-robin to the vCPUs of every pCPU; a reused one is flushed where it is used. */
static u16 next_vpid_of_all(void)
{
	u16 vpid = __atomic_load_n(&next_vpid, __ATOMIC_RELAXED), next;
	do
		next = vpid == MAX_VPID ? 1 : vpid + 1;
	while (!__atomic_compare_exchange_n(&next_vpid, &vpid, next, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED));
	return vpid;
}

static void setup_controls(struct vcpu *v, struct vmx_vcpu *x)
{
	const struct vmx_caps *c = &vmx_caps;
	vmcs_write(VMCS_PIN_CONTROLS, c->pin);
	/* PAUSE exiting is switched entry by entry, while another vCPU waits (v->pause_exiting, vmx_run). */
	vmcs_write(VMCS_PRIMARY_CONTROLS, c->primary);
	x->pause_exiting = false;
	vmcs_write(VMCS_SECONDARY_CONTROLS, c->secondary);
	vmcs_write(VMCS_EXIT_CONTROLS, c->exit);
	vmcs_write(VMCS_ENTRY_CONTROLS, c->entry);
	vmcs_write(VMCS_EXCEPTION_BITMAP, 0);
	vmcs_write(VMCS_IO_BITMAP_A, virt_to_phys(io_bitmaps));
	vmcs_write(VMCS_IO_BITMAP_B, virt_to_phys(io_bitmaps) + PAGE_SIZE);
	vmcs_write(VMCS_MSR_BITMAP, virt_to_phys(msr_bitmap));
	vmcs_write(VMCS_TSC_OFFSET, v->tsc.offset);
	vmcs_write(VMCS_EPT_POINTER, ept_pointer(&((struct vmx_vm *)v->vm->arch)->ept));
	vmcs_write(VMCS_CR0_GUEST_HOST_MASK, ~(u64)CR0_GUEST_OWNED);
	vmcs_write(VMCS_CR4_GUEST_HOST_MASK, CR4_HOST_OWNED_ALL);
	if (c->secondary & PROC2_ENABLE_VPID) {
		x->vpid = next_vpid_of_all();
		vmcs_write(VMCS_VPID, x->vpid);
		invvpid(INVVPID_SINGLE_CONTEXT, x->vpid); /* the VPID may have served an earlier vCPU */
	}
}

static int vmx_vcpu_init(struct vcpu *v)
{
	struct vmx_vcpu *x = mm_alloc_pages(1, PAGE_SIZE);
	void *vmcs = mm_alloc_pages(1, PAGE_SIZE);
	if (!x || !vmcs || alloc_bitmaps()) {
		mm_free_pages(x, 1);
		mm_free_pages(vmcs, 1);
		return -ENOMEM;
	}
	*(u32 *)vmcs = (u32)(vmx_caps.basic & VMX_BASIC_REVISION_MASK);
	x->vmcs = vmcs;
	v->arch = x;
	if (!vmclear(virt_to_phys(vmcs)) || !vmptrld(virt_to_phys(vmcs))) {
		log_error("VMCLEAR/VMPTRLD of a new VMCS failed");
		return -ENOSYS;
	}
	this_pcpu()->loaded_vmcs_owner = x;
	load_unswitched_msrs(x);
	setup_controls(v, x);
	if (vmx_apicv_vcpu_init(v))
		return -ENOMEM;
	setup_host_state();
	/* Without "save preemption timer value" exits leave the field alone: it is written only on change. */
	x->preemption_value = ~0ull;
	return 0;
}

static void vmx_vcpu_destroy(struct vcpu *v)
{
	struct vmx_vcpu *x = v->arch;
	if (!x)
		return;
	vmclear(virt_to_phys(x->vmcs));
	if (this_pcpu()->loaded_vmcs_owner == x)
		this_pcpu()->loaded_vmcs_owner = NULL;
	vmx_apicv_vcpu_destroy(x);
	mm_free_pages(x->vmcs, 1);
	mm_free_pages(x, 1);
	v->arch = NULL;
}

/* An event whose delivery a VM exit interrupted is in the IDT-vectoring information; it must be
 * delivered again at the next entry, or it is lost (SDM Vol. 3C §28.2.4, §27.6.1.1). */
static void requeue_interrupted_event(struct vmx_vcpu *x)
{
	u32 idt = (u32)vmread(VMCS_IDT_VECTORING_INFO);
	if (!(idt & INTR_INFO_VALID))
		return;
	x->event_pending = true;
	if (idt & INTR_INFO_DELIVER_ERROR_CODE)
		vmcs_write(VMCS_ENTRY_EXCEPTION_ERROR_CODE, vmread(VMCS_IDT_VECTORING_ERROR_CODE));
	vmcs_write(VMCS_ENTRY_INSTRUCTION_LENGTH, vmread(VMCS_EXIT_INSTRUCTION_LENGTH));
	vmcs_write(VMCS_ENTRY_INTERRUPTION_INFO, idt & ~INTR_INFO_RESERVED_BITS);
}

static void load_vmcs(struct vmx_vcpu *x)
{
	vmptrld(virt_to_phys(x->vmcs));
	load_unswitched_msrs(x);
	this_pcpu()->loaded_vmcs_owner = x;
}

static void vmx_load(struct vcpu *v)
{
	if (this_pcpu()->loaded_vmcs_owner != v->arch)
		load_vmcs(v->arch);
}

/* A whole watchdog slice unless a guest APIC timer is due sooner (then exactly until it). */
static void arm_preemption_timer(struct vmx_vcpu *x, const struct entry_request *in)
{
	u64 ticks = vmx_caps.preemption_ticks;
	if (in->slice_for_timer) {
		u64 now = rdtsc();
		ticks = in->slice_end_tsc > now ? (in->slice_end_tsc - now) >> vmx_caps.preemption_rate : 0;
		/* Never 0: a zero timer exits before the first guest instruction (SDM Vol. 3C §26.5.1),
		 * so a timer that is always due would freeze the guest. */
		ticks = MAX(MIN(ticks, (u64)vmx_caps.preemption_ticks), 1ull);
	}
	if (ticks != x->preemption_value) {
		vmcs_write(VMCS_PREEMPTION_TIMER_VALUE, ticks);
		x->preemption_value = ticks;
	}
}

/* The guest's interrupt state for the core's next decision (hv/rules/events_decide.h). */
static struct guest_intr_state intr_state(const struct vmx_vcpu *x)
{
	u64 intr = vmread(VMCS_GUEST_INTERRUPTIBILITY);
	return (struct guest_intr_state){ .injection_pending = x->event_pending,
					  .shadow = intr & GUEST_INTERRUPTIBILITY_STI_MOVSS,
					  .nmi_blocked = intr & GUEST_INTERRUPTIBILITY_NMI };
}

static void apply_request(struct vcpu *v, const struct entry_request *r);

static void vmx_run(struct vcpu *v, const struct entry_request *in, struct exit_info *e)
{
	struct vmx_vcpu *x = v->arch;
	if (this_pcpu()->loaded_vmcs_owner != x) /* the scheduler's be->load() normally did it already */
		load_vmcs(x);
	/* RSP and RFLAGS rarely change in the core: write back only what did. */
	if (v->gpr[GPR_RSP] != x->exit_rsp)
		vmcs_write(VMCS_GUEST_RSP, v->gpr[GPR_RSP]);
	if (v->rflags != x->exit_rflags)
		vmcs_write(VMCS_GUEST_RFLAGS, v->rflags);
	vmcs_write(VMCS_GUEST_RIP, v->rip);
	/* A spinning vCPU (PAUSE) yields to another that waits; with none waiting the exit is wasted. */
	if (v->pause_exiting != x->pause_exiting) {
		vmcs_write(VMCS_PRIMARY_CONTROLS, vmread(VMCS_PRIMARY_CONTROLS) ^ PROC_PAUSE_EXITING);
		x->pause_exiting = v->pause_exiting;
	}
	/* With the preemption timer the host timer stays quiet: no host interrupt arrives while the guest
	 * runs. (Bochs 2.7 delivers a pending virtual interrupt instead of exiting for an external interrupt
	 * even with the guest's IF = 0: bench/README.md.) */
	if (vmx_caps.pin & PIN_PREEMPTION_TIMER)
		arm_preemption_timer(x, in);
	else
		host_timer_arm(in->slice_end_tsc, rdtsc());
	apply_request(v, in);
	if (x->apicv.dirty)
		vmx_apicv_publish(v);
	int how;
	bool slice_over = false; /* the last exit was answered here, and the slice ended with it */
	/* Chosen once per entry, so the loop itself carries nothing of bench/'s. */
	bool (*answered_here)(struct vcpu *) = in->bench_null_path ? vmx_answered_on_null_path : vmx_answered_on_fast_path;
	do {
		how = vmx_world_switch(v, x->launched);
		if (how == 0)
			x->launched = true;
		if (how != 0 || !answered_here(v))
			break;
		/* Each entry reloads the preemption timer: the slice's end is checked here, or a guest whose
		 * every exit takes the fast path would never come back to the core. */
		slice_over = rdtsc() >= in->slice_end_tsc;
	} while (!slice_over);
	v->gpr[GPR_RSP] = x->exit_rsp = vmread(VMCS_GUEST_RSP);
	v->rip = vmread(VMCS_GUEST_RIP);
	v->rflags = x->exit_rflags = vmread(VMCS_GUEST_RFLAGS);
	if (how != 0) {
		e->intr = intr_state(x);
		vmx_report_entry_failure(v, e, how);
		return;
	}
	x->event_pending = false; /* the entry succeeded: whatever was injected has been delivered or requeued */
	requeue_interrupted_event(x);
	if (x->apicv.on)
		vmx_apicv_pull(v, &x->apicv);
	e->intr = intr_state(x);
	if (slice_over)
		*e = (struct exit_info){ .reason = EXIT_PREEMPTED, .intr = e->intr };
	else
		vmx_decode_exit(v, e);
	e->next_rip = x->next_rip;
}

static u64 field_of(enum vreg r)
{
	switch (r) {
	case VREG_CR3: return VMCS_GUEST_CR3;
	case VREG_EFER: return VMCS_GUEST_EFER;
	case VREG_PAT: return VMCS_GUEST_PAT;
	case VREG_FS_BASE: return VMCS_GUEST_FS_BASE;
	case VREG_GS_BASE: return VMCS_GUEST_GS_BASE;
	case VREG_ES_BASE: return VMCS_GUEST_ES_BASE;
	case VREG_SS_BASE: return VMCS_GUEST_SS_BASE;
	case VREG_DS_BASE: return VMCS_GUEST_DS_BASE;
	case VREG_SYSENTER_CS: return VMCS_GUEST_SYSENTER_CS;
	case VREG_SYSENTER_ESP: return VMCS_GUEST_SYSENTER_ESP;
	case VREG_SYSENTER_EIP: return VMCS_GUEST_SYSENTER_EIP;
	case VREG_CS_SELECTOR: return VMCS_GUEST_CS_SELECTOR;
	case VREG_TSC_OFFSET: return VMCS_TSC_OFFSET;
	default: return 0;
	}
}

static u64 vmx_get_reg(struct vcpu *v, enum vreg r)
{
	struct vmx_vcpu *x = v->arch;
	switch (r) {
	case VREG_CR0: return x->cr0_shadow;
	case VREG_CR4: return x->cr4_shadow;
	case VREG_CPL: return (vmread(VMCS_GUEST_SS_AR) >> 5) & 3; /* SS.DPL is the CPL */
	case VREG_CS_L: return (vmread(VMCS_GUEST_CS_AR) & CS_AR_L) != 0;
	case VREG_CS_D: return (vmread(VMCS_GUEST_CS_AR) & CS_AR_D) != 0;
	case VREG_CS_BASE: return vmread(VMCS_GUEST_CS_BASE);
	case VREG_CR2: return read_cr2();
	case VREG_DR6: return read_dr6();
	case VREG_HW_CR0: return vmread(VMCS_GUEST_CR0);
	/* Host-owned bits: a write that changes one exits, a read gets the read shadow (SDM Vol. 3C §25.6.6). */
	case VREG_CR0_WRITE_EXITS:
	case VREG_CR0_READ_EXITS: return vmread(VMCS_CR0_GUEST_HOST_MASK);
	default: break;
	}
	u64 field = field_of(r);
	return field ? vmread(field) : x->msr_shadow[r];
}

static void vmx_get_fetch_regs(struct vcpu *v, struct fetch_regs *out)
{
	const struct vmx_vcpu *x = v->arch;
	u64 cs_ar = vmread(VMCS_GUEST_CS_AR);
	*out = (struct fetch_regs){ x->cr0_shadow, vmread(VMCS_GUEST_CR3), x->cr4_shadow, vmread(VMCS_GUEST_EFER),
				    vmread(VMCS_GUEST_CS_BASE), (cs_ar & CS_AR_L) != 0, (cs_ar & CS_AR_D) != 0 };
}

static void vmx_set_reg(struct vcpu *v, enum vreg r, u64 value)
{
	switch (r) {
	case VREG_CR0: vmx_set_cr0(v, value); return;
	case VREG_CR4: vmx_set_cr4(v, value); return;
	case VREG_CR2: write_cr2(value); return;
	case VREG_DR6: write_dr6(value); return;
	case VREG_EFER: {
		/* LMA follows CR0.PG && LME; the "IA-32e mode guest" entry control must agree with it. */
		bool lma = (value & EFER_LME) && (((struct vmx_vcpu *)v->arch)->cr0_shadow & CR0_PG);
		value = lma ? value | EFER_LMA : value & ~EFER_LMA;
		vmcs_write(VMCS_GUEST_EFER, value);
		u64 entry = vmread(VMCS_ENTRY_CONTROLS);
		vmcs_write(VMCS_ENTRY_CONTROLS, lma ? entry | ENTRY_IA32E_MODE_GUEST : entry & ~ENTRY_IA32E_MODE_GUEST);
		return;
	}
	default: break;
	}
	u64 field = field_of(r);
	if (field)
		vmcs_write(field, value);
	else
		store_unswitched_msr(v->arch, r, value);
}

void vmx_set_cr0(struct vcpu *v, u64 cr0)
{
	struct vmx_vcpu *x = v->arch;
	const struct vmx_caps *c = &vmx_caps;
	bool paging_changed = (x->cr0_shadow ^ cr0) & CR0_PG;
	x->cr0_shadow = cr0;
	vmcs_write(VMCS_CR0_READ_SHADOW, cr0);
	/* CD and NW never reach the hardware: guest caching is not affected by them (spec R4.1, R4.4; VM entry
	 * would ignore them anyway, SDM Vol. 3C §26.3.2.1). */
	vmcs_write(VMCS_GUEST_CR0, vmx_fixed_cr0(cr0 & ~(CR0_CD | CR0_NW), c->cr0_fixed0, c->cr0_fixed1, true));
	if (paging_changed)
		vmx_set_reg(v, VREG_EFER, vmread(VMCS_GUEST_EFER));
}

void vmx_set_cr4(struct vcpu *v, u64 cr4)
{
	struct vmx_vcpu *x = v->arch;
	x->cr4_shadow = cr4;
	vmcs_write(VMCS_CR4_READ_SHADOW, cr4);
	vmcs_write(VMCS_GUEST_CR4, vmx_fixed_cr4(cr4 | CR4_VMXE, vmx_caps.cr4_fixed0, vmx_caps.cr4_fixed1));
}

/* Hardware-exception type (3) for every vector: a queued #BP/#OF has no INT3/INTO instruction whose
 * length type 6 would need (length 0 is legal only with IA32_VMX_MISC[30]), so it is delivered
 * fault-style with the current RIP (spec §2.5 step 5). The sanitizer has already made the error-code
 * flag legal for this CPU (SDM Vol. 3C §28.2.1.3, checks C3a/C3b) and cut the code to 16 bits (C5). */
static void vmx_inject_event(struct vcpu *v, const struct exc_event *ev)
{
	u32 info = ev->vector | INTR_INFO_VALID | (INTR_TYPE_HARD_EXCEPTION << INTR_INFO_TYPE_SHIFT);
	((struct vmx_vcpu *)v->arch)->event_pending = true;
	if (ev->has_ec) {
		info |= INTR_INFO_DELIVER_ERROR_CODE;
		vmcs_write(VMCS_ENTRY_EXCEPTION_ERROR_CODE, ev->ec);
	}
	vmcs_write(VMCS_ENTRY_INTERRUPTION_INFO, info);
}

static void vmx_inject_interrupt(struct vcpu *v, u8 vector)
{
	((struct vmx_vcpu *)v->arch)->event_pending = true;
	vmcs_write(VMCS_ENTRY_INTERRUPTION_INFO,
		   vector | INTR_INFO_VALID | (INTR_TYPE_EXTERNAL << INTR_INFO_TYPE_SHIFT));
}

/* Interrupt-window exiting: a VM exit as soon as RFLAGS.IF=1 and no STI/MOV SS blocking (SDM §26.7.5). */
static void vmx_request_interrupt_window(struct vcpu *v)
{
	vmcs_write(VMCS_PRIMARY_CONTROLS, vmread(VMCS_PRIMARY_CONTROLS) | PROC_INTERRUPT_WINDOW_EXITING);
}

static void vmx_inject_nmi(struct vcpu *v)
{
	((struct vmx_vcpu *)v->arch)->event_pending = true;
	vmcs_write(VMCS_ENTRY_INTERRUPTION_INFO, VEC_NMI | INTR_INFO_VALID | (INTR_TYPE_NMI << INTR_INFO_TYPE_SHIFT));
}

/* NMI-window exiting: a VM exit as soon as there is no blocking by NMI or MOV SS (SDM Vol. 3C §26.7.6). */
static void vmx_request_nmi_window(struct vcpu *v)
{
	vmcs_write(VMCS_PRIMARY_CONTROLS, vmread(VMCS_PRIMARY_CONTROLS) | PROC_NMI_WINDOW_EXITING);
}

/* The core's decision for this entry (hv/rules/events_decide.h) in VMCS terms. */
static void apply_request(struct vcpu *v, const struct entry_request *r)
{
	if (r->end_shadow) {
		u64 intr = vmread(VMCS_GUEST_INTERRUPTIBILITY);
		vmcs_write(VMCS_GUEST_INTERRUPTIBILITY, intr & ~(u64)GUEST_INTERRUPTIBILITY_STI_MOVSS);
	}
	switch (r->inject) {
	case ENTRY_EVENT_EXCEPTION: vmx_inject_event(v, &r->exception); break;
	case ENTRY_EVENT_NMI: vmx_inject_nmi(v); break;
	case ENTRY_EVENT_APIC_INTERRUPT:
	case ENTRY_EVENT_EXTINT: vmx_inject_interrupt(v, r->vector); break;
	case ENTRY_EVENT_NONE: break;
	}
	if (r->interrupt_window)
		vmx_request_interrupt_window(v);
	if (r->nmi_window)
		vmx_request_nmi_window(v);
}

/* RFLAGS bit 1 must be 1: entry fails with "invalid guest state" (SDM §27.3.1.4). The run loop reloads
 * RFLAGS from the vCPU before every entry, so the broken value goes there. */
static void vmx_break_next_entry(struct vcpu *v)
{
	v->rflags &= ~RFLAGS_FIXED;
}

static int vmx_query_memtype(struct vm *vm, u64 gpa, u8 *type, bool *ignore_pat)
{
	u64 leaf;
	if (stage2_lookup(&((struct vmx_vm *)vm->arch)->ept, gpa, &leaf))
		return -EINVAL;
	*type = ept_leaf_memtype(leaf);
	*ignore_pat = ept_leaf_ignores_pat(leaf);
	return 0;
}

const struct backend vmx_backend = {
	.name = "vmx",
	.kind = MICROHV_BACKEND_VMX,
	.inject_caps = &vmx_inject_caps,
	.insn_caps = &vmx_insn_caps,
	.probe = vmx_probe,
	.cpu_init = vmx_cpu_init,
	.vm_init = vmx_vm_init,
	.vm_destroy = vmx_vm_destroy,
	.vcpu_init = vmx_vcpu_init,
	.vcpu_destroy = vmx_vcpu_destroy,
	.load = vmx_load,
	.set_state = vmx_set_state,
	.run = vmx_run,
	.get_reg = vmx_get_reg,
	.set_reg = vmx_set_reg,
	.get_fetch_regs = vmx_get_fetch_regs,
	.apic_changed = vmx_apic_changed,
	.apic_delivers = vmx_apic_delivers,
	.break_next_entry = vmx_break_next_entry,
	.query_memtype = vmx_query_memtype,
};
