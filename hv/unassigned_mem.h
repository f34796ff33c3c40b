/* Guest-physical addresses where nothing is: no RAM, no device. */
#ifndef HV_UNASSIGNED_MEM_H
#define HV_UNASSIGNED_MEM_H

#include "exit.h"
#include "vcpu.h"
#include "verdict.h"

/* A data access there completes as on a PC's bus when no device claims the cycle: a read returns all
 * ones, a write is dropped (as microhv's unknown I/O ports do), for every instruction the MMIO emulator
 * knows (an unknown one stops the VM, naming it). Returns false for an instruction fetch: the VM must
 * stop. */
bool unassigned_mem_access(struct vcpu *v, const struct exit_mem *m, struct verdict *vd);

#endif
