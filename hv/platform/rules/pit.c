/* See pit.h. The rules follow QEMU's hw/timer/i8254.c (pit_get_count, pit_get_out, pit_ioport_read/write,
 * pit_set_gate) and hw/audio/pcspk.c (port 0x61), with microhv's own names. */
#include "pit.h"

#define BYTE_MASK 0xFFu
#define BYTE_BITS 8
#define COUNT_MASK 0xFFFFu
#define MODE_ALIAS_MASK 0x3u /* modes 6 and 7 are 2 and 3 */

static void load_count(struct pit_channel *c, u32 value, u64 now)
{
	c->count = value ? value : PIT_MAX_COUNT;
	c->load_time = now;
}

void pit_init(struct pit *p, u64 now)
{
	*p = (struct pit){ .irq0_done = now };
	for (u32 i = 0; i < PIT_CHANNELS; i++) {
		struct pit_channel *c = &p->ch[i];
		c->mode = 3;
		c->gate = i != 2; /* channel 2's gate is port 0x61 bit 0, clear at reset */
		load_count(c, 0, now);
	}
}

static u64 elapsed(const struct pit_channel *c, u64 now)
{
	return now > c->load_time ? now - c->load_time : 0;
}

u32 pit_current_count(const struct pit_channel *c, u64 now)
{
	u64 d = elapsed(c, now);
	switch (c->mode) {
	case 2:
		return c->count - (u32)(d % c->count);
	case 3:
		return c->count - (u32)((2 * d) % c->count);
	default: /* 0, 1, 4, 5 */
		return (u32)((c->count - d) & COUNT_MASK);
	}
}

bool pit_out(const struct pit_channel *c, u64 now)
{
	u64 d = elapsed(c, now);
	switch (c->mode) {
	case 0:
		return d >= c->count;
	case 1:
		return d < c->count;
	case 2:
		return d % c->count == 0 && d != 0;
	case 3:
		return d % c->count < (c->count + 1) / 2;
	default: /* 4, 5 */
		return d == c->count;
	}
}

static void latch_count(struct pit_channel *c, u64 now)
{
	if (c->count_latched)
		return;
	c->latched_count = (u16)pit_current_count(c, now);
	c->count_latched = c->access;
}

static void latch_status(struct pit_channel *c, u64 now)
{
	if (c->status_latched)
		return;
	c->status = (u8)((pit_out(c, now) ? PIT_STATUS_OUT : 0) | c->access << PIT_CW_ACCESS_SHIFT |
			 c->mode << PIT_CW_MODE_SHIFT | c->bcd);
	c->status_latched = true;
}

static void control_word(struct pit *p, u8 value, u64 now)
{
	u32 channel = value >> PIT_CW_CHANNEL_SHIFT;
	if (channel == PIT_CW_READBACK) {
		for (u32 i = 0; i < PIT_CHANNELS; i++) {
			if (!(value & PIT_RB_CHANNEL(i)))
				continue;
			if (!(value & PIT_RB_NO_COUNT))
				latch_count(&p->ch[i], now);
			if (!(value & PIT_RB_NO_STATUS))
				latch_status(&p->ch[i], now);
		}
		return;
	}
	struct pit_channel *c = &p->ch[channel];
	u8 access = (value >> PIT_CW_ACCESS_SHIFT) & PIT_CW_ACCESS_MASK;
	if (access == PIT_ACCESS_LATCH) {
		latch_count(c, now);
		return;
	}
	u8 mode = (value >> PIT_CW_MODE_SHIFT) & PIT_CW_MODE_MASK;
	c->access = c->read_state = c->write_state = access;
	c->mode = mode > 5 ? mode & MODE_ALIAS_MASK : mode;
	c->bcd = value & PIT_CW_BCD;
}

static void write_data(struct pit *p, struct pit_channel *c, u8 value, u64 now)
{
	switch (c->write_state) {
	case PIT_ACCESS_HIBYTE:
		load_count(c, (u32)value << BYTE_BITS, now);
		break;
	case PIT_ACCESS_LOHI:
		c->write_lsb = value;
		c->write_state = PIT_ACCESS_LOHI_SECOND;
		return;
	case PIT_ACCESS_LOHI_SECOND:
		load_count(c, c->write_lsb | (u32)value << BYTE_BITS, now);
		c->write_state = PIT_ACCESS_LOHI;
		break;
	default: /* lobyte, and the reset state */
		load_count(c, value, now);
		break;
	}
	if (c == &p->ch[PIT_IRQ0_CHANNEL]) /* a new count: edges are due from now on */
		p->irq0_done = now;
}

void pit_write(struct pit *p, u32 offset, u8 value, u64 now)
{
	offset &= PIT_PORTS - 1;
	if (offset == PIT_PORT_CONTROL)
		control_word(p, value, now);
	else
		write_data(p, &p->ch[offset], value, now);
}

static u8 read_latched(struct pit_channel *c)
{
	u16 v = c->latched_count;
	switch (c->count_latched) {
	case PIT_ACCESS_HIBYTE:
		c->count_latched = 0;
		return (u8)(v >> BYTE_BITS);
	case PIT_ACCESS_LOHI:
		c->count_latched = PIT_ACCESS_HIBYTE; /* the high byte next */
		return (u8)v;
	default:
		c->count_latched = 0;
		return (u8)v;
	}
}

u8 pit_read(struct pit *p, u32 offset, u64 now)
{
	offset &= PIT_PORTS - 1;
	if (offset == PIT_PORT_CONTROL)
		return 0; /* the control word is write-only: QEMU reads 0 */
	struct pit_channel *c = &p->ch[offset];
	if (c->status_latched) {
		c->status_latched = false;
		return c->status;
	}
	if (c->count_latched)
		return read_latched(c);
	u32 count = pit_current_count(c, now);
	switch (c->read_state) {
	case PIT_ACCESS_HIBYTE:
		return (u8)((count >> BYTE_BITS) & BYTE_MASK);
	case PIT_ACCESS_LOHI:
		c->read_state = PIT_ACCESS_LOHI_SECOND;
		return (u8)(count & BYTE_MASK);
	case PIT_ACCESS_LOHI_SECOND:
		c->read_state = PIT_ACCESS_LOHI;
		return (u8)((count >> BYTE_BITS) & BYTE_MASK);
	default:
		return (u8)(count & BYTE_MASK);
	}
}

static void set_gate(struct pit_channel *c, bool gate, u64 now)
{
	bool rising = gate && !c->gate;
	c->gate = gate;
	if (rising && c->mode != 0 && c->mode != 4) /* modes 1, 2, 3, 5 restart on a rising gate */
		c->load_time = now;
}

u8 pit_port61_read(struct pit *p, u64 now)
{
	const struct pit_channel *c = &p->ch[2];
	p->refresh = !p->refresh;
	return (u8)((c->gate ? PIT_P61_GATE2 : 0) | (p->speaker_data ? PIT_P61_SPEAKER : 0) |
		    (p->refresh ? PIT_P61_REFRESH : 0) | (pit_out(c, now) ? PIT_P61_OUT2 : 0));
}

void pit_port61_write(struct pit *p, u8 value, u64 now)
{
	p->speaker_data = value & PIT_P61_SPEAKER;
	set_gate(&p->ch[2], value & PIT_P61_GATE2, now);
}

/* The first rising edge of channel 0's OUT after time t (0: none). */
static u64 edge_after(const struct pit_channel *c, u64 t)
{
	switch (c->mode) {
	case 0:
	case 4: {
		u64 edge = c->load_time + c->count;
		return edge > t ? edge : 0;
	}
	case 2:
	case 3: {
		u64 k = t >= c->load_time ? (t - c->load_time) / c->count + 1 : 1;
		return c->load_time + k * c->count;
	}
	default: /* 1, 5: need a gate edge */
		return 0;
	}
}

u64 pit_irq0_next(const struct pit *p)
{
	return edge_after(&p->ch[PIT_IRQ0_CHANNEL], p->irq0_done);
}

u32 pit_irq0_take(struct pit *p, u64 now)
{
	const struct pit_channel *c = &p->ch[PIT_IRQ0_CHANNEL];
	u32 edges = 0;
	u64 next = edge_after(c, p->irq0_done);
	if (next && next <= now) {
		if (c->mode == 2 || c->mode == 3)
			edges = (u32)MIN((now - next) / c->count + 1, (u64)UINT32_MAX);
		else
			edges = 1;
	}
	if (now > p->irq0_done)
		p->irq0_done = now;
	return edges;
}

u64 pit_ticks_from_tsc(u64 tsc_delta, u64 tsc_hz)
{
	return tsc_delta / tsc_hz * PIT_HZ + tsc_delta % tsc_hz * PIT_HZ / tsc_hz;
}

u64 pit_tsc_from_ticks(u64 pit_ticks, u64 tsc_hz)
{
	return pit_ticks / PIT_HZ * tsc_hz + (pit_ticks % PIT_HZ * tsc_hz + PIT_HZ - 1) / PIT_HZ;
}
