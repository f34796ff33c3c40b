/* Exception queueing. Sanitizing waits for VM entry: a queued #GP may meet a guest that has left
 * protected mode by then, and the error-code rules depend on that mode. */
#include "events.h"
#include "rules/inject.h"
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

/* Completing an instruction ends any STI/MOV SS shadow it ran in (SDM Vol. 3A §6.8.3): an emulated HLT
 * right after STI must not keep the shadow, or the waking interrupt is taken one instruction late. */
static void complete_instruction(struct vcpu *v)
{
	if (v->intr.shadow) {
		v->intr.shadow = false;
		v->end_shadow = true;
	}
	single_step_trap(v);
}

void vcpu_skip_instruction(struct vcpu *v)
{
	v->rip = v->next_rip;
	complete_instruction(v);
}

void vcpu_skip_emulated(struct vcpu *v, u8 len)
{
	v->rip += len;
	complete_instruction(v);
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
	if (vapic_irr_empty(v) || v->vm->be->apic_delivers(v))
		return -1;
	return vlapic_highest_deliverable(&v->apic);
}

#define FIXUP_LOG_LINES 8

/* The fault-class exceptions (SDM Vol. 3A Table 6-1): #DE, #BR, #UD, #NM, #TS, #NP, #SS, #GP, #PF, #MF,
 * #AC, #XM, #VE, #CP. #DB, #BP and #OF are traps here (as KVM classes them), #DF and #MC aborts. */
#define EXCEPTION_IS_FAULT 0x003B7CE1u

/* The queued exception, made legal for the guest's mode now (spec §2.5), for the entry to deliver. */
static struct exc_event take_exception(struct vcpu *v)
{
	const struct backend *be = v->vm->be;
	struct queued_exception *q = &v->exception;
	enum inject_fixup fixup;
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
	q->valid = false;
	return ev;
}

void events_prepare_entry(struct vcpu *v, struct entry_request *req)
{
	req->end_shadow = v->end_shadow;
	v->end_shadow = false;
	/* Most entries carry nothing: decided from a few flags, before anything costs a call. Requests in IRR
	 * count only where the core injects them (not under VMX virtual-interrupt delivery). */
	if (!v->exception.valid && !v->apic.nmi_pending && !v->intr.injection_pending &&
	    (vapic_irr_empty(v) || v->vm->be->apic_delivers(v)) && !irq_sources_extint_pending(v)) {
		req->inject = ENTRY_EVENT_NONE;
		req->interrupt_window = req->nmi_window = false;
		return;
	}
	const struct event_state s = {
		.injection_pending = v->intr.injection_pending,
		.exception_queued = v->exception.valid,
		.nmi_pending = v->apic.nmi_pending,
		.nmi_blocked = v->intr.nmi_blocked,
		.if_set = v->rflags & RFLAGS_IF,
		.shadow = v->intr.shadow,
		.apic_vector = injectable_vector(v),
		.extint_pending = irq_sources_extint_pending(v),
	};
	struct entry_decision d = events_decide(&s);
	req->inject = d.inject;
	req->interrupt_window = d.interrupt_window;
	req->nmi_window = d.nmi_window;
	switch (d.inject) {
	case ENTRY_EVENT_EXCEPTION:
		req->exception = take_exception(v);
		break;
	case ENTRY_EVENT_NMI:
		v->apic.nmi_pending = false;
		v->stats.nmis++;
		break;
	case ENTRY_EVENT_APIC_INTERRUPT:
		req->vector = (u8)s.apic_vector;
		vlapic_ack(&v->apic, req->vector);
		break;
	case ENTRY_EVENT_EXTINT:
		req->vector = irq_sources_extint_ack(v);
		break;
	case ENTRY_EVENT_NONE:
		break;
	}
}
