/* Taking over the application processors: each AP the MADT lists (pcpu_discover()) is started through
 * boot/'s trampoline, sets itself up like the boot CPU and parks in its idle loop. */
#ifndef HV_AP_START_H
#define HV_AP_START_H

#include "backend.h"
#include "rules/cmdline.h"
#include "lib/types.h"

/* Starts every AP pcpu_discover() prepared, one at a time, with the back end the boot CPU uses
 * (be->cpu_init() done on the boot CPU). An AP that does not answer, or fails its set-up, is reported
 * in one line and left out. `trampoline` is boot_info's ap_trampoline (0: none); `fault` makes the
 * first AP fail on purpose (ap-fault=). Returns the number of pCPUs online, the boot CPU included. */
u32 ap_start_all(const struct backend *be, u64 trampoline, enum ap_fault fault);

#endif
