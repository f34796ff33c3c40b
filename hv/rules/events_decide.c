/* The entry's event (see events_decide.h). One event per entry; what waits opens the window that lets it
 * in as early as the guest allows. */
#include "events_decide.h"

struct entry_decision events_decide(const struct event_state *s)
{
	struct entry_decision d = { ENTRY_EVENT_NONE, false, false };
	bool interrupt_waiting = s->apic_vector >= 0 || s->extint_pending;

	if (s->injection_pending) { /* an interrupted delivery goes first; the rest waits */
		d.nmi_window = s->nmi_pending;
		d.interrupt_window = s->exception_queued || interrupt_waiting;
		return d;
	}
	if (s->exception_queued) { /* the NMI and interrupts follow the exception */
		d.inject = ENTRY_EVENT_EXCEPTION;
		d.nmi_window = s->nmi_pending;
		d.interrupt_window = interrupt_waiting;
		return d;
	}
	if (s->nmi_pending) {
		/* VM entry refuses an NMI under MOV SS blocking, and KVM also waits out STI (SDM Vol. 3C §26.3.1.5). */
		if (!s->nmi_blocked && !s->shadow) {
			d.inject = ENTRY_EVENT_NMI;
			d.interrupt_window = interrupt_waiting;
			return d;
		}
		d.nmi_window = true;
	}
	if (!interrupt_waiting)
		return d;
	if (!s->if_set || s->shadow) {
		d.interrupt_window = true;
		return d;
	}
	/* The local APIC's own interrupts go first; the 8259's ExtINT takes no part in the APIC's priorities
	 * (SDM Vol. 3A §11.5.1). */
	d.inject = s->apic_vector >= 0 ? ENTRY_EVENT_APIC_INTERRUPT : ENTRY_EVENT_EXTINT;
	return d;
}
