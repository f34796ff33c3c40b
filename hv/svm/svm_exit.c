/* #VMEXIT decoding: VMCB exit code and EXITINFO fields -> struct exit_info, and the next RIP. */
#include "svm.h"
#include "../console.h"
#include "../lib/fmt.h"
#include "../guest_insn.h"
#include "../log.h"
#include "../vm.h"

/* Without NRIP save (QEMU TCG) the exiting instruction is decoded for its length: a prefixed form (a
 * redundant REX, 66, segment override) must not resume the guest in its middle. */
static void next_rip(struct vcpu *v, const struct vmcb *vmcb, enum insn_kind kind, struct exit_info *e)
{
	struct svm_vcpu *s = v->arch;
	struct insn in;
	if (svm_caps.nrip_save) {
		s->next_rip = vmcb->control.next_rip;
		return;
	}
	int err = guest_fetch_insn(v, &in);
	if (!err && in.kind == kind) {
		s->next_rip = v->rip + in.len;
		return;
	}
	e->reason = EXIT_UNHANDLED;
	snprintf(e->detail, sizeof(e->detail), "no NRIP save, and the instruction at RIP cannot be decoded as the "
		 "one that exited (%s)", err ? (in.reason ? in.reason : decode_error_name(err)) : "another instruction");
}

struct exit_io svm_io_of(u64 exit_info1)
{
	u32 size_bits = (exit_info1 >> SVM_IOIO_SIZE_SHIFT) & SVM_IOIO_SIZE_MASK; /* one-hot: 1, 2 or 4 bytes */
	return (struct exit_io){ .port = (u16)(exit_info1 >> SVM_IOIO_PORT_SHIFT),
				 .size = size_bits & 4 ? 4 : size_bits & 2 ? 2 : 1,
				 .in = exit_info1 & SVM_IOIO_TYPE_IN,
				 .string = exit_info1 & SVM_IOIO_STRING };
}

static void decode_ioio(struct vcpu *v, const struct vmcb *vmcb, struct exit_info *e)
{
	e->reason = EXIT_IO;
	e->io = svm_io_of(vmcb->control.exit_info1);
	((struct svm_vcpu *)v->arch)->next_rip = vmcb->control.exit_info2; /* IOIO always reports it */
}

/* VMRUN refused the state (VMEXIT_INVALID): say which of the usual suspects looks wrong. */
static void report_invalid(struct vcpu *v, const struct vmcb *vmcb, struct exit_info *e)
{
	const struct vmcb_save *st = &vmcb->save;
	e->reason = EXIT_ENTRY_FAILED;
	snprintf(e->detail, sizeof(e->detail), "VMEXIT_INVALID: cr0 0x%llx cr4 0x%llx efer 0x%llx event_inj 0x%llx",
		 st->cr0, st->cr4, st->efer, vmcb->control.event_inj);
	log_error("%s: VMRUN failed (VMEXIT_INVALID). Guest state:", v->vm->name);
	log_error("  rip 0x%llx rsp 0x%llx rflags 0x%llx cpl %u", st->rip, st->rsp, st->rflags, st->cpl);
	log_error("  cr0 0x%llx cr3 0x%llx cr4 0x%llx efer 0x%llx dr7 0x%llx", st->cr0, st->cr3, st->cr4, st->efer,
		  st->dr7);
	log_error("  cs sel 0x%x attr 0x%x limit 0x%x base 0x%llx", st->cs.selector, st->cs.attrib, st->cs.limit,
		  st->cs.base);
	log_error("  asid %u nested_ctl 0x%llx n_cr3 0x%llx event_inj 0x%llx intercepts 0x%x/0x%x",
		  vmcb->control.guest_asid, vmcb->control.nested_ctl, vmcb->control.nested_cr3,
		  vmcb->control.event_inj, vmcb->control.intercept_misc1, vmcb->control.intercept_misc2);
}

void svm_decode_exit(struct vcpu *v, struct exit_info *e)
{
	const struct vmcb *vmcb = ((struct svm_vcpu *)v->arch)->vmcb;
	u32 code = (u32)vmcb->control.exit_code;

	e->hw_code = vmcb->control.exit_code;
	e->detail[0] = '\0';
	switch (code) {
	case SVM_EXIT_CPUID:
		e->reason = EXIT_CPUID;
		next_rip(v, vmcb, INSN_CPUID, e);
		break;
	case SVM_EXIT_MSR:
		e->reason = vmcb->control.exit_info1 ? EXIT_MSR_WRITE : EXIT_MSR_READ;
		e->msr = (u32)v->gpr[GPR_RCX];
		next_rip(v, vmcb, e->reason == EXIT_MSR_WRITE ? INSN_WRMSR : INSN_RDMSR, e);
		break;
	case SVM_EXIT_IOIO:
		decode_ioio(v, vmcb, e);
		break;
	case SVM_EXIT_HLT:
		e->reason = EXIT_HLT;
		next_rip(v, vmcb, INSN_HLT, e);
		break;
	case SVM_EXIT_VMMCALL:
		e->reason = EXIT_HYPERCALL;
		next_rip(v, vmcb, INSN_VMMCALL, e);
		break;
	case SVM_EXIT_CR0_READ:
	case SVM_EXIT_CR0_WRITE:
	case SVM_EXIT_CR8_READ:
	case SVM_EXIT_CR8_WRITE:
	case SVM_EXIT_CR4_WRITE:
	case SVM_EXIT_CR0_SEL_WRITE:
		e->reason = EXIT_CR_UNDECODED;
		break;
	case SVM_EXIT_NPF:
		e->reason = EXIT_MEM_FAULT;
		e->mem.gpa = vmcb->control.exit_info2;
		e->mem.write = vmcb->control.exit_info1 & SVM_NPF_WRITE;
		e->mem.fetch = vmcb->control.exit_info1 & SVM_NPF_FETCH;
		break;
	case SVM_EXIT_INVD:
		e->reason = EXIT_INVD;
		next_rip(v, vmcb, INSN_INVD, e);
		break;
	case SVM_EXIT_XSETBV:
		e->reason = EXIT_XSETBV;
		next_rip(v, vmcb, INSN_XSETBV, e);
		break;
	case SVM_EXIT_RDTSCP: e->reason = EXIT_RDTSCP; break;
	case SVM_EXIT_RDPMC: e->reason = EXIT_RDPMC; break;
	case SVM_EXIT_MONITOR:
	case SVM_EXIT_MWAIT:
	case SVM_EXIT_MWAIT_ARMED: e->reason = EXIT_MONITOR_MWAIT; break;
	case SVM_EXIT_SHUTDOWN:
		e->reason = EXIT_TRIPLE_FAULT;
		break;
	case SVM_EXIT_VINTR: { /* the window is open: drop the dummy interrupt */
		struct vmcb_control *c = &((struct svm_vcpu *)v->arch)->vmcb->control;
		c->int_ctl &= ~(SVM_INT_CTL_V_IRQ | SVM_INT_CTL_V_IGN_TPR);
		c->intercept_misc1 &= ~SVM_INTERCEPT_VINTR;
		e->reason = EXIT_INTERRUPT_WINDOW;
		break;
	}
	case SVM_EXIT_PAUSE:
		e->reason = EXIT_PAUSE;
		next_rip(v, vmcb, INSN_PAUSE, e);
		break;
	case SVM_EXIT_IRET: { /* the NMI handler returns: NMIs are unmasked once this IRET has executed */
		struct svm_vcpu *s = v->arch;
		s->vmcb->control.intercept_misc1 &= ~SVM_INTERCEPT_IRET;
		s->nmi_iret_seen = true;
		s->nmi_iret_rip = v->rip;
		e->reason = EXIT_NONE;
		break;
	}
	case SVM_EXIT_EXCP_DB:
		svm_nmi_singlestep_exit(v, e);
		break;
	case SVM_EXIT_INTR:
	case SVM_EXIT_NMI:
		e->reason = EXIT_EXTERNAL_INTERRUPT;
		break;
	case SVM_EXIT_INVALID:
		report_invalid(v, vmcb, e);
		break;
	default:
		/* SVM is not offered: the guest's EFER.SVME reads 0, so its SVM instructions are #UD (APM Vol. 3). */
		if (code == SVM_EXIT_INVLPGA || (code >= SVM_EXIT_VMRUN && code <= SVM_EXIT_SKINIT)) {
			e->reason = EXIT_INVALID_OPCODE;
			break;
		}
		e->reason = EXIT_UNHANDLED;
		snprintf(e->detail, sizeof(e->detail), "SVM exit code 0x%x, exitinfo1 0x%llx, exitinfo2 0x%llx", code,
			 vmcb->control.exit_info1, vmcb->control.exit_info2);
		break;
	}
}
