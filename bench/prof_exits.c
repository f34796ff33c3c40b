/* Profiling guest for scripts/profile-exits.sh: one of each general-path exit between two Bochs magic
 * breakpoints (xchg bx, bx), after two warm-up rounds (so the instruction-site cache and the APICv page
 * are in their steady state). Under Bochs with magic_break enabled the script traces every instruction
 * between the two breaks and attributes it to microhv's functions, exit by exit. Anywhere else the
 * breaks are plain instructions and the guest is an ordinary test: every IPI it sends must arrive. */
#include "guest.h"

#define SPURIOUS_VEC 0xFF
#define IPI_VEC 0x50
#define TIMER_VEC 0x70
#define DEADLINE_FAR (1ull << 62)
#define ROUNDS 3 /* two warm-up rounds, then the traced one */
#define SPIN_LIMIT (1ull << 24)

static volatile u32 *mmio;
static volatile u64 delivered;
static bool lost;

/* One xAPIC register store with a fixed encoding (89 08), as bench_apic's. */
static void mmio_store(u32 reg, u32 value)
{
	asm volatile("movl %%ecx, (%%rax)" ::"a"(&mmio[reg / sizeof(u32)]), "c"(value) : "memory");
}

static void handler(const struct exc_record *r)
{
	(void)r;
	delivered++;
	mmio_store(APIC_EOI, 0);
}

static void magic_break(void)
{
	asm volatile("xchg %%bx, %%bx" ::: "memory");
}

/* The exits, each twice where the second shows the steady state; NOPs mark the boundaries in a trace. */
static void one_round(void)
{
	outb(GUEST_UART_PORT, '.');
	outb(GUEST_UART_PORT, '.');
	asm volatile("nop; nop; nop");
	mmio_store(APIC_EOI, 0);
	mmio_store(APIC_EOI, 0);
	asm volatile("nop; nop; nop");
	u64 target = delivered + 1;
	mmio_store(APIC_ICR, APIC_ICR_LEVEL_ASSERT | IPI_VEC); /* to ourselves: ICR2 is our ID from setup */
	for (u64 spins = 0; delivered < target && !lost; spins++)
		if (spins == SPIN_LIMIT)
			lost = true;
		else
			cpu_relax();
	asm volatile("nop; nop; nop");
	wrmsr(MSR_IA32_TSC_DEADLINE, DEADLINE_FAR);
	wrmsr(MSR_IA32_TSC_DEADLINE, DEADLINE_FAR);
	asm volatile("nop; nop; nop");
	(void)cpuid(0, 0);
}

void test_main(void)
{
	if (!require_microhv("prof_exits"))
		return;
	exc_set_handler(IPI_VEC, handler);
	lapic_setup(SPURIOUS_VEC);
	mmio = (volatile u32 *)(uintptr_t)lapic_mmio_base();
	mmio[APIC_ICR2 / sizeof(u32)] = lapic_id() << 24;
	mmio[APIC_LVT_TIMER / sizeof(u32)] = APIC_LVT_MASKED | APIC_LVT_TIMER_TSC_DEADLINE | TIMER_VEC;
	sti();
	for (int r = 0; r < ROUNDS; r++) {
		if (r == ROUNDS - 1)
			magic_break();
		one_round();
	}
	magic_break();
	outb(GUEST_UART_PORT, '\n'); /* ends the line of dots the rounds printed */
	cli();
	wrmsr(MSR_IA32_TSC_DEADLINE, 0);
	CHECK_EQ(delivered, (u64)ROUNDS, "every_ipi_delivered");
	CHECK(!lost, "no_ipi_lost");
}
