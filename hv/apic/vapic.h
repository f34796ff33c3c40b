/* The glue between a vCPU and its virtual local APIC (hv/apic/rules/vlapic.c) and the VM's interrupt routing
 * (hv/apic/rules/delivery.c): register accesses, effects, event injection decisions, timers. */
#ifndef HV_APIC_VAPIC_H
#define HV_APIC_VAPIC_H

#include "../exit.h"
#include "../vcpu.h"
#include "../verdict.h"
#include "../vm.h"

/* RESET of a new vCPU's APIC; vapic_build_routing() follows once the VM has all its vCPUs. */
void vapic_vcpu_reset(struct vcpu *v);
void vapic_build_routing(struct vm *vm);
/* RDMSR/WRMSR of IA32_APIC_BASE, the x2APIC range and IA32_TSC_DEADLINE: 1 handled, 0 not an APIC
 * MSR, -EINVAL (#GP). */
int vapic_msr(struct vcpu *v, u32 msr, bool write, u64 *value);
/* A guest-physical access that missed guest RAM: true if it was the APIC page (emulated; *vd says how). */
bool vapic_mmio(struct vcpu *v, const struct exit_mem *m, struct verdict *vd);
/* Hardware APIC virtualization stored a guest write to an APIC register (xAPIC page offset; in x2APIC
 * mode the MSR 800H + offset / 16) and leaves its side effects to the model (SDM Vol. 3C §30.4.3.3). */
void vapic_write_done(struct vcpu *v, u32 offset, u32 value);
/* Hardware APIC virtualization completed the EOI of `vector` (its ISR bit is already clear in the model)
 * because the vector is level-triggered (SDM Vol. 3C §30.1.4). */
void vapic_eoi_done(struct vcpu *v, u8 vector);
/* Routes one message from src (NULL for the I/O APIC and MSIs: spec R5.5's broadcast quirk applies) and
 * delivers it to every receiving APIC, waking the vCPU. */
void vapic_deliver(struct vm *vm, const struct apic_irq *irq, const struct vcpu *src);
/* MOV to/from CR8 (64-bit TPR). */
void vapic_set_cr8(struct vcpu *v, u64 value);
u64 vapic_get_cr8(struct vcpu *v);

/* Fires every timer of the VM that is due at `now`. */
void vapic_fire_timers(struct vm *vm, u64 now);
/* The earliest armed timer of the VM (0: none); recomputed only after a timer changed. Inline: the run
 * loop asks after every exit. */
u64 vapic_recompute_deadline(struct vm *vm);
/* v's next APIC timer expiry in host TSC terms (0: none armed). */
u64 vapic_timer_next_host(const struct vcpu *v);
/* v's TSC moved by `delta` (WRMSR IA32_TSC / IA32_TSC_ADJUST): its timer follows (vlapic_timer_tsc_changed()). */
void vapic_tsc_changed(struct vcpu *v, u64 delta);
static inline u64 vapic_next_deadline(struct vm *vm)
{
	return vm->timers_dirty ? vapic_recompute_deadline(vm) : vm->timer_next;
}
/* The APIC of v was reset or INIT: rebuild the routing map and the timer summary, and have the back end
 * refresh any hardware copy of it. Whatever changes a vCPU's vlapic outside this file must call it. */
void vapic_state_changed(struct vcpu *v);
/* Cheap test before the priority scan: is any vector requested at all? One load (the summary word). */
static inline bool vapic_irr_empty(const struct vcpu *v)
{
	return !v->apic.irr_words;
}

#endif
