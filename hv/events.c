/* Exception queueing. Sanitizing waits for VM entry: a queued #GP may meet a guest that has left
 * protected mode by then, and the error-code rules depend on that mode. */
#include "events.h"
#include "inject.h"
#include "apic/vapic.h"
#include "platform/irq_sources.h"
#include "log.h"
#include "vm.h"
#include "x86.h"

static void single_step_trap(struct vcpu *v)
{
	const struct backend *be = v->vm->be;
	if (v->rflags & RFLAGS_TF) {
		be->set_reg(v, VREG_DR6, be->get_reg(v, VREG_DR6) | DR6_BS);
		hv_inject_exception(v, VEC_DB, false, 0, 0);
	}
}

void vcpu_skip_instruction(struct vcpu *v)
{
	v->vm->be->skip_instruction(v);
	single_step_trap(v);
}

void vcpu_skip_emulated(struct vcpu *v, u8 len)
{
	v->rip += len;
	single_step_trap(v);
}

int hv_inject_exception(struct vcpu *v, u64 vector, bool has_ec, u32 ec, u64 flags)
{
	int err = inject_check_request(vector, flags);
	if (err)
		return err;
	if (v->exception.valid)
		return -EBUSY;
	v->exception = (struct queued_exception){ true, (u8)vector, has_ec, ec, (u32)flags };
	return 0;
}

/* A fixed APIC interrupt that the core must inject: deliverable now, and the hardware does not deliver
 * the vCPU's interrupts itself (VMX virtual-interrupt delivery). */
static int injectable_vector(struct vcpu *v)
{
	if (v->vm->be->apic_delivers(v))
		return -1;
	return vlapic_highest_deliverable(&v->apic);
}

/* Some interrupt waits for the guest's IF: a fixed APIC one the core injects, or the 8259's ExtINT. */
static bool interrupt_waiting(struct vcpu *v)
{
	return injectable_vector(v) >= 0 || irq_sources_extint_pending(v);
}

/* A pending APIC interrupt goes in if the guest can take it now; otherwise the back end is asked to
 * exit as soon as it can. One event per entry: an exception being injected goes first. */
static void prepare_interrupt(struct vcpu *v)
{
	const struct backend *be = v->vm->be;
	int vector = vapic_irr_empty(v) ? -1 : injectable_vector(v);
	/* The local APIC's own interrupts go first; the 8259's ExtINT comes through LINT0 (or with the APIC
	 * disabled) and takes no part in the APIC's priorities (SDM Vol. 3A §11.5.1). */
	bool extint = vector < 0 && irq_sources_extint_pending(v);
	if (vector < 0 && !extint)
		return;
	if (!be->interruptible(v)) {
		be->request_interrupt_window(v);
		return;
	}
	if (extint) {
		be->inject_interrupt(v, irq_sources_extint_ack(v));
		return;
	}
	be->inject_interrupt(v, (u8)vector);
	vlapic_ack(&v->apic, (u8)vector);
}

/* An NMI from the APIC goes in unless an NMI handler is still running (until its IRET) or the entry
 * already carries an event; then the back end exits when it can (SDM Vol. 3A §6.7.1, Vol. 3C §26.7.6). */
static bool prepare_nmi(struct vcpu *v)
{
	const struct backend *be = v->vm->be;
	if (!v->apic.nmi_pending)
		return false;
	if (!be->nmi_allowed(v)) {
		be->request_nmi_window(v);
		return false;
	}
	be->inject_nmi(v);
	v->apic.nmi_pending = false;
	v->stats.nmis++;
	return true;
}

#define FIXUP_LOG_LINES 8

/* The fault-class exceptions (SDM Vol. 3A Table 6-1): #DE, #BR, #UD, #NM, #TS, #NP, #SS, #GP, #PF, #MF,
 * #AC, #XM, #VE, #CP. #DB, #BP and #OF are traps here (as KVM classes them), #DF and #MC aborts. */
#define EXCEPTION_IS_FAULT 0x003B7CE1u

void events_prepare_entry(struct vcpu *v)
{
	const struct backend *be = v->vm->be;
	struct queued_exception *q = &v->exception;
	enum inject_fixup fixup;

	if (be->injection_pending(v)) { /* an interrupted delivery goes first; the rest waits */
		if (v->apic.nmi_pending)
			be->request_nmi_window(v);
		if (q->valid || interrupt_waiting(v))
			be->request_interrupt_window(v);
		return;
	}
	if (!q->valid) {
		if (!prepare_nmi(v))
			prepare_interrupt(v);
		else if (interrupt_waiting(v))
			be->request_interrupt_window(v);
		return;
	}
	bool protected_mode = be->get_reg(v, VREG_CR0) & CR0_PE;
	/* The CPUID policy hides CET, so #CP never carries an error code for these guests. */
	struct exc_event ev =
		inject_sanitize(q->vector, q->has_ec, q->ec, q->flags, protected_mode, false, be->inject_caps, &fixup);
	/* Counted always (HC_STAT), logged only the first times per vCPU: a guest must not flood the log. */
	if (fixup == INJECT_FIXUP_EC_DROPPED) {
		if (v->stats.ec_dropped++ < FIXUP_LOG_LINES)
			log_info("%s: vector %u cannot carry an error code here; dropped 0x%x", v->vm->name, q->vector,
				 q->ec);
	} else if (fixup == INJECT_FIXUP_EC_ADDED) {
		if (v->stats.ec_added++ < FIXUP_LOG_LINES)
			log_info("%s: vector %u needs an error code; pushing 0", v->vm->name, q->vector);
	}
	/* A fault is delivered with RF set in the saved RFLAGS, so the IRET that restarts the instruction
	 * does not hit its instruction breakpoint again (SDM Vol. 3A §6.12.1; KVM inject_pending_event()). */
	if (EXCEPTION_IS_FAULT & BIT(ev.vector & 31))
		v->rflags |= RFLAGS_RF;
	be->inject_event(v, &ev);
	q->valid = false;
	if (v->apic.nmi_pending) /* the NMI and interrupts follow the exception */
		be->request_nmi_window(v);
	if (interrupt_waiting(v))
		be->request_interrupt_window(v);
}
