/* The 8254 programmable interval timer at ports 0x40-0x43 and the port 0x61 bits that belong to it (channel
 * 2's gate, its output, the refresh toggle), as QEMU's hw/timer/i8254.c and hw/audio/pcspk.c show them to
 * a guest. Pure model: time is given by the caller as `now`, in PIT clock ticks (PIT_HZ, 1.193182 MHz);
 * the VM derives it from the host TSC (hv/platform/irq_sources.c).
 *
 * Architecture: Intel 82C54 datasheet (control word, counter latch, read-back, modes 0-5). Behaviour as
 * QEMU (which a q35 guest sees) where the two differ:
 *  - reset: every channel in mode 3 with count 65536 (0 written means 65536), channel 2's gate low, the
 *    others high: channel 0 runs at 18.2 Hz from the start;
 *  - a control word sets mode, access (lobyte, hibyte, lobyte then hibyte) and BCD, but does not stop the
 *    channel: counting (re)starts when the count is written (the high byte in lobyte/hibyte access); modes
 *    6 and 7 are modes 2 and 3 (datasheet); BCD is stored and reported, counting stays binary;
 *  - the current count read: modes 0, 1, 4, 5 count - elapsed (16 bits); mode 2 count - elapsed % count;
 *    mode 3 count - (2 * elapsed) % count (it counts down by two, each half period);
 *  - OUT: mode 0 high once elapsed >= count; mode 1 high while elapsed < count; mode 2 high for the one
 *    tick at each period boundary; mode 3 high during the first (count + 1) / 2 ticks of each period;
 *    modes 4 and 5 high at elapsed == count;
 *  - the gate: a rising edge restarts modes 1, 2, 3 and 5; it never stops counting (QEMU's "XXX");
 *  - counter latch (access 0) and read-back (channel 3: count and/or status latch of the selected
 *    channels; status = OUT << 7 | access << 4 | mode << 1 | BCD, no null-count bit);
 *  - port 0x61 reads channel 2's gate (bit 0), the speaker-data bit as written (1), a refresh bit that
 *    toggles on every read (4), channel 2's OUT (5); a write sets the gate (0) and speaker data (1).
 * IRQ0: channel 0's OUT rising edges (modes 0 and 4: once, at elapsed = count; modes 2 and 3: every
 * count ticks); modes 1 and 5 need a gate edge, which channel 0 (gate tied high) never gets. QEMU also
 * raises one when a mode 3 count is written (its OUT is already high); microhv does not. */
#ifndef HV_PLATFORM_PIT_H
#define HV_PLATFORM_PIT_H

#include "../../lib/types.h"

#define PIT_HZ 1193182u
#define PIT_PORT_BASE 0x40u
#define PIT_PORTS 4u            /* channel 0, 1, 2 data; control word */
#define PIT_PORT_CONTROL 3u     /* offset of 0x43 */
#define PIT_CHANNELS 3u
#define PIT_PORT_61 0x61u       /* NMI status and control: channel 2 gate and output (ISA "port B") */
#define PIT_IRQ0_CHANNEL 0u

/* Control word (0x43). */
#define PIT_CW_BCD BIT(0)
#define PIT_CW_MODE_SHIFT 1
#define PIT_CW_MODE_MASK 0x7u
#define PIT_CW_ACCESS_SHIFT 4
#define PIT_CW_ACCESS_MASK 0x3u
#define PIT_CW_CHANNEL_SHIFT 6
#define PIT_CW_READBACK 3u           /* channel field 3 */
#define PIT_RB_NO_COUNT BIT(5)       /* read-back: do not latch the count */
#define PIT_RB_NO_STATUS BIT(4)      /* read-back: do not latch the status */
#define PIT_RB_CHANNEL(n) BIT(1 + (n))
#define PIT_STATUS_OUT BIT(7)

/* Access modes (control word bits 5:4), also the read/write byte states. */
#define PIT_ACCESS_LATCH 0u
#define PIT_ACCESS_LOBYTE 1u
#define PIT_ACCESS_HIBYTE 2u
#define PIT_ACCESS_LOHI 3u
#define PIT_ACCESS_LOHI_SECOND 4u  /* internal: the high byte comes next */

/* Port 0x61. */
#define PIT_P61_GATE2 BIT(0)
#define PIT_P61_SPEAKER BIT(1)
#define PIT_P61_REFRESH BIT(4)
#define PIT_P61_OUT2 BIT(5)

#define PIT_MAX_COUNT 0x10000u

struct pit_channel {
	u32 count;      /* 1..65536 */
	u64 load_time;  /* when counting (re)started */
	u8 mode, access, bcd;
	u8 read_state, write_state;
	u8 write_lsb;
	u16 latched_count;
	u8 count_latched; /* 0, or the byte state of the latched count */
	u8 status;
	bool status_latched;
	bool gate;
};

struct pit {
	struct pit_channel ch[PIT_CHANNELS];
	bool speaker_data;
	bool refresh;
	u64 irq0_done;  /* channel 0's edges up to this time have been taken (pit_irq0_take()) */
};

void pit_init(struct pit *p, u64 now);

/* Ports 0x40-0x43 (offset 0-3), one byte; wider accesses are the caller's business (QEMU: byte-wide). */
u8 pit_read(struct pit *p, u32 offset, u64 now);
void pit_write(struct pit *p, u32 offset, u8 value, u64 now);
u8 pit_port61_read(struct pit *p, u64 now);
void pit_port61_write(struct pit *p, u8 value, u64 now);

bool pit_out(const struct pit_channel *c, u64 now);
u32 pit_current_count(const struct pit_channel *c, u64 now);

/* The time of channel 0's next OUT rising edge after irq0_done (0: none will come). */
u64 pit_irq0_next(const struct pit *p);
/* The rising edges of channel 0 in (irq0_done, now], counted; irq0_done = now. */
u32 pit_irq0_take(struct pit *p, u64 now);

/* Host TSC ticks <-> PIT ticks for a TSC of tsc_hz > 0: exact to one tick, no intermediate overflow while
 * tsc_hz < 2^42 (the remainder times the other clock's rate stays below 2^64). */
u64 pit_ticks_from_tsc(u64 tsc_delta, u64 tsc_hz);
u64 pit_tsc_from_ticks(u64 pit_ticks, u64 tsc_hz); /* rounded up: the TSC at which that tick has passed */

#endif
