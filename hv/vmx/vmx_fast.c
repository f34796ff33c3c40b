/* The exits the VMX back end answers inside vmx_run()'s entry loop, without the core: the fast path
 * (hv/fast_path.h) and bench/'s null path. */
#include "vmx.h"
#include "vmx_ops.h"
#include "../fast_path.h"
#include "../rules/guest_abi.h"
#include "../vm.h"
#include "../x86.h"

/* An EPT violation the fast path may answer: a write, not during event delivery, with the vlapic
 * not mirrored in the virtual-APIC page (APICv would need a refresh before the next entry). */
static bool fast_apic_write(struct vcpu *v, u64 rflags, u8 *len)
{
	if (((struct vmx_vcpu *)v->arch)->apicv.on || !(vmread(VMCS_EXIT_QUALIFICATION) & EPT_QUAL_WRITE) ||
	    (vmread(VMCS_IDT_VECTORING_INFO) & INTR_INFO_VALID))
		return false;
	v->rip = vmread(VMCS_GUEST_RIP); /* the instruction-site cache is keyed by them */
	v->rflags = rflags;
	return fast_path_apic_eoi(v, vmread(VMCS_GUEST_PHYSICAL_ADDRESS), len);
}

bool vmx_answered_on_fast_path(struct vcpu *v)
{
	bool answered;
	u8 len = 0; /* 0: the VM-exit instruction length (an EPT violation has none: SDM Vol. 3C §28.2.5) */
	u64 rflags = vmread(VMCS_GUEST_RFLAGS);
	if (rflags & RFLAGS_TF) /* the core raises the single-step trap */
		return false;
	u32 reason = vmread(VMCS_EXIT_REASON) & VMX_EXIT_REASON_MASK;
	if (reason == VMX_EXIT_APIC_WRITE) /* trap-like: RIP is already past the write (SDM Vol. 3C §30.4.3.3) */
		return vmx_apicv_fast_ipi_to_self(v);
	switch (reason) {
	case VMX_EXIT_CPUID: answered = fast_path_cpuid(v); break;
	case VMX_EXIT_RDMSR: answered = fast_path_msr(v, false); break;
	case VMX_EXIT_WRMSR: answered = fast_path_msr(v, true); break;
	case VMX_EXIT_VMCALL: /* SS.DPL is the CPL */
		answered = fast_path_hypercall(v, (vmread(VMCS_GUEST_SS_AR) >> 5) & 3);
		break;
	case VMX_EXIT_IO: {
		struct exit_io io = vmx_io_of(vmread(VMCS_EXIT_QUALIFICATION));
		answered = fast_path_out(v, &io);
		break;
	}
	case VMX_EXIT_EPT_VIOLATION: answered = fast_apic_write(v, rflags, &len); break;
	default: return false;
	}
	if (!answered)
		return false;
	vmcs_write(VMCS_GUEST_RIP, vmread(VMCS_GUEST_RIP) + (len ? len : vmread(VMCS_EXIT_INSTRUCTION_LENGTH)));
	/* Completing the instruction ends an STI/MOV SS shadow (SDM Vol. 3A §6.8.3), as vmx_skip_instruction(). */
	u64 intr = vmread(VMCS_GUEST_INTERRUPTIBILITY);
	if (intr & GUEST_INTERRUPTIBILITY_STI_MOVSS)
		vmcs_write(VMCS_GUEST_INTERRUPTIBILITY, intr & ~(u64)GUEST_INTERRUPTIBILITY_STI_MOVSS);
	return true;
}

/* bench/ (HC_BENCH_MODE): the least the back end can do for an exit of a selected kind: complete the
 * instruction (RIP past it, STI/MOV-SS shadow ended as vmx_skip_instruction does), count the exit as the
 * run loop would, and re-enter without the core. false: the exit takes the normal path. */
static bool null_path(struct vcpu *v)
{
	const struct bench_null *b = &v->vm->bench_null;
	u64 len = 0; /* 0: the exiting instruction's own length (VM-exit instruction length) */
	switch (vmread(VMCS_EXIT_REASON) & VMX_EXIT_REASON_MASK) {
	case VMX_EXIT_CPUID:
		if (!(b->kinds & HC_BENCH_NULL_CPUID))
			return false;
		break;
	case VMX_EXIT_RDMSR:
		if (!(b->kinds & HC_BENCH_NULL_RDMSR))
			return false;
		v->gpr[GPR_RAX] = v->gpr[GPR_RDX] = 0;
		break;
	case VMX_EXIT_WRMSR:
		if (!(b->kinds & HC_BENCH_NULL_WRMSR))
			return false;
		break;
	case VMX_EXIT_IO:
		if (!(b->kinds & HC_BENCH_NULL_OUT) || (vmread(VMCS_EXIT_QUALIFICATION) & (IO_QUAL_IN | IO_QUAL_STRING)))
			return false;
		break;
	case VMX_EXIT_VMCALL: /* HC_BENCH_MODE itself always reaches the core, or the mode could not be left */
		if (!(b->kinds & HC_BENCH_NULL_HYPERCALL) || v->gpr[GPR_RAX] == HC_BENCH_MODE)
			return false;
		v->gpr[GPR_RAX] = 0;
		break;
	case VMX_EXIT_HLT:
		if (!(b->kinds & HC_BENCH_NULL_HLT))
			return false;
		break;
	case VMX_EXIT_EPT_VIOLATION: /* no instruction length for it (SDM Vol. 3C §28.2.5): the guest's */
		if (!(b->kinds & HC_BENCH_NULL_MMIO) || (vmread(VMCS_IDT_VECTORING_INFO) & INTR_INFO_VALID))
			return false;
		len = b->mmio_len;
		break;
	case VMX_EXIT_APIC_WRITE: /* trap-like: the write and its instruction are done (SDM Vol. 3C §30.4.3.3) */
		if (!(b->kinds & HC_BENCH_NULL_APIC_WRITE) || (vmread(VMCS_IDT_VECTORING_INFO) & INTR_INFO_VALID))
			return false;
		v->stats.exits++;
		return true;
	default:
		return false;
	}
	if (!len)
		len = vmread(VMCS_EXIT_INSTRUCTION_LENGTH);
	vmcs_write(VMCS_GUEST_RIP, vmread(VMCS_GUEST_RIP) + len);
	u64 intr = vmread(VMCS_GUEST_INTERRUPTIBILITY);
	if (intr & GUEST_INTERRUPTIBILITY_STI_MOVSS)
		vmcs_write(VMCS_GUEST_INTERRUPTIBILITY, intr & ~(u64)GUEST_INTERRUPTIBILITY_STI_MOVSS);
	v->stats.exits++;
	return true;
}

bool vmx_answered_on_null_path(struct vcpu *v)
{
	return null_path(v) || vmx_answered_on_fast_path(v);
}
