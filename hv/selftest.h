/* Debug only (selftest= on the command line): fault on purpose, to show that the host's W^X mapping and
 * the stack guard pages hold and that the report names what was hit (scripts/check-host-faults.sh). */
#ifndef HV_SELFTEST_H
#define HV_SELFTEST_H

#include "rules/cmdline.h"

/* Never returns: the fault ends the run, and if none comes that is reported as a failure too. */
void selftest_run(enum host_selftest t) __attribute__((noreturn));

#endif
