/* A vCPU's time-stamp counter: the host TSC plus a per-vCPU offset that the back end applies in hardware
 * (VMX TSC offset, SVM TSC_OFFSET), and IA32_TSC_ADJUST (SDM Vol. 3B §18.17.3). Pure: compiled into the
 * hypervisor and the host unit tests. Arithmetic is modulo 2^64, as the hardware's. */
#ifndef HV_TSC_H
#define HV_TSC_H

#include "../lib/types.h"

#define MSR_IA32_TSC_ADJUST 0x3Bu

struct guest_tsc {
	u64 offset; /* guest TSC = host TSC + offset */
	u64 adjust; /* IA32_TSC_ADJUST as the guest reads it; 0 after RESET */
};

static inline u64 tsc_guest_now(const struct guest_tsc *t, u64 host_tsc)
{
	return host_tsc + t->offset;
}

/* The host TSC at which the guest's TSC reads `guest_tsc`. */
static inline u64 tsc_guest_to_host(const struct guest_tsc *t, u64 guest_tsc)
{
	return guest_tsc - t->offset;
}

/* WRMSR IA32_TSC: the TSC reads `value` from now on, and the difference is added to IA32_TSC_ADJUST.
 * Returns the change of the guest TSC (value - old guest TSC). */
u64 tsc_write(struct guest_tsc *t, u64 host_tsc, u64 value);

/* WRMSR IA32_TSC_ADJUST: the difference between `value` and the old value is added to the TSC. Returns
 * the change of the guest TSC. */
u64 tsc_adjust_write(struct guest_tsc *t, u64 value);

#endif
