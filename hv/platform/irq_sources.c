/* See irq_sources.h. The glue between the pure device models and the VM: no rule lives here. */
#include "irq_sources.h"
#include "../apic/vapic.h"
#include "../mmio_exit.h"
#include "../vm.h"
#include "../time.h"
#include "../x86.h"
#include "rules/ioapic.h"
#include "rules/pic.h"
#include "rules/pit.h"

#define PIT_IRQ0_PIN 2u /* q35: ISA IRQ0 is I/O APIC input 2 (the MADT's interrupt source override 0 -> 2) */
#define PIT_ISA_IRQ 0u  /* ... and 8259 input 0 */

static void deliver(void *ctx, const struct apic_irq *irq)
{
	vapic_deliver(ctx, irq, NULL);
}

void irq_sources_init(struct vm *vm)
{
	ioapic_init(&vm->ioapic, deliver, vm);
	vm->pit_tsc_base = rdtsc();
	pit_init(&vm->pit, 0);
	pic_init(&vm->pic);
	vm->timers_dirty = true;
}

static u64 pit_now(const struct vm *vm, u64 tsc)
{
	return tsc > vm->pit_tsc_base ? pit_ticks_from_tsc(tsc - vm->pit_tsc_base, tsc_hz()) : 0;
}

/* The PIT's IRQ0 reaches nobody: masked at its I/O APIC pin and in the 8259's IMR. */
static bool irq0_masked(const struct vm *vm)
{
	return (vm->ioapic.redtbl[PIT_IRQ0_PIN] & IOAPIC_RTE_MASKED) && (vm->pic.master.imr & BIT(PIT_ISA_IRQ));
}

#define LVT_DELIVERY_MODE_SHIFT 8
#define LVT_DELIVERY_MODE_MASK 7u

/* q35 wires the 8259's INT output to every CPU's LINT0; microhv serves the BSP's. It gets through when
 * that local APIC is hardware-disabled (the pin goes straight to the CPU) or has LINT0 unmasked in ExtINT
 * mode, virtual wire mode (SDM Vol. 3A §11.5.1; QEMU apic_accept_pic_intr(), apic_deliver_pic_intr()). */
static bool takes_extint(const struct vcpu *v)
{
	const struct vlapic *a = &v->apic;
	u32 lint0 = a->lvt[VLAPIC_LVT_LINT0];
	if (v->id != 0)
		return false;
	if (!vlapic_hw_enabled(a))
		return true;
	return !(lint0 & VLAPIC_LVT_MASKED) &&
	       ((lint0 >> LVT_DELIVERY_MODE_SHIFT) & LVT_DELIVERY_MODE_MASK) == APIC_DM_EXTINT;
}

bool irq_sources_extint_pending(const struct vcpu *v)
{
	return takes_extint(v) && pic_int_output(&v->vm->pic);
}

u8 irq_sources_extint_ack(struct vcpu *v)
{
	return pic_interrupt_ack(&v->vm->pic);
}

static void ioapic_page_read(struct vcpu *v, u64 offset, u8 size, u64 *value)
{
	*value = ioapic_mmio_read(&v->vm->ioapic, (u32)offset, size);
}

static void ioapic_page_write(struct vcpu *v, u64 offset, u8 size, u64 value)
{
	struct vm *vm = v->vm;
	bool was_masked = irq0_masked(vm);
	ioapic_mmio_write(&vm->ioapic, (u32)offset, size, value);
	if (was_masked && !irq0_masked(vm)) /* edges while masked were ignored: none is owed now */
		pit_irq0_take(&vm->pit, pit_now(vm, rdtsc()));
	vm->timers_dirty = true; /* the PIT's deadline counts only while IRQ0 is unmasked */
}

bool ioapic_mmio(struct vcpu *v, const struct exit_mem *m, struct verdict *vd)
{
	if (m->gpa < IOAPIC_BASE || m->gpa >= IOAPIC_BASE + IOAPIC_MMIO_SIZE)
		return false;
	if (m->fetch) {
		*vd = verdict_stop(v, VM_BAD_ACCESS, "instruction fetch from the I/O APIC page at 0x%llx", m->gpa);
		return true;
	}
	const struct mmio_device dev = { "I/O APIC MMIO", IOAPIC_BASE, IOAPIC_MMIO_SIZE, ioapic_page_read,
					 ioapic_page_write };
	*vd = mmio_exit_emulate(v, m, &dev);
	return true;
}

void irq_sources_eoi(struct vm *vm, u8 vector)
{
	ioapic_eoi(&vm->ioapic, vector);
}

s64 irq_sources_set_pin(struct vm *vm, u64 pin, u64 level)
{
	if (pin >= IOAPIC_PINS || level > 1)
		return -EINVAL;
	ioapic_set_pin(&vm->ioapic, (u32)pin, level);
	return 0;
}

s64 irq_sources_raise_msi(struct vm *vm, u64 addr, u64 data)
{
	struct apic_irq irq;
	if (!msi_decode(addr, data, &irq))
		return -EINVAL;
	vapic_deliver(vm, &irq, NULL);
	return 0;
}

bool irq_sources_owns_port(u16 port)
{
	return (port >= PIT_PORT_BASE && port < PIT_PORT_BASE + PIT_PORTS) || port == PIT_PORT_61 ||
	       port == PIC_MASTER_CMD || port == PIC_MASTER_DATA || port == PIC_SLAVE_CMD || port == PIC_SLAVE_DATA ||
	       port == PIC_ELCR_MASTER || port == PIC_ELCR_SLAVE;
}

static u32 pic_port(struct vm *vm, u16 port, bool in, u8 value)
{
	irq_sources_fire_timers(vm, rdtsc()); /* IRR shows the PIT's edges up to now */
	if (in)
		return pic_read(&vm->pic, port);
	pic_write(&vm->pic, port, value);
	return 0;
}

u32 irq_sources_port(struct vm *vm, u16 port, bool in, u8 value)
{
	if (port < PIT_PORT_BASE || (port > PIT_PORT_BASE + PIT_PORT_CONTROL && port != PIT_PORT_61))
		return pic_port(vm, port, in, value);
	u64 now = pit_now(vm, rdtsc());
	if (port == PIT_PORT_61) {
		if (in)
			return pit_port61_read(&vm->pit, now);
		pit_port61_write(&vm->pit, value, now);
		return 0;
	}
	if (in)
		return pit_read(&vm->pit, port - PIT_PORT_BASE, now);
	pit_write(&vm->pit, port - PIT_PORT_BASE, value, now);
	vm->timers_dirty = true;
	return 0;
}

u64 irq_sources_next_deadline(const struct vm *vm)
{
	u64 next = irq0_masked(vm) ? 0 : pit_irq0_next(&vm->pit);
	return next ? vm->pit_tsc_base + pit_tsc_from_ticks(next, tsc_hz()) : 0;
}

void irq_sources_fire_timers(struct vm *vm, u64 now)
{
	if (!pit_irq0_take(&vm->pit, pit_now(vm, now)))
		return;
	/* One edge, however many periods passed: an edge input holds at most one (82093AA). */
	ioapic_set_pin(&vm->ioapic, PIT_IRQ0_PIN, true);
	ioapic_set_pin(&vm->ioapic, PIT_IRQ0_PIN, false);
	pic_set_irq(&vm->pic, PIT_ISA_IRQ, true);
	pic_set_irq(&vm->pic, PIT_ISA_IRQ, false);
	vm->timers_dirty = true;
}
