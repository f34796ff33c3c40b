/* The guest hypercall ABI (docs/guest-abi.md). */
#ifndef HV_HYPERCALL_H
#define HV_HYPERCALL_H

#include "vcpu.h"

void hypercall_handle(struct vcpu *v);

#endif
