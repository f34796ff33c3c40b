/* Benchmark: the cost of a CPUID exit through microhv's core (HC_BENCH_NORMAL) against the back end's
 * null handler (HC_BENCH_NULL), in one boot. Each mode is measured twice and the lower figure kept, so
 * the first pass also warms caches and TLBs. Prints
 *   # bench cpuid: normal X cycles/exit, null Y cycles/exit, ratio R.RR
 * and one TAP line per mode saying a non-zero figure was measured. */
#include "guest.h"

#define BENCH_EXITS 20000
#define BENCH_PASSES 2
#define CPUID_LEAF_VENDOR 0
#define RATIO_SCALE 100 /* ratio printed with two decimals, in integers: no floating point here */

static u64 cycles_per_exit(u64 mode)
{
	u64 best = ~0ull;

	hc_bench_mode(mode);
	for (u32 pass = 0; pass < BENCH_PASSES; pass++) {
		u64 start = rdtsc();
		for (u32 i = 0; i < BENCH_EXITS; i++)
			cpuid(CPUID_LEAF_VENDOR, 0);
		u64 cycles = (rdtsc() - start) / BENCH_EXITS;
		best = MIN(best, cycles);
	}
	return best;
}

void test_main(void)
{
	if (!require_microhv("bench_cpuid"))
		return;

	s64 set = hc_bench_mode(HC_BENCH_NULL);
	if (!CHECK_EQ(set, 0, "bench_null_mode_available"))
		return;
	u64 null_cycles = cycles_per_exit(HC_BENCH_NULL);
	u64 normal_cycles = cycles_per_exit(HC_BENCH_NORMAL); /* last, so NORMAL stays selected */
	CHECK_EQ(hc_bench_mode(HC_BENCH_NORMAL), 0, "bench_normal_mode_restored");

	u64 ratio = null_cycles ? normal_cycles * RATIO_SCALE / null_cycles : 0;
	tap_diag("bench cpuid: normal %llu cycles/exit, null %llu cycles/exit, ratio %llu.%02llu", normal_cycles,
		 null_cycles, ratio / RATIO_SCALE, ratio % RATIO_SCALE);
	CHECK_NE(normal_cycles, 0, "bench_normal_measured");
	CHECK_NE(null_cycles, 0, "bench_null_measured");
}
