/* The run loop of one VM on this pCPU: timers, scheduling, the entry request, the back end's run, and
 * the exit's dispatch, until the VM stops or its watchdog deadline passes. */
#include "run_loop.h"
#include "console.h"
#include "events.h"
#include "exit_dispatch.h"
#include "guest_xstate.h"
#include "sched.h"
#include "time.h"
#include "vm.h"
#include "x86.h"
#include "apic/vapic.h"

/* Must the running vCPU give up the CPU: it blocked, spun (PAUSE), or used up its slice? */
static bool must_switch(const struct vcpu *v, u64 now, u64 slice_end)
{
	return !v || v->state != VCPU_RUNNABLE || v->yield || now >= slice_end;
}

/* A guest timer that is due again before the vCPU has run (period shorter than an exit round trip) is
 * served at most once per entry: the vCPU then runs at least this long, as hardware lets a guest execute
 * between interrupts. Without it, every entry would exit before the first instruction. */
#define MIN_TIMER_RUN_US 2

void vm_run(struct vm *vm, u64 deadline_tsc)
{
	struct vcpu *v = NULL;
	struct exit_info exit;
	struct entry_request req;
	const u64 tick_tsc = ms_to_tsc(HOST_TICK_MS);
	const u64 min_timer_run = MAX(tsc_hz() / 1000000 * MIN_TIMER_RUN_US, 1ull);
	u64 slice_end = 0;

	vapic_build_routing(vm);
	while (vm->outcome == VM_RUNNING) {
		u64 now = rdtsc();
		if (now > deadline_tsc) {
			vm_stop(vm, VM_TIMEOUT, v ? v->rip : 0, "still running at the watchdog deadline");
			break;
		}
		u64 next = vapic_next_deadline(vm);
		if (next && now >= next) {
			vapic_fire_timers(vm, now);
			next = vapic_next_deadline(vm);
		}
		sched_serve_wakes(vm); /* before anyone runs again: what the last exit or a timer delivered */
		if (must_switch(v, now, slice_end)) {
			struct vcpu *prev = v;
			v = sched_switch(vm, prev);
			if (!v) {
				if (vm->outcome != VM_RUNNING || !sched_idle(vm, deadline_tsc))
					break;
				continue;
			}
			if (v != prev || now >= slice_end)
				slice_end = now + tick_tsc;
		}
		events_prepare_entry(v, &req);
		/* Back to the core at the end of the slice, or earlier for the next guest APIC timer. */
		req.slice_for_timer = next && next < slice_end;
		req.slice_end_tsc = req.slice_for_timer ? MAX(next, now + min_timer_run) : slice_end;
		req.bench_null_path = vm->bench_null.kinds != 0;
		guest_xstate_switch_to(v);
		u64 cr4 = vm->be->get_reg(v, VREG_CR4);
		guest_xstate_enter(v, cr4);
		vm->be->run(v, &req, &exit);
		guest_xstate_leave(v, cr4);
		v->next_rip = exit.next_rip;
		v->intr = exit.intr;
		v->stats.exits++;
		exit_dispatch(v, &exit);
		console_poll(); /* the queued console output, while the line is free */
	}
	uart_flush(&vm->uart);
}
