/* Host unit tests for events_decide() (hv/rules/events_decide.h): the event each VM entry carries and the windows
 * it opens. A table of the cases the SDM orders (Vol. 3A §6.9, Vol. 3C §26.3.1.5, §26.7.5-6), then every
 * combination of the inputs against the rules that must always hold. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "hv/rules/events_decide.h"

#define N ENTRY_EVENT_NONE
#define EXC ENTRY_EVENT_EXCEPTION
#define NMI ENTRY_EVENT_NMI
#define APIC ENTRY_EVENT_APIC_INTERRUPT
#define EXT ENTRY_EVENT_EXTINT

static const struct {
	const char *name;
	struct event_state s; /* injection_pending, exception, nmi, nmi_blocked, IF, shadow, apic_vector, extint */
	struct entry_decision want;
} cases[] = {
	{ "nothing pending", { false, false, false, false, true, false, -1, false }, { N, false, false } },
	{ "interrupt, IF=1", { false, false, false, false, true, false, 0x30, false }, { APIC, false, false } },
	{ "interrupt, IF=0: window", { false, false, false, false, false, false, 0x30, false }, { N, true, false } },
	{ "interrupt in the STI shadow: window", { false, false, false, false, true, true, 0x30, false }, { N, true, false } },
	{ "APIC before ExtINT", { false, false, false, false, true, false, 0x30, true }, { APIC, false, false } },
	{ "ExtINT alone", { false, false, false, false, true, false, -1, true }, { EXT, false, false } },
	{ "ExtINT, IF=0: window", { false, false, false, false, false, false, -1, true }, { N, true, false } },
	{ "NMI", { false, false, true, false, false, false, -1, false }, { NMI, false, false } },
	{ "NMI then the interrupt's window", { false, false, true, false, true, false, 0x30, false }, { NMI, true, false } },
	{ "NMI blocked: NMI window, interrupt goes in", { false, false, true, true, true, false, 0x30, false }, { APIC, false, true } },
	{ "NMI in a shadow: both windows", { false, false, true, false, true, true, 0x30, false }, { N, true, true } },
	{ "exception first", { false, true, true, false, true, false, 0x30, false }, { EXC, true, true } },
	{ "exception alone", { false, true, false, false, false, true, -1, false }, { EXC, false, false } },
	{ "interrupted delivery: nothing new", { true, false, false, false, true, false, 0x30, false }, { N, true, false } },
	{ "interrupted delivery, exception waits", { true, true, false, false, true, false, -1, false }, { N, true, false } },
	{ "interrupted delivery, NMI waits", { true, false, true, false, true, false, -1, false }, { N, false, true } },
};

static void test_table(void **state)
{
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct entry_decision d = events_decide(&cases[i].s);
		if (d.inject != cases[i].want.inject || d.interrupt_window != cases[i].want.interrupt_window ||
		    d.nmi_window != cases[i].want.nmi_window)
			fail_msg("%s: inject %d iw %d nw %d", cases[i].name, d.inject, d.interrupt_window, d.nmi_window);
	}
}

/* Over all 2^7 x 2 inputs: nothing is lost (what waits is injected or has its window), nothing is injected
 * that the guest could not take, and at most what is pending is injected. */
static void test_invariants(void **state)
{
	for (unsigned bits = 0; bits < 256; bits++) {
		struct event_state s = { bits & 1, bits & 2, bits & 4, bits & 8, bits & 16, bits & 32,
					 bits & 64 ? 0x40 : -1, bits & 128 };
		struct entry_decision d = events_decide(&s);
		bool irq = s.apic_vector >= 0 || s.extint_pending;
		if (s.injection_pending)
			assert_int_equal(d.inject, ENTRY_EVENT_NONE);
		if (s.exception_queued && !s.injection_pending)
			assert_int_equal(d.inject, ENTRY_EVENT_EXCEPTION);
		if (d.inject == ENTRY_EVENT_NMI)
			assert_true(s.nmi_pending && !s.nmi_blocked && !s.shadow);
		if (d.inject == ENTRY_EVENT_APIC_INTERRUPT || d.inject == ENTRY_EVENT_EXTINT)
			assert_true(s.if_set && !s.shadow && !s.exception_queued);
		if (d.inject == ENTRY_EVENT_EXTINT)
			assert_true(s.apic_vector < 0 && s.extint_pending);
		if (s.nmi_pending)
			assert_true(d.inject == ENTRY_EVENT_NMI || d.nmi_window);
		if (irq)
			assert_true(d.inject == ENTRY_EVENT_APIC_INTERRUPT || d.inject == ENTRY_EVENT_EXTINT ||
				    d.interrupt_window);
		if (s.exception_queued && s.injection_pending)
			assert_true(d.interrupt_window);
		if (!irq && !s.exception_queued)
			assert_false(d.interrupt_window);
		if (!s.nmi_pending)
			assert_false(d.nmi_window);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_invariants),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
