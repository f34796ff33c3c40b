/* Which event the next VM entry carries and which windows it opens: a pure decision over the vCPU's
 * pending events and the guest's interrupt state at the exit (SDM Vol. 3A §6.9 priorities: an interrupted
 * delivery, then exceptions, then NMI, then maskable interrupts; Vol. 3C §26.7.5-6 windows). */
#ifndef HV_EVENTS_DECIDE_H
#define HV_EVENTS_DECIDE_H

#include "../lib/types.h"

struct event_state {
	bool injection_pending; /* the back end re-delivers an event whose delivery an exit interrupted */
	bool exception_queued;  /* hv_inject_exception() queued one */
	bool nmi_pending;       /* the local APIC holds an NMI */
	bool nmi_blocked;       /* an NMI handler runs (until its IRET) */
	bool if_set;            /* RFLAGS.IF */
	bool shadow;            /* STI or MOV SS blocking */
	int apic_vector;        /* the highest fixed APIC interrupt the core must inject, or -1 */
	bool extint_pending;    /* the 8259 raises INTR through LINT0 (or with the APIC disabled) */
};

enum entry_event {
	ENTRY_EVENT_NONE,
	ENTRY_EVENT_EXCEPTION,
	ENTRY_EVENT_NMI,
	ENTRY_EVENT_APIC_INTERRUPT, /* apic_vector; the core then acknowledges it in the vlapic */
	ENTRY_EVENT_EXTINT,         /* the vector the 8259 gives at INTA */
};

struct entry_decision {
	enum entry_event inject;
	bool interrupt_window; /* exit as soon as the guest can take an interrupt */
	bool nmi_window;       /* exit as soon as the guest can take an NMI */
};

struct entry_decision events_decide(const struct event_state *s);

#endif
