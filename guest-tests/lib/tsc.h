/* Waiting on the TSC. There is no reference clock to calibrate the TSC against in a VM (no PIT, and
 * the APIC timer runs at the TSC rate), so the rate comes from microhv, which calibrated it against the
 * host's PIT and reports it in CPUID 0x40000001 ECX (kHz, docs/guest-abi.md section 3). Without that
 * leaf (plain QEMU, make run-direct) a duration is converted with an assumed rate of TSC_ASSUMED_KHZ,
 * chosen above any real one: a wait then lasts at least what was asked on every CPU whose TSC is slower.
 * That is the safe side for the uses here: the SDM's minimum delays between INIT and SIPI, and "nothing
 * arrives within N ms" checks. On Bochs the TSC counts instructions, and microhv's rate is Bochs's
 * emulated one (ips), so a "millisecond" is what the emulated PIT calls one. */
#ifndef GUEST_TSC_H
#define GUEST_TSC_H

#include "hv/lib/types.h"
#include "x86.h"
#include "spin_budget.h"

#define TSC_ASSUMED_KHZ 4000000ull /* 4 GHz: only where microhv does not say */

/* The TSC rate in kHz: microhv's CPUID 0x40000001 ECX, else TSC_ASSUMED_KHZ (read once). */
u64 tsc_khz(void);

#define TSC_PER_MS tsc_khz()
#define TSC_PER_US (tsc_khz() / 1000 ? tsc_khz() / 1000 : 1)

/* The TSC value `us` microseconds from now. */
static inline u64 tsc_deadline_us(u64 us)
{
	return rdtsc() + us * TSC_PER_US;
}

static inline bool tsc_passed(u64 deadline)
{
	return rdtsc() >= deadline;
}

/* A timeout that counts only the time this vCPU spent checking: a TSC step between two checks longer than
 * SPIN_GAP_MAX_US (the vCPU did not run: microhv ran another one, or a busy host held the emulator's
 * thread, whose TSC still moved) counts as SPIN_GAP_MAX_US. So a wait for another vCPU does not run out
 * while that vCPU never had the CPU; a wait for what never comes still ends. For delays use tsc_delay_us(). */
#define SPIN_GAP_MAX_US 1000

static inline struct spin_budget spin_budget_tsc(u64 ticks)
{
	return (struct spin_budget){ rdtsc(), ticks };
}

static inline struct spin_budget spin_budget_us(u64 us)
{
	return spin_budget_tsc(us * TSC_PER_US);
}

static inline bool spin_budget_spent(struct spin_budget *b)
{
	return spin_budget_step(b, rdtsc(), SPIN_GAP_MAX_US * TSC_PER_US);
}

/* Spin with PAUSE (under microhv a PAUSE lets the other vCPUs run). */
static inline void tsc_delay_us(u64 us)
{
	u64 deadline = tsc_deadline_us(us);

	while (!tsc_passed(deadline))
		cpu_relax();
}

#endif
