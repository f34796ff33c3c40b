/* AMD SVM back end: CPU enablement, VMCB set-up, the run loop and guest state access. */
#include "svm.h"
#include "../fast_path.h"
#include "../lib/fmt.h"
#include "../rules/guest_abi.h"
#include "../log.h"
#include "../mm.h"
#include "../pcpu.h"
#include "../rules/start_state.h"
#include "../time.h"
#include "../vm.h"
#include "../x86.h"

#define CPUID_EXT_FEATURES 0x80000001u
#define CPUID_EXT_ECX_SVM BIT(2)
#define CPUID_SVM_FEATURES 0x8000000Au
#define CPUID_SVM_EDX_NP BIT(0)
#define CPUID_SVM_EDX_NRIPS BIT(3)
#define MSR_VM_CR 0xC0010114
#define VM_CR_SVMDIS BIT(4)
#define MSR_VM_HSAVE_PA 0xC0010117
#define IOPM_PAGES 3  /* 12 KiB: one bit per port, all set = intercept every port */
#define MSRPM_PAGES 2 /* 8 KiB: two bits per MSR, all set = intercept every access */

struct svm_caps svm_caps;
static const struct inject_caps svm_inject_caps = { .vmx = false }; /* AMD: EV honoured as given */
/* RDTSCP, RDPID and INVPCID run natively (none intercepted; IA32_TSC_AUX holds the guest's value while
 * it runs, hv/guest_xstate.c); the CPUID policy offers them where the host has them. */
static const struct guest_insn_caps svm_insn_caps = { .rdtscp = true, .invpcid = true };
static void *iopm, *msrpm;
static u32 next_asid = 1;
#define SVM_MAX_ASIDS 4096u
/* More vCPUs than ASIDs share them: the TLB entries of an ASID are flushed when another vCPU takes it
 * on that pCPU (struct pcpu.asid_owner, SVM_MAX_ASIDS entries from the pool). */
#define ASID_OWNER_PAGES (SVM_MAX_ASIDS * sizeof(void *) / PAGE_SIZE)

/* ASIDs are handed out round-robin to the vCPUs of every pCPU (1 .. nasid - 1; 0 is the host's). */
static u32 next_asid_of_all(void)
{
	u32 asid = __atomic_load_n(&next_asid, __ATOMIC_RELAXED), next;
	do
		next = asid + 1 < svm_caps.nasid ? asid + 1 : 1;
	while (!__atomic_compare_exchange_n(&next_asid, &asid, next, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED));
	return asid;
}

static bool svm_probe(void)
{
	u32 r[4];
	cpuid_count(CPUID_EXT_FEATURES, 0, r);
	if (!(r[2] & CPUID_EXT_ECX_SVM))
		return false;
	cpuid_count(CPUID_SVM_FEATURES, 0, r);
	if (!(r[3] & CPUID_SVM_EDX_NP)) {
		log_warn("SVM without nested paging is not supported");
		return false;
	}
	svm_caps.nrip_save = r[3] & CPUID_SVM_EDX_NRIPS;
	svm_caps.flush_by_asid = r[3] & CPUID_SVM_EDX_FLUSH_BY_ASID;
	svm_caps.nasid = MIN(r[1], SVM_MAX_ASIDS);
	return true;
}

/* The permission maps are shared by every pCPU: made once, by the boot CPU (pCPUs start one at a time). */
static bool alloc_shared_tables(void)
{
	if (iopm)
		return true;
	iopm = mm_alloc_pages(IOPM_PAGES, PAGE_SIZE);
	msrpm = mm_alloc_pages(MSRPM_PAGES, PAGE_SIZE);
	if (!iopm || !msrpm)
		return false;
	memset(iopm, 0xFF, IOPM_PAGES * PAGE_SIZE);
	memset(msrpm, 0xFF, MSRPM_PAGES * PAGE_SIZE);
	return true;
}

static int svm_cpu_init(struct pcpu *self)
{
	u32 r[4];
	cpuid_count(CPUID_EXT_FEATURES, 0, r);
	if (!(r[2] & CPUID_EXT_ECX_SVM))
		return pcpu_setup_failed(self, -ENOSYS, "no SVM (CPUID 0x80000001 ECX[2] is 0)");
	if (rdmsr(MSR_VM_CR) & VM_CR_SVMDIS) /* per pCPU, like EFER (APM Vol. 2 §15.30.1) */
		return pcpu_setup_failed(self, -ENOSYS, "SVM is disabled by the firmware (VM_CR.SVMDIS); enable SVM "
				       "in the firmware setup");
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME);
	self->virt_area = mm_alloc_pages(1, PAGE_SIZE);
	self->host_state = mm_alloc_pages(1, PAGE_SIZE);
	self->asid_owner = mm_alloc_pages(ASID_OWNER_PAGES, PAGE_SIZE);
	if (!self->virt_area || !self->host_state || !self->asid_owner || !alloc_shared_tables())
		return pcpu_setup_failed(self, -ENOMEM, "no memory for the host save area or the SVM tables");
	wrmsr(MSR_VM_HSAVE_PA, virt_to_phys(self->virt_area));
	if (self->index)
		return 0;
	log_info("SVM: nested paging, NRIP save %s, %u ASIDs", svm_caps.nrip_save ? "yes" : "no", svm_caps.nasid);
	return 0;
}

static int svm_vm_init(struct vm *vm)
{
	struct svm_vm *s = mm_alloc_pages(1, PAGE_SIZE);
	if (!s)
		return -ENOMEM;
	vm->arch = s;
	return stage2_build(&s->npt, &npt_format, vm);
}

static void svm_vm_destroy(struct vm *vm)
{
	struct svm_vm *s = vm->arch;
	stage2_free(&s->npt);
	mm_free_pages(s, 1);
	vm->arch = NULL;
}

/* The VMCB packs the descriptor's access rights: bits 7:0 as they are, bits 15:12 into 11:8 (APM Vol. 2
 * §15.5.1, "Segment state in the VMCB"). */
static struct vmcb_segment vmcb_segment_of(const struct start_segment *g)
{
	u16 attrib = (u16)((g->ar & 0xFFu) | ((g->ar >> 4) & 0xF00u));
	return (struct vmcb_segment){ .selector = g->selector, .attrib = attrib, .limit = g->limit, .base = g->base };
}

static struct vmcb_segment vmcb_table_of(const struct start_table *t)
{
	return (struct vmcb_segment){ .limit = t->limit, .base = t->base };
}

/* A start (hv/rules/start_state.h): the registers, and nothing pending or intercepted from before (after
 * INIT no event, interrupt shadow, virtual interrupt or NMI masking survives). */
static int svm_set_state(struct vcpu *v, const struct start_state *g)
{
	struct svm_vcpu *s = v->arch;
	struct vmcb_save *st = &s->vmcb->save;
	struct vmcb_control *c = &s->vmcb->control;
	st->cs = vmcb_segment_of(&g->cs);
	st->ds = vmcb_segment_of(&g->ds);
	st->es = vmcb_segment_of(&g->es);
	st->ss = vmcb_segment_of(&g->ss);
	st->fs = vmcb_segment_of(&g->fs);
	st->gs = vmcb_segment_of(&g->gs);
	st->ldtr = vmcb_segment_of(&g->ldtr);
	st->tr = vmcb_segment_of(&g->tr);
	st->gdtr = vmcb_table_of(&g->gdtr);
	st->idtr = vmcb_table_of(&g->idtr);
	st->cpl = 0;
	st->efer = g->efer | EFER_SVME; /* VMRUN requires it in the guest EFER; hidden from guest reads */
	st->cr2 = g->cr2;
	st->cr3 = g->cr3;
	st->cr4 = g->cr4;
	st->dr6 = g->dr6;
	st->dr7 = g->dr7;
	st->rflags = g->rflags;
	st->rip = g->rip;
	if (g->reset_msrs) {
		st->g_pat = g->pat;
		st->sysenter_cs = st->sysenter_esp = st->sysenter_eip = 0;
	}
	c->event_inj = 0;
	c->int_state = 0;
	c->int_ctl &= ~(SVM_INT_CTL_V_IRQ | SVM_INT_CTL_V_IGN_TPR);
	c->intercept_misc1 &= ~(SVM_INTERCEPT_VINTR | SVM_INTERCEPT_IRET);
	c->intercept_exceptions &= ~BIT(VEC_DB);
	s->nmi_masked = s->nmi_iret_seen = s->nmi_singlestep = false;
	svm_set_cr0(v, g->cr0);
	return 0;
}

static int svm_vcpu_init(struct vcpu *v)
{
	struct svm_vcpu *s = mm_alloc_pages(1, PAGE_SIZE);
	struct vmcb *vmcb = mm_alloc_pages(1, PAGE_SIZE);
	if (!s || !vmcb) {
		mm_free_pages(s, 1);
		mm_free_pages(vmcb, 1);
		return -ENOMEM;
	}
	s->vmcb = vmcb;
	v->arch = s;
	struct vmcb_control *c = &vmcb->control;
	/* PAUSE is intercepted entry by entry, while another vCPU waits (v->pause_exiting, svm_run). */
	c->intercept_misc1 = SVM_INTERCEPT_CR0_SEL_WRITE | SVM_INTERCEPT_INTR | SVM_INTERCEPT_NMI |
			     SVM_INTERCEPT_SMI | SVM_INTERCEPT_INIT |
			     SVM_INTERCEPT_CPUID | SVM_INTERCEPT_INVD | SVM_INTERCEPT_RDPMC | SVM_INTERCEPT_HLT |
			     SVM_INTERCEPT_IOIO_PROT | SVM_INTERCEPT_INVLPGA |
			     SVM_INTERCEPT_MSR_PROT | SVM_INTERCEPT_SHUTDOWN;
	c->intercept_misc2 = SVM_INTERCEPT_VMRUN | SVM_INTERCEPT_VMMCALL | SVM_INTERCEPT_VMLOAD |
			     SVM_INTERCEPT_VMSAVE | SVM_INTERCEPT_STGI | SVM_INTERCEPT_CLGI | SVM_INTERCEPT_SKINIT |
			     SVM_INTERCEPT_MONITOR | SVM_INTERCEPT_MWAIT |
			     SVM_INTERCEPT_MWAIT_ARMED | SVM_INTERCEPT_XSETBV;
	/* The TPR lives in the virtual APIC: CR8 accesses are emulated from it. */
	c->intercept_cr = SVM_INTERCEPT_CR8_READ | SVM_INTERCEPT_CR8_WRITE;
	/* CR4 writes are validated by the core against what CPUID offers (e.g. no OSXSAVE, SDM Vol. 3A §2.5). */
	c->intercept_cr |= SVM_INTERCEPT_CR4_WRITE;
	c->iopm_base_pa = virt_to_phys(iopm);
	c->msrpm_base_pa = virt_to_phys(msrpm);
	c->guest_asid = next_asid_of_all();
	c->tlb_control = SVM_TLB_CONTROL_FLUSH_ALL; /* the ASID may have served an earlier VM */
	this_pcpu()->asid_owner[c->guest_asid] = s;
	c->int_ctl = SVM_INT_CTL_V_INTR_MASKING;
	c->nested_ctl = SVM_NESTED_CTL_NP_ENABLE;
	c->nested_cr3 = virt_to_phys(((struct svm_vm *)v->vm->arch)->npt.pml4);
	return 0;
}

static void svm_vcpu_destroy(struct vcpu *v)
{
	struct svm_vcpu *s = v->arch;
	if (!s)
		return;
	mm_free_pages(s->vmcb, 1);
	mm_free_pages(s, 1);
	v->arch = NULL;
}

void svm_flush_guest_tlb(struct vcpu *v)
{
	struct vmcb_control *c = &((struct svm_vcpu *)v->arch)->vmcb->control;
	c->tlb_control = svm_caps.flush_by_asid ? SVM_TLB_CONTROL_FLUSH_ASID : SVM_TLB_CONTROL_FLUSH_ALL;
}

/* The VMCB is memory: nothing to load, except that a shared ASID must not keep another vCPU's TLB entries. */
static void svm_load(struct vcpu *v)
{
	struct svm_vcpu *s = v->arch;
	struct vmcb_control *c = &s->vmcb->control;
	const void **owner = &this_pcpu()->asid_owner[c->guest_asid]; /* a TLB is per pCPU */
	if (*owner != s) {
		*owner = s;
		svm_flush_guest_tlb(v);
	}
}

static void apply_request(struct vcpu *v, const struct entry_request *r);

static void svm_run(struct vcpu *v, const struct entry_request *in, struct exit_info *e)
{
	struct svm_vcpu *s = v->arch;
	struct vmcb *vmcb = s->vmcb;

	apply_request(v, in);
	host_timer_arm(in->slice_end_tsc, rdtsc()); /* its expiry is an INTR exit, never a fast one */

	vmcb->save.rax = v->gpr[GPR_RAX];
	vmcb->save.rsp = v->gpr[GPR_RSP];
	vmcb->save.rip = v->rip;
	vmcb->save.rflags = v->rflags;
	/* A spinning vCPU (PAUSE) yields to another that waits; with none waiting the exit is wasted. */
	if (v->pause_exiting != !!(vmcb->control.intercept_misc1 & SVM_INTERCEPT_PAUSE))
		vmcb->control.intercept_misc1 ^= SVM_INTERCEPT_PAUSE;
	if (s->nmi_singlestep) /* RF: no instruction breakpoint on the IRET itself (it would re-fault) */
		vmcb->save.rflags |= RFLAGS_TF | RFLAGS_RF;
	const u64 host_vmcb_pa = virt_to_phys(this_pcpu()->host_state); /* this pCPU's VMSAVE area */
	bool slice_over = false; /* the last exit was answered here, and the slice ended with it */
	/* Chosen once per entry, so the loop itself carries nothing of bench/'s. */
	bool (*answered_here)(struct vcpu *, struct vmcb *) =
		in->bench_null_path ? svm_answered_on_null_path : svm_answered_on_fast_path;
	do {
		svm_world_switch(v, virt_to_phys(vmcb), host_vmcb_pa);
		vmcb->control.tlb_control = 0;
		vmcb->control.event_inj = 0;
		/* An event whose delivery was interrupted by the exit is delivered again at the next entry. */
		if (vmcb->control.exit_int_info & SVM_EVENTINJ_VALID)
			vmcb->control.event_inj = vmcb->control.exit_int_info;
		if (!answered_here(v, vmcb))
			break;
		/* The host tick's INTR exit alone does not end the slice: Bochs 2.7 never takes it while the
		 * guest's IF = 0 (harness_hang), and a guest whose every exit is answered here would never
		 * come back to the core. */
		slice_over = rdtsc() >= in->slice_end_tsc;
	} while (!slice_over);
	v->gpr[GPR_RAX] = vmcb->save.rax;
	v->gpr[GPR_RSP] = vmcb->save.rsp;
	v->rip = vmcb->save.rip;
	v->rflags = vmcb->save.rflags;
	/* Exited before the IRET ran (RFLAGS are still the guest's, with our TF/RF): hide them. After it,
	 * RFLAGS come from the IRET frame. */
	if (s->nmi_singlestep && v->rip == s->nmi_iret_rip)
		v->rflags = (v->rflags & ~(RFLAGS_TF | RFLAGS_RF)) | s->nmi_ss_guest_flags;
	if (s->nmi_iret_seen && v->rip != s->nmi_iret_rip)
		s->nmi_masked = s->nmi_iret_seen = false;
	e->intr = (struct guest_intr_state){ .injection_pending = vmcb->control.event_inj & SVM_EVENTINJ_VALID,
					     .shadow = vmcb->control.int_state & SVM_INT_STATE_SHADOW,
					     .nmi_blocked = s->nmi_masked };
	if (slice_over)
		*e = (struct exit_info){ .reason = EXIT_PREEMPTED, .intr = e->intr };
	else
		svm_decode_exit(v, e);
	e->next_rip = s->next_rip;
}

static u64 *state_field(struct vmcb_save *st, enum vreg r)
{
	switch (r) {
	case VREG_CR2: return &st->cr2;
	case VREG_DR6: return &st->dr6;
	case VREG_CR3: return &st->cr3;
	case VREG_CR4: return &st->cr4;
	case VREG_EFER: return &st->efer;
	case VREG_PAT: return &st->g_pat;
	case VREG_FS_BASE: return &st->fs.base;
	case VREG_GS_BASE: return &st->gs.base;
	case VREG_ES_BASE: return &st->es.base;
	case VREG_SS_BASE: return &st->ss.base;
	case VREG_DS_BASE: return &st->ds.base;
	case VREG_KERNEL_GS_BASE: return &st->kernel_gs_base;
	case VREG_STAR: return &st->star;
	case VREG_LSTAR: return &st->lstar;
	case VREG_CSTAR: return &st->cstar;
	case VREG_SFMASK: return &st->sfmask;
	case VREG_SYSENTER_CS: return &st->sysenter_cs;
	case VREG_SYSENTER_ESP: return &st->sysenter_esp;
	case VREG_SYSENTER_EIP: return &st->sysenter_eip;
	default: return NULL;
	}
}

static u64 svm_get_reg(struct vcpu *v, enum vreg r)
{
	struct vmcb_save *st = &((struct svm_vcpu *)v->arch)->vmcb->save;
	if (r == VREG_CS_SELECTOR)
		return st->cs.selector;
	if (r == VREG_CPL)
		return st->cpl;
	if (r == VREG_CS_L)
		return (st->cs.attrib & SVM_ATTR_L) != 0;
	if (r == VREG_CS_D)
		return (st->cs.attrib & SVM_ATTR_DB) != 0;
	if (r == VREG_CS_BASE)
		return st->cs.base;
	if (r == VREG_CR0)
		return svm_get_cr0(v);
	if (r >= VREG_HW_CR0 && r <= VREG_CR0_READ_EXITS)
		return svm_cr0_view(v, r);
	if (r == VREG_TSC_OFFSET)
		return ((struct svm_vcpu *)v->arch)->vmcb->control.tsc_offset;
	u64 *f = state_field(st, r);
	u64 value = f ? *f : 0;
	return r == VREG_EFER ? value & ~EFER_SVME : value;
}

static void svm_get_fetch_regs(struct vcpu *v, struct fetch_regs *out)
{
	const struct vmcb_save *st = &((struct svm_vcpu *)v->arch)->vmcb->save;
	*out = (struct fetch_regs){ svm_get_cr0(v), st->cr3, st->cr4, st->efer & ~EFER_SVME, st->cs.base,
				    (st->cs.attrib & SVM_ATTR_L) != 0, (st->cs.attrib & SVM_ATTR_DB) != 0 };
}

static void svm_set_reg(struct vcpu *v, enum vreg r, u64 value)
{
	struct vmcb_save *st = &((struct svm_vcpu *)v->arch)->vmcb->save;
	if (r == VREG_CR0) {
		svm_set_cr0(v, value);
		return;
	}
	if (r == VREG_TSC_OFFSET) { /* APM Vol. 2 §15.30.5: added to the TSC while the guest runs */
		((struct svm_vcpu *)v->arch)->vmcb->control.tsc_offset = value;
		return;
	}
	u64 *f = state_field(st, r);
	if (!f)
		panic("svm_set_reg: register %d is not writable", r);
	*f = r == VREG_EFER ? value | EFER_SVME : value;
	if (r == VREG_CR3 || r == VREG_CR4) /* the MOV the guest's CPU would have done flushes its TLB */
		svm_flush_guest_tlb(v);
	/* Bochs 2.7 reads the VMCB's CR2 at VMRUN but never loads it (SvmEnterLoadCheckGuestState()), so
	 * there the guest runs with the hardware CR2: set both (hardware loads the VMCB's over it). */
	if (r == VREG_CR2)
		write_cr2(value);
}

/* APM Vol. 2 §15.20: type 3 (exception), EV honoured as given; all 32 error-code bits. */
/* The vectors AMD defines as exceptions (APM Vol. 2 Table 8-1): 0-1, 3-8, 10-14, 16-21, 28-30. */
#define AMD_EXCEPTION_VECTORS 0x703F7DFBu

static void svm_inject_event(struct vcpu *v, const struct exc_event *ev)
{
	struct vmcb_control *c = &((struct svm_vcpu *)v->arch)->vmcb->control;
	/* TYPE = 3 with a reserved vector (9, 15, 22-27, 31) makes VMRUN fail (APM Vol. 2 §15.20): those go
	 * through their IDT gate as TYPE = 0, the frame an exception without error code would push. */
	if (!(AMD_EXCEPTION_VECTORS & BIT(ev->vector & 31)) || ev->vector > 31) {
		c->event_inj = ev->vector | ((u64)SVM_EVENTINJ_TYPE_INTR << SVM_EVENTINJ_TYPE_SHIFT) | SVM_EVENTINJ_VALID;
		return;
	}
	c->event_inj = ev->vector | ((u64)SVM_EVENTINJ_TYPE_EXCEPTION << SVM_EVENTINJ_TYPE_SHIFT) |
		       SVM_EVENTINJ_VALID | (ev->has_ec ? SVM_EVENTINJ_EV : 0) | ((u64)ev->ec << 32);
}

static void svm_inject_interrupt(struct vcpu *v, u8 vector)
{
	struct vmcb_control *c = &((struct svm_vcpu *)v->arch)->vmcb->control;
	c->event_inj = vector | ((u64)SVM_EVENTINJ_TYPE_INTR << SVM_EVENTINJ_TYPE_SHIFT) | SVM_EVENTINJ_VALID;
}

/* A dummy virtual interrupt (V_IRQ) with the VINTR intercept: the CPU exits exactly when the guest
 * could take an interrupt (APM Vol. 2 §15.21.4). */
static void svm_request_interrupt_window(struct vcpu *v)
{
	struct vmcb_control *c = &((struct svm_vcpu *)v->arch)->vmcb->control;
	c->int_ctl |= SVM_INT_CTL_V_IRQ | SVM_INT_CTL_V_IGN_TPR;
	c->intercept_misc1 |= SVM_INTERCEPT_VINTR;
}

static void svm_inject_nmi(struct vcpu *v)
{
	struct svm_vcpu *s = v->arch;
	struct vmcb_control *c = &s->vmcb->control;
	c->event_inj = VEC_NMI | ((u64)SVM_EVENTINJ_TYPE_NMI << SVM_EVENTINJ_TYPE_SHIFT) | SVM_EVENTINJ_VALID;
	c->intercept_misc1 |= SVM_INTERCEPT_IRET;
	s->nmi_masked = true;
}

/* No NMI-window intercept. While the handler runs, its IRET exits (intercepted); from that exit on, the
 * IRET is single-stepped, so the #DB exit right after it opens the window. A busy injection or a shadow
 * ends at the latest at the next exit (the host tick), sooner through the interrupt window. */
static void svm_request_nmi_window(struct vcpu *v)
{
	struct svm_vcpu *s = v->arch;
	if (!s->nmi_masked) {
		svm_request_interrupt_window(v);
		return;
	}
	if (s->nmi_iret_seen && !s->nmi_singlestep) {
		s->nmi_singlestep = true;
		s->nmi_ss_guest_flags = v->rflags & (RFLAGS_TF | RFLAGS_RF);
		s->nmi_ss_dr6 = s->vmcb->save.dr6;
		s->vmcb->control.intercept_exceptions |= BIT(VEC_DB);
	}
}

/* The core's decision for this entry (hv/rules/events_decide.h) in VMCB terms. */
static void apply_request(struct vcpu *v, const struct entry_request *r)
{
	if (r->end_shadow)
		((struct svm_vcpu *)v->arch)->vmcb->control.int_state &= ~SVM_INT_STATE_SHADOW;
	switch (r->inject) {
	case ENTRY_EVENT_EXCEPTION: svm_inject_event(v, &r->exception); break;
	case ENTRY_EVENT_NMI: svm_inject_nmi(v); break;
	case ENTRY_EVENT_APIC_INTERRUPT:
	case ENTRY_EVENT_EXTINT: svm_inject_interrupt(v, r->vector); break;
	case ENTRY_EVENT_NONE: break;
	}
	if (r->interrupt_window)
		svm_request_interrupt_window(v);
	if (r->nmi_window)
		svm_request_nmi_window(v);
}

#define DR6_BREAKPOINTS 0xFull /* B0-B3 */

void svm_nmi_singlestep_exit(struct vcpu *v, struct exit_info *e)
{
	struct svm_vcpu *s = v->arch;
	struct vmcb *vmcb = s->vmcb;
	bool armed = s->nmi_singlestep;
	vmcb->control.intercept_exceptions &= ~BIT(VEC_DB);
	s->nmi_singlestep = false;
	/* The guest's #DB too if it single-stepped the IRET itself or a breakpoint matched: reflected. */
	if (!armed || (s->nmi_ss_guest_flags & RFLAGS_TF) || (vmcb->save.dr6 & ~s->nmi_ss_dr6 & DR6_BREAKPOINTS)) {
		e->reason = EXIT_GUEST_FAULT;
		e->fault.vector = VEC_DB;
		e->fault.ec = 0;
		return;
	}
	vmcb->save.dr6 = s->nmi_ss_dr6; /* the BS bit was ours */
	e->reason = EXIT_NMI_WINDOW;
}

/* No AVIC on these platforms: the core emulates the APIC and injects its interrupts; nothing to refresh. */
static void svm_apic_changed(struct vcpu *v, u64 regs)
{
}

static bool svm_apic_delivers(struct vcpu *v)
{
	return false;
}

/* An exception-type event with vector 2 (NMI) is illegal: VMRUN fails with VMEXIT_INVALID (APM §15.20). */
static void svm_break_next_entry(struct vcpu *v)
{
	struct vmcb_control *c = &((struct svm_vcpu *)v->arch)->vmcb->control;
	c->event_inj = VEC_NMI | ((u64)SVM_EVENTINJ_TYPE_EXCEPTION << SVM_EVENTINJ_TYPE_SHIFT) | SVM_EVENTINJ_VALID;
}


/* NPT leaves name no type: host PAT entry 0 (WB) applies; the guest PAT combines with it. */
static int svm_query_memtype(struct vm *vm, u64 gpa, u8 *type, bool *ignore_pat)
{
	u64 leaf;
	if (stage2_lookup(&((struct svm_vm *)vm->arch)->npt, gpa, &leaf))
		return -EINVAL;
	*type = npt_leaf_memtype(leaf, rdmsr(MSR_IA32_PAT));
	*ignore_pat = false; /* NPT has no ignore-PAT: the guest PAT always combines (R3.4) */
	return 0;
}

const struct backend svm_backend = {
	.name = "svm",
	.kind = MICROHV_BACKEND_SVM,
	.inject_caps = &svm_inject_caps,
	.insn_caps = &svm_insn_caps,
	.probe = svm_probe,
	.cpu_init = svm_cpu_init,
	.vm_init = svm_vm_init,
	.vm_destroy = svm_vm_destroy,
	.vcpu_init = svm_vcpu_init,
	.vcpu_destroy = svm_vcpu_destroy,
	.load = svm_load,
	.set_state = svm_set_state,
	.run = svm_run,
	.get_reg = svm_get_reg,
	.set_reg = svm_set_reg,
	.get_fetch_regs = svm_get_fetch_regs,
	.apic_changed = svm_apic_changed,
	.apic_delivers = svm_apic_delivers,
	.break_next_entry = svm_break_next_entry,
	.query_memtype = svm_query_memtype,
};
