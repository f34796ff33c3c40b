/* Handles one exit: the handler for its reason decides, exit_dispatch() applies the verdict. */
#ifndef HV_EXIT_DISPATCH_H
#define HV_EXIT_DISPATCH_H

#include "exit.h"

struct vcpu;
void exit_dispatch(struct vcpu *v, const struct exit_info *exit);

#endif
