/* Port I/O emulation: the small PC platform every VM sees. */
#ifndef HV_IO_H
#define HV_IO_H

#include "exit.h"
#include "vcpu.h"
#include "verdict.h"

struct verdict io_emulate(struct vcpu *v, const struct exit_io *io);
/* One access to a port's device: the value an IN reads, after the access's side effects (an OUT: 0).
 * A device that stops the VM (the exit port, a reset, S5) sets *vd to say so; else *vd is left alone. */
u32 io_port_access(struct vcpu *v, const struct exit_io *io, u32 value, struct verdict *vd);

#endif
