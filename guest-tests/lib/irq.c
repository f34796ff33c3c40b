/* External-interrupt handlers for test guests (see irq.h). */
#include "irq.h"
#include "exc.h"
#include "fixup.h"
#include "lapic.h"

static volatile u64 counts[X86_NR_VECTORS];
static volatile u64 last_tsc[X86_NR_VECTORS];
static volatile u64 total;
static volatile int last_vector = -1;
static struct irq_event events[IRQ_LOG_MAX];

static void irq_handler(const struct exc_record *r)
{
	u64 now = rdtsc();
	/* The APIC accessors below use the fixup helpers; keep the interrupted code's fault result. */
	fault_t saved = fixup_fault;
	u8 v = r->vector;

	if (total < IRQ_LOG_MAX)
		events[total] = (struct irq_event){ .vector = v, .tsc = now };
	counts[v]++;
	last_tsc[v] = now;
	last_vector = v;
	total++;
	lapic_eoi();
	fixup_fault = saved;
}

bool irq_register(u8 vector)
{
	if (vector < IRQ_VECTOR_FIRST)
		return false;
	exc_set_handler(vector, irq_handler);
	return true;
}

void irq_unregister(u8 vector)
{
	if (vector >= IRQ_VECTOR_FIRST)
		exc_set_handler(vector, NULL);
}

void irq_reset(void)
{
	u64 flags = read_rflags();

	cli();
	for (u32 v = 0; v < X86_NR_VECTORS; v++)
		counts[v] = last_tsc[v] = 0;
	total = 0;
	last_vector = -1;
	if (flags & RFLAGS_IF)
		sti();
}

u64 irq_count(u8 vector)
{
	return counts[vector];
}

u64 irq_total(void)
{
	return total;
}

int irq_last_vector(void)
{
	return last_vector;
}

u64 irq_last_tsc(u8 vector)
{
	return last_tsc[vector];
}

u32 irq_log_len(void)
{
	return total < IRQ_LOG_MAX ? (u32)total : IRQ_LOG_MAX;
}

const struct irq_event *irq_log(u32 i)
{
	return i < irq_log_len() ? &events[i] : NULL;
}

u64 irq_wait(u8 vector, u64 count, u64 timeout_tsc)
{
	u64 deadline = rdtsc() + timeout_tsc;

	while (counts[vector] < count && rdtsc() < deadline)
		cpu_relax();
	return counts[vector];
}

void irq_spin_until(u64 deadline)
{
	while (rdtsc() < deadline) {
		(void)apic_base_get();
		cpu_relax();
	}
}
