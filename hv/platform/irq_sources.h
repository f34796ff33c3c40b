/* The VM's platform interrupt sources (the I/O APIC, MSI, the PIT, the 8259) and where their
 * messages go: the local APICs, through the same routing as IPIs with no source vCPU (spec R5.5). */
#ifndef HV_PLATFORM_IRQ_SOURCES_H
#define HV_PLATFORM_IRQ_SOURCES_H

#include "../exit.h"
#include "../vcpu.h"
#include "../verdict.h"

struct vm;

/* RESET of every source; call once the VM has all its vCPUs. */
void irq_sources_init(struct vm *vm);

/* A guest-physical access that missed guest RAM: true if it hit the I/O APIC page (emulated; *vd says how). */
bool ioapic_mmio(struct vcpu *v, const struct exit_mem *m, struct verdict *vd);

/* A local APIC completed the EOI of a level-triggered vector: tell the I/O APIC. */
void irq_sources_eoi(struct vm *vm, u8 vector);

/* HC_IOAPIC_PIN, HC_RAISE_MSI: 0, or -EINVAL for a pin >= 24, a level other than 0/1, an address outside
 * the MSI window or reserved data bits. */
s64 irq_sources_set_pin(struct vm *vm, u64 pin, u64 level);
s64 irq_sources_raise_msi(struct vm *vm, u64 addr, u64 data);

/* Is `port` one of the PIT's (0x40-0x43, 0x61) or the 8259 pair's (0x20/0x21, 0xA0/0xA1, 0x4D0/0x4D1)? */
bool irq_sources_owns_port(u16 port);
/* One byte at such a port: the value read (0 for a write). */
u32 irq_sources_port(struct vm *vm, u16 port, bool in, u8 value);

/* The host TSC of the next timer interrupt of a platform source (the PIT's IRQ0 while its I/O APIC pin
 * is unmasked), 0 if none; and raising what is due at `now`. Part of the VM's timer deadline
 * (vapic_next_deadline()) and of what may wake a halted vCPU (sched.c). */
u64 irq_sources_next_deadline(const struct vm *vm);

/* ExtINT: is the 8259 pair interrupting vCPU v (only the BSP, in virtual wire mode or with its local
 * APIC disabled)? Then the INTA cycle gives the vector (and puts it in service). */
bool irq_sources_extint_pending(const struct vcpu *v);
u8 irq_sources_extint_ack(struct vcpu *v);
void irq_sources_fire_timers(struct vm *vm, u64 now);

#endif
