/* Hostile guest, 4 vCPUs, xAPIC mode: an IPI storm (every delivery mode, every shorthand, legal and
 * illegal vectors), NMI, INIT and SIPI floods at the APs, and a period-1 LVT timer. What must hold
 * (SDM Vol. 3A §11.5.3, §11.6, §11.4.7): a fixed or lowest-priority IPI with a vector 0-15 sets ESR bit 5
 * (send illegal vector) and is not sent; SMI (no SMM in a microhv VM) and the reserved modes 3 and 7 do
 * nothing visible; a SIPI to a running AP is ignored; an AP INIT'ed by a flood restarts with INIT-SIPI-SIPI;
 * a timer that fires as often as it can still lets the guest make progress, with IF = 1 and IF = 0.
 * INIT and SIPI go only to the APs (destination or all-but-self): INIT to self would reset the BSP, which
 * would then wait for a SIPI nobody sends. leak_check runs after this guest in suite.txt. */
#include "guest.h"

#define CPUS 4u
#define STORM_VECTOR 0x41
#define TIMER_VECTOR 0x42
#define ESR_SEND_ILLEGAL_VECTOR BIT(5)
#define NMI_FLOOD 1000u
#define INIT_FLOOD 100u
#define SIPI_FLOOD 100u
#define PROGRESS_ITERATIONS 20000u
#define WANTED_INTERRUPTS 3u
#define MAX_ROUNDS 1000u
#define ASSERT_ APIC_ICR_LEVEL_ASSERT
/* tsc.h assumes 4 GHz; Bochs's TSC runs at 19 MHz, so 500 "us" are ~100 ms there: enough for an IPI. */
#define SETTLE_US 500

static const u32 modes[] = { APIC_ICR_DM_FIXED, APIC_ICR_DM_LOWEST, APIC_ICR_DM_SMI, 3u << 8, APIC_ICR_DM_NMI,
			     7u << 8 };
static const u32 shorthands[] = { 0, APIC_ICR_SH_SELF, APIC_ICR_SH_ALL, APIC_ICR_SH_OTHERS };
static const u8 vectors[] = { 0, 2, 8, 15, STORM_VECTOR };

static void send_ipi(u32 dest, u32 low)
{
	xapic_write(APIC_ICR2, dest << APIC_ID_SHIFT);
	xapic_write(APIC_ICR, low);
}

static u32 read_esr(void)
{
	xapic_write(APIC_ESR, 0); /* latches the errors since the last write (SDM §11.5.3) */
	return xapic_read(APIC_ESR);
}

static u64 ap_echo(u64 v)
{
	return v + 1;
}

static u32 aps_answering(void)
{
	u32 n = 0;
	for (u32 i = 1; i < CPUS; i++)
		n += smp_call(i, ap_echo, i) == i + 1;
	return n;
}

static u64 low_exceptions_everywhere(void)
{
	u64 n = 0;
	for (u32 i = 0; i < CPUS; i++)
		for (u8 v = 0; v < 16; v++)
			n += v == X86_VEC_NMI ? 0 : smp_exc_count(i, v);
	return n;
}

static void check_storm(void)
{
	u32 sent = 0, illegal = 0, esr_wrong = 0, storm_fixed_all = 0;
	read_esr();
	for (u32 m = 0; m < ARRAY_SIZE(modes); m++)
		for (u32 s = 0; s < ARRAY_SIZE(shorthands); s++)
			for (u32 v = 0; v < ARRAY_SIZE(vectors); v++) {
				bool fixed = modes[m] == APIC_ICR_DM_FIXED || modes[m] == APIC_ICR_DM_LOWEST;
				send_ipi(1, modes[m] | shorthands[s] | ASSERT_ | vectors[v]);
				sent++;
				bool bad = fixed && vectors[v] < 16;
				illegal += bad;
				esr_wrong += ((read_esr() & ESR_SEND_ILLEGAL_VECTOR) != 0) != bad;
				storm_fixed_all += modes[m] == APIC_ICR_DM_FIXED && shorthands[s] == APIC_ICR_SH_ALL &&
						   vectors[v] == STORM_VECTOR;
			}
	sti(); /* the BSP takes its own (self, all) IPIs only with IF = 1 */
	tsc_delay_us(SETTLE_US); /* let every IPI land */
	cli();
	tap_diag("storm: %u IPIs (%u modes x %u shorthands x %u vectors), %u with an illegal vector", sent,
		 (u32)ARRAY_SIZE(modes), (u32)ARRAY_SIZE(shorthands), (u32)ARRAY_SIZE(vectors), illegal);
	CHECK_EQ(esr_wrong, 0, "storm_esr_bit5_exactly_for_illegal_vectors");
	CHECK_EQ(low_exceptions_everywhere(), 0, "storm_no_vector_below_16_delivered");
	u32 short_of_fixed_all = 0;
	for (u32 i = 0; i < CPUS; i++)
		short_of_fixed_all += smp_irq_count(i, STORM_VECTOR) < storm_fixed_all;
	CHECK_EQ(short_of_fixed_all, 0, "storm_fixed_all_reached_every_cpu");
	CHECK_EQ(aps_answering(), CPUS - 1, "storm_aps_still_answer");
}

static void check_nmi_and_sipi_floods(void)
{
	u64 before = 0, after = 0;
	for (u32 i = 1; i < CPUS; i++)
		before += smp_irq_count(i, X86_VEC_NMI);
	for (u32 n = 0; n < NMI_FLOOD; n++)
		send_ipi(0, APIC_ICR_DM_NMI | APIC_ICR_SH_OTHERS | ASSERT_);
	tsc_delay_us(SETTLE_US);
	for (u32 i = 1; i < CPUS; i++)
		after += smp_irq_count(i, X86_VEC_NMI);
	tap_diag("nmi flood: %u NMIs to the 3 APs, %llu taken (NMIs pending at once collapse into one)", NMI_FLOOD,
		 after - before);
	CHECK(after - before >= CPUS - 1 && after - before <= (u64)NMI_FLOOD * (CPUS - 1), "nmi_flood_taken");
	CHECK_EQ(aps_answering(), CPUS - 1, "nmi_flood_aps_still_answer");
	/* A SIPI to a CPU that is not waiting for one is ignored (SDM §11.6.1, §9.4.4): page 0 would crash it. */
	for (u32 n = 0; n < SIPI_FLOOD; n++)
		send_ipi(0, APIC_ICR_DM_STARTUP | APIC_ICR_SH_OTHERS | ASSERT_ | (n & 1 ? 0 : 0x9F));
	tap_diag("sipi flood: %u SIPIs (start pages 0 and 0x9f) to running APs", SIPI_FLOOD);
	CHECK_EQ(aps_answering(), CPUS - 1, "sipi_to_running_ap_ignored");
}

static void check_init_flood(void)
{
	for (u32 n = 0; n < INIT_FLOOD; n++)
		send_ipi(n % CPUS == 0 ? 0 : n % CPUS, APIC_ICR_DM_INIT | ASSERT_ | (n % CPUS == 0 ? APIC_ICR_SH_OTHERS : 0));
	tap_diag("init flood: %u INITs (to each AP and all-but-self)", INIT_FLOOD);
	/* The runtime still thinks they are online: say they are not, and restart them all with one
	 * INIT-SIPI-SIPI (one INIT delay, 10 ms at the runtime's assumed 4 GHz, ~2 s of Bochs time). */
	for (u32 i = 1; i < CPUS; i++)
		smp_cpu(i)->state = CPU_OFFLINE;
	CHECK_EQ(smp_start_all(), CPUS, "init_flood_aps_restart_with_init_sipi_sipi");
	CHECK_EQ(aps_answering(), CPUS - 1, "init_flood_aps_answer_after_restart");
}

static volatile u64 progress;

static u64 spin(u32 iterations)
{
	u64 start = irq_count(TIMER_VECTOR);
	for (u32 n = 0; n < iterations; n++)
		progress++;
	return irq_count(TIMER_VECTOR) - start;
}

static void check_period_one_timer(void)
{
	xapic_write(APIC_TDCR, APIC_TDCR_DIV1);
	xapic_write(APIC_LVT_TIMER, APIC_LVT_TIMER_PERIODIC | TIMER_VECTOR);
	xapic_write(APIC_TMICT, 1);
	sti();
	u64 with_if = 0;
	for (u32 round = 0; round < MAX_ROUNDS && with_if < WANTED_INTERRUPTS; round++)
		with_if += spin(PROGRESS_ITERATIONS); /* the count must grow while interrupts keep coming */
	cli();
	u64 without_if = spin(PROGRESS_ITERATIONS);
	lapic_timer_stop();
	sti();
	tsc_delay_us(SETTLE_US); /* the interrupt that was pending when IF went to 0, then nothing */
	cli();
	u64 total = irq_count(TIMER_VECTOR);
	tsc_delay_us(SETTLE_US);
	tap_diag("period-1 timer: %llu loop iterations with IF=1 (%llu interrupts), %u with IF=0 (%llu)",
		 progress - PROGRESS_ITERATIONS, with_if, PROGRESS_ITERATIONS, without_if);
	CHECK_EQ(progress % PROGRESS_ITERATIONS, 0, "timer_period1_guest_progresses");
	CHECK(with_if >= WANTED_INTERRUPTS, "timer_period1_interrupts_taken");
	CHECK_EQ(without_if, 0, "timer_period1_none_with_if0");
	CHECK_EQ(irq_count(TIMER_VECTOR), total, "timer_stopped");
}

void test_main(void)
{
	if (!require_microhv("apic_storm"))
		return; /* plain QEMU has SMM (an SMI IPI would enter SeaBIOS's handler) */
	lapic_setup(SMP_SPURIOUS_VECTOR);
	irq_register(STORM_VECTOR);
	irq_register(TIMER_VECTOR);
	irq_register_nmi();
	smp_add_dense(CPUS);
	if (!CHECK_EQ(smp_start_all(), CPUS, "all_cpus_online"))
		return;
	check_storm();
	check_nmi_and_sipi_floods();
	check_init_flood();
	check_period_one_timer();
}
