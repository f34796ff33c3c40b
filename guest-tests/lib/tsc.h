/* Waiting on the TSC. There is no reference clock to calibrate the TSC against under microhv (no PIT,
 * and the APIC timer runs at the TSC rate), so a duration is converted with an assumed TSC rate of
 * TSC_ASSUMED_KHZ, chosen above any real one: a wait always lasts at least what was asked on every
 * CPU whose TSC is slower. That is the safe side for the two uses here: the SDM's minimum delays
 * between INIT and SIPI, and "nothing arrives within N ms" checks. On an emulator (TSC = instruction
 * count on Bochs) a "millisecond" is simply that many ticks. */
#ifndef GUEST_TSC_H
#define GUEST_TSC_H

#include "hv/types.h"
#include "x86.h"

#define TSC_ASSUMED_KHZ 4000000ull /* 4 GHz */
#define TSC_PER_US (TSC_ASSUMED_KHZ / 1000)
#define TSC_PER_MS TSC_ASSUMED_KHZ

/* The TSC value `us` microseconds from now. */
static inline u64 tsc_deadline_us(u64 us)
{
	return rdtsc() + us * TSC_PER_US;
}

static inline bool tsc_passed(u64 deadline)
{
	return rdtsc() >= deadline;
}

/* Spin with PAUSE (under microhv a PAUSE lets the other vCPUs run). */
static inline void tsc_delay_us(u64 us)
{
	u64 deadline = tsc_deadline_us(us);

	while (!tsc_passed(deadline))
		cpu_relax();
}

#endif
