/* VM lifecycle: creation, vCPUs, start states, stop, destruction. */
#include "vm.h"
#include "console.h"
#include "events.h"
#include "exit.h"
#include "lib/fmt.h"
#include "guest_xstate.h"
#include "log.h"
#include "mm.h"
#include "rules/cr0.h"
#include "rules/start_state.h"
#include "x86.h"
#include "apic/vapic.h"
#include "sched.h"
#include "time.h"

static void host_cpuid(u32 leaf, u32 subleaf, u32 out[4])
{
	cpuid_count(leaf, subleaf, out);
}

struct vm *vm_create(const struct backend *be, const char *name, u64 ram_size, const struct vm_config *config)
{
	u64 vm_pages = ALIGN_UP(sizeof(struct vm), PAGE_SIZE) / PAGE_SIZE;
	struct vm *vm = mm_alloc_pages(vm_pages, PAGE_SIZE);
	if (!vm)
		return NULL;
	vm->be = be;
	vm->name = name;
	vm->config = *config;
	vm->ram_size = ALIGN_UP(ram_size, LARGE_PAGE_SIZE);
	/* Quiet: the runner says why it failed, or waits for the VMs of other pCPUs (hv/suite_jobs.h). */
	vm->ram = mm_alloc_pages_quiet(vm->ram_size / PAGE_SIZE, LARGE_PAGE_SIZE);
	vm->outcome = VM_RUNNING;
	vm->timers_dirty = true;
	/* One policy for the VM's final vCPU count (topology leaves, HTT), built once. */
	const struct cpuid_vm_config cfg = { .backend_kind = be->kind, .vcpu_count = MAX(config->vcpus, 1u),
					     .x2apic = true,
					     .tsc_khz = (u32)(tsc_hz() / 1000),
					     .host_xcr0 = guest_xstate_host_xcr0(),
					     .rdtscp = be->insn_caps->rdtscp, .invpcid = be->insn_caps->invpcid };
	cpuid_policy_build(&vm->cpuid, host_cpuid, &cfg);
	cpuid_fast_build(&vm->cpuid_fast, &vm->cpuid);
	if (!vm->ram || be->vm_init(vm)) {
		vm_destroy(vm);
		return NULL;
	}
	return vm;
}

int vcpu_start(struct vcpu *v, const struct start_state *s)
{
	memset(v->gpr, 0, sizeof(v->gpr));
	v->gpr[GPR_RAX] = s->rax;
	v->gpr[GPR_RBX] = s->rbx;
	v->gpr[GPR_RDX] = s->rdx;
	v->rip = s->rip;
	v->rflags = s->rflags;
	v->intr = (struct guest_intr_state){ 0 }; /* set_state() starts with nothing pending */
	v->end_shadow = false;
	return v->vm->be->set_state(v, s);
}

int vm_add_vcpu(struct vm *vm, const struct start_state *entry)
{
	if (vm->nvcpus == VM_MAX_VCPUS || (!entry) != (vm->nvcpus > 0))
		return -EINVAL;
	struct vcpu *v = &vm->vcpus[vm->nvcpus];
	v->vm = vm;
	v->id = vm->nvcpus;
	stored_msrs_reset(&v->msrs);
	int err = guest_xstate_init(v);
	if (!err)
		err = vm->be->vcpu_init(v);
	if (!err) { /* an AP: a valid state until its STARTUP IPI replaces it */
		struct start_state parked;
		if (!entry)
			start_state_sipi(&parked, cr0_reset_value(), 0, 0);
		err = vcpu_start(v, entry ? entry : &parked);
	}
	if (err) {
		guest_xstate_release(v);
		return err;
	}
	vm->nvcpus++;
	vm->loaded = v; /* vcpu_init() leaves its state loaded */
	vapic_vcpu_reset(v);
	if (entry) {
		v->started = true;
		sched_make_runnable(v);
	} else {
		v->state = VCPU_WAIT_FOR_SIPI;
	}
	return 0;
}

u64 vm_total_exits(const struct vm *vm)
{
	u64 exits = 0;
	for (u32 i = 0; i < vm->nvcpus; i++)
		exits += vm->vcpus[i].stats.exits;
	return exits;
}

void vm_destroy(struct vm *vm)
{
	if (!vm)
		return;
	for (u32 i = 0; i < vm->nvcpus; i++) {
		vm->be->vcpu_destroy(&vm->vcpus[i]);
		guest_xstate_release(&vm->vcpus[i]);
	}
	if (vm->arch)
		vm->be->vm_destroy(vm);
	mm_free_pages(vm->ram, vm->ram_size / PAGE_SIZE);
	mm_free_pages(vm, ALIGN_UP(sizeof(struct vm), PAGE_SIZE) / PAGE_SIZE);
}

void vm_stop(struct vm *vm, enum vm_outcome outcome, u64 rip, const char *fmt, ...)
{
	va_list ap;
	if (vm->outcome != VM_RUNNING)
		return;
	vm->outcome = outcome;
	vm->stop_rip = rip;
	va_start(ap, fmt);
	vsnprintf(vm->stop_detail, sizeof(vm->stop_detail), fmt, ap);
	va_end(ap);
}

const char *vm_outcome_name(enum vm_outcome o)
{
	static const char *const names[] = { "running", "exited", "triple fault", "watchdog timeout",
					     "halted forever", "VM entry failed", "bad access", "unhandled exit",
					     "guest requested reset", "guest requested power off" };
	return o < ARRAY_SIZE(names) ? names[o] : "?";
}

