/* External-interrupt handlers for test guests (see irq.h). The state is the calling CPU's. */
#include "irq.h"
#include "tsc.h"
#include "exc.h"
#include "fixup.h"
#include "lapic.h"
#include "percpu.h"

static struct irq_cpu_state *state(void)
{
	return &this_cpu()->irq;
}

static void count(u8 v)
{
	struct irq_cpu_state *s = state();
	u64 now = rdtsc();

	if (s->total < IRQ_LOG_MAX)
		s->events[s->total] = (struct irq_event){ .vector = v, .tsc = now };
	s->counts[v]++;
	s->last_tsc[v] = now;
	s->last_vector = v;
	s->total++;
}

static void irq_handler(const struct exc_record *r)
{
	/* The APIC accessors below use the fixup helpers; keep the interrupted code's fault result. */
	fault_t saved = this_cpu()->fixup_fault;

	count(r->vector);
	lapic_eoi();
	this_cpu()->fixup_fault = saved;
}

static void nmi_handler(const struct exc_record *r)
{
	count(r->vector);
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

void irq_register_nmi(void)
{
	exc_set_handler(X86_VEC_NMI, nmi_handler);
}

void irq_reset(void)
{
	struct irq_cpu_state *s = state();
	u64 flags = read_rflags();

	cli();
	for (u32 v = 0; v < X86_NR_VECTORS; v++)
		s->counts[v] = s->last_tsc[v] = 0;
	s->total = 0;
	s->last_vector = -1;
	if (flags & RFLAGS_IF)
		sti();
}

u64 irq_count(u8 vector)
{
	return state()->counts[vector];
}

u64 irq_total(void)
{
	return state()->total;
}

int irq_last_vector(void)
{
	return state()->total ? state()->last_vector : -1;
}

u64 irq_last_tsc(u8 vector)
{
	return state()->last_tsc[vector];
}

u32 irq_log_len(void)
{
	u64 total = state()->total;
	return total < IRQ_LOG_MAX ? (u32)total : IRQ_LOG_MAX;
}

const struct irq_event *irq_log(u32 i)
{
	return i < irq_log_len() ? &state()->events[i] : NULL;
}

u64 irq_wait(u8 vector, u64 count, u64 timeout_tsc)
{
	struct irq_cpu_state *s = state();
	struct spin_budget b = spin_budget_tsc(timeout_tsc);

	while (s->counts[vector] < count && !spin_budget_spent(&b))
		cpu_relax();
	return s->counts[vector];
}

void irq_spin_until(u64 deadline)
{
	while (rdtsc() < deadline) {
		(void)apic_base_get();
		cpu_relax();
	}
}
