/* vCPU <-> virtual APIC glue: everything here is bookkeeping between the pure models and the core. */
#include "vapic.h"
#include "../events.h"
#include "../fmt.h"
#include "../guest_insn.h"
#include "../guest_walk.h"
#include "../log.h"
#include "../mmio_emul.h"
#include "../sched.h"
#include "../time.h"
#include "../vm.h"
#include "../x86.h"

#define APIC_PAGE_SIZE 0x1000u
#define APIC_REG_STRIDE 0x10u /* x2APIC MSR = 800H + xAPIC offset / 16 (SDM Vol. 3A §11.12.1.2) */
#define X2APIC_CPUID_ECX BIT(21)

static void refresh_routing(struct vm *vm)
{
	for (u32 i = 0; i < vm->nvcpus; i++)
		vlapic_to_target(&vm->vcpus[i].apic, &vm->apic_targets[i]);
	apic_map_build(&vm->apic_map, vm->apic_targets, vm->nvcpus, &vm->apic_flags);
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

void vapic_vcpu_reset(struct vcpu *v)
{
	struct vm *vm = v->vm;
	vm->apic_flags = (struct apic_flags){ .use_32bit_ids = vm->config.apic_32bit_ids,
					      .broadcast_quirk = !vm->config.no_broadcast_quirk };
	vlapic_reset(&v->apic, v->id, v->id == 0);
	v->apic.min_period_tsc = MAX(tsc_hz() / US_PER_S * MIN_TIMER_PERIOD_US, MIN_TIMER_PERIOD_TICKS);
	/* Only this vCPU's view: the map is built once all vCPUs exist (vapic_build_routing()). */
	vlapic_to_target(&v->apic, &vm->apic_targets[v->id]);
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
	v->vm->be->apic_changed(v, true);
}

static void interrupts_changed(struct vcpu *v)
{
	v->vm->be->apic_changed(v, false);
}

void vapic_state_changed(struct vcpu *v)
{
	refresh_routing(v->vm);
	v->vm->timers_dirty = true;
	registers_changed(v);
}

/* Routes an IPI the APIC asked for and delivers it to every receiver. */
static void send_ipi(struct vcpu *v, const struct apic_irq *irq)
{
	struct vm *vm = v->vm;
	u16 receivers[VM_MAX_VCPUS];
	u32 n = apic_route(&vm->apic_map, vm->apic_targets, vm->nvcpus, &vm->apic_targets[v->id], irq,
			   &vm->apic_flags, receivers);
	for (u32 i = 0; i < n; i++) {
		struct vcpu *t = &vm->vcpus[receivers[i]];
		if (vlapic_accept(&t->apic, irq->vector, irq->delivery_mode, irq->level, irq->trigger_level)) {
			interrupts_changed(t);
			vcpu_kick(t);
		}
	}
}

/* After a register write: its effects, and the back end's copy of the registers. */
static void apply(struct vcpu *v, const struct vlapic_effects *fx)
{
	registers_changed(v);
	if (fx->map_changed || fx->mode_changed)
		refresh_routing(v->vm);
	if (fx->timer_changed)
		v->vm->timers_dirty = true;
	if (fx->ipi)
		send_ipi(v, &fx->ipi_msg);
}

static bool guest_has_x2apic(struct vcpu *v)
{
	u32 r[4];
	cpuid_policy_lookup(&v->vm->cpuid, 1, 0, v->id, r);
	return r[CPUID_ECX] & X2APIC_CPUID_ECX;
}

int vapic_msr(struct vcpu *v, u32 msr, bool write, u64 *value)
{
	struct vlapic_effects fx = { .eoi_vector = -1 };
	u64 now = rdtsc();
	int err = 0;

	if (msr == MSR_IA32_APIC_BASE) {
		if (!write) {
			*value = v->apic.apic_base;
			return 1;
		}
		err = vlapic_set_base(&v->apic, *value, v->vm->cpuid.maxphyaddr, guest_has_x2apic(v), &fx);
	} else if (msr == VLAPIC_MSR_TSC_DEADLINE) {
		if (write)
			vlapic_set_tsc_deadline(&v->apic, now, *value, &fx);
		else
			*value = vlapic_get_tsc_deadline(&v->apic);
	} else if (msr >= VLAPIC_X2APIC_MSR_FIRST && msr <= VLAPIC_X2APIC_MSR_LAST) {
		err = write ? vlapic_msr_write(&v->apic, now, msr, *value, &fx) : vlapic_msr_read(&v->apic, now, msr, value);
	} else {
		return 0;
	}
	if (err)
		return err;
	if (write)
		apply(v, &fx);
	return 1;
}

/* ---- xAPIC MMIO: decode the instruction, then emulate it (hv/mmio_emul.h) on a bus that reaches the
 * vlapic registers and, for the other operand of MOVS/PUSH/POP, guest RAM. ---- */

struct apic_bus {
	struct vcpu *v;
	u64 base;          /* guest-physical APIC page */
	u64 fault_gpa;     /* the access that exited */
	u64 known_linear;  /* a linear page known to map fault_gpa's page, or NO_LINEAR_PAGE */
	struct guest_paging gp;
	bool gp_loaded;
	u64 refused_at;    /* the linear address of a refused access, with the reason */
	const char *refused;
};

#define NO_LINEAR_PAGE (~0ull)
#define PAGE_FRAME(a) ((a) & ~(u64)(APIC_PAGE_SIZE - 1))

static bool bus_refuse(struct apic_bus *b, u64 linear, const char *why)
{
	b->refused_at = linear;
	b->refused = why;
	return false;
}

/* linear -> guest-physical: the faulting page without a walk when the instruction allows it, else the
 * guest's page tables (the walker's limits are in guest_walk.h). */
static bool bus_translate(struct apic_bus *b, u64 linear, u64 *gpa)
{
	struct guest_xlate x;
	if (PAGE_FRAME(linear) == b->known_linear) {
		*gpa = PAGE_FRAME(b->fault_gpa) | (linear & (APIC_PAGE_SIZE - 1));
		return true;
	}
	if (!b->gp_loaded) {
		guest_paging_of(b->v, &b->gp);
		b->gp_loaded = true;
	}
	if (guest_translate(&b->gp, linear, &x))
		return bus_refuse(b, linear, "the guest's page tables do not map it");
	*gpa = x.gpa;
	return true;
}

/* A RAM operand (the other side of MOVS, the stack of PUSH/POP): the access does not cross a page. */
static u8 *bus_ram(struct apic_bus *b, u64 linear, u64 gpa, u8 size)
{
	struct vm *vm = b->v->vm;
	if (gpa >= vm->ram_size || size > vm->ram_size - gpa) {
		bus_refuse(b, linear, "neither the APIC page nor guest RAM");
		return NULL;
	}
	return vm->ram + gpa;
}

static int bus_read(void *ctx, u64 linear, u8 size, u64 *value)
{
	struct apic_bus *b = ctx;
	u64 gpa;
	if (!bus_translate(b, linear, &gpa))
		return -1;
	if (gpa >= b->base && gpa < b->base + APIC_PAGE_SIZE) {
		u32 reg = 0;
		vlapic_mmio_read(&b->v->apic, rdtsc(), (u32)(gpa - b->base), size, &reg);
		*value = reg;
		return 0;
	}
	u8 *ram = bus_ram(b, linear, gpa, size);
	if (!ram)
		return -1;
	memcpy(value, ram, size);
	return 0;
}

static int bus_write(void *ctx, u64 linear, u8 size, u64 value)
{
	struct apic_bus *b = ctx;
	u64 gpa;
	if (!bus_translate(b, linear, &gpa))
		return -1;
	if (gpa >= b->base && gpa < b->base + APIC_PAGE_SIZE) {
		struct vlapic_effects fx = { .eoi_vector = -1 };
		vlapic_mmio_write(&b->v->apic, rdtsc(), (u32)(gpa - b->base), size, (u32)value, &fx);
		apply(b->v, &fx);
		return 0;
	}
	u8 *ram = bus_ram(b, linear, gpa, size);
	if (!ram)
		return -1;
	memcpy(ram, &value, size);
	return 0;
}

/* The guest's view of the instruction, for the VM-stop messages. */
static void stop_undecodable(struct vcpu *v, const struct exit_mem *m, int err, const struct insn *in)
{
	u8 bytes[INSN_MAX_LEN];
	char hex[3 * INSN_MAX_LEN + 1];
	u32 got = guest_fetch_bytes(v, bytes), pos = 0;
	for (u32 i = 0; i < got; i++)
		pos += (u32)snprintf(hex + pos, sizeof(hex) - pos, i ? " %02x" : "%02x", bytes[i]);
	hex[pos] = 0;
	vm_stop(v->vm, VM_BAD_ACCESS, v->rip, "APIC MMIO at 0x%llx: cannot decode the instruction (%s) in %u-bit mode, bytes %s",
		m->gpa, in->reason ? in->reason : decode_error_name(err), 16u << in->mode, got ? hex : "(none fetched)");
}

/* Segment bases count outside 64-bit mode and for FS/GS: only then are they read (VMREADs on VMX). The
 * stack-address size follows the code size: SS.B is not in the back-end interface, and a flat kernel has
 * SS.B = CS.D. */
static void emul_cpu_of(struct vcpu *v, const struct insn *in, u64 seg_base[NUM_SEGS], struct emul_cpu *cpu)
{
	for (u32 s = 0; s < NUM_SEGS; s++)
		seg_base[s] = 0;
	if (in->mode != CPU_MODE_64 || in->mem.seg == SEG_FS || in->mem.seg == SEG_GS)
		guest_segment_bases(v, seg_base);
	*cpu = (struct emul_cpu){ v->gpr, &v->rflags, v->rip, seg_base,
				  in->mode == CPU_MODE_64 ? 8 : in->mode == CPU_MODE_32 ? 4 : 2 };
}

bool vapic_mmio(struct vcpu *v, const struct exit_mem *m)
{
	u64 base = v->apic.apic_base & VLAPIC_BASE_ADDR_MASK;
	if (m->gpa < base || m->gpa >= base + APIC_PAGE_SIZE)
		return false;
	if (m->fetch) { /* registers are data: code there is not emulated (nor virtualized by APICv) */
		vm_stop(v->vm, VM_BAD_ACCESS, v->rip, "instruction fetch from the APIC page at 0x%llx", m->gpa);
		return true;
	}
	struct insn in;
	int err = guest_fetch_insn(v, &in);
	if (err) {
		stop_undecodable(v, m, err, &in);
		return true;
	}
	u64 seg_base[NUM_SEGS];
	struct emul_cpu cpu;
	emul_cpu_of(v, &in, seg_base, &cpu);
	struct apic_bus b = { .v = v, .base = base, .fault_gpa = m->gpa, .known_linear = NO_LINEAR_PAGE };
	if (mmio_only_accesses_ea(&in)) {
		u64 la = insn_linear_addr(&in, v->gpr, v->rip, seg_base);
		if ((la & (APIC_PAGE_SIZE - 1)) == (m->gpa & (APIC_PAGE_SIZE - 1)))
			b.known_linear = PAGE_FRAME(la);
	}
	struct emul_bus bus = { bus_read, bus_write, &b };
	int rc = mmio_emulate(&in, &cpu, &bus);
	if (rc == EMUL_DONE)
		vcpu_skip_emulated(v, in.len);
	else if (rc == EMUL_CROSSES_PAGE) /* half of it would reach whatever lies above: not emulated */
		vm_stop(v->vm, VM_BAD_ACCESS, v->rip, "%u-byte %s at APIC MMIO 0x%llx straddles the end of a page",
			in.rm_size, insn_name(&in), m->gpa);
	else if (rc == EMUL_BUS_ERROR)
		vm_stop(v->vm, VM_BAD_ACCESS, v->rip, "%s at APIC MMIO 0x%llx: its access at linear 0x%llx is %s",
			insn_name(&in), m->gpa, b.refused_at, b.refused);
	else if (rc != EMUL_REPEAT)
		vm_stop(v->vm, VM_BAD_ACCESS, v->rip, "%s at APIC MMIO 0x%llx: %s", insn_name(&in), m->gpa,
			emul_result_name(rc));
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
	u64 now = rdtsc();
	if (vlapic_x2apic_mode(&v->apic)) /* only a SELF_IPI with a vector below 16 comes here (SDM §30.5) */
		vlapic_msr_write(&v->apic, now, VLAPIC_X2APIC_MSR_FIRST + offset / APIC_REG_STRIDE, value, &fx);
	else /* a write that is not a whole aligned register is ignored, as by vapic_mmio() */
		vlapic_mmio_write(&v->apic, now, offset, sizeof(u32), value, &fx);
	apply(v, &fx); /* also when ignored: the page still holds the guest's raw value */
}

/* The hardware has already done what the model's EOI does (ISR, PPR; the exit pulled them into the
 * vlapic). What is left is telling an I/O APIC that a level-triggered interrupt was serviced, and no VM
 * has one yet: this is where it would go. */
void vapic_eoi_done(struct vcpu *v, u8 vector)
{
}

u64 vapic_get_cr8(struct vcpu *v)
{
	return vlapic_get_cr8(&v->apic);
}

void vapic_fire_timers(struct vm *vm, u64 now)
{
	for (u32 i = 0; i < vm->nvcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];
		u64 next = vlapic_timer_next(&v->apic);
		if (next && now >= next) {
			vlapic_timer_fire(&v->apic, now);
			interrupts_changed(v);
			vm->timers_dirty = true;
			vcpu_kick(v);
		}
	}
}

u64 vapic_recompute_deadline(struct vm *vm)
{
	u64 earliest = 0;
	for (u32 i = 0; i < vm->nvcpus; i++) {
		u64 next = vlapic_timer_next(&vm->vcpus[i].apic);
		if (next && (!earliest || next < earliest))
			earliest = next;
	}
	vm->timer_next = earliest;
	vm->timers_dirty = false;
	return earliest;
}
