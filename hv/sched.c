/* One physical CPU runs every vCPU of a VM: a FIFO run queue, round robin with the watchdog tick as the
 * slice, and a vCPU that spins (PAUSE) or blocks (HLT, wait-for-SIPI) gives the CPU up at once. */
#include "sched.h"
#include "console.h"
#include "rules/cr0.h"
#include "lib/fmt.h"
#include "guest_xstate.h"
#include "log.h"
#include "rules/start_state.h"
#include "vm.h"
#include "x86.h"
#include "apic/vapic.h"
#include "platform/irq_sources.h"

/* Is a PAUSE worth a VM exit for the running vCPU? Only while another vCPU waits in the run queue: with
 * nobody to yield to, a spin loop's exit only slows the spinner (issue 12). A vCPU that a timer or an
 * IPI would wake is served at the slice's end (set for the next APIC timer) or at the exit that sends
 * the IPI. Kept up to date where the queue changes, so the exit path pays nothing for it. */
static void update_pause_exiting(struct vm *vm)
{
	if (vm->running)
		vm->running->pause_exiting = vm->runq.len != 0;
}

static void runq_push(struct vm *vm, struct vcpu *v)
{
	struct run_queue *q = &vm->runq;
	q->slot[(q->head + q->len) % VM_MAX_VCPUS] = (u16)v->id;
	q->len++;
	v->queued = true;
	update_pause_exiting(vm);
}

/* The first queued vCPU that is still runnable (one that INIT stopped meanwhile is dropped). */
static struct vcpu *runq_pop(struct vm *vm)
{
	struct run_queue *q = &vm->runq;
	while (q->len) {
		struct vcpu *v = &vm->vcpus[q->slot[q->head]];
		q->head = (q->head + 1) % VM_MAX_VCPUS;
		q->len--;
		v->queued = false;
		if (v->state == VCPU_RUNNABLE)
			return v;
	}
	return NULL;
}

void sched_make_runnable(struct vcpu *v)
{
	v->state = VCPU_RUNNABLE;
	if (!v->queued && v->vm->running != v)
		runq_push(v->vm, v);
}

/* INIT then STARTUP: real mode at the vector's page, CR0 from RESET or, after INIT, with CD/NW kept
 * (spec R4.3; SDM Vol. 3A Table 10-1), EDX = the processor signature as after RESET. */
static int start_at_sipi(struct vcpu *v)
{
	const struct backend *be = v->vm->be;
	u64 cr0 = v->started ? cr0_init_value(be->get_reg(v, VREG_CR0)) : cr0_reset_value();
	u32 signature[4];
	struct start_state s;
	cpuid_policy_lookup(&v->vm->cpuid, 1, 0, v->id, signature);
	start_state_sipi(&s, cr0, v->start_vector, signature[CPUID_EAX]);
	v->start_pending = false;
	v->started = true;
	int err = vcpu_start(v, &s);
	if (err)
		vm_stop(v->vm, VM_UNHANDLED_EXIT, 0, "vCPU %u: cannot start in real mode (%d)", v->id, err);
	return err;
}

struct vcpu *sched_switch(struct vm *vm, struct vcpu *prev)
{
	if (prev) {
		prev->yield = false;
		if (prev->state == VCPU_RUNNABLE) {
			if (!vm->runq.len) {
				update_pause_exiting(vm);
				return prev;
			}
			runq_push(vm, prev);
		}
	}
	vm->running = NULL;
	struct vcpu *next = runq_pop(vm);
	if (!next)
		return NULL;
	if (next != vm->loaded) {
		vm->be->load(next);
		vm->loaded = next;
		vm->switches++;
	}
	vm->running = next;
	update_pause_exiting(vm);
	if (next->start_pending && start_at_sipi(next))
		return NULL;
	return next;
}

/* A timer can only end a HLT with IF = 1 (an NMI would, but no timer raises one). A platform timer
 * (the PIT through the I/O APIC) may reach any vCPU. */
static u64 next_wakeup_timer(struct vm *vm)
{
	u64 earliest = 0;
	bool any_can_wake = false;
	for (u32 i = 0; i < vm->nvcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];
		u64 next = vapic_timer_next_host(v);
		bool can_wake = v->state == VCPU_HALTED && (v->rflags & RFLAGS_IF);
		any_can_wake |= can_wake;
		if (next && can_wake && (!earliest || next < earliest))
			earliest = next;
	}
	u64 platform = any_can_wake ? irq_sources_next_deadline(vm) : 0;
	return platform && (!earliest || platform < earliest) ? platform : earliest;
}

bool sched_idle(struct vm *vm, u64 deadline_tsc)
{
	u64 next = next_wakeup_timer(vm);
	if (!next) {
		const struct vcpu *bsp = &vm->vcpus[0];
		vm_stop(vm, VM_HALTED_FOREVER, bsp->rip,
			"every vCPU is halted or waiting for SIPI, and no timer can wake one (BSP: %s, IF=%d)",
			bsp->state == VCPU_HALTED ? "HLT" : "wait-for-SIPI", (bsp->rflags & RFLAGS_IF) != 0);
		return false;
	}
	u64 until = MIN(next, deadline_tsc);
	while (rdtsc() < until) {
		console_poll(); /* idle: the console's line is the only thing to serve */
		cpu_relax();
	}
	if (rdtsc() >= deadline_tsc && rdtsc() < next) {
		vm_stop(vm, VM_TIMEOUT, vm->vcpus[0].rip, "every vCPU halted at the watchdog deadline");
		return false;
	}
	return true;
}

/* INIT (SDM Vol. 3A §11.6.1, §9.4.4): an AP stops and waits for a STARTUP IPI; its registers are reset
 * when that arrives. The BSP would restart at the reset vector, where this VM has no firmware. */
static void init_signal(struct vcpu *v)
{
	if (v->apic.apic_base & VLAPIC_BASE_BSP) {
		vm_stop(v->vm, VM_BAD_ACCESS, v->rip,
			"INIT to the BSP (vCPU %u): it would restart at the reset vector 0xFFFFFFF0, and the VM has "
			"no firmware there", v->id);
		return;
	}
	vlapic_init_signal(&v->apic);
	vapic_state_changed(v);
	guest_xstate_init_signal(v);
	v->exception.valid = false;
	v->start_pending = false;
	v->state = VCPU_WAIT_FOR_SIPI;
}

static bool can_wake_from_hlt(const struct vcpu *v)
{
	return v->apic.nmi_pending || ((v->rflags & RFLAGS_IF) && (vlapic_highest_deliverable(&v->apic) >= 0 ||
								  irq_sources_extint_pending(v)));
}

void sched_serve_wakes(struct vm *vm)
{
	while (vm->wake_marked) { /* a kick marks nobody, but stay exact if one ever does */
		vm->wake_marked = false;
		for (u32 w = 0; w * 64 < vm->nvcpus; w++) { /* the words of vCPUs that exist, not all 1024 */
			while (vm->wake_marks[w]) {
				u32 bit = (u32)__builtin_ctzll(vm->wake_marks[w]);
				vm->wake_marks[w] &= vm->wake_marks[w] - 1;
				vcpu_kick(&vm->vcpus[w * 64 + bit]);
			}
		}
	}
}

void vcpu_kick(struct vcpu *v)
{
	struct vlapic *a = &v->apic;
	if (a->init_pending)
		init_signal(v);
	if (a->sipi_pending) {
		/* A STARTUP IPI outside wait-for-SIPI is ignored (SDM Vol. 3A §11.6.1). */
		a->sipi_pending = false;
		if (v->state == VCPU_WAIT_FOR_SIPI && !v->start_pending) {
			v->start_pending = true;
			v->start_vector = a->sipi_vector;
			sched_make_runnable(v);
		}
	}
	if (v->state == VCPU_HALTED && can_wake_from_hlt(v))
		sched_make_runnable(v);
}
