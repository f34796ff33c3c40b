/* HC_BENCH_MODE's arguments -> the VM's null-path selection (hv/rules/bench_null.h). */
#include "bench_null.h"
#include "guest_abi.h"

int bench_null_select(struct bench_null *out, u64 kinds, u64 mmio_len)
{
	if (kinds & ~(u64)HC_BENCH_NULL_KINDS)
		return -EINVAL;
	bool mmio = kinds & HC_BENCH_NULL_MMIO;
	/* Skipping by a guessed length would resume the guest inside an instruction. */
	if (mmio && (mmio_len == 0 || mmio_len > HC_BENCH_MMIO_LEN_MAX))
		return -EINVAL;
	*out = (struct bench_null){ .kinds = (u32)kinds, .mmio_len = mmio ? (u8)mmio_len : 0 };
	return 0;
}
