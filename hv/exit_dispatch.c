/* The arch-neutral exit dispatcher: one handler per exit reason, each returning a verdict (hv/verdict.h),
 * and the one place verdicts take effect. */
#include "exit_dispatch.h"
#include "apic/vapic.h"
#include "cr_access.h"
#include "cr_insn.h"
#include "events.h"
#include "guest_xstate.h"
#include "hypercall.h"
#include "io.h"
#include "msr.h"
#include "platform/irq_sources.h"
#include "sched.h"
#include "unassigned_mem.h"
#include "vm.h"
#include "x86.h"

/* ---- The handlers: each returns what it decided (hv/verdict.h) ---- */

static struct verdict handle_cpuid(struct vcpu *v, const struct exit_info *e)
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
	return verdict_advance();
}

static struct verdict handle_msr(struct vcpu *v, const struct exit_info *e)
{
	return msr_emulate(v, e->msr, e->reason == EXIT_MSR_WRITE);
}

static struct verdict handle_io(struct vcpu *v, const struct exit_info *e)
{
	return io_emulate(v, &e->io);
}

/* The vCPU sleeps until an interrupt it can take arrives (at once if one is already pending). */
static struct verdict handle_hlt(struct vcpu *v, const struct exit_info *e)
{
	return verdict_halt();
}

static struct verdict handle_hypercall(struct vcpu *v, const struct exit_info *e)
{
	return hypercall_handle(v);
}

static struct verdict handle_mem_fault(struct vcpu *v, const struct exit_info *e)
{
	const struct exit_mem *m = &e->mem;
	struct verdict vd;
	if (vapic_mmio(v, m, &vd) || ioapic_mmio(v, m, &vd) || unassigned_mem_access(v, m, &vd))
		return vd;
	return verdict_stop(v, VM_BAD_ACCESS, "%s of guest-physical 0x%llx, outside guest RAM (0x%llx bytes)",
			    m->fetch ? "instruction fetch" : m->write ? "write" : "read", m->gpa, v->vm->ram_size);
}

static struct verdict handle_cr(struct vcpu *v, const struct exit_info *e)
{
	return cr_access_emulate(v, &e->cr);
}

static struct verdict handle_cr_undecoded(struct vcpu *v, const struct exit_info *e)
{
	return cr_insn_emulate(v);
}

/* The VMX/SVM instructions, and MONITOR/MWAIT (hidden by CPUID: #UD as on a CPU without them, SDM Vol. 2);
 * RDTSCP is not intercepted any more (it runs natively): a stray exit is #UD, as before. */
static struct verdict handle_ud(struct vcpu *v, const struct exit_info *e)
{
	return verdict_fault(VEC_UD, false, 0);
}

static struct verdict handle_triple_fault(struct vcpu *v, const struct exit_info *e)
{
	return verdict_stop(v, VM_TRIPLE_FAULT, "guest triple fault (shutdown)");
}

static struct verdict handle_external_interrupt(struct vcpu *v, const struct exit_info *e)
{
	irq_window(); /* let the host handler run (it acknowledges the tick) */
	return verdict_resume();
}

/* Interrupt and NMI windows: events_prepare_entry() injects what waits; the end of a slice: the run loop
 * checks the deadline after every exit. */
static struct verdict handle_nothing(struct vcpu *v, const struct exit_info *e)
{
	return verdict_resume();
}

static struct verdict handle_pause(struct vcpu *v, const struct exit_info *e)
{
	return (struct verdict){ .kind = VERDICT_YIELD };
}

static struct verdict handle_apic_write(struct vcpu *v, const struct exit_info *e)
{
	vapic_write_done(v, e->apic.offset, e->apic.value);
	return verdict_resume(); /* trap-like: RIP is already past the write */
}

static struct verdict handle_apic_eoi(struct vcpu *v, const struct exit_info *e)
{
	vapic_eoi_done(v, e->apic.vector);
	return verdict_resume();
}

static struct verdict handle_guest_fault(struct vcpu *v, const struct exit_info *e)
{
	if (e->fault.vector == VEC_PF)
		v->vm->be->set_reg(v, VREG_CR2, e->fault.cr2);
	return verdict_fault(e->fault.vector, true, e->fault.ec);
}

/* Caches are coherent write-back for the guest: dropping lines unwritten could lose the host's data, so
 * INVD is a WBINVD-like no-op, as in KVM (handle_invd()). */
static struct verdict handle_invd(struct vcpu *v, const struct exit_info *e)
{
	return verdict_advance();
}

static struct verdict handle_xsetbv(struct vcpu *v, const struct exit_info *e)
{
	return guest_xstate_xsetbv(v);
}

/* CPUID leaf 0xA reports no counters, so every ECX names an invalid one: #GP(0) (SDM Vol. 2B RDPMC). */
static struct verdict handle_rdpmc(struct vcpu *v, const struct exit_info *e)
{
	return verdict_fault(VEC_GP, true, 0);
}

static struct verdict handle_entry_failed(struct vcpu *v, const struct exit_info *e)
{
	return verdict_stop(v, VM_ENTRY_FAILED, "%s", e->detail);
}

static struct verdict handle_unhandled(struct vcpu *v, const struct exit_info *e)
{
	return verdict_stop(v, VM_UNHANDLED_EXIT, "unhandled exit 0x%llx: %s", e->hw_code, e->detail);
}

typedef struct verdict (*exit_handler)(struct vcpu *v, const struct exit_info *e);

static const exit_handler handlers[] = {
	[EXIT_NONE] = handle_nothing, [EXIT_CPUID] = handle_cpuid, [EXIT_MSR_READ] = handle_msr,
	[EXIT_MSR_WRITE] = handle_msr, [EXIT_IO] = handle_io, [EXIT_HLT] = handle_hlt,
	[EXIT_HYPERCALL] = handle_hypercall, [EXIT_MEM_FAULT] = handle_mem_fault, [EXIT_CR_ACCESS] = handle_cr,
	[EXIT_CR_UNDECODED] = handle_cr_undecoded, [EXIT_INVALID_OPCODE] = handle_ud,
	[EXIT_TRIPLE_FAULT] = handle_triple_fault, [EXIT_EXTERNAL_INTERRUPT] = handle_external_interrupt,
	[EXIT_PREEMPTED] = handle_nothing, [EXIT_INTERRUPT_WINDOW] = handle_nothing,
	[EXIT_NMI_WINDOW] = handle_nothing, [EXIT_PAUSE] = handle_pause, [EXIT_APIC_WRITE] = handle_apic_write,
	[EXIT_APIC_EOI] = handle_apic_eoi, [EXIT_GUEST_FAULT] = handle_guest_fault, [EXIT_INVD] = handle_invd,
	[EXIT_XSETBV] = handle_xsetbv, [EXIT_RDTSCP] = handle_ud, [EXIT_RDPMC] = handle_rdpmc,
	[EXIT_MONITOR_MWAIT] = handle_ud, [EXIT_ENTRY_FAILED] = handle_entry_failed,
	[EXIT_UNHANDLED] = handle_unhandled,
};

/* The one place a verdict takes effect: RIP moves, faults are queued, vCPUs block, VMs stop. */
static void apply(struct vcpu *v, const struct verdict *vd)
{
	switch (vd->kind) {
	case VERDICT_RESUME:
		break;
	case VERDICT_ADVANCE:
		vcpu_skip_instruction(v);
		break;
	case VERDICT_ADVANCE_BY:
		vcpu_skip_emulated(v, vd->len);
		break;
	case VERDICT_FAULT:
		hv_inject_exception(v, vd->vector, vd->has_ec, vd->ec, 0);
		break;
	case VERDICT_HALT:
		vcpu_skip_instruction(v);
		v->state = VCPU_HALTED;
		vcpu_kick(v);
		break;
	case VERDICT_YIELD: /* a spin loop (PAUSE): let another vCPU run */
		vcpu_skip_instruction(v);
		v->yield = true;
		break;
	case VERDICT_STOP:
		vm_stop(v->vm, vd->outcome, v->rip, "%s", v->stop_why);
		break;
	}
}

void exit_dispatch(struct vcpu *v, const struct exit_info *e)
{
	exit_handler h = (u32)e->reason < ARRAY_SIZE(handlers) ? handlers[e->reason] : NULL;
	const struct verdict vd = (h ? h : handle_unhandled)(v, e);
	apply(v, &vd);
}
