/* INS and OUTS (with or without REP): the instruction is decoded here for its address size, source
 * segment and REP prefix; memory is reached through the guest's page tables (SDM Vol. 2B INS/OUTS). */
#ifndef HV_STRING_IO_H
#define HV_STRING_IO_H

#include "exit.h"
#include "vcpu.h"
#include "verdict.h"

struct verdict string_io_emulate(struct vcpu *v, const struct exit_io *io);

#endif
