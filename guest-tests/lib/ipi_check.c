/* Receiver checks for IPI tests (see ipi_check.h). */
#include <stdarg.h>
#include "ipi_check.h"
#include "lapic.h"
#include "runtime.h"
#include "tap.h"
#include "tsc.h"

#define DIAG_MAX 8 /* wrong CPUs listed before the rest is summarized */

/* Per-CPU counts before the send. Static: 1024 CPUs of them would not fit on the stack. */
static u64 vector_before[SMP_MAX_CPUS];
static u64 total_before[SMP_MAX_CPUS];
static u64 slowest_arrival; /* TSC ticks from the send to the last expected delivery, worst so far */

struct cpu_set cpu_set_none(void)
{
	return (struct cpu_set){ 0 };
}

struct cpu_set cpu_set_all(u32 n)
{
	struct cpu_set s = { 0 };
	for (u32 i = 0; i < n && i < SMP_MAX_CPUS; i++)
		cpu_set_add(&s, i);
	return s;
}

struct cpu_set cpu_set_of(u32 n, ...)
{
	struct cpu_set s = { 0 };
	va_list ap;

	va_start(ap, n);
	for (u32 i = 0; i < n; i++)
		cpu_set_add(&s, va_arg(ap, u32));
	va_end(ap);
	return s;
}

static u64 total_on(u32 cpu)
{
	return smp_cpu(cpu)->irq.total;
}

static u64 ap_send(u64 packed)
{
	lapic_send_ipi((u32)(packed >> 32), (u32)packed);
	return 0;
}

static void send(const struct ipi *ipi)
{
	if (ipi->sender == 0)
		lapic_send_ipi(ipi->dest, ipi->icr);
	else
		smp_call(ipi->sender, ap_send, (u64)ipi->dest << 32 | ipi->icr);
}

/* Wait until every expected receiver has its delivery, or the arrival timeout; keeps the slowest
 * complete arrival for the settle time. */
static void wait_expected(u8 vector, const struct cpu_set *expect, u64 sent)
{
	struct spin_budget b = spin_budget_us(IPI_ARRIVAL_US);
	bool any = false, all = true;

	for (u32 i = 0; i < smp_cpu_count(); i++) {
		if (!cpu_set_has(expect, i))
			continue;
		any = true;
		while (smp_irq_count(i, vector) <= vector_before[i] && !spin_budget_spent(&b))
			cpu_relax();
		all &= smp_irq_count(i, vector) > vector_before[i];
	}
	if (any && all)
		slowest_arrival = MAX(slowest_arrival, rdtsc() - sent);
}

u64 ipi_settle_tsc(void)
{
	u64 full = IPI_SETTLE_US * TSC_PER_US;

	if (!runtime_on_emulator() || !slowest_arrival)
		return full;
	return MIN(full, MAX(IPI_SETTLE_MIN_TSC, IPI_SETTLE_PER_ARRIVAL * slowest_arrival));
}

void ipi_settle(void)
{
	u64 end = rdtsc() + ipi_settle_tsc();

	while (!tsc_passed(end))
		cpu_relax();
}

/* One diagnostic line per wrong CPU, the first DIAG_MAX of them. */
static void diag_wrong(u32 cpu, u32 nth, u64 got, u64 all, u8 vector, u64 lo, u64 hi)
{
	if (nth >= DIAG_MAX)
		return;
	if (lo == hi)
		tap_diag("CPU %u: %llu of vector 0x%x (expected %llu), %llu deliveries in all", cpu, got, vector, lo, all);
	else
		tap_diag("CPU %u: %llu of vector 0x%x (expected %llu to %llu), %llu deliveries in all", cpu, got, vector,
			 lo, hi, all);
}

/* The common part: raise the message with send(ctx), then judge every CPU; on failure `describe(ctx)`
 * adds what was sent. */
static bool check_deliveries(const char *name, void (*send_fn)(const void *), void (*describe)(const void *),
			     const void *ctx, u8 vector, const struct cpu_set *must, const struct cpu_set *may)
{
	u32 n = smp_cpu_count(), wrong = 0;
	u64 flags = read_rflags();

	sti(); /* the BSP may be a receiver */
	for (u32 i = 0; i < n; i++) {
		vector_before[i] = smp_irq_count(i, vector);
		total_before[i] = total_on(i);
	}
	u64 sent = rdtsc();
	send_fn(ctx);
	wait_expected(vector, must, sent);
	ipi_settle();

	for (u32 i = 0; i < n; i++) {
		u64 lo = cpu_set_has(must, i), hi = lo || cpu_set_has(may, i);
		u64 got = smp_irq_count(i, vector) - vector_before[i];
		u64 all = total_on(i) - total_before[i];
		if (got >= lo && got <= hi && all == got)
			continue;
		if (!wrong)
			tap_result(false, name);
		diag_wrong(i, wrong++, got, all, vector, lo, hi);
	}
	if (wrong > DIAG_MAX)
		tap_diag("... and %u more CPUs", wrong - DIAG_MAX);
	if (wrong)
		describe(ctx);
	else
		tap_result(true, name);
	if (!(flags & RFLAGS_IF))
		cli();
	return !wrong;
}

static void send_ipi(const void *ctx)
{
	send(ctx);
}

static void describe_ipi(const void *ctx)
{
	const struct ipi *ipi = ctx;
	tap_diag("IPI from CPU %u: destination 0x%x, ICR 0x%x", ipi->sender, ipi->dest, ipi->icr);
}

bool ipi_check_within(const char *name, const struct ipi *ipi, u8 vector, const struct cpu_set *must,
		      const struct cpu_set *may)
{
	return check_deliveries(name, send_ipi, describe_ipi, ipi, vector, must, may);
}

struct source {
	void (*raise)(u64);
	u64 arg;
};

static void send_source(const void *ctx)
{
	const struct source *s = ctx;
	s->raise(s->arg);
}

static void describe_source(const void *ctx)
{
	tap_diag("message from no CPU (I/O APIC or MSI), argument 0x%llx", ((const struct source *)ctx)->arg);
}

bool irq_source_check(const char *name, void (*raise)(u64 arg), u64 arg, u8 vector, const struct cpu_set *expect)
{
	struct cpu_set none = cpu_set_none();
	struct source s = { raise, arg };
	return check_deliveries(name, send_source, describe_source, &s, vector, expect, &none);
}

bool ipi_check(const char *name, const struct ipi *ipi, u8 vector, const struct cpu_set *expect)
{
	struct cpu_set none = cpu_set_none();
	return ipi_check_within(name, ipi, vector, expect, &none);
}
