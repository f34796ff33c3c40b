/* Events for a vCPU: the exception queue and its delivery at VM entry. */
#ifndef HV_EVENTS_H
#define HV_EVENTS_H

#include "vcpu.h"

/* Queues an exception for delivery at the next VM entry (spec §2.5). Returns 0, -EINVAL (vector > 31,
 * NMI, unknown flags) or -EBUSY (one is already queued). */
int hv_inject_exception(struct vcpu *v, u64 vector, bool has_ec, u32 ec, u64 flags);

/* Sanitizes and hands a queued exception to the back end; called right before each VM entry. */
void events_prepare_entry(struct vcpu *v);

#endif
