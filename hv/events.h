/* Events for a vCPU: the exception queue and its delivery at VM entry. */
#ifndef HV_EVENTS_H
#define HV_EVENTS_H

#include "backend.h"
#include "vcpu.h"

/* Queues an exception for delivery at the next VM entry (spec §2.5). Returns 0, -EINVAL (vector > 31,
 * NMI, unknown flags) or -EBUSY (one is already queued). */
int hv_inject_exception(struct vcpu *v, u64 vector, bool has_ec, u32 ec, u64 flags);

/* Completes the instruction that exited, as the CPU would have: RIP moves past it, and with RFLAGS.TF
 * set the single-step trap follows (#DB, DR6.BS; SDM Vol. 3B §18.3.1.4). The one place RIP advances. */
void vcpu_skip_instruction(struct vcpu *v);
/* The same for an instruction the core decoded itself (an MMIO access): RIP moves `len` bytes. */
void vcpu_skip_emulated(struct vcpu *v, u8 len);

/* Decides the next entry's event and windows (events_decide()) and fills `req` with them: the queued
 * exception sanitized for the guest's mode, the NMI or interrupt acknowledged. Right before each entry. */
void events_prepare_entry(struct vcpu *v, struct entry_request *req);

#endif
