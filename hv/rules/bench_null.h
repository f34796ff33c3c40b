/* bench/: which exits the back end answers alone (HC_BENCH_MODE, hv/rules/guest_abi.h HC_BENCH_NULL_*), per VM.
 * The back ends read it right after each exit; the core only sets it. Pure: compiled into the host unit
 * tests too. */
#ifndef HV_BENCH_NULL_H
#define HV_BENCH_NULL_H

#include "../lib/types.h"

struct bench_null {
	u32 kinds;   /* HC_BENCH_NULL_* bits; 0: every exit takes the normal path */
	u8 mmio_len; /* HC_BENCH_NULL_MMIO: bytes of the faulting instruction to skip (1-15) */
};

/* Checks HC_BENCH_MODE's arguments (RBX kinds, RCX MMIO instruction length) and, if they are valid,
 * stores them in *out. 0, or -EINVAL (unknown kind bit; MMIO without a length of 1-15) leaving *out as it was. */
int bench_null_select(struct bench_null *out, u64 kinds, u64 mmio_len);

#endif
