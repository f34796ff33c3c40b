/* Virtual local APIC: lifecycle (RESET, INIT), IA32_APIC_BASE transitions, interrupt acceptance, priority,
 * acknowledge and EOI. Register decoding is in vlapic_regs.c, the timer in vlapic_timer.c. */
#include "vlapic.h"

#define VLAPIC_BASE_RESERVED 0x2FFull /* bits 0-7 and 9 (KVM kvm_apic_set_base()) */
#define VLAPIC_SVR_RESET 0xFFu        /* spurious vector 0xFF, software-disabled (SDM §11.4.7.1) */
#define VLAPIC_DFR_RESET 0xFFFFFFFFu  /* flat model */
#define VECTOR_CLASS(v) ((u32)(v) & 0xF0u)
#define VECTORS_PER_WORD 32u

void vlapic_fx_clear(struct vlapic_effects *fx)
{
	*fx = (struct vlapic_effects){ .eoi_vector = -1 };
}

static bool test_vec(const u32 *map, u8 v) { return (map[v / VECTORS_PER_WORD] >> (v % VECTORS_PER_WORD)) & 1; }
static void set_vec(u32 *map, u8 v) { map[v / VECTORS_PER_WORD] |= 1u << (v % VECTORS_PER_WORD); }
static void clear_vec(u32 *map, u8 v) { map[v / VECTORS_PER_WORD] &= ~(1u << (v % VECTORS_PER_WORD)); }

static void irr_set(struct vlapic *a, u8 v)
{
	set_vec(a->irr, v);
	a->irr_words |= 1u << (v / VECTORS_PER_WORD);
}

static void irr_clear(struct vlapic *a, u8 v)
{
	clear_vec(a->irr, v);
	if (!a->irr[v / VECTORS_PER_WORD])
		a->irr_words &= ~(1u << (v / VECTORS_PER_WORD));
}

static int highest_vec(const u32 *map)
{
	for (int w = 7; w >= 0; w--)
		if (map[w])
			return w * (int)VECTORS_PER_WORD + 31 - __builtin_clz(map[w]);
	return -1;
}

/* The state INIT and RESET share (SDM §11.4.7.1, §11.4.7.3): everything except IA32_APIC_BASE, the IDs
 * and the pending CPU events. In x2APIC mode the LDR is derived from the ID and stays. */
void vlapic_reg_reset(struct vlapic *a)
{
	for (u32 i = 0; i < 8; i++)
		a->isr[i] = a->tmr[i] = a->irr[i] = 0;
	a->irr_words = 0;
	for (u32 i = 0; i < VLAPIC_NR_LVT; i++)
		a->lvt[i] = VLAPIC_LVT_MASKED;
	a->tpr = 0;
	a->ldr = vlapic_x2apic_mode(a) ? apic_x2apic_ldr(a->vcpu_id) : 0;
	a->dfr = VLAPIC_DFR_RESET;
	a->svr = VLAPIC_SVR_RESET;
	a->icr_low = a->icr_high = 0;
	a->esr = a->esr_pending = 0;
	a->timer_initial = a->timer_divide = 0;
	vlapic_timer_stop(a);
}

void vlapic_reset(struct vlapic *a, u32 vcpu_id, bool bsp)
{
	*a = (struct vlapic){ .vcpu_id = vcpu_id };
	a->apic_base = VLAPIC_DEFAULT_BASE | VLAPIC_BASE_EN | (bsp ? VLAPIC_BASE_BSP : 0);
	a->xapic_id = (u8)vcpu_id; /* "The xAPIC ID is set at RESET" (KVM kvm_lapic_reset()) */
	vlapic_reg_reset(a);
}

void vlapic_init_signal(struct vlapic *a)
{
	vlapic_reg_reset(a);
	a->init_pending = false;
	a->nmi_pending = false;
	a->smi_pending = false;
}

/* ---- IA32_APIC_BASE ---- */

enum base_mode { MODE_DISABLED, MODE_INVALID, MODE_XAPIC, MODE_X2APIC };

static enum base_mode base_mode(u64 base)
{
	bool en = base & VLAPIC_BASE_EN, extd = base & VLAPIC_BASE_EXTD;
	return !en ? (extd ? MODE_INVALID : MODE_DISABLED) : (extd ? MODE_X2APIC : MODE_XAPIC);
}

static int check_base(const struct vlapic *a, u64 value, u8 maxphyaddr, bool guest_has_x2apic)
{
	u64 reserved = VLAPIC_BASE_RESERVED | (guest_has_x2apic ? 0 : VLAPIC_BASE_EXTD);
	enum base_mode old = base_mode(a->apic_base), new = base_mode(value);

	if (maxphyaddr < 64)
		reserved |= ~0ull << maxphyaddr;
	if ((value & reserved) || new == MODE_INVALID)
		return -EINVAL;
	/* SDM §11.12.5.1: x2APIC -> xAPIC and disabled -> x2APIC are invalid transitions (#GP). */
	if ((old == MODE_X2APIC && new == MODE_XAPIC) || (old == MODE_DISABLED && new == MODE_X2APIC))
		return -EINVAL;
	return 0;
}

int vlapic_set_base(struct vlapic *a, u64 value, u8 maxphyaddr, bool guest_has_x2apic,
		    struct vlapic_effects *fx)
{
	struct vlapic_effects scratch;
	u64 old = a->apic_base, changed = old ^ value;

	if (!fx)
		fx = &scratch;
	vlapic_fx_clear(fx);
	if (value == old)
		return 0; /* as KVM: rewriting the current value always succeeds */
	if (check_base(a, value, maxphyaddr, guest_has_x2apic))
		return -EINVAL;

	a->apic_base = value;
	if ((changed & VLAPIC_BASE_EN) && !(value & VLAPIC_BASE_EN)) {
		/* Hardware disable: the register file returns to its power-up state (see vlapic.h). */
		vlapic_reg_reset(a);
		fx->timer_changed = fx->intr_changed = true;
	}
	if ((changed & VLAPIC_BASE_EN) && (value & VLAPIC_BASE_EN))
		a->xapic_id = (u8)a->vcpu_id; /* EN 0->1 recomputes the xAPIC ID (R5.1) */
	if ((changed & VLAPIC_BASE_EXTD) && (value & VLAPIC_BASE_EXTD))
		a->ldr = apic_x2apic_ldr(a->vcpu_id); /* entering x2APIC: ID = vcpu_id, LDR derived (SDM §11.12.5.1) */
	if (changed & (VLAPIC_BASE_EN | VLAPIC_BASE_EXTD))
		fx->map_changed = true;
	if (changed & (VLAPIC_BASE_EN | VLAPIC_BASE_EXTD | VLAPIC_BASE_ADDR_MASK))
		fx->mode_changed = true;
	return 0;
}

/* ---- Acceptance, priority, acknowledge, EOI ---- */

void vlapic_error(struct vlapic *a, u32 esr_bit)
{
	u32 lvt = a->lvt[VLAPIC_LVT_ERROR];
	a->esr_pending |= esr_bit;
	/* An illegal error vector is not raised again: that would only record the same error. */
	if (!(lvt & VLAPIC_LVT_MASKED) && (u8)lvt >= VLAPIC_FIRST_LEGAL_VECTOR && vlapic_sw_enabled(a))
		irr_set(a, (u8)lvt);
}

bool vlapic_accept(struct vlapic *a, u8 vector, u8 delivery_mode, bool level, bool trigger_level)
{
	if (!vlapic_hw_enabled(a))
		return false;
	switch (delivery_mode) {
	case APIC_DM_FIXED:
	case APIC_DM_LOWEST:
		if (trigger_level && !level)
			return false; /* level-triggered de-assert */
		if (!vlapic_sw_enabled(a))
			return false; /* SDM §11.4.7.2: a software-disabled APIC takes no fixed interrupts */
		if (vector < VLAPIC_FIRST_LEGAL_VECTOR) { /* SDM §11.5.3 "Receive Illegal Vector" */
			vlapic_error(a, VLAPIC_ESR_RECEIVE_ILLEGAL_VECTOR);
			return true; /* the error interrupt may be pending now */
		}
		if (trigger_level)
			set_vec(a->tmr, vector);
		else
			clear_vec(a->tmr, vector);
		irr_set(a, vector);
		return true;
	case APIC_DM_NMI:
		a->nmi_pending = true;
		return true;
	case APIC_DM_SMI:
		a->smi_pending = true;
		return true;
	case APIC_DM_INIT:
		if (trigger_level && !level)
			return false; /* INIT level de-assert: only resets arbitration IDs on old CPUs */
		a->init_pending = true;
		a->sipi_pending = false; /* as KVM: pending_events = INIT only */
		return true;
	case APIC_DM_STARTUP:
		a->sipi_vector = vector;
		a->sipi_pending = true;
		return true;
	default:
		return false; /* ExtINT (no 8259 behind LINT0) and the reserved mode 3 */
	}
}

u32 vlapic_ppr(const struct vlapic *a)
{
	int isrv = highest_vec(a->isr);
	u32 tpr = a->tpr & 0xFF;

	if (isrv < 0 || VECTOR_CLASS(tpr) >= VECTOR_CLASS(isrv))
		return tpr;
	return VECTOR_CLASS(isrv);
}

int vlapic_highest_deliverable(const struct vlapic *a)
{
	int v = highest_vec(a->irr);

	if (!vlapic_hw_enabled(a) || v < 0)
		return -1;
	/* SDM §11.8.3.1: deliverable only if its priority class is above PPR[7:4]. */
	return VECTOR_CLASS(v) > VECTOR_CLASS(vlapic_ppr(a)) ? v : -1;
}

void vlapic_ack(struct vlapic *a, u8 vector)
{
	irr_clear(a, vector);
	set_vec(a->isr, vector);
}

/* EOI (SDM §11.8.5): the highest-priority ISR bit is cleared; the value written does not matter. */
void vlapic_eoi(struct vlapic *a, struct vlapic_effects *fx)
{
	int v = highest_vec(a->isr);

	if (v < 0)
		return;
	clear_vec(a->isr, (u8)v);
	fx->eoi_vector = v;
	fx->eoi_level = test_vec(a->tmr, (u8)v);
	fx->intr_changed = true;
}

bool vlapic_eoi_if_local(struct vlapic *a)
{
	if (a->irr_words)
		return false;
	int v = highest_vec(a->isr);
	if (v < 0) /* nothing in service: the EOI is ignored */
		return true;
	if (test_vec(a->tmr, (u8)v))
		return false;
	clear_vec(a->isr, (u8)v); /* as vlapic_eoi() */
	return true;
}

void vlapic_to_target(const struct vlapic *a, struct apic_target *t)
{
	t->vcpu_id = a->vcpu_id;
	t->x2apic = vlapic_x2apic_mode(a);
	t->hw_enabled = vlapic_hw_enabled(a);
	t->sw_enabled = vlapic_sw_enabled(a);
	t->xapic_id = a->xapic_id;
	t->ldr = a->ldr;
	t->dfr = a->dfr;
	t->ppr = (u8)vlapic_ppr(a);
}

bool vlapic_icr_plain_fixed(const struct vlapic *a, u32 low, struct apic_irq *irq)
{
	if (!vlapic_hw_enabled(a) || vlapic_x2apic_mode(a) || !vlapic_sw_enabled(a) || (low & VLAPIC_ICR_BUSY))
		return false; /* a busy bit written must read back 0: the full path republishes the register */
	*irq = vlapic_icr_message(a, low, a->icr_high);
	/* An edge vector with its TMR bit set clears it (vlapic_accept()): the EOI-exit bitmap changes. */
	return irq->delivery_mode == APIC_DM_FIXED && !irq->trigger_level && irq->vector >= VLAPIC_FIRST_LEGAL_VECTOR &&
	       !test_vec(a->tmr, irq->vector);
}
