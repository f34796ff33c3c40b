/* The 8254 PIT (Intel 8254 datasheet; QEMU hw/timer/i8254.c): channel 2 gated through port 0x61 and polled
 * for OUT2 as Linux's TSC calibration does (mode 0, ~10 ms), the counter latch command on channel 0,
 * the read-back command's status byte, and port 0x61's gate bit reading back. */
#include "kl.h"

#define PIT_CH0 0x40
#define PIT_CH2 0x42
#define PIT_CMD 0x43
#define PORT_B 0x61
#define PORTB_GATE2 0x01
#define PORTB_SPEAKER 0x02
#define PORTB_OUT2 0x20
#define CALIBRATE_LATCH 11932 /* 10 ms at 1.193182 MHz */

static u16 latch_ch0(void)
{
	outb(PIT_CMD, 0x00); /* counter latch, channel 0 */
	u8 lo = inb(PIT_CH0);
	return (u16)(lo | inb(PIT_CH0) << 8);
}

void kmain(void);
void kmain(void)
{
	/* Channel 2 mode 0: OUT2 low until the count reaches 0 (gate high). */
	u8 b = inb(PORT_B);
	outb(PORT_B, (u8)((b & ~PORTB_SPEAKER) | PORTB_GATE2));
	kl_check_eq("port61_gate_reads_back", inb(PORT_B) & PORTB_GATE2, PORTB_GATE2);
	outb(PIT_CMD, 0xB0); /* channel 2, lo/hi, mode 0, binary */
	outb(PIT_CH2, CALIBRATE_LATCH & 0xFF);
	outb(PIT_CH2, CALIBRATE_LATCH >> 8);
	u64 t0 = rdtsc();
	int low_seen = (inb(PORT_B) & PORTB_OUT2) == 0;
	unsigned long loops = 0;
	while (!(inb(PORT_B) & PORTB_OUT2) && loops < KL_SPIN_MAX)
		loops++;
	u64 t1 = rdtsc();
	kl_check("out2_low_while_counting", low_seen, "OUT2 already high");
	kl_check("out2_goes_high", loops < KL_SPIN_MAX, "never after %llu polls", (u64)loops);
	kl_check("tsc_advances_during_calibration", t1 > t0 && loops > 0, "TSC %llu -> %llu, %llu polls", t0, t1, (u64)loops);
	u64 khz = (t1 - t0) / 10;
	kl_printf("tsc: about %llu MHz (not compared)\n", khz / 1000);

	/* Channel 0, mode 2, a large count: latched reads go down. */
	outb(PIT_CMD, 0x34);
	outb(PIT_CH0, 0xFF);
	outb(PIT_CH0, 0xFF);
	u16 c1 = latch_ch0();
	for (volatile int d = 0; d < 20000; d++)
		;
	u16 c2 = latch_ch0();
	kl_check("ch0_counts_down", c2 < c1 || c1 - c2 > 0x8000, "latched 0x%x then 0x%x", c1, c2);
	/* Read-back (0xE2: latch status of channel 0): mode 2, lo/hi access -> 0x34 in bits 5:0. */
	outb(PIT_CMD, 0xE2);
	u8 status = inb(PIT_CH0);
	kl_check_eq("readback_status_mode", status & 0x3F, 0x34);
	outb(PIT_CMD, 0x30); /* channel 0 back to mode 0: stop the periodic OUT0 */
	outb(PIT_CH0, 0);
	outb(PIT_CH0, 0);
	outb(PORT_B, b & ~(PORTB_GATE2 | PORTB_SPEAKER));
	kl_finish();
}
