/* The exits a back end answers inside its entry loop, without returning to the core's run loop (issue 12
 * item 3): the answer needs no core decision and changes only the vCPU's registers and what it alone owns. The back end advances RIP (ending any STI/MOV SS shadow) only on true. */
#ifndef HV_FAST_PATH_H
#define HV_FAST_PATH_H

#include "exit.h"
#include "vcpu.h"

struct fast_exit {
	enum exit_reason reason; /* EXIT_CPUID, EXIT_MSR_READ, EXIT_MSR_WRITE, EXIT_HYPERCALL or EXIT_IO */
	u8 cpl;                  /* EXIT_HYPERCALL only */
	struct exit_io io;       /* EXIT_IO only */
};

/* True: answered (counted in v->stats.exits); false: the exit goes to exit_dispatch() as usual. The back
 * end must not call it with RFLAGS.TF set (the core owes a single-step trap) or without a known length. */
bool fast_path_answer(struct vcpu *v, const struct fast_exit *e);

#endif
