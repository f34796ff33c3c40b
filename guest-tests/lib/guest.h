/* Everything a test guest needs: include this and define test_main(). */
#ifndef GUEST_GUEST_H
#define GUEST_GUEST_H

#include "hv/lib/fmt.h"
#include "hv/rules/guest_abi.h"
#include "hv/lib/types.h"
#include "compat32.h"
#include "exc.h"
#include "fixup.h"
#include "hypercall.h"
#include "irq.h"
#include "lapic.h"
#include "percpu.h"
#include "runtime.h"
#include "serial.h"
#include "smp.h"
#include "tap.h"
#include "tsc.h"
#include "x86.h"

#endif
