/* Runs a VM until it stops (its outcome says why) or `deadline_tsc` passes (VM_TIMEOUT). */
#ifndef HV_RUN_LOOP_H
#define HV_RUN_LOOP_H

#include "lib/types.h"

struct vm;
void vm_run(struct vm *vm, u64 deadline_tsc);

#endif
