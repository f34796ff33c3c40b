/* External interrupts for test guests, on top of the runtime's IDT (exc.h) and the local APIC (lapic.h).
 *
 *   irq_register(0x50);          handler for vector 0x50: count, log (vector, TSC), then EOI
 *   sti();                       x86.h: IF = 1 (cli() to clear it)
 *   lapic_self_ipi(0x50);
 *   irq_wait(0x50, 1, IRQ_WAIT_TSC);   spins until one delivery or the timeout, returns the count
 *
 * A vector nobody registered keeps the runtime's default: its delivery is an "unexpected_exception"
 * failure that ends the guest (unless the test armed exc_expect() for it).
 *
 * Registration is shared by all CPUs (one IDT); counts, log and timestamps are per CPU: each function
 * reports the calling CPU's deliveries (the BSP reads an AP's with smp_irq_count(), smp.h). */
#ifndef GUEST_IRQ_H
#define GUEST_IRQ_H

#include "hv/lib/types.h"
#include "x86.h"

#define IRQ_VECTOR_FIRST 32 /* vectors below are exceptions and cannot be registered */
#define IRQ_LOG_MAX 64      /* deliveries kept in the log after irq_reset() */

/* Default timeout of irq_wait() for an interrupt that should come "at once" (an IPI): a fixed, large
 * TSC count (about 20 ms at 3 GHz, a few hundred ms of Bochs instructions). Long only when failing. */
#define IRQ_WAIT_TSC (1ull << 26)

struct irq_event {
	u8 vector;
	u64 tsc; /* rdtsc() at handler entry */
};

/* Handle `vector` (32..255): each delivery is counted, logged and EOIed at the local APIC (through the
 * interface of the current mode). Returns false, registering nothing, for an exception vector. */
bool irq_register(u8 vector);
/* Back to the default (a delivery fails the test). */
void irq_unregister(u8 vector);

/* Count NMIs (vector 2) like an interrupt: irq_count(X86_VEC_NMI), no EOI (an NMI has none). Without
 * it, an NMI is an unexpected exception. */
void irq_register_nmi(void);

/* Forget every count and the log. */
void irq_reset(void);

u64 irq_count(u8 vector);      /* deliveries of `vector` since irq_reset() */
u64 irq_total(void);           /* deliveries of all registered vectors */
int irq_last_vector(void);     /* -1 if none */
u64 irq_last_tsc(u8 vector);   /* handler-entry TSC of the latest delivery of `vector`, 0 if none */
u32 irq_log_len(void);         /* min(irq_total(), IRQ_LOG_MAX) */
const struct irq_event *irq_log(u32 i); /* the i-th delivery since irq_reset(), NULL past the end */

static inline bool irq_enabled(void)
{
	return (read_rflags() & RFLAGS_IF) != 0;
}

/* Spin (PAUSE) until irq_count(vector) >= count or `timeout_tsc` TSC ticks have passed; returns
 * irq_count(vector). IF must be 1 for anything to arrive: this does not change it. */
u64 irq_wait(u8 vector, u64 count, u64 timeout_tsc);

/* One CPU's state (lives in struct cpu_local, lib/percpu.h; use the functions above). */
struct irq_cpu_state {
	volatile u32 counts[X86_NR_VECTORS];
	volatile u64 last_tsc[X86_NR_VECTORS];
	volatile u64 total;
	volatile int last_vector;
	struct irq_event events[IRQ_LOG_MAX];
};

/* Spin until the TSC reaches `deadline`, reading IA32_APIC_BASE in the loop so that a hypervisor gets
 * VM exits (chances to inject, or to inject twice) all along. */
void irq_spin_until(u64 deadline);

#endif
