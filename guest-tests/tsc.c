/* The guest's own TSC (issue 11 item 5): WRMSR IA32_TSC and IA32_TSC_ADJUST as SDM Vol. 3B §18.17.3 says
 * (a TSC write adds the difference to TSC_ADJUST; an ADJUST write moves the TSC by new - old), applied
 * by the back end's TSC offset so that RDTSC reads it natively, and the APIC timer consistent with it:
 * a TSC-deadline is a guest TSC value (it fires when the guest's TSC reaches it, after a jump forward or
 * backward), a one-shot count keeps its remaining time when the TSC jumps. */
#include "guest.h"

#define MSR_IA32_TSC 0x10u
#define MSR_IA32_TSC_ADJUST 0x3Bu
#define L7_EBX_TSC_ADJUST BIT(1)
#define TIMER_VEC 0x40
#define SPURIOUS_VEC 0xFF
#define BOUND (1ull << 32)          /* ticks a few instructions and exits may take, descheduling included */
#define FORWARD (1ull << 40)
#define ADJUST_STEP (1ull << 36)
#define SMALL_TSC 1000ull
#define FAR_TSC (1ull << 50)
#define DELAY TSC_PER_MS            /* a deadline this far ahead */
#define WAIT (400 * TSC_PER_MS)     /* and how long to wait for it */
#define ONESHOT_COUNT (10 * TSC_PER_MS) /* short enough for Bochs, where the TSC counts instructions */
#define JUMP (1ull << 45)

static bool in_range(u64 v, u64 lo, u64 len)
{
	return v - lo <= len; /* modulo 2^64: lo <= v <= lo + len */
}

static void timer_program(u32 lvt)
{
	lapic_write(APIC_TMICT, 0);
	lapic_write(APIC_LVT_TIMER, lvt);
	lapic_write(APIC_TDCR, APIC_TDCR_DIV1);
	asm volatile("mfence" ::: "memory"); /* the LVT write before the deadline WRMSR (SDM §11.5.4.1) */
}

static void check_tsc_writes(bool have_adjust)
{
	u64 x = rdtsc() + FORWARD;
	u64 before = rdtsc();
	CHECK_EQ(wrmsr_safe(MSR_IA32_TSC, x), FAULT_NONE, "tsc_write_accepted");
	u64 t = rdtsc();
	CHECK(in_range(t, x, BOUND), "rdtsc_reads_written_value");
	u64 m = 0;
	CHECK_EQ(rdmsr_safe(MSR_IA32_TSC, &m), FAULT_NONE, "tsc_read_accepted");
	CHECK(in_range(m, t, BOUND), "rdmsr_tsc_follows");
	for (int i = 0; i < 4; i++)
		(void)cpuid(0, 0);
	CHECK(in_range(rdtsc(), x, BOUND), "offset_kept_across_exits");
	if (!have_adjust) {
		SKIP("adjust_follows_tsc_write", "no TSC_ADJUST in CPUID");
		SKIP("adjust_write_moves_tsc", "no TSC_ADJUST in CPUID");
		SKIP("adjust_reads_written_value", "no TSC_ADJUST in CPUID");
	} else {
		u64 adj = 0;
		rdmsr_safe(MSR_IA32_TSC_ADJUST, &adj);
		tap_diag("TSC_ADJUST after the write: 0x%llx (TSC moved by 0x%llx)", adj, x - before);
		CHECK(in_range(adj, FORWARD - BOUND, BOUND), "adjust_follows_tsc_write");
		u64 t1 = rdtsc();
		wrmsr_safe(MSR_IA32_TSC_ADJUST, adj + ADJUST_STEP);
		u64 t2 = rdtsc();
		CHECK(in_range(t2 - t1, ADJUST_STEP, BOUND), "adjust_write_moves_tsc");
		rdmsr_safe(MSR_IA32_TSC_ADJUST, &m);
		CHECK_EQ(m, adj + ADJUST_STEP, "adjust_reads_written_value");
	}
	CHECK_EQ(wrmsr_safe(MSR_IA32_TSC, SMALL_TSC), FAULT_NONE, "tsc_write_backwards");
	CHECK(in_range(rdtsc(), SMALL_TSC, BOUND), "rdtsc_after_backwards_write");
}

/* Arm a TSC deadline DELAY ahead of the guest's TSC: it must fire, and not before the guest's TSC got there. */
static void check_deadline(const char *fired, const char *not_early)
{
	irq_reset();
	timer_program(TIMER_VEC | APIC_LVT_TIMER_TSC_DEADLINE);
	u64 deadline = rdtsc() + DELAY;
	wrmsr(MSR_IA32_TSC_DEADLINE, deadline);
	u64 n = irq_wait(TIMER_VEC, 1, WAIT);
	CHECK_EQ(n, 1, fired);
	CHECK(n == 1 && irq_last_tsc(TIMER_VEC) >= deadline, not_early);
	timer_program(APIC_LVT_MASKED);
}

static void check_timers(void)
{
	if (!(cpuid(1, 0).ecx & CPUID_1_ECX_TSC_DEADLINE)) {
		SKIP("deadline_small_tsc_fires", "no TSC-deadline timer");
		SKIP("deadline_small_tsc_not_early", "no TSC-deadline timer");
		SKIP("deadline_far_tsc_fires", "no TSC-deadline timer");
		SKIP("deadline_far_tsc_not_early", "no TSC-deadline timer");
	} else {
		check_deadline("deadline_small_tsc_fires", "deadline_small_tsc_not_early"); /* TSC near 0 */
		wrmsr(MSR_IA32_TSC, FAR_TSC);
		check_deadline("deadline_far_tsc_fires", "deadline_far_tsc_not_early");
	}
	/* One-shot: the count runs on the APIC's clock; a TSC jump does not expire it. */
	irq_reset();
	timer_program(TIMER_VEC | APIC_LVT_TIMER_ONESHOT);
	lapic_write(APIC_TMICT, (u32)ONESHOT_COUNT);
	wrmsr(MSR_IA32_TSC, rdtsc() + JUMP);
	u32 count = lapic_read(APIC_TMCCT);
	CHECK(count > 0 && count <= ONESHOT_COUNT, "oneshot_count_kept_after_tsc_jump");
	CHECK_EQ(irq_count(TIMER_VEC), 0, "oneshot_not_fired_by_tsc_jump");
	CHECK_EQ(irq_wait(TIMER_VEC, 1, WAIT + ONESHOT_COUNT), 1, "oneshot_fires_after_tsc_jump");
	timer_program(APIC_LVT_MASKED);
}

/* Measured on plain QEMU 7.2 TCG (make run-direct TEST=tsc): WRMSR IA32_TSC completes but RDTSC does
 * not change (TCG keeps the written value apart from what RDTSC reads). */
#define TCG_TSC_WRITE_IGNORED "QEMU TCG ignores WRMSR IA32_TSC (RDTSC does not follow it)"

void test_main(void)
{
	if (runtime_plain_tcg()) {
		static const char *const names[] = { "tsc_writes", "deadline_after_tsc_write", "oneshot_across_tsc_write" };
		for (u32 i = 0; i < ARRAY_SIZE(names); i++)
			SKIP(names[i], TCG_TSC_WRITE_IGNORED);
		return;
	}
	bool have_adjust = cpuid(7, 0).ebx & L7_EBX_TSC_ADJUST;
	if (under_microhv())
		CHECK(have_adjust, "cpuid_tsc_adjust");
	u64 adj = 1;
	if (have_adjust) {
		CHECK_EQ(rdmsr_safe(MSR_IA32_TSC_ADJUST, &adj), FAULT_NONE, "adjust_read_accepted");
		CHECK_EQ(adj, 0, "adjust_zero_at_reset");
	}
	check_tsc_writes(have_adjust);
	lapic_setup(SPURIOUS_VEC);
	irq_register(TIMER_VEC);
	sti();
	check_timers();
	cli();
}
