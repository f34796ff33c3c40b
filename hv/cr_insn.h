/* Control-register instructions whose exit does not describe them (SVM's CR intercepts carry no decode
 * without decode assists): the core fetches and decodes the instruction at CS:RIP with the one decoder
 * (decode.c), reads an LMSW memory operand or stores SMSW's, and hands the rest to cr_access.c. */
#ifndef HV_CR_INSN_H
#define HV_CR_INSN_H

#include "vcpu.h"
#include "verdict.h"

struct verdict cr_insn_emulate(struct vcpu *v);

#endif
