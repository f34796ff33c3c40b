/* VM-exit decoding for the VMX back end: exit reason and qualification -> struct exit_info. */
#include "vmx.h"
#include "vmx_ops.h"
#include "../lib/fmt.h"
#include "../log.h"
#include "../vm.h"
#include "../x86.h"

struct exit_io vmx_io_of(u64 qual)
{
	return (struct exit_io){ .port = (u16)(qual >> IO_QUAL_PORT_SHIFT),
				 .size = (u8)((qual & IO_QUAL_SIZE_MASK) + 1),
				 .in = qual & IO_QUAL_IN,
				 .string = qual & IO_QUAL_STRING };
}

static void decode_io(u64 qual, struct exit_info *e)
{
	e->reason = EXIT_IO;
	e->io = vmx_io_of(qual);
}

static void decode_cr(u64 qual, struct exit_info *e)
{
	static const enum cr_access_type types[] = { CR_WRITE, CR_READ, CR_CLTS, CR_LMSW };
	e->reason = EXIT_CR_ACCESS;
	/* Whole: every field not named here (insn_len: the back end completes it) must read 0. */
	e->cr = (struct exit_cr){ .cr = qual & CR_QUAL_NUMBER_MASK,
				  .type = types[(qual >> CR_QUAL_TYPE_SHIFT) & CR_QUAL_TYPE_MASK],
				  .gpr = (qual >> CR_QUAL_REGISTER_SHIFT) & CR_QUAL_REGISTER_MASK,
				  .lmsw_source = (u16)(qual >> CR_QUAL_LMSW_SOURCE_SHIFT) };
}

static bool is_vmx_instruction(u32 reason)
{
	return (reason >= VMX_EXIT_VMCLEAR && reason <= VMX_EXIT_VMXON) || reason == VMX_EXIT_INVEPT ||
	       reason == VMX_EXIT_INVVPID;
}

void vmx_decode_exit(struct vcpu *v, struct exit_info *e)
{
	struct vmx_vcpu *x = v->arch;
	u32 reason = (u32)vmread(VMCS_EXIT_REASON);
	u32 basic = reason & VMX_EXIT_REASON_MASK;

	e->hw_code = reason;
	e->detail[0] = '\0';
	x->next_rip = v->rip + vmread(VMCS_EXIT_INSTRUCTION_LENGTH);
	if (reason & VMX_EXIT_REASON_ENTRY_FAILURE) {
		vmx_report_entry_failure(v, e, 0);
		return;
	}
	switch (basic) {
	case VMX_EXIT_CPUID: e->reason = EXIT_CPUID; break;
	case VMX_EXIT_HLT: e->reason = EXIT_HLT; break;
	case VMX_EXIT_VMCALL: e->reason = EXIT_HYPERCALL; break;
	case VMX_EXIT_RDMSR:
	case VMX_EXIT_WRMSR:
		e->reason = basic == VMX_EXIT_WRMSR ? EXIT_MSR_WRITE : EXIT_MSR_READ;
		e->msr = (u32)v->gpr[GPR_RCX];
		break;
	case VMX_EXIT_IO: decode_io(vmread(VMCS_EXIT_QUALIFICATION), e); break;
	case VMX_EXIT_CR_ACCESS: decode_cr(vmread(VMCS_EXIT_QUALIFICATION), e); break;
	case VMX_EXIT_EPT_VIOLATION: {
		u64 qual = vmread(VMCS_EXIT_QUALIFICATION);
		e->reason = EXIT_MEM_FAULT;
		e->mem.gpa = vmread(VMCS_GUEST_PHYSICAL_ADDRESS);
		e->mem.write = qual & EPT_QUAL_WRITE;
		e->mem.fetch = qual & EPT_QUAL_FETCH;
		break;
	}
	case VMX_EXIT_TRIPLE_FAULT: e->reason = EXIT_TRIPLE_FAULT; break;
	case VMX_EXIT_PREEMPTION_TIMER: e->reason = EXIT_PREEMPTED; break;
	case VMX_EXIT_INTERRUPT_WINDOW:
		vmcs_write(VMCS_PRIMARY_CONTROLS, vmread(VMCS_PRIMARY_CONTROLS) & ~PROC_INTERRUPT_WINDOW_EXITING);
		e->reason = EXIT_INTERRUPT_WINDOW;
		break;
	case VMX_EXIT_NMI_WINDOW:
		vmcs_write(VMCS_PRIMARY_CONTROLS, vmread(VMCS_PRIMARY_CONTROLS) & ~PROC_NMI_WINDOW_EXITING);
		e->reason = EXIT_NMI_WINDOW;
		break;
	case VMX_EXIT_PAUSE: e->reason = EXIT_PAUSE; break;
	case VMX_EXIT_INVD: e->reason = EXIT_INVD; break;
	case VMX_EXIT_XSETBV: e->reason = EXIT_XSETBV; break;
	case VMX_EXIT_RDPMC: e->reason = EXIT_RDPMC; break;
	case VMX_EXIT_MWAIT:
	case VMX_EXIT_MONITOR: e->reason = EXIT_MONITOR_MWAIT; break;
	case VMX_EXIT_APIC_ACCESS:
	case VMX_EXIT_VIRTUALIZED_EOI:
	case VMX_EXIT_APIC_WRITE:
		vmx_apicv_decode_exit(v, basic, vmread(VMCS_EXIT_QUALIFICATION), e);
		break;
	case VMX_EXIT_EXTERNAL_INTERRUPT:
	case VMX_EXIT_EXCEPTION_NMI: /* only NMIs exit (the exception bitmap is empty): the host's own */
		e->reason = EXIT_EXTERNAL_INTERRUPT;
		break;
	default:
		if (is_vmx_instruction(basic)) {
			e->reason = EXIT_INVALID_OPCODE; /* VMX is not offered to guests */
			break;
		}
		e->reason = EXIT_UNHANDLED;
		snprintf(e->detail, sizeof(e->detail), "VMX exit reason %u, qualification 0x%llx", basic,
			 vmread(VMCS_EXIT_QUALIFICATION));
		break;
	}
}

/* VMfailInvalid/VMfailValid from VMLAUNCH/VMRESUME (how = 1/2), or a "VM-entry failure" exit (how = 0). */
void vmx_report_entry_failure(struct vcpu *v, struct exit_info *e, int how)
{
	e->reason = EXIT_ENTRY_FAILED;
	if (how == 1) {
		snprintf(e->detail, sizeof(e->detail), "VMfailInvalid (no current VMCS)");
	} else if (how == 2) {
		u64 error = vmread(VMCS_VM_INSTRUCTION_ERROR);
		snprintf(e->detail, sizeof(e->detail), "VMfailValid, VM-instruction error %llu%s", error,
			 error == 7 ? " (invalid control field)" : error == 8 ? " (invalid host state)" : "");
	} else {
		u32 reason = (u32)vmread(VMCS_EXIT_REASON) & VMX_EXIT_REASON_MASK;
		snprintf(e->detail, sizeof(e->detail), "VM-entry failure, exit reason %u%s, qualification %llu",
			 reason, reason == VMX_EXIT_INVALID_GUEST_STATE ? " (invalid guest state)" : "",
			 vmread(VMCS_EXIT_QUALIFICATION));
	}
	log_error("%s: VM entry failed: %s", v->vm->name, e->detail);
	log_error("  rip 0x%llx rsp 0x%llx rflags 0x%llx cr0 0x%llx (shadow 0x%llx) cr4 0x%llx efer 0x%llx",
		  vmread(VMCS_GUEST_RIP), vmread(VMCS_GUEST_RSP), vmread(VMCS_GUEST_RFLAGS), vmread(VMCS_GUEST_CR0),
		  vmread(VMCS_CR0_READ_SHADOW), vmread(VMCS_GUEST_CR4), vmread(VMCS_GUEST_EFER));
	log_error("  cs sel 0x%llx ar 0x%llx, entry controls 0x%llx, interruption info 0x%llx error code 0x%llx",
		  vmread(VMCS_GUEST_CS_SELECTOR), vmread(VMCS_GUEST_CS_AR), vmread(VMCS_ENTRY_CONTROLS),
		  vmread(VMCS_ENTRY_INTERRUPTION_INFO), vmread(VMCS_ENTRY_EXCEPTION_ERROR_CODE));
}
