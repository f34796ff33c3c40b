/* Virtual local APIC timer on virtual time (SDM Vol. 3A §11.5.4): one-shot, periodic and TSC-deadline.
 * The input clock is the TSC: the current count decrements once every `divide` TSC ticks, so a count of
 * N expires N * divide TSC ticks after the initial-count write. The model keeps only the expiry time;
 * the current count is derived from it: ceil((expiry - now) / divide), 0 once expired or disarmed. */
#include "vlapic.h"

#define TIMER_MODE_MASK 3u
#define TDCR_WRITE_MASK 0xBu /* bits 0, 1 and 3 (SDM Figure 11-10) */
#define LVT_VECTOR 0xFFu

static u32 timer_mode(const struct vlapic *a)
{
	return (a->lvt[VLAPIC_LVT_TIMER] >> VLAPIC_LVT_TIMER_MODE_SHIFT) & TIMER_MODE_MASK;
}

/* Divide configuration (SDM Figure 11-10): value = bits 3,1:0; 111b divides by 1, else by 2^(value + 1). */
static u64 divide_by(u32 tdcr)
{
	u32 v = (tdcr & 3) | ((tdcr & 8) >> 1);
	return 1ull << ((v + 1) & 7);
}

void vlapic_timer_stop(struct vlapic *a)
{
	a->timer_armed = false;
	a->timer_expiry = 0;
	a->tsc_deadline = 0;
}

/* LVT timer written: switching into or out of TSC-deadline mode disarms the timer and clears the initial
 * count (SDM §11.5.4.1; KVM apic_update_lvtt()). One-shot <-> periodic keeps the running count. */
void vlapic_timer_write_lvt(struct vlapic *a, u32 old_lvt, struct vlapic_effects *fx)
{
	u32 old_mode = (old_lvt >> VLAPIC_LVT_TIMER_MODE_SHIFT) & TIMER_MODE_MASK;

	if ((old_mode == VLAPIC_TIMER_TSC_DEADLINE) != (timer_mode(a) == VLAPIC_TIMER_TSC_DEADLINE)) {
		vlapic_timer_stop(a);
		a->timer_initial = 0;
		fx->timer_changed = true;
	}
}

/* Initial count written: ignored in TSC-deadline mode; 0 stops the timer; otherwise (re)starts the count
 * in one-shot and periodic mode (the reserved mode 3 never runs). */
void vlapic_timer_write_initial(struct vlapic *a, u64 now, u32 value, struct vlapic_effects *fx)
{
	u32 mode = timer_mode(a);

	if (mode == VLAPIC_TIMER_TSC_DEADLINE)
		return;
	a->timer_initial = value;
	a->timer_armed = value != 0 && (mode == VLAPIC_TIMER_ONESHOT || mode == VLAPIC_TIMER_PERIODIC);
	a->timer_expiry = a->timer_armed ? now + value * divide_by(a->timer_divide) : 0;
	a->timer_reloaded = false;
	fx->timer_changed = true;
}

/* A periodic timer's period after its first expiry: the count times the divider, at least min_period_tsc. */
static u64 periodic_period(const struct vlapic *a)
{
	u64 period = a->timer_initial * divide_by(a->timer_divide);
	return period < a->min_period_tsc ? a->min_period_tsc : period;
}

/* Divide configuration written while counting: the remaining time is rescaled to the new divider, i.e. the
 * current count is kept (KVM update_target_expiration()). */
void vlapic_timer_write_divide(struct vlapic *a, u64 now, u32 value, struct vlapic_effects *fx)
{
	u64 old_div = divide_by(a->timer_divide), new_div;

	a->timer_divide = value & TDCR_WRITE_MASK;
	new_div = divide_by(a->timer_divide);
	if (!a->timer_armed || timer_mode(a) == VLAPIC_TIMER_TSC_DEADLINE || new_div == old_div)
		return;
	u64 remaining = a->timer_expiry > now ? a->timer_expiry - now : 0;
	a->timer_expiry = now + remaining * new_div / old_div;
	fx->timer_changed = true;
}

/* A periodic count reloads at 0 (SDM §11.5.4): it never reads 0 or above the initial count. Before the
 * model's own re-arm (the next exit) the expiry may already be past: the count then stands where the new
 * period has brought it. A period stretched to min_period_tsc counts the initial count down over the
 * longer time, so the guest still sees initial..1. */
static u32 periodic_current(const struct vlapic *a, u64 now)
{
	u64 div = divide_by(a->timer_divide), period = periodic_period(a);
	bool reloaded = a->timer_reloaded || now >= a->timer_expiry;
	u64 remaining = now < a->timer_expiry ? a->timer_expiry - now : period - (now - a->timer_expiry) % period;
	if (!reloaded || period == a->timer_initial * div)
		return (u32)((remaining + div - 1) / div);
	return (u32)((remaining * a->timer_initial + period - 1) / period);
}

u32 vlapic_timer_current(const struct vlapic *a, u64 now)
{
	u64 div = divide_by(a->timer_divide);

	/* SDM §11.5.4.1: in TSC-deadline mode the current count always reads 0. */
	if (!a->timer_armed || timer_mode(a) == VLAPIC_TIMER_TSC_DEADLINE)
		return 0;
	if (timer_mode(a) == VLAPIC_TIMER_PERIODIC)
		return periodic_current(a, now);
	if (now >= a->timer_expiry)
		return 0;
	return (u32)((a->timer_expiry - now + div - 1) / div);
}

void vlapic_set_tsc_deadline(struct vlapic *a, u64 now, u64 value, struct vlapic_effects *fx)
{
	struct vlapic_effects scratch;

	if (!fx)
		fx = &scratch;
	vlapic_fx_clear(fx);
	if (timer_mode(a) != VLAPIC_TIMER_TSC_DEADLINE)
		return; /* SDM §11.5.4.1: writes outside TSC-deadline mode are ignored */
	a->tsc_deadline = value;
	a->timer_armed = value != 0;
	a->timer_expiry = value;
	fx->timer_changed = true;
}

u64 vlapic_get_tsc_deadline(const struct vlapic *a)
{
	return timer_mode(a) == VLAPIC_TIMER_TSC_DEADLINE ? a->tsc_deadline : 0;
}

void vlapic_timer_tsc_changed(struct vlapic *a, u64 delta)
{
	/* One-shot and periodic count the APIC's clock, not the TSC (SDM §11.5.4): when the guest's TSC
	 * jumps, their expiry moves with it so that the remaining time is the same. A TSC deadline is a TSC
	 * value and stays. */
	if (a->timer_armed && timer_mode(a) != VLAPIC_TIMER_TSC_DEADLINE)
		a->timer_expiry += delta;
}

u64 vlapic_timer_next(const struct vlapic *a)
{
	if (!a->timer_armed)
		return 0;
	return a->timer_expiry ? a->timer_expiry : 1; /* 0 means "nothing armed" */
}

bool vlapic_timer_fire(struct vlapic *a, u64 now)
{
	u32 lvt = a->lvt[VLAPIC_LVT_TIMER];

	if (!a->timer_armed || now < a->timer_expiry)
		return false;
	if (!(lvt & VLAPIC_LVT_MASKED)) /* masked: the count expires, no interrupt (SDM §11.5.1) */
		vlapic_accept(a, (u8)(lvt & LVT_VECTOR), APIC_DM_FIXED, true, false);

	if (timer_mode(a) == VLAPIC_TIMER_PERIODIC) {
		u64 period = periodic_period(a);
		u64 next = a->timer_expiry + period;
		a->timer_reloaded = true;
		a->timer_expiry = next > now ? next : now + period; /* late by >= 1 period: fire once, re-arm */
		return true;
	}
	if (timer_mode(a) == VLAPIC_TIMER_TSC_DEADLINE)
		a->tsc_deadline = 0; /* SDM §11.5.4.1: the MSR reads 0 once the deadline fired */
	a->timer_armed = false;
	return true;
}
