/* The vlapic VM driver of vlapic_sim.h: operations, routing, and the per-step checks. */
#include <string.h>

#include "tests/fuzz/vlapic_sim.h"

#define REG_SLOTS 0x40 /* 16-byte register slots 000H-3F0H */
#define X2APIC_MSR(off) (VLAPIC_X2APIC_MSR_FIRST + (off) / 0x10)
#define LVT_RO_BITS (BIT(12) | BIT(14)) /* delivery status and remote IRR always read 0 */

static void rebuild_map(struct vlapic_sim *s)
{
	for (u32 i = 0; i < s->n; i++)
		vlapic_to_target(&s->apic[i], &s->target[i]);
	apic_map_build(&s->map, s->target, s->n, &s->flags);
}

void sim_init(struct vlapic_sim *s, struct fuzz_in *in)
{
	u8 shape = fuzz_u8(in);
	u32 id_base = fuzz_u8(in) & 1 ? 250 : 0; /* IDs around 255 reach the x2APIC-only range */

	memset(s, 0, sizeof(*s));
	s->n = 1 + shape % SIM_MAX_VCPUS;
	s->flags = (struct apic_flags){ .use_32bit_ids = shape & 0x40, .broadcast_quirk = !(shape & 0x80) };
	s->guest_x2apic = !(shape & 0x20);
	for (u32 i = 0; i < s->n; i++)
		vlapic_reset(&s->apic[i], id_base + i, i == 0);
	rebuild_map(s);
}

/* ---- Routing ---- */

/* What apic_route() must return with use_32bit_ids off: delivery.h's rules over apic_match_dest(). */
static u32 reference_route(const struct vlapic_sim *s, const struct apic_target *src, const struct apic_irq *irq,
			   u16 *out)
{
	u8 mode = irq->delivery_mode;
	u32 count = 0;

	if (mode == APIC_DM_LOWEST && !irq->logical && irq->dest == APIC_BROADCAST)
		mode = APIC_DM_FIXED;
	if (irq->trigger_level && !irq->level &&
	    (mode == APIC_DM_FIXED || mode == APIC_DM_LOWEST || mode == APIC_DM_INIT))
		return 0;
	if (mode == APIC_DM_EXTINT || mode == 3 || mode > APIC_DM_EXTINT)
		return 0;
	for (u32 i = 0; i < s->n; i++) {
		const struct apic_target *t = &s->target[i];
		bool needs_sw = mode == APIC_DM_FIXED || mode == APIC_DM_LOWEST;
		if (t->hw_enabled && (t->sw_enabled || !needs_sw) &&
		    apic_match_dest(&s->flags, t, src, irq->shorthand, irq->dest, irq->logical))
			out[count++] = (u16)i;
	}
	if (mode == APIC_DM_LOWEST && count > 1) {
		out[0] = out[irq->vector % count];
		count = 1;
	}
	return count;
}

static void route(struct vlapic_sim *s, const struct apic_target *src, const struct apic_irq *irq)
{
	u16 got[SIM_MAX_VCPUS], want[SIM_MAX_VCPUS];
	u32 n = apic_route(&s->map, s->target, s->n, src, irq, &s->flags, got);

	FUZZ_CHECK(n <= s->n);
	if (irq->delivery_mode == APIC_DM_LOWEST && !(irq->dest == APIC_BROADCAST && !irq->logical))
		FUZZ_CHECK(n <= 1);
	for (u32 k = 0; k < n; k++) {
		FUZZ_CHECK(got[k] < s->n && (k == 0 || got[k] > got[k - 1]));
		FUZZ_CHECK(s->target[got[k]].hw_enabled); /* SDM §11.4.3: a disabled APIC receives nothing */
	}
	if (!s->flags.use_32bit_ids) { /* the map is only a faster way to the architectural matcher */
		u32 m = reference_route(s, src, irq, want);
		FUZZ_CHECK(m == n && !memcmp(got, want, n * sizeof(got[0])));
	}
	for (u32 k = 0; k < n; k++)
		vlapic_accept(&s->apic[got[k]], irq->vector, irq->delivery_mode, irq->level, irq->trigger_level);
}

/* ---- Effects ---- */

static void apply_effects(struct vlapic_sim *s, u32 who, const struct vlapic_effects *fx)
{
	const struct vlapic *a = &s->apic[who];

	FUZZ_CHECK(fx->eoi_vector >= -1 && fx->eoi_vector <= 0xFF);
	if (fx->eoi_vector >= 0) /* the EOI cleared that ISR bit */
		FUZZ_CHECK(!((a->isr[fx->eoi_vector / 32] >> (fx->eoi_vector % 32)) & 1));
	if (fx->map_changed)
		rebuild_map(s);
	if (fx->ipi) {
		const struct apic_irq *m = &fx->ipi_msg;
		FUZZ_CHECK(m->delivery_mode <= 7 && m->shorthand <= 3);
		if (!vlapic_x2apic_mode(a))
			FUZZ_CHECK(m->dest <= 0xFF);
		route(s, &s->target[who], m);
	}
}

/* ---- Operations ---- */

/* A register offset: mostly a real slot, sometimes any byte of the page or beyond it. */
static u32 pick_offset(struct fuzz_in *in)
{
	u8 b = fuzz_u8(in);
	return b < 0xE0 ? (b % REG_SLOTS) * 0x10u : fuzz_u16(in);
}

static u64 pick_base(struct fuzz_in *in, const struct vlapic *a)
{
	static const u64 shapes[] = {
		VLAPIC_DEFAULT_BASE | VLAPIC_BASE_EN,
		VLAPIC_DEFAULT_BASE | VLAPIC_BASE_EN | VLAPIC_BASE_EXTD,
		VLAPIC_DEFAULT_BASE,
		0xFEC00000ull | VLAPIC_BASE_EN,
	};
	u8 b = fuzz_u8(in);
	u64 v = b < 0xF0 ? shapes[b % ARRAY_SIZE(shapes)] : fuzz_u64(in);
	return v | (a->apic_base & VLAPIC_BASE_BSP);
}

static void op_mmio(struct vlapic_sim *s, u32 who, struct fuzz_in *in, bool write)
{
	struct vlapic *a = &s->apic[who], before = *a;
	u32 off = pick_offset(in), size = fuzz_u8(in) & 7, value = fuzz_u32(in), got;
	struct vlapic_effects fx;

	if (!write) {
		int rc = vlapic_mmio_read(a, s->now, off, size, &got);
		FUZZ_CHECK(!memcmp(&before, a, sizeof(before))); /* reads have no side effects */
		if (!vlapic_hw_enabled(a) || vlapic_x2apic_mode(a)) /* the MMIO hole reads all ones */
			FUZZ_CHECK(rc == VLAPIC_MMIO_IGNORED && got == (size >= 4 ? ~0u : (1u << (8 * size)) - 1));
		return;
	}
	size = size == 7 ? 4 : size; /* mostly the one size the APIC accepts */
	int rc = vlapic_mmio_write(a, s->now, off, size, value, &fx);
	if (size != 4 || off % 0x10 || off >= 0x1000 || !vlapic_hw_enabled(&before) || vlapic_x2apic_mode(&before))
		FUZZ_CHECK(rc == VLAPIC_MMIO_IGNORED);
	if (rc == VLAPIC_MMIO_IGNORED)
		FUZZ_CHECK(!memcmp(&before, a, sizeof(before)) && !fx.ipi);
	apply_effects(s, who, &fx);
}

static void op_msr(struct vlapic_sim *s, u32 who, struct fuzz_in *in, bool write)
{
	struct vlapic *a = &s->apic[who], before = *a;
	u32 msr = VLAPIC_X2APIC_MSR_FIRST + fuzz_u8(in) % REG_SLOTS;
	u64 value = fuzz_u8(in) & 1 ? fuzz_u64(in) : fuzz_u32(in), got;
	struct vlapic_effects fx;

	if (!write) {
		int rc = vlapic_msr_read(a, s->now, msr, &got);
		FUZZ_CHECK(!memcmp(&before, a, sizeof(before)));
		FUZZ_CHECK(rc == 0 || (rc == -EINVAL && got == 0));
		if (!vlapic_x2apic_mode(a)) /* outside x2APIC mode every x2APIC MSR faults */
			FUZZ_CHECK(rc == -EINVAL);
		return;
	}
	int rc = vlapic_msr_write(a, s->now, msr, value, &fx);
	if (!vlapic_x2apic_mode(&before))
		FUZZ_CHECK(rc == -EINVAL);
	if (rc) /* #GP: nothing happened */
		FUZZ_CHECK(rc == -EINVAL && !memcmp(&before, a, sizeof(before)) && !fx.ipi);
	apply_effects(s, who, &fx);
}

static void op_base(struct vlapic_sim *s, u32 who, struct fuzz_in *in)
{
	struct vlapic *a = &s->apic[who], before = *a;
	struct vlapic_effects fx;
	u64 v = pick_base(in, a);

	int rc = vlapic_set_base(a, v, SIM_MAXPHYADDR, s->guest_x2apic, &fx);
	if (rc) {
		FUZZ_CHECK(rc == -EINVAL && !memcmp(&before, a, sizeof(before)));
		/* SDM §11.12.5.1: x2APIC -> xAPIC and disabled -> x2APIC directly are invalid. */
	} else {
		FUZZ_CHECK(a->apic_base == v);
		if (vlapic_x2apic_mode(a))
			FUZZ_CHECK(vlapic_hw_enabled(a) && s->guest_x2apic);
		FUZZ_CHECK(!(vlapic_x2apic_mode(&before) && vlapic_hw_enabled(a) && !vlapic_x2apic_mode(a)));
	}
	apply_effects(s, who, &fx);
}

static void op_tick(struct vlapic_sim *s, struct fuzz_in *in)
{
	s->now += fuzz_u8(in) & 1 ? fuzz_u16(in) : fuzz_u32(in);
	for (u32 i = 0; i < s->n; i++) {
		struct vlapic *a = &s->apic[i];
		u64 next = vlapic_timer_next(a);
		bool due = next && next <= s->now;
		FUZZ_CHECK(vlapic_timer_fire(a, s->now) == due);
		if (due && vlapic_timer_next(a))
			FUZZ_CHECK(vlapic_timer_next(a) > s->now); /* periodic: re-armed in the future */
	}
}

static void op_ack(struct vlapic_sim *s, u32 who)
{
	struct vlapic *a = &s->apic[who];
	int v = vlapic_highest_deliverable(a);

	if (v < 0)
		return;
	FUZZ_CHECK(v <= 0xFF && ((a->irr[v / 32] >> (v % 32)) & 1));
	vlapic_ack(a, (u8)v);
	FUZZ_CHECK((vlapic_ppr(a) & 0xF0) >= ((u32)v & 0xF0)); /* now in service: PPR at least its class */
}

static void op_message(struct vlapic_sim *s, struct fuzz_in *in)
{
	struct apic_irq irq = {
		.vector = fuzz_u8(in),
		.delivery_mode = fuzz_u8(in) & 7,
		.logical = fuzz_bool(in),
		.dest = fuzz_u8(in) & 1 ? fuzz_u32(in) : fuzz_u8(in),
		.level = fuzz_bool(in),
		.trigger_level = fuzz_bool(in),
	};
	route(s, NULL, &irq); /* an IOAPIC or MSI message: no sender, no shorthand */
}

static void op_misc(struct vlapic_sim *s, u32 who, struct fuzz_in *in)
{
	struct vlapic *a = &s->apic[who];
	struct vlapic_effects fx;
	u8 what = fuzz_u8(in) % 4;
	u64 v = fuzz_u64(in);

	if (what == 0) {
		vlapic_init_signal(a);
		rebuild_map(s);
	} else if (what == 1) {
		vlapic_set_tsc_deadline(a, s->now, v, &fx);
		FUZZ_CHECK(vlapic_get_tsc_deadline(a) == (fx.timer_changed ? v : vlapic_get_tsc_deadline(a)));
	} else if (what == 2) {
		vlapic_set_cr8(a, v, &fx);
		FUZZ_CHECK(vlapic_get_cr8(a) == (v & 0xF) && a->tpr == (v & 0xF) << 4);
	} else {
		a->init_pending = a->sipi_pending = a->nmi_pending = a->smi_pending = false; /* the vCPU took them */
	}
}

void sim_step(struct vlapic_sim *s, struct fuzz_in *in)
{
	u8 op = fuzz_u8(in);
	u32 who = (op >> 4) % s->n;

	switch (op % 9) {
	case 0: op_mmio(s, who, in, true); break;
	case 1: op_mmio(s, who, in, false); break;
	case 2: op_msr(s, who, in, true); break;
	case 3: op_msr(s, who, in, false); break;
	case 4: op_base(s, who, in); break;
	case 5: op_tick(s, in); break;
	case 6: op_ack(s, who); break;
	case 7: op_message(s, in); break;
	default: op_misc(s, who, in); break;
	}
	for (u32 i = 0; i < s->n; i++)
		sim_check_apic(&s->apic[i], s->now);
}
