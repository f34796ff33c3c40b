/* The arch-neutral exit dispatcher: every exit reason the back ends report, and what the core does. */
#include "exit.h"
#include "apic/vapic.h"
#include "cr_access.h"
#include "cr_insn.h"
#include "events.h"
#include "hypercall.h"
#include "io.h"
#include "log.h"
#include "msr.h"
#include "platform/irq_sources.h"
#include "sched.h"
#include "unassigned_mem.h"
#include "vm.h"
#include "x86.h"

const char *exit_reason_name(enum exit_reason r)
{
	static const char *const names[] = {
		[EXIT_NONE] = "none", [EXIT_CPUID] = "CPUID", [EXIT_MSR_READ] = "RDMSR", [EXIT_MSR_WRITE] = "WRMSR",
		[EXIT_IO] = "I/O", [EXIT_HLT] = "HLT", [EXIT_HYPERCALL] = "hypercall", [EXIT_MEM_FAULT] = "memory fault",
		[EXIT_CR_ACCESS] = "CR access", [EXIT_CR_UNDECODED] = "CR access (undecoded)",
		[EXIT_INVALID_OPCODE] = "invalid opcode", [EXIT_TRIPLE_FAULT] = "triple fault",
		[EXIT_EXTERNAL_INTERRUPT] = "external interrupt", [EXIT_PREEMPTED] = "preempted",
		[EXIT_INTERRUPT_WINDOW] = "interrupt window", [EXIT_NMI_WINDOW] = "NMI window", [EXIT_PAUSE] = "PAUSE",
		[EXIT_APIC_WRITE] = "APIC write", [EXIT_APIC_EOI] = "APIC EOI", [EXIT_GUEST_FAULT] = "guest fault",
		[EXIT_INVD] = "INVD", [EXIT_XSETBV] = "XSETBV", [EXIT_RDTSCP] = "RDTSCP", [EXIT_RDPMC] = "RDPMC",
		[EXIT_MONITOR_MWAIT] = "MONITOR/MWAIT", [EXIT_ENTRY_FAILED] = "entry failed", [EXIT_UNHANDLED] = "unhandled",
	};
	return r < ARRAY_SIZE(names) && names[r] ? names[r] : "?";
}

static void handle_cpuid(struct vcpu *v)
{
	u32 out[4];
	u32 leaf = (u32)v->gpr[GPR_RAX];
	const struct cpuid_vcpu_state s = { .apic_enabled = v->apic.apic_base & VLAPIC_BASE_EN,
					    .cr4 = v->vm->be->get_reg(v, VREG_CR4), .xcr0 = v->xstate.xcr0 };
	cpuid_policy_vcpu(&v->vm->cpuid, leaf, (u32)v->gpr[GPR_RCX], v->id, &s, out);
	v->gpr[GPR_RAX] = out[0];
	v->gpr[GPR_RBX] = out[1];
	v->gpr[GPR_RCX] = out[2];
	v->gpr[GPR_RDX] = out[3];
	vcpu_skip_instruction(v);
}

/* The vCPU sleeps until an interrupt it can take arrives (at once if one is already pending). */
static void handle_hlt(struct vcpu *v)
{
	vcpu_skip_instruction(v);
	v->state = VCPU_HALTED;
	vcpu_kick(v);
}

static void handle_mem_fault(struct vcpu *v, const struct exit_mem *m)
{
	if (vapic_mmio(v, m) || ioapic_mmio(v, m) || unassigned_mem_access(v, m))
		return;
	vm_stop(v->vm, VM_BAD_ACCESS, v->rip, "%s of guest-physical 0x%llx, outside guest RAM (0x%llx bytes)",
		m->fetch ? "instruction fetch" : m->write ? "write" : "read", m->gpa, v->vm->ram_size);
}

void exit_dispatch(struct vcpu *v, const struct exit_info *e)
{
	switch (e->reason) {
	case EXIT_CPUID:
		handle_cpuid(v);
		break;
	case EXIT_MSR_READ:
	case EXIT_MSR_WRITE:
		msr_emulate(v, e->msr, e->reason == EXIT_MSR_WRITE);
		break;
	case EXIT_IO:
		io_emulate(v, &e->io);
		break;
	case EXIT_HLT:
		handle_hlt(v);
		break;
	case EXIT_HYPERCALL:
		hypercall_handle(v);
		break;
	case EXIT_MEM_FAULT:
		handle_mem_fault(v, &e->mem);
		break;
	case EXIT_CR_ACCESS:
		cr_access_emulate(v, &e->cr);
		break;
	case EXIT_CR_UNDECODED:
		cr_insn_emulate(v);
		break;
	case EXIT_INVALID_OPCODE:
		hv_inject_exception(v, VEC_UD, false, 0, 0);
		break;
	case EXIT_TRIPLE_FAULT:
		vm_stop(v->vm, VM_TRIPLE_FAULT, v->rip, "guest triple fault (shutdown)");
		break;
	case EXIT_EXTERNAL_INTERRUPT:
		irq_window(); /* let the host handler run (it acknowledges the tick) */
		break;
	case EXIT_PAUSE:
		vcpu_skip_instruction(v);
		v->yield = true;
		break;
	case EXIT_NONE:
	case EXIT_INTERRUPT_WINDOW: /* events_prepare_entry() injects what is pending */
	case EXIT_NMI_WINDOW:
	case EXIT_PREEMPTED: /* the run loop checks the deadline after every exit */
		break;
	case EXIT_APIC_WRITE:
		vapic_write_done(v, e->apic.offset, e->apic.value);
		break;
	case EXIT_APIC_EOI:
		vapic_eoi_done(v, e->apic.vector);
		break;
	case EXIT_GUEST_FAULT:
		if (e->fault.vector == VEC_PF)
			v->vm->be->set_reg(v, VREG_CR2, e->fault.cr2);
		hv_inject_exception(v, e->fault.vector, true, e->fault.ec, 0);
		break;
	case EXIT_INVD:
		/* Caches are coherent write-back for the guest: dropping lines unwritten could lose the host's
		 * data, so INVD is a WBINVD-like no-op, as in KVM (handle_invd()). */
		vcpu_skip_instruction(v);
		break;
	case EXIT_XSETBV:
		guest_xstate_xsetbv(v);
		break;
	case EXIT_RDTSCP: /* not intercepted any more (RDTSCP runs natively): a stray exit is #UD, as before */
	case EXIT_MONITOR_MWAIT:
		/* CPUID hides MONITOR/MWAIT: #UD on a CPU without them (SDM Vol. 2). */
		hv_inject_exception(v, VEC_UD, false, 0, 0);
		break;
	case EXIT_RDPMC:
		/* CPUID leaf 0xA reports no counters, so every ECX names an invalid one: #GP(0) (SDM Vol. 2B RDPMC). */
		hv_inject_exception(v, VEC_GP, true, 0, 0);
		break;
	case EXIT_ENTRY_FAILED:
		vm_stop(v->vm, VM_ENTRY_FAILED, v->rip, "%s", e->detail);
		break;
	case EXIT_UNHANDLED:
	default:
		vm_stop(v->vm, VM_UNHANDLED_EXIT, v->rip, "unhandled exit 0x%llx: %s", e->hw_code, e->detail);
		break;
	}
}
