/* What an exit handler decided (issue 12 item 2): handlers return one, exit_dispatch() alone carries it
 * out. So a handler never moves RIP, never stops the VM itself, and can be tested on the host. */
#ifndef HV_VERDICT_H
#define HV_VERDICT_H

#include "outcome.h"
#include "lib/types.h"

enum verdict_kind {
	VERDICT_RESUME,     /* re-enter as is (an exception the handler queued goes with the entry) */
	VERDICT_ADVANCE,    /* the exiting instruction is complete: RIP past it, as the exit report says */
	VERDICT_ADVANCE_BY, /* an instruction the core decoded is complete: RIP + len */
	VERDICT_FAULT,      /* the instruction faults: `vector` (with `ec` if has_ec) at its own RIP */
	VERDICT_HALT,       /* HLT completed: the vCPU sleeps until an interrupt it can take */
	VERDICT_YIELD,      /* PAUSE completed: the vCPU spins, let another one run */
	VERDICT_STOP,       /* the VM stops with `outcome`; the reason is in the vCPU's stop_why */
};

struct verdict {
	enum verdict_kind kind;
	u8 len;      /* VERDICT_ADVANCE_BY */
	u8 vector;   /* VERDICT_FAULT */
	bool has_ec; /* VERDICT_FAULT */
	u32 ec;      /* VERDICT_FAULT */
	enum vm_outcome outcome; /* VERDICT_STOP */
};

static inline struct verdict verdict_resume(void)
{
	return (struct verdict){ .kind = VERDICT_RESUME };
}

static inline struct verdict verdict_advance(void)
{
	return (struct verdict){ .kind = VERDICT_ADVANCE };
}

static inline struct verdict verdict_advance_by(u8 len)
{
	return (struct verdict){ .kind = VERDICT_ADVANCE_BY, .len = len };
}

static inline struct verdict verdict_fault(u8 vector, bool has_ec, u32 ec)
{
	return (struct verdict){ .kind = VERDICT_FAULT, .vector = vector, .has_ec = has_ec, .ec = ec };
}

static inline struct verdict verdict_halt(void)
{
	return (struct verdict){ .kind = VERDICT_HALT };
}

struct vcpu;
/* A VERDICT_STOP; the reason (printf-style) is written to v->stop_why for exit_dispatch() to report. */
struct verdict verdict_stop(struct vcpu *v, enum vm_outcome outcome, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
