/* TSC calibration against the 8254 PIT, and the host LAPIC timer tick. */
#include "time.h"
#include "cpu.h"
#include "host_apic.h"
#include "log.h"
#include "pcpu.h"
#include "x86.h"

/* 8254 PIT (channel 2, gated through port 0x61), 1.193182 MHz. */
#define PIT_HZ 1193182ull
#define PIT_CH2_DATA 0x42
#define PIT_MODE 0x43
#define PIT_CH2_MODE0_LOHI 0xB0 /* channel 2, lobyte/hibyte, mode 0 (interrupt on terminal count) */
#define PORT_SPEAKER_GATE 0x61
#define GATE_CH2 0x01
#define SPEAKER_ENABLE 0x02
#define CH2_OUT 0x20
#define CALIBRATION_MS 10
#define FALLBACK_TSC_HZ 2000000000ull

#define APIC_TIMER_DIVIDE_BY_16 0x3 /* SDM Vol. 3A §11.5.4 */
/* Legacy 8259 PICs: mask everything, the hypervisor takes no device interrupts. */
#define PIC_MASTER_DATA 0x21
#define PIC_SLAVE_DATA 0xA1
#define PIC_MASK_ALL 0xFF

static u64 tsc_frequency, tsc_at_init;
static u32 lapic_ticks_per_tick; /* LAPIC timer counts in one HOST_TICK_MS */

static u64 calibrate_tsc(void)
{
	u16 count = (u16)(PIT_HZ * CALIBRATION_MS / 1000);
	u8 gate = inb(PORT_SPEAKER_GATE);
	outb(PORT_SPEAKER_GATE, (gate & ~SPEAKER_ENABLE) | GATE_CH2);
	outb(PIT_MODE, PIT_CH2_MODE0_LOHI);
	outb(PIT_CH2_DATA, (u8)count);
	outb(PIT_CH2_DATA, (u8)(count >> 8));
	u64 start = rdtsc();
	u64 spins = 0;
	while (!(inb(PORT_SPEAKER_GATE) & CH2_OUT))
		if (++spins > 100000000ull)
			return 0; /* no PIT */
	u64 end = rdtsc();
	outb(PORT_SPEAKER_GATE, gate);
	return (end - start) * 1000 / CALIBRATION_MS;
}

void time_init(void)
{
	outb(PIC_MASTER_DATA, PIC_MASK_ALL);
	outb(PIC_SLAVE_DATA, PIC_MASK_ALL);
	tsc_frequency = calibrate_tsc();
	if (!tsc_frequency) {
		log_warn("PIT calibration failed; assuming a %llu MHz TSC", FALLBACK_TSC_HZ / 1000000);
		tsc_frequency = FALLBACK_TSC_HZ;
	}
	tsc_at_init = rdtsc();
	log_info("TSC %llu MHz", tsc_frequency / 1000000);
}

u64 tsc_hz(void) { return tsc_frequency; }
u64 ms_to_tsc(u64 ms) { return ms * (tsc_frequency / 1000); }
u64 time_ms(void) { return (rdtsc() - tsc_at_init) / (tsc_frequency / 1000); }

static void host_tick(struct trap_frame *f)
{
	host_apic_eoi();
	this_pcpu()->host_timer_armed_tsc = 0;
}

/* One-shot: the host timer fires at `tsc_deadline` unless it is already armed for an earlier moment. */
void host_timer_arm(u64 tsc_deadline, u64 now)
{
	u64 *armed_tsc = &this_pcpu()->host_timer_armed_tsc; /* each pCPU's LAPIC timer is its own */
	if (*armed_tsc > now && *armed_tsc <= tsc_deadline)
		return;
	u64 delta = tsc_deadline > now ? tsc_deadline - now : 1;
	u64 count = delta * lapic_ticks_per_tick / ms_to_tsc(HOST_TICK_MS);
	host_apic_write(APIC_REG_TIMER_INITIAL, (u32)MIN(MAX(count, 1ull), 0xFFFFFFFFull));
	*armed_tsc = tsc_deadline;
}

/* Counts LAPIC timer ticks over a TSC-measured interval to find the initial count for one host tick. */
static u32 lapic_ticks_per_host_tick(void)
{
	host_apic_write(APIC_REG_TIMER_DIVIDE, APIC_TIMER_DIVIDE_BY_16);
	host_apic_write(APIC_REG_LVT_TIMER, APIC_LVT_MASKED);
	host_apic_write(APIC_REG_TIMER_INITIAL, 0xFFFFFFFFu);
	u64 end = rdtsc() + ms_to_tsc(CALIBRATION_MS);
	while (rdtsc() < end)
		cpu_relax();
	u32 elapsed = 0xFFFFFFFFu - host_apic_read(APIC_REG_TIMER_CURRENT);
	host_apic_write(APIC_REG_TIMER_INITIAL, 0);
	return MAX(elapsed / CALIBRATION_MS * HOST_TICK_MS, 1u);
}

void host_tick_start(void)
{
	host_apic_init();
	cpu_set_irq_handler(HOST_TIMER_VECTOR, host_tick);
	host_apic_write(APIC_REG_SVR, APIC_SVR_ENABLE | SPURIOUS_VECTOR);
	host_apic_write(APIC_REG_LVT_LINT0, APIC_LVT_MASKED);
	lapic_ticks_per_tick = lapic_ticks_per_host_tick();
	host_apic_write(APIC_REG_LVT_TIMER, HOST_TIMER_VECTOR); /* one-shot, re-armed before each guest entry */
	host_timer_arm(rdtsc() + ms_to_tsc(HOST_TICK_MS), rdtsc());
	log_debug("host tick: LAPIC timer count %u per %d ms", lapic_ticks_per_tick, HOST_TICK_MS);
}

/* An AP's host timer: the boot CPU's calibration holds for it (one bus clock for every LAPIC). */
void host_tick_start_ap(void)
{
	host_apic_write(APIC_REG_TIMER_DIVIDE, APIC_TIMER_DIVIDE_BY_16);
	host_apic_write(APIC_REG_LVT_LINT0, APIC_LVT_MASKED);
	host_apic_write(APIC_REG_LVT_TIMER, HOST_TIMER_VECTOR);
	host_timer_arm(rdtsc() + ms_to_tsc(HOST_TICK_MS), rdtsc());
}
