/* Emulation of the control-register accesses a back end intercepts. */
#ifndef HV_CR_ACCESS_H
#define HV_CR_ACCESS_H

#include "exit.h"
#include "vcpu.h"
#include "verdict.h"

struct verdict cr_access_emulate(struct vcpu *v, const struct exit_cr *cr);

#endif
