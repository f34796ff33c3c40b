/* Port I/O emulation: the small PC platform every VM sees. */
#ifndef HV_IO_H
#define HV_IO_H

#include "exit.h"
#include "vcpu.h"

void io_emulate(struct vcpu *v, const struct exit_io *io);

#endif
