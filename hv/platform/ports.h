/* The port glue of QEMU q35's non-interrupt devices: routes an I/O exit to the pure models (pmtimer.c,
 * rtc.c, pci.c) with the current TSC and turns their actions into VM stops. */
#ifndef HV_PLATFORM_PORTS_H
#define HV_PLATFORM_PORTS_H

#include "../exit.h"
#include "../lib/types.h"
#include "../verdict.h"

struct vcpu;

#define POST_CODE_PORT 0x80

/* If `io` (starting at io->port: an access reaches, whole, the device of its first port, as under QEMU
 * TCG) is for one of these devices, performs it, sets *result (what an IN reads) and returns true. A
 * reset or power off sets *vd to stop the VM (VM_RESET, VM_POWER_OFF). */
bool platform_port_io(struct vcpu *v, const struct exit_io *io, u32 value, u32 *result, struct verdict *vd);

#endif
