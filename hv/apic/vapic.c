/* vCPU <-> virtual APIC glue: everything here is bookkeeping between the pure models and the core. */
#include "vapic.h"
#include "../events.h"
#include "../lib/fmt.h"
#include "../guest_insn.h"
#include "../rules/guest_walk.h"
#include "../log.h"
#include "../mmio_exit.h"
#include "../platform/irq_sources.h"
#include "../time.h"
#include "../vm.h"
#include "../x86.h"

#define APIC_PAGE_SIZE 0x1000u
#define APIC_REG_STRIDE 0x10u /* x2APIC MSR = 800H + xAPIC offset / 16 (SDM Vol. 3A §11.12.1.2) */
#define X2APIC_CPUID_ECX BIT(21)

/* v's APIC changed (ID, LDR, DFR, enables, mode): its routing target, and the map for it alone. */
static void refresh_routing(struct vcpu *v)
{
	struct vm *vm = v->vm;
	struct apic_target old = vm->apic_targets[v->id];
	vlapic_to_target(&v->apic, &vm->apic_targets[v->id]);
	apic_map_update(&vm->apic_map, vm->apic_targets, vm->nvcpus, v->id, &old, &vm->apic_flags);
}

/* A periodic timer fires at most every 200 us after its first expiry, as KVM clamps it
 * (min_timer_period_us, limit_periodic_timer_frequency()): with TMICT = 1 and divide by 1 an interrupt
 * would be due at every VM entry and the guest would only ever run its handler (hostile_apic). */
#define MIN_TIMER_PERIOD_US 200
#define US_PER_S 1000000
/* ... and at least this many TSC ticks: Bochs's TSC (19 MHz on the ryzen model) is slow against its
 * instruction rate, and 200 us there is less than an exit round trip (the guest would never leave its
 * handler). On hardware 200 us is far more. */
#define MIN_TIMER_PERIOD_TICKS (1ull << 16)

static void registers_changed(struct vcpu *v);
#define APPLY_ALL (~0u) /* apply(): a write that is no page register */

void vapic_vcpu_reset(struct vcpu *v)
{
	struct vm *vm = v->vm;
	vm->apic_flags = (struct apic_flags){ .use_32bit_ids = vm->config.apic_32bit_ids,
					      .broadcast_quirk = !vm->config.no_broadcast_quirk };
	vlapic_reset(&v->apic, v->id, v->id == 0);
	v->apic.min_period_tsc = MAX(tsc_hz() / US_PER_S * MIN_TIMER_PERIOD_US, MIN_TIMER_PERIOD_TICKS);
	/* Only this vCPU's view: the map is built once all vCPUs exist (vapic_build_routing()); until then
	 * it is a valid empty one, so that an update before that never follows a zeroed list. */
	vlapic_to_target(&v->apic, &vm->apic_targets[v->id]);
	if (v->id == 0)
		apic_map_build(&vm->apic_map, vm->apic_targets, 0, &vm->apic_flags);
	vm->timers_dirty = true;
	registers_changed(v);
}

void vapic_build_routing(struct vm *vm)
{
	apic_map_build(&vm->apic_map, vm->apic_targets, vm->nvcpus, &vm->apic_flags);
}

/* Every change to a vCPU's vlapic goes through these or vapic_state_changed(): a back end with hardware
 * APIC virtualization keeps a copy of it (the virtual-APIC page) that it must then refresh, all of it
 * after a register write, only the interrupt state after an interrupt was accepted. */
static void registers_changed(struct vcpu *v)
{
	v->vm->be->apic_changed(v, VLAPIC_REGS_ALL);
}

static void interrupts_changed(struct vcpu *v)
{
	v->vm->be->apic_changed(v, VLAPIC_REGS_NONE);
}

void vapic_state_changed(struct vcpu *v)
{
	refresh_routing(v);
	v->vm->timers_dirty = true;
	registers_changed(v);
}

void vapic_deliver(struct vm *vm, const struct apic_irq *irq, const struct vcpu *src)
{
	u16 receivers[VM_MAX_VCPUS];
	u32 n = apic_route(&vm->apic_map, vm->apic_targets, vm->nvcpus, src ? &vm->apic_targets[src->id] : NULL, irq,
			   &vm->apic_flags, receivers);
	for (u32 i = 0; i < n; i++) {
		struct vcpu *t = &vm->vcpus[receivers[i]];
		if (vlapic_accept(&t->apic, irq->vector, irq->delivery_mode, irq->level, irq->trigger_level)) {
			interrupts_changed(t);
			/* A vCPU running and not halted needs a kick only for INIT or STARTUP (vcpu_kick()). */
			if (t != vm->running || t->state != VCPU_RUNNABLE || t->apic.init_pending || t->apic.sipi_pending)
				vm_mark_wake(vm, t->id);
		}
	}
}

/* After a write to register `offset` (APPLY_ALL: one that may change them all, IA32_APIC_BASE): its
 * effects, and the back end's copy of what it changed. */
static void apply(struct vcpu *v, u32 offset, const struct vlapic_effects *fx)
{
	bool all = fx->mode_changed || offset == APPLY_ALL;
	v->vm->be->apic_changed(v, all ? VLAPIC_REGS_ALL : vlapic_regs_written(offset));
	if (fx->map_changed || fx->mode_changed)
		refresh_routing(v);
	if (fx->timer_changed)
		v->vm->timers_dirty = true;
	if (fx->ipi)
		vapic_deliver(v->vm, &fx->ipi_msg, v);
	if (fx->eoi_vector >= 0 && fx->eoi_level)
		irq_sources_eoi(v->vm, (u8)fx->eoi_vector);
}

static bool guest_has_x2apic(struct vcpu *v)
{
	u32 r[4];
	cpuid_policy_lookup(&v->vm->cpuid, 1, 0, v->id, r);
	return r[CPUID_ECX] & X2APIC_CPUID_ECX;
}

/* The register an MSR write is to, for apply(). */
static u32 written_register(u32 msr)
{
	if (msr == MSR_IA32_APIC_BASE)
		return APPLY_ALL;
	return (msr - VLAPIC_X2APIC_MSR_FIRST) * APIC_REG_STRIDE;
}

/* The vlapic runs on the vCPU's own TSC (its TSC-deadline is a guest TSC value). */
static u64 guest_now(const struct vcpu *v)
{
	return tsc_guest_now(&v->tsc, rdtsc());
}

u64 vapic_timer_next_host(const struct vcpu *v)
{
	u64 next = vlapic_timer_next(&v->apic);
	if (!next)
		return 0;
	u64 host = tsc_guest_to_host(&v->tsc, next);
	return host ? host : 1; /* 0 means "nothing armed" */
}

int vapic_msr(struct vcpu *v, u32 msr, bool write, u64 *value)
{
	struct vlapic_effects fx = { .eoi_vector = -1 };
	u64 now = guest_now(v);
	int err = 0;

	if (msr == MSR_IA32_APIC_BASE) {
		if (!write) {
			*value = v->apic.apic_base;
			return 1;
		}
		err = vlapic_set_base(&v->apic, *value, v->vm->cpuid.maxphyaddr, guest_has_x2apic(v), &fx);
	} else if (msr == VLAPIC_MSR_TSC_DEADLINE) {
		/* Only the timer changes: nothing in the back end's copy of the APIC. */
		if (!write) {
			*value = vlapic_get_tsc_deadline(&v->apic);
			return 1;
		}
		vlapic_set_tsc_deadline(&v->apic, now, *value, &fx);
		if (fx.timer_changed)
			v->vm->timers_dirty = true;
		return 1;
	} else if (msr >= VLAPIC_X2APIC_MSR_FIRST && msr <= VLAPIC_X2APIC_MSR_LAST) {
		err = write ? vlapic_msr_write(&v->apic, now, msr, *value, &fx) : vlapic_msr_read(&v->apic, now, msr, value);
	} else {
		return 0;
	}
	if (err)
		return err;
	if (write)
		apply(v, written_register(msr), &fx);
	return 1;
}

/* ---- xAPIC MMIO: the vlapic's registers as an MMIO device (hv/mmio_exit.h) ---- */

static void apic_page_read(struct vcpu *v, u64 offset, u8 size, u64 *value)
{
	u32 reg = 0;
	vlapic_mmio_read(&v->apic, guest_now(v), (u32)offset, size, &reg);
	*value = reg;
}

static void apic_page_write(struct vcpu *v, u64 offset, u8 size, u64 value)
{
	struct vlapic_effects fx = { .eoi_vector = -1 };
	vlapic_mmio_write(&v->apic, guest_now(v), (u32)offset, size, (u32)value, &fx);
	apply(v, (u32)offset, &fx);
}

bool vapic_mmio(struct vcpu *v, const struct exit_mem *m, struct verdict *vd)
{
	u64 base = v->apic.apic_base & VLAPIC_BASE_ADDR_MASK;
	if (m->gpa < base || m->gpa >= base + APIC_PAGE_SIZE)
		return false;
	if (m->fetch) { /* registers are data: code there is not emulated (nor virtualized by APICv) */
		*vd = verdict_stop(v, VM_BAD_ACCESS, "instruction fetch from the APIC page at 0x%llx", m->gpa);
		return true;
	}
	const struct mmio_device apic = { "APIC MMIO", base, APIC_PAGE_SIZE, apic_page_read, apic_page_write };
	*vd = mmio_exit_emulate(v, m, &apic);
	return true;
}

void vapic_set_cr8(struct vcpu *v, u64 value)
{
	struct vlapic_effects fx = { .eoi_vector = -1 };
	vlapic_set_cr8(&v->apic, value, &fx);
	interrupts_changed(v);
}

void vapic_write_done(struct vcpu *v, u32 offset, u32 value)
{
	struct vlapic_effects fx = { .eoi_vector = -1 };
	u64 now = guest_now(v);
	if (vlapic_x2apic_mode(&v->apic)) /* only a SELF_IPI with a vector below 16 comes here (SDM §30.5) */
		vlapic_msr_write(&v->apic, now, VLAPIC_X2APIC_MSR_FIRST + offset / APIC_REG_STRIDE, value, &fx);
	else /* a write that is not a whole aligned register is ignored, as by vapic_mmio() */
		vlapic_mmio_write(&v->apic, now, offset, sizeof(u32), value, &fx);
	/* Also when ignored: the page still holds the guest's raw value. */
	apply(v, vlapic_x2apic_mode(&v->apic) ? VLAPIC_REG_SELF_IPI : offset, &fx);
}

/* The hardware has already done what the model's EOI does (ISR, PPR; the exit pulled them into the
 * vlapic). What is left is telling the I/O APIC that a level-triggered interrupt was serviced. */
void vapic_eoi_done(struct vcpu *v, u8 vector)
{
	irq_sources_eoi(v->vm, vector);
}

u64 vapic_get_cr8(struct vcpu *v)
{
	return vlapic_get_cr8(&v->apic);
}

void vapic_fire_timers(struct vm *vm, u64 now)
{
	for (u32 i = 0; i < vm->nvcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];
		u64 next = vapic_timer_next_host(v);
		if (next && now >= next) {
			vlapic_timer_fire(&v->apic, tsc_guest_now(&v->tsc, now));
			interrupts_changed(v);
			vm->timers_dirty = true;
			vm_mark_wake(vm, v->id);
		}
	}
	irq_sources_fire_timers(vm, now);
}

u64 vapic_recompute_deadline(struct vm *vm)
{
	u64 earliest = irq_sources_next_deadline(vm);
	for (u32 i = 0; i < vm->nvcpus; i++) {
		u64 next = vapic_timer_next_host(&vm->vcpus[i]);
		if (next && (!earliest || next < earliest))
			earliest = next;
	}
	vm->timer_next = earliest;
	vm->timers_dirty = false;
	return earliest;
}

void vapic_tsc_changed(struct vcpu *v, u64 delta)
{
	vlapic_timer_tsc_changed(&v->apic, delta);
	v->vm->timers_dirty = true; /* a TSC deadline now falls at another host time */
}
