/* See irq_sources.h. The glue between the pure device models and the VM: no rule lives here. */
#include "irq_sources.h"
#include "../apic/vapic.h"
#include "../mmio_exit.h"
#include "../vm.h"
#include "ioapic.h"

static void deliver(void *ctx, const struct apic_irq *irq)
{
	vapic_deliver(ctx, irq, NULL);
}

void irq_sources_init(struct vm *vm)
{
	ioapic_init(&vm->ioapic, deliver, vm);
}

static void ioapic_page_read(struct vcpu *v, u64 offset, u8 size, u64 *value)
{
	*value = ioapic_mmio_read(&v->vm->ioapic, (u32)offset, size);
}

static void ioapic_page_write(struct vcpu *v, u64 offset, u8 size, u64 value)
{
	ioapic_mmio_write(&v->vm->ioapic, (u32)offset, size, value);
}

bool ioapic_mmio(struct vcpu *v, const struct exit_mem *m)
{
	if (m->gpa < IOAPIC_BASE || m->gpa >= IOAPIC_BASE + IOAPIC_MMIO_SIZE)
		return false;
	if (m->fetch) {
		vm_stop(v->vm, VM_BAD_ACCESS, v->rip, "instruction fetch from the I/O APIC page at 0x%llx", m->gpa);
		return true;
	}
	const struct mmio_device dev = { "I/O APIC MMIO", IOAPIC_BASE, IOAPIC_MMIO_SIZE, ioapic_page_read,
					 ioapic_page_write };
	mmio_exit_emulate(v, m, &dev);
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
