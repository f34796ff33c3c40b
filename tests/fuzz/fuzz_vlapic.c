/* libFuzzer harness for the virtual local APIC and interrupt routing (hv/apic/vlapic*.c, hv/apic/rules/delivery.c):
 * a guest reaches the register file through xAPIC MMIO and x2APIC MSRs on every vCPU, sends IPIs between
 * them, and sees the timer run.
 *
 * Input: the VM's shape (1-6 vCPUs, IDs 0.. or 250.., routing flags), then up to 256 operations; see
 * vlapic_sim.h for the operations and vlapic_sim.c / vlapic_check.c for the invariants checked after each. */
#include "tests/fuzz/vlapic_sim.h"

#define MAX_OPS 256

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static struct vlapic_sim sim;
	struct fuzz_in in = fuzz_in(data, size);

	sim_init(&sim, &in);
	for (int op = 0; op < MAX_OPS && !fuzz_empty(&in); op++)
		sim_step(&sim, &in);
	return 0;
}
