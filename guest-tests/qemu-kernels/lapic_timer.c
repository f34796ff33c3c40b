/* The local APIC timer (SDM Vol. 3A 11.5.4): one-shot with several divide values (the count runs down
 * and stops at 0, one interrupt), periodic (re-arms from the initial count), masking, and TSC-relative
 * ordering of divide values. Timing is never compared with wall time: emulators run at any speed. */
#include "kl.h"

#define REG(off) (*(volatile u32 *)(LAPIC_BASE + (off)))
#define APIC_EOI 0xB0
#define APIC_SVR 0xF0
#define APIC_LVT_TIMER 0x320
#define APIC_TMICT 0x380
#define APIC_TMCCT 0x390
#define APIC_TDCR 0x3E0
#define LVT_MASKED (1u << 16)
#define LVT_PERIODIC (1u << 17)
#define TIMER_VECTOR 0x60

static volatile u32 ticks;
static void on_timer(struct kl_frame *f)
{
	ticks++;
	REG(APIC_EOI) = 0;
}

/* TDCR encodings (bits 3, 1:0) for divide by 1, 2, 16, 128 */
static const struct { u32 tdcr, div; } divides[] = { { 0xB, 1 }, { 0x0, 2 }, { 0x3, 16 }, { 0xA, 128 } };

static int wait_ticks(u32 n)
{
	for (unsigned long i = 0; i < KL_SPIN_MAX && ticks < n; i++)
		pause();
	return ticks >= n;
}

void kmain(void);
void kmain(void)
{
	kl_idt_init();
	kl_set_handler(TIMER_VECTOR, on_timer);
	REG(APIC_SVR) = 0x1FF;
	sti();
	for (unsigned i = 0; i < sizeof(divides) / sizeof(divides[0]); i++) {
		/* Stop the expired one-shot first: QEMU 7.2 recomputes its expiry from the load time with the new
		 * divide value, so a larger divisor would fire it again (hw/intc/apic.c apic_timer_update()). */
		REG(APIC_TMICT) = 0;
		REG(APIC_TDCR) = divides[i].tdcr;
		kl_check_eq(i == 0 ? "tdcr_div1_reads_back" : i == 1 ? "tdcr_div2_reads_back" : i == 2 ? "tdcr_div16_reads_back" : "tdcr_div128_reads_back",
			    REG(APIC_TDCR), divides[i].tdcr);
		ticks = 0;
		REG(APIC_LVT_TIMER) = TIMER_VECTOR; /* one-shot */
		REG(APIC_TMICT) = 200000 / divides[i].div;
		u32 c1 = REG(APIC_TMCCT);
		int got = wait_ticks(1);
		for (volatile int d = 0; d < 200000; d++) /* a second interrupt would come now */
			;
		const char *n = divides[i].div == 1 ? "oneshot_div1" : divides[i].div == 2 ? "oneshot_div2" :
				divides[i].div == 16 ? "oneshot_div16" : "oneshot_div128";
		kl_check(n, got && ticks == 1 && c1 <= 200000 / divides[i].div && REG(APIC_TMCCT) == 0,
			 "ticks %u, first count %u, count now %u", ticks, c1, REG(APIC_TMCCT));
	}

	/* Periodic: several interrupts, and the current count is re-loaded from the initial count. */
	REG(APIC_TDCR) = 0xB;
	ticks = 0;
	REG(APIC_LVT_TIMER) = LVT_PERIODIC | TIMER_VECTOR;
	REG(APIC_TMICT) = 100000;
	int got = wait_ticks(4);
	u32 cur = REG(APIC_TMCCT);
	kl_check("periodic_four_ticks", got, "ticks %u", ticks);
	kl_check("periodic_count_reloads", cur > 0 && cur <= 100000, "current count %u", cur);
	cli();
	REG(APIC_LVT_TIMER) = LVT_MASKED | LVT_PERIODIC | TIMER_VECTOR;
	sti(); /* an interrupt accepted before the mask may still be in IRR: let it in before counting */
	for (volatile int d = 0; d < 200000; d++)
		;
	u32 before = ticks;
	for (volatile int d = 0; d < 2000000; d++)
		;
	kl_check("masked_periodic_no_ticks", ticks == before && REG(APIC_TMCCT) != 0, "ticks %u -> %u, count %u",
		 before, ticks, REG(APIC_TMCCT));
	REG(APIC_TMICT) = 0; /* stops the timer */
	kl_check_eq("tmict_zero_stops", REG(APIC_TMCCT), 0);

	/* Divide 128 counts down 64 times slower than divide 2: after the same TSC interval, more is left. */
	REG(APIC_LVT_TIMER) = LVT_MASKED;
	REG(APIC_TDCR) = 0x0;
	REG(APIC_TMICT) = 0xFFFFFFFF;
	u64 t0 = rdtsc();
	while (rdtsc() - t0 < 2000000)
		pause();
	u32 used2 = 0xFFFFFFFF - REG(APIC_TMCCT);
	REG(APIC_TDCR) = 0xA;
	REG(APIC_TMICT) = 0xFFFFFFFF;
	t0 = rdtsc();
	while (rdtsc() - t0 < 2000000)
		pause();
	u32 used128 = 0xFFFFFFFF - REG(APIC_TMCCT);
	REG(APIC_TMICT) = 0;
	kl_check("div128_slower_than_div2", used128 < used2, "counted %u at /2, %u at /128", used2, used128);
	cli();
	kl_finish();
}
