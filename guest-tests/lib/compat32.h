/* Compatibility mode (32-bit code under long mode) for tests that need 32-bit protected-mode
 * semantics, e.g. the x87 FSTENV/FXSAVE pointer formats with real CS/DS selectors. */
#ifndef GUEST_COMPAT32_H
#define GUEST_COMPAT32_H

#include "hv/lib/types.h"

/* Far-call into the 32-bit code segment (SEL_CODE32), call the 32-bit function at fn32 with arg in
 * EAX, and return to 64-bit mode. fn32 is assembled with "bits 32", may clobber every register
 * but ESP, and returns with a near RET. DS, ES and SS stay SEL_DATA (flat, base 0), so a pointer
 * below 4 GiB passed as arg is valid there. */
void compat32_call(u32 fn32, u32 arg);

#endif
