/* "Exactly these CPUs received it": send one IPI from any CPU, then check the receivers, per CPU and
 * per vector, including that nobody else received anything within a settle time (spec §5.5: "nobody
 * receives within a 10 ms timeout").
 *
 *   struct cpu_set want = cpu_set_of(2, 0, 1);   // CPUs 0 and 1
 *   ipi_check("row11_logical_flat", &(struct ipi){ .sender = 0, .dest = 0x03,
 *             .icr = APIC_ICR_LOGICAL | APIC_ICR_LEVEL_ASSERT | VEC }, VEC, &want);
 *
 * Receivers count through irq.h on their own CPU (irq_register(vector) or irq_register_nmi() first);
 * every CPU taking part must have IF = 1 (APs do, in their idle loop). */
#ifndef GUEST_IPI_CHECK_H
#define GUEST_IPI_CHECK_H

#include "hv/lib/types.h"
#include "smp.h"

/* After the expected deliveries, time for wrong ones to show: the spec's 10 ms on hardware. On an
 * emulator (runtime_on_emulator()) a TSC tick is no fixed time: Bochs's TSC counts instructions, so
 * 10 ms of assumed-4-GHz ticks is 40 M instructions, 2 s of wall time per case. There the wait scales
 * with the deliveries actually seen: IPI_SETTLE_PER_ARRIVAL times the slowest expected delivery so
 * far, at least IPI_SETTLE_MIN_TSC, at most the 10 ms (before any delivery was seen, the 10 ms). */
#define IPI_SETTLE_US 10000
#define IPI_SETTLE_PER_ARRIVAL 4
#define IPI_SETTLE_MIN_TSC (1ull << 20)
#define IPI_ARRIVAL_US 1000000   /* how long an expected delivery may take (long only when failing) */
#define CPU_SET_WORDS (SMP_MAX_CPUS / 64)

/* A set of CPU indexes. */
struct cpu_set {
	u64 bits[CPU_SET_WORDS];
};

static inline void cpu_set_add(struct cpu_set *s, u32 cpu)
{
	s->bits[cpu / 64] |= 1ull << (cpu % 64);
}

static inline void cpu_set_del(struct cpu_set *s, u32 cpu)
{
	s->bits[cpu / 64] &= ~(1ull << (cpu % 64));
}

static inline bool cpu_set_has(const struct cpu_set *s, u32 cpu)
{
	return (s->bits[cpu / 64] >> (cpu % 64)) & 1;
}

/* The empty set; CPUs 0..n-1; the n CPUs listed after n. */
struct cpu_set cpu_set_none(void);
struct cpu_set cpu_set_all(u32 n);
struct cpu_set cpu_set_of(u32 n, ...);

/* One IPI: written to the ICR of CPU `sender` (on an AP through smp_call()), in that CPU's current
 * APIC mode (lapic_send_ipi()). */
struct ipi {
	u32 sender;
	u32 dest; /* destination field: 8 bits in xAPIC mode, 32 in x2APIC mode */
	u32 icr;  /* ICR low: vector, delivery mode, destination mode, level, trigger, shorthand */
};

/* Send `ipi`; pass if each CPU in `expect` got exactly one more delivery of `vector` and each other
 * CPU none, and no CPU got anything else registered, by the end of the settle time. One TAP line
 * `name`; on failure a diagnostic per wrong CPU. Returns pass. */
bool ipi_check(const char *name, const struct ipi *ipi, u8 vector, const struct cpu_set *expect);

/* The settle time the next check will use, in TSC ticks, and a wait that long (PAUSE loop). */
u64 ipi_settle_tsc(void);
void ipi_settle(void);

/* The same where the outcome is partly undefined: each CPU in `must` gets exactly one delivery, each
 * CPU in `may` (and not in `must`) none or one, every other CPU none. */
bool ipi_check_within(const char *name, const struct ipi *ipi, u8 vector, const struct cpu_set *must,
		      const struct cpu_set *may);

/* The same check for a message that no CPU sends (an I/O APIC pin, an MSI): raise(arg) makes it. */
bool irq_source_check(const char *name, void (*raise)(u64 arg), u64 arg, u8 vector, const struct cpu_set *expect);

#endif
