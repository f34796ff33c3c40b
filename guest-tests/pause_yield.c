/* PAUSE and the scheduler: under microhv a PAUSE exits, and the spinning vCPU gives the CPU to another,
 * only while another vCPU waits to run (hv/sched.c sched_pause_pays); with nobody waiting it costs no
 * exit at all. 2 vCPUs. */
#include "guest.h"

#define ALONE_PAUSES 20000u
#define ALONE_EXITS_MAX 100u    /* room for the watchdog tick and the two HC_STAT exits */
#define YIELD_SPINS_MAX 1000u   /* a yield runs the AP at once; without it the BSP spins a whole 10 ms slice */
#define SPIN_LIMIT 100000000ull /* never hang the guest: the case fails instead */
#define FLAG_VALUE 0x5A

static volatile u32 flag;

static u64 ap_set_flag(u64 value)
{
	flag = (u32)value;
	return 0;
}

/* The AP still waits for its SIPI: nobody could run, so PAUSE must not exit. */
static void pause_alone(void)
{
	if (!require_microhv("pause_alone_no_exit"))
		return;
	u64 before = hc_stat(HC_STAT_EXITS);
	for (u32 i = 0; i < ALONE_PAUSES; i++)
		cpu_relax();
	u64 exits = hc_stat(HC_STAT_EXITS) - before;
	if (!CHECK(exits < ALONE_EXITS_MAX, "pause_alone_no_exit"))
		tap_diag("%llu VM exits for %u PAUSEs with the only other vCPU waiting for its SIPI", exits, ALONE_PAUSES);
}

/* The AP was kicked (an IPI: it is runnable) while the BSP spins for its answer: a PAUSE must hand over. */
static void pause_yields(void)
{
	flag = 0;
	if (!CHECK(smp_call_async(1, ap_set_flag, FLAG_VALUE), "ap_call_posted"))
		return;
	u64 spins = 0;
	while (flag != FLAG_VALUE && spins < SPIN_LIMIT) {
		cpu_relax();
		spins++;
	}
	u64 result;
	CHECK(smp_call_wait(1, &result) && flag == FLAG_VALUE, "ap_call_done");
	if (!require_microhv("pause_yields_to_waiting_vcpu"))
		return;
	if (!CHECK(spins < YIELD_SPINS_MAX, "pause_yields_to_waiting_vcpu"))
		tap_diag("%llu PAUSE rounds before the runnable AP ran", spins);
}

void test_main(void)
{
	pause_alone();
	smp_add_dense(2);
	if (!CHECK_EQ(smp_start_all(), 2, "ap_online"))
		return;
	pause_yields();
}
