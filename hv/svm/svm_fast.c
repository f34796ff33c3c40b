/* The exits the SVM back end answers inside svm_run()'s entry loop, without the core: the fast path
 * (hv/fast_path.h) and bench/'s null path. */
#include "svm.h"
#include "../fast_path.h"
#include "../guest_insn.h"
#include "../rules/guest_abi.h"
#include "../vm.h"
#include "../x86.h"

/* Instruction lengths for the null path without NRIP save (QEMU TCG): the plain encodings bench/ uses. */
#define LEN_CPUID 2   /* 0F A2 */
#define LEN_MSR 2     /* 0F 32 / 0F 30 */
#define LEN_VMMCALL 3 /* 0F 01 D9 */
#define LEN_HLT 1     /* F4 */

/* bench/ (HC_BENCH_MODE): the least the back end can do for an exit of a selected kind: complete the
 * instruction (RIP past it, STI/MOV-SS shadow ended as svm_skip_instruction does), count the exit as the
 * run loop would, and re-enter without the core. false: the exit takes the normal path. */
static bool null_path(struct vcpu *v, struct vmcb *vmcb)
{
	const struct bench_null *b = &v->vm->bench_null;
	struct vmcb_control *c = &vmcb->control;
	u64 len; /* used only without NRIP save (APM §15.7.1) */
	switch ((u32)c->exit_code) {
	case SVM_EXIT_CPUID:
		if (!(b->kinds & HC_BENCH_NULL_CPUID))
			return false;
		len = LEN_CPUID;
		break;
	case SVM_EXIT_MSR: /* EXITINFO1: 0 RDMSR, 1 WRMSR */
		if (!(b->kinds & (c->exit_info1 ? HC_BENCH_NULL_WRMSR : HC_BENCH_NULL_RDMSR)))
			return false;
		if (!c->exit_info1)
			vmcb->save.rax = v->gpr[GPR_RDX] = 0;
		len = LEN_MSR;
		break;
	case SVM_EXIT_IOIO: /* EXITINFO2 holds the next RIP with or without NRIP save (APM §15.10.2) */
		if (!(b->kinds & HC_BENCH_NULL_OUT) || (c->exit_info1 & (SVM_IOIO_TYPE_IN | SVM_IOIO_STRING)))
			return false;
		vmcb->save.rip = c->exit_info2;
		goto done;
	case SVM_EXIT_VMMCALL: /* HC_BENCH_MODE itself always reaches the core, or the mode could not be left */
		if (!(b->kinds & HC_BENCH_NULL_HYPERCALL) || vmcb->save.rax == HC_BENCH_MODE)
			return false;
		vmcb->save.rax = 0;
		len = LEN_VMMCALL;
		break;
	case SVM_EXIT_HLT:
		if (!(b->kinds & HC_BENCH_NULL_HLT))
			return false;
		len = LEN_HLT;
		break;
	case SVM_EXIT_NPF: /* no next_rip for it: the guest said how long its instruction is */
		if (!(b->kinds & HC_BENCH_NULL_MMIO) || (c->exit_int_info & SVM_EVENTINJ_VALID))
			return false;
		vmcb->save.rip += b->mmio_len;
		goto done;
	default:
		return false;
	}
	vmcb->save.rip = svm_caps.nrip_save ? c->next_rip : vmcb->save.rip + len;
done:
	c->int_state &= ~SVM_INT_STATE_SHADOW;
	v->stats.exits++;
	return true;
}

/* Where the exiting instruction ends: NRIP save's next RIP, or without it (QEMU TCG) the length of the
 * instruction the site cache holds for this RIP, if it is the one that exited (a prefixed form is longer
 * than its opcode); false: the core decodes it. */
static bool next_rip_known(struct vcpu *v, const struct vmcb *vmcb, enum insn_kind kind, u64 *next_rip)
{
	if (svm_caps.nrip_save) {
		*next_rip = vmcb->control.next_rip;
		return true;
	}
	v->rip = vmcb->save.rip; /* the instruction-site cache is keyed by them */
	v->rflags = vmcb->save.rflags;
	const struct insn *in = guest_cached_insn(v);
	if (!in || in->kind != kind)
		return false;
	*next_rip = v->rip + in->len;
	return true;
}

/* The exits the core answers from registers alone (hv/fast_path.h), served without leaving the entry loop. */
bool svm_answered_on_fast_path(struct vcpu *v, struct vmcb *vmcb)
{
	const struct vmcb_control *c = &vmcb->control;
	bool answered;
	if (vmcb->save.rflags & RFLAGS_TF) /* the core raises the single-step trap */
		return false;
	v->gpr[GPR_RAX] = vmcb->save.rax;
	u64 next_rip = 0;
	bool write = c->exit_info1 != 0;
	switch ((u32)c->exit_code) {
	case SVM_EXIT_CPUID: answered = next_rip_known(v, vmcb, INSN_CPUID, &next_rip) && fast_path_cpuid(v); break;
	case SVM_EXIT_MSR:
		answered = next_rip_known(v, vmcb, write ? INSN_WRMSR : INSN_RDMSR, &next_rip) && fast_path_msr(v, write);
		break;
	case SVM_EXIT_VMMCALL:
		answered = next_rip_known(v, vmcb, INSN_VMMCALL, &next_rip) && fast_path_hypercall(v, vmcb->save.cpl);
		break;
	case SVM_EXIT_IOIO: {
		struct exit_io io = svm_io_of(c->exit_info1);
		next_rip = c->exit_info2; /* with or without NRIP save (APM Vol. 2 §15.10.2) */
		answered = fast_path_out(v, &io);
		break;
	}
	case SVM_EXIT_NPF: { /* a write, not during event delivery: perhaps an EOI (no AVIC to refresh) */
		u8 len;
		if (!(c->exit_info1 & SVM_NPF_WRITE) || (c->exit_int_info & SVM_EVENTINJ_VALID))
			return false;
		v->rip = vmcb->save.rip; /* the instruction-site cache is keyed by them */
		v->rflags = vmcb->save.rflags;
		answered = fast_path_apic_eoi(v, c->exit_info2, &len);
		next_rip = vmcb->save.rip + len;
		break;
	}
	default: return false;
	}
	if (!answered)
		return false;
	vmcb->save.rax = v->gpr[GPR_RAX];
	vmcb->save.rip = next_rip;
	vmcb->control.int_state &= ~SVM_INT_STATE_SHADOW; /* as svm_skip_instruction() */
	return true;
}

bool svm_answered_on_null_path(struct vcpu *v, struct vmcb *vmcb)
{
	return null_path(v, vmcb) || svm_answered_on_fast_path(v, vmcb);
}
