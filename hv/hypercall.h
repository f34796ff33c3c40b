/* The guest hypercall ABI (docs/guest-abi.md). */
#ifndef HV_HYPERCALL_H
#define HV_HYPERCALL_H

#include "vcpu.h"
#include "verdict.h"

struct verdict hypercall_handle(struct vcpu *v);

/* The hypercalls that only read (HC_VERSION, HC_STAT) or are refused (CPL > 0): answered in RAX and true,
 * or false for the others, which need hypercall_handle(). For the fast path (hv/fast_path.h). */
bool hypercall_read_only(struct vcpu *v, u8 cpl);

#endif
