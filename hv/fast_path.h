/* The exits a back end answers inside its entry loop, without returning to the core's run loop (issue 12
 * item 3): the answer needs no core decision and changes only the vCPU's registers and what it alone
 * owns. One entry point per exit kind, called straight from the back end's own switch on its exit code.
 * Each returns true if it answered (the exit then counted in v->stats.exits; the back end advances RIP,
 * ending any STI/MOV SS shadow), false if the exit goes to exit_dispatch() as usual. The back end must
 * not call them with RFLAGS.TF set (the core owes a single-step trap) or without a known length, and
 * checks the slice's end itself (hv/backend.h slice_end_tsc). */
#ifndef HV_FAST_PATH_H
#define HV_FAST_PATH_H

#include "exit.h"
#include "vm.h"

/* CPUID of a leaf every vCPU of the VM sees alike (hv/rules/cpuid_fast.h). Inline: the commonest fast exit. */
static inline bool fast_path_cpuid(struct vcpu *v)
{
	const u32 *regs = cpuid_fast_find(&v->vm->cpuid_fast, (u32)v->gpr[GPR_RAX]);
	if (!regs)
		return false;
	v->gpr[GPR_RAX] = regs[CPUID_EAX];
	v->gpr[GPR_RBX] = regs[CPUID_EBX];
	v->gpr[GPR_RCX] = regs[CPUID_ECX];
	v->gpr[GPR_RDX] = regs[CPUID_EDX];
	v->stats.exits++;
	return true;
}

/* RDMSR/WRMSR (ECX, EDX:EAX) of an MSR the vCPU stores itself (hv/msr.h); never one that faults. */
bool fast_path_msr(struct vcpu *v, bool write);
/* VMCALL/VMMCALL of a hypercall that only reads (hv/hypercall.h), at privilege `cpl`. */
bool fast_path_hypercall(struct vcpu *v, u8 cpl);
/* OUT of a byte that only joins the console's current line (hv/platform/rules/uart.h). */
bool fast_path_out(struct vcpu *v, const struct exit_io *io);
/* A write to guest-physical `gpa` that missed the stage-2 tables, if it is an EOI the core would only
 * pass to the vlapic (vlapic_eoi_is_local()): a 4-byte MOV to the xAPIC EOI register whose decoded
 * instruction the vCPU's site cache holds. *len: the instruction's length, for the back end to skip.
 * Only for a back end that does not mirror the vlapic in hardware (VMX APICv off, SVM), with v->rip and
 * v->rflags current. */
bool fast_path_apic_eoi(struct vcpu *v, u64 gpa, u8 *len);

/* An xAPIC ICR-low write the hardware left to software (APIC-write exit, VMX APICv in xAPIC mode) that
 * sends a fixed, edge-triggered interrupt whose only receiver is the sender, with v->apic.icr_high
 * current: the write is done in the vlapic and the vector returned, for the back end to request in the
 * virtual-APIC page (IRR and RVI), where the guest's interrupt state is while it runs; -1: the full path.
 * The vlapic's IRR is not touched: it is stale until the back end pulls the page at the next full exit. */
int fast_path_ipi_to_self(struct vcpu *v, u32 offset, u32 value);

#endif
