/* Scheduling the vCPUs of a VM on one physical CPU, and the events that move a vCPU between its states
 * (HLT, INIT, STARTUP, interrupts). */
#ifndef HV_SCHED_H
#define HV_SCHED_H

#include "vcpu.h"

struct vm;

/* Makes v runnable and queues it (unless it is queued or running already). */
void sched_make_runnable(struct vcpu *v);

/* The vCPU to run next, with its state loaded; `prev` (NULL or the one that just ran) goes to the back
 * of the queue if it can still run. NULL: nothing can run. */
struct vcpu *sched_switch(struct vm *vm, struct vcpu *prev);

/* Nothing can run: waits for the earliest APIC timer that could wake a halted vCPU. Returns false once
 * the VM is stopped (nothing could ever run again, or the watchdog deadline passed). */
bool sched_idle(struct vm *vm, u64 deadline_tsc);

/* v's APIC accepted something, or v halted: act on INIT and STARTUP, and wake v if it halted and can
 * now take an interrupt or NMI. */
void vcpu_kick(struct vcpu *v);
/* vcpu_kick() for every vCPU the APIC model marked (vm_mark_wake()), once each; then none is marked. */
void sched_serve_wakes(struct vm *vm);

#endif
