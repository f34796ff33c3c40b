/* The 8254 PIT at 0x40-0x43 and port 0x61 (hv/platform/rules/pit.h), as on QEMU q35: the TSC calibration loop
 * kernels (and microhv itself, hv/time.c) run on channel 2, counter latch and read-back, the refresh
 * toggle, and IRQ0 through I/O APIC pin 2: periodic (mode 2), one-shot (mode 0), masked, and waking a
 * HLT (under microhv the scheduler must honour the PIT's deadline when every vCPU sleeps). Everything
 * here runs on plain QEMU too (make run-direct TEST=pit): there the PIT and the I/O APIC are QEMU's. */
#include "guest.h"
#include "ioapic.h"

#define PIT_CH0 0x40
#define PIT_CH2 0x42
#define PIT_CTRL 0x43
#define PORT_B 0x61
#define P61_GATE2 0x01
#define P61_SPEAKER 0x02
#define P61_REFRESH 0x10
#define P61_OUT2 0x20
#define CW(ch, access, mode) ((u8)((ch) << 6 | (access) << 4 | (mode) << 1))
#define LOHI 3
#define READBACK_CH(ch) (0xC0 | 2 << (ch))
#define READBACK_STATUS_ONLY 0x20
#define STATUS_OUT 0x80

#define PIT_HZ 1193182u
#define CAL_COUNT 11932u     /* 10 ms */
#define PERIOD_COUNT 1193u   /* 1 ms */
#define IRQ0_PIN 2u          /* q35: ISA IRQ0 is I/O APIC input 2 */
#define PIT_VEC 0x58
#define TICKS_WANTED 5u
#define HLT_TICKS 3u
/* Only when failing: a loop that should end within some PIT periods gives up after this many TSC ticks
 * (far more than 10 ms at any TSC rate an emulator or CPU has). */
#define GIVE_UP_TSC (1ull << 33)

static void pit_load(u8 port, u8 ch, u8 mode, u16 count)
{
	outb(PIT_CTRL, CW(ch, LOHI, mode));
	outb(port, (u8)count);
	outb(port, (u8)(count >> 8));
}

static u16 pit_read16(u8 port)
{
	u8 lo = inb(port);
	return (u16)(lo | inb(port) << 8);
}

/* The loop of a TSC calibration: gate on, mode 0, wait for OUT2. Returns the TSC ticks it took. */
static u64 calibrate(bool *out_low_first)
{
	outb(PORT_B, (inb(PORT_B) & ~P61_SPEAKER) | P61_GATE2);
	pit_load(PIT_CH2, 2, 0, CAL_COUNT);
	u64 start = rdtsc();
	*out_low_first = !(inb(PORT_B) & P61_OUT2);
	while (!(inb(PORT_B) & P61_OUT2) && rdtsc() - start < GIVE_UP_TSC)
		cpu_relax();
	return rdtsc() - start;
}

static void check_channel2(void)
{
	bool low_first;
	u64 ticks = calibrate(&low_first);
	CHECK(low_first, "mode0_out2_low_after_load");
	CHECK(ticks < GIVE_UP_TSC, "mode0_out2_rises");
	tap_diag("10 ms of PIT = %llu TSC ticks: a %llu MHz TSC", ticks, ticks / 10000);
	u8 a = inb(PORT_B), b = inb(PORT_B);
	CHECK_EQ((a ^ b) & 0xFF, P61_REFRESH, "port61_refresh_toggles");
	CHECK_EQ(a & (P61_GATE2 | P61_SPEAKER), P61_GATE2, "port61_gate_readback");

	/* Counter latch: the value stays while the count runs on. */
	pit_load(PIT_CH2, 2, 2, 0xFFFF);
	outb(PIT_CTRL, CW(2, 0, 0));
	u16 latched = pit_read16(PIT_CH2);
	u16 later = pit_read16(PIT_CH2);
	CHECK(later <= latched, "latch_then_live_counts_down");
	outb(PIT_CTRL, READBACK_CH(2) | READBACK_STATUS_ONLY);
	CHECK_EQ(inb(PIT_CH2) & ~STATUS_OUT, LOHI << 4 | 2 << 1, "readback_status_mode2_lohi");
	outb(PORT_B, 0);
}

static void check_irq0(void)
{
	u64 entry = RTE_DEST(lapic_id()) | PIT_VEC;
	ioapic_rte_write(IRQ0_PIN, entry);
	pit_load(PIT_CH0, 0, 2, PERIOD_COUNT);
	u64 start = rdtsc();
	while (irq_count(PIT_VEC) < TICKS_WANTED && rdtsc() - start < GIVE_UP_TSC)
		cpu_relax();
	CHECK(irq_count(PIT_VEC) >= TICKS_WANTED, "mode2_periodic_irq0");

	/* Every vCPU halted: only the PIT can wake this one. */
	u64 before = irq_count(PIT_VEC);
	for (u32 i = 0; i < HLT_TICKS; i++)
		asm volatile("sti; hlt" ::: "memory");
	CHECK(irq_count(PIT_VEC) >= before + HLT_TICKS, "hlt_woken_by_irq0");

	ioapic_rte_write(IRQ0_PIN, entry | RTE_MASKED);
	before = irq_count(PIT_VEC);
	tsc_delay_us(20000);
	CHECK_EQ(irq_count(PIT_VEC), before, "masked_pin_no_irq0");

	/* Mode 0: one interrupt at terminal count, then none. The pin is unmasked only once OUT is high and
	 * steady (a first mode-0 count ran out while masked): unmasking then sends nothing, and a vCPU
	 * descheduled for longer than the count (a busy host) cannot have its edge dropped by the mask. */
	pit_load(PIT_CH0, 0, 0, PERIOD_COUNT);
	tsc_delay_us(20000);
	ioapic_rte_write(IRQ0_PIN, entry);
	CHECK_EQ(irq_count(PIT_VEC), before, "mode0_unmask_after_count_no_irq0");
	pit_load(PIT_CH0, 0, 0, PERIOD_COUNT);
	start = rdtsc();
	while (irq_count(PIT_VEC) == before && rdtsc() - start < GIVE_UP_TSC)
		cpu_relax();
	tsc_delay_us(20000);
	CHECK_EQ(irq_count(PIT_VEC), before + 1, "mode0_one_irq0");
	ioapic_rte_write(IRQ0_PIN, RTE_MASKED);
}

void test_main(void)
{
	lapic_setup(SMP_SPURIOUS_VECTOR);
	irq_register(PIT_VEC);
	sti();
	check_channel2();
	check_irq0();
}
