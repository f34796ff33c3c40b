/* Virtual local APIC register access: xAPIC MMIO and x2APIC MSRs over one register file, with KVM's
 * masks and #GP rules (spec §5.2, R5.1-R5.3, R5.7; KVM kvm_lapic_reg_read/write(), kvm_x2apic_msr_*()). */
#include "vlapic.h"

#define APIC_PAGE_SIZE 0x1000u
#define REG_STRIDE 0x10u
#define REG_ARRAY_SPAN (8 * REG_STRIDE) /* ISR, TMR, IRR: eight 32-bit registers each */

/* LVT fields (SDM Figure 11-8). Delivery status (12) and remote IRR (14) are read-only and read 0 here. */
#define LVT_VECTOR 0xFFu
#define LVT_DELIVERY_MODE (7u << 8)
#define LVT_POLARITY BIT(13)
#define LVT_TRIGGER_LEVEL BIT(15)
#define LVT_TIMER_MODE (3u << VLAPIC_LVT_TIMER_MODE_SHIFT)

static const u32 lvt_write_mask[VLAPIC_NR_LVT] = {
	[VLAPIC_LVT_TIMER] = LVT_VECTOR | VLAPIC_LVT_MASKED | LVT_TIMER_MODE,
	[VLAPIC_LVT_THERMAL] = LVT_VECTOR | LVT_DELIVERY_MODE | VLAPIC_LVT_MASKED,
	[VLAPIC_LVT_PERF] = LVT_VECTOR | LVT_DELIVERY_MODE | VLAPIC_LVT_MASKED,
	[VLAPIC_LVT_LINT0] = LVT_VECTOR | LVT_DELIVERY_MODE | LVT_POLARITY | LVT_TRIGGER_LEVEL | VLAPIC_LVT_MASKED,
	[VLAPIC_LVT_LINT1] = LVT_VECTOR | LVT_DELIVERY_MODE | LVT_POLARITY | LVT_TRIGGER_LEVEL | VLAPIC_LVT_MASKED,
	[VLAPIC_LVT_ERROR] = LVT_VECTOR | VLAPIC_LVT_MASKED,
};

#define TPR_MASK 0xFFu
#define XAPIC_ID_SHIFT 24
#define XAPIC_LDR_MASK 0xFF000000u   /* xAPIC LDR: logical ID in bits 31:24 (R5.2) */
#define XAPIC_DFR_ONES 0x0FFFFFFFu   /* DFR bits 27:0 read as 1 (R5.2) */
#define XAPIC_ICR_HIGH_MASK 0xFF000000u /* xAPIC destination field, ICR bits 63:56 */
#define SVR_WRITE_MASK 0x3FFu        /* vector, software enable, focus check; no directed-EOI bit 12 */
#define SELF_IPI_VECTOR 0xFFu

/* ICR low fields (SDM Figure 11-12). */
#define ICR_VECTOR 0xFFu
#define ICR_DM_SHIFT 8
#define ICR_DEST_LOGICAL BIT(11)
#define ICR_LEVEL_ASSERT BIT(14)
#define ICR_TRIGGER_LEVEL BIT(15)
#define ICR_SHORTHAND_SHIFT 18
/* x2APIC ICR reserved bits 31:20, 17:16 and 13 -> #GP (KVM X2APIC_ICR_RESERVED_BITS, R5.7). */
#define X2APIC_ICR_RESERVED 0xFFF32000ull

static bool in_array(u32 reg, u32 first) { return reg >= first && reg < first + REG_ARRAY_SPAN; }
static bool is_lvt(u32 reg) { return reg >= VLAPIC_REG_LVT_TIMER && reg <= VLAPIC_REG_LVT_ERROR; }
static u32 lvt_index(u32 reg) { return (reg - VLAPIC_REG_LVT_TIMER) / REG_STRIDE; }

/* The register at offset reg (16-byte aligned) as software reads it; -EINVAL if it is not readable in the
 * current mode: reserved, write-only (EOI, SELF_IPI), and in x2APIC mode APR, DFR and ICR high
 * (KVM kvm_lapic_readable_reg_mask()). */
static int reg_read(const struct vlapic *a, u64 now, u32 reg, u32 *val)
{
	bool x2 = vlapic_x2apic_mode(a);

	if (in_array(reg, VLAPIC_REG_ISR)) {
		*val = a->isr[(reg - VLAPIC_REG_ISR) / REG_STRIDE];
		return 0;
	}
	if (in_array(reg, VLAPIC_REG_TMR)) {
		*val = a->tmr[(reg - VLAPIC_REG_TMR) / REG_STRIDE];
		return 0;
	}
	if (in_array(reg, VLAPIC_REG_IRR)) {
		*val = a->irr[(reg - VLAPIC_REG_IRR) / REG_STRIDE];
		return 0;
	}
	if (is_lvt(reg)) {
		*val = a->lvt[lvt_index(reg)];
		return 0;
	}
	switch (reg) {
	case VLAPIC_REG_ID:
		*val = x2 ? a->vcpu_id : (u32)a->xapic_id << XAPIC_ID_SHIFT;
		return 0;
	case VLAPIC_REG_VERSION:
		*val = VLAPIC_VERSION_REG;
		return 0;
	case VLAPIC_REG_TPR:
		*val = a->tpr;
		return 0;
	case VLAPIC_REG_PPR:
		*val = vlapic_ppr(a);
		return 0;
	case VLAPIC_REG_LDR:
		*val = a->ldr;
		return 0;
	case VLAPIC_REG_SVR:
		*val = a->svr;
		return 0;
	case VLAPIC_REG_ESR:
		*val = a->esr;
		return 0;
	case VLAPIC_REG_ICR_LOW:
		*val = a->icr_low;
		return 0;
	case VLAPIC_REG_TIMER_INITIAL:
		*val = a->timer_initial;
		return 0;
	case VLAPIC_REG_TIMER_CURRENT:
		*val = vlapic_timer_current(a, now);
		return 0;
	case VLAPIC_REG_TIMER_DIVIDE:
		*val = a->timer_divide;
		return 0;
	case VLAPIC_REG_APR:
	case VLAPIC_REG_DFR:
	case VLAPIC_REG_ICR_HIGH:
		if (x2)
			return -EINVAL;
		*val = reg == VLAPIC_REG_APR ? 0 : reg == VLAPIC_REG_DFR ? a->dfr : a->icr_high;
		return 0;
	default:
		return -EINVAL;
	}
}

/* Turn an ICR write into an IPI request; busy (delivery status) is cleared: delivery is immediate. */
static void send_icr(struct vlapic *a, u32 low, u32 high, struct vlapic_effects *fx)
{
	bool x2 = vlapic_x2apic_mode(a);

	low &= ~VLAPIC_ICR_BUSY;
	a->icr_low = low;
	if (x2)
		a->icr_high = high;
	u32 mode = (low >> ICR_DM_SHIFT) & 7;
	if ((mode == APIC_DM_FIXED || mode == APIC_DM_LOWEST) && (low & ICR_VECTOR) < VLAPIC_FIRST_LEGAL_VECTOR) {
		vlapic_error(a, VLAPIC_ESR_SEND_ILLEGAL_VECTOR); /* SDM §11.5.3: the message is not sent */
		fx->intr_changed = true;
		return;
	}
	fx->ipi = true;
	fx->ipi_msg = vlapic_icr_message(a, low, high);
}

struct apic_irq vlapic_icr_message(const struct vlapic *a, u32 low, u32 high)
{
	return (struct apic_irq){
		.vector = low & ICR_VECTOR,
		.delivery_mode = (low >> ICR_DM_SHIFT) & 7,
		.logical = (low & ICR_DEST_LOGICAL) != 0,
		.shorthand = (low >> ICR_SHORTHAND_SHIFT) & 3,
		.dest = vlapic_x2apic_mode(a) ? high : high >> XAPIC_ID_SHIFT,
		.level = (low & ICR_LEVEL_ASSERT) != 0,
		.trigger_level = (low & ICR_TRIGGER_LEVEL) != 0,
	};
}

static void write_lvt(struct vlapic *a, u32 i, u32 val, struct vlapic_effects *fx)
{
	u32 old = a->lvt[i];

	if (!vlapic_sw_enabled(a))
		val |= VLAPIC_LVT_MASKED; /* SDM §11.4.7.2: mask bits cannot be cleared while software-disabled */
	a->lvt[i] = val & lvt_write_mask[i];
	if (i == VLAPIC_LVT_TIMER)
		vlapic_timer_write_lvt(a, old, fx);
}

static void write_svr(struct vlapic *a, u32 val, struct vlapic_effects *fx)
{
	u32 old = a->svr;

	a->svr = val & SVR_WRITE_MASK;
	if ((old ^ a->svr) & VLAPIC_SVR_ENABLE)
		fx->map_changed = true;
	if (!vlapic_sw_enabled(a)) /* SDM §11.4.7.2: software disable sets every LVT mask bit */
		for (u32 i = 0; i < VLAPIC_NR_LVT; i++)
			a->lvt[i] |= VLAPIC_LVT_MASKED;
}

/* Write a 32-bit register; -EINVAL if it is not writable in the current mode (x2APIC: #GP, MMIO: ignored). */
static int reg_write(struct vlapic *a, u64 now, u32 reg, u32 val, struct vlapic_effects *fx)
{
	bool x2 = vlapic_x2apic_mode(a);

	if (is_lvt(reg)) {
		write_lvt(a, lvt_index(reg), val, fx);
		return 0;
	}
	switch (reg) {
	case VLAPIC_REG_ID: /* writable in xAPIC mode (KVM, R5.1), read-only in x2APIC mode */
	case VLAPIC_REG_LDR:
	case VLAPIC_REG_DFR:
	case VLAPIC_REG_ICR_HIGH:
	case VLAPIC_REG_ICR_LOW: /* the x2APIC ICR is the 64-bit MSR path */
		if (x2)
			return -EINVAL;
		if (reg == VLAPIC_REG_ID)
			a->xapic_id = (u8)(val >> XAPIC_ID_SHIFT);
		else if (reg == VLAPIC_REG_LDR)
			a->ldr = val & XAPIC_LDR_MASK;
		else if (reg == VLAPIC_REG_DFR)
			a->dfr = val | XAPIC_DFR_ONES;
		else if (reg == VLAPIC_REG_ICR_HIGH)
			a->icr_high = val & XAPIC_ICR_HIGH_MASK;
		else
			send_icr(a, val, a->icr_high, fx);
		if (reg != VLAPIC_REG_ICR_LOW && reg != VLAPIC_REG_ICR_HIGH)
			fx->map_changed = true;
		return 0;
	case VLAPIC_REG_TPR:
		a->tpr = val & TPR_MASK;
		fx->intr_changed = true;
		return 0;
	case VLAPIC_REG_EOI:
		vlapic_eoi(a, fx);
		return 0;
	case VLAPIC_REG_SVR:
		write_svr(a, val, fx);
		return 0;
	case VLAPIC_REG_ESR: /* a write latches the errors seen since the last one (SDM §11.5.3); x2APIC: only 0 */
		if (x2 && val)
			return -EINVAL;
		a->esr = a->esr_pending;
		a->esr_pending = 0;
		return 0;
	case VLAPIC_REG_TIMER_INITIAL:
		vlapic_timer_write_initial(a, now, val, fx);
		return 0;
	case VLAPIC_REG_TIMER_DIVIDE:
		vlapic_timer_write_divide(a, now, val, fx);
		return 0;
	case VLAPIC_REG_SELF_IPI: /* x2APIC only; bits 31:8 reserved (SDM §11.12.11) */
		if (!x2 || (val & ~SELF_IPI_VECTOR))
			return -EINVAL;
		vlapic_accept(a, (u8)val, APIC_DM_FIXED, true, false);
		fx->intr_changed = true;
		return 0;
	default:
		return -EINVAL;
	}
}

/* KVM_X86_QUIRK_LAPIC_MMIO_HOLE (default on): no xAPIC page while disabled or in x2APIC mode. */
static bool mmio_hole(const struct vlapic *a) { return !vlapic_hw_enabled(a) || vlapic_x2apic_mode(a); }

int vlapic_mmio_read(struct vlapic *a, u64 now, u32 offset, u32 size, u32 *value)
{
	u32 align = offset % REG_STRIDE, v;
	u32 size_mask = size >= 4 ? 0xFFFFFFFFu : (1u << (size * 8)) - 1;

	*value = 0;
	if (mmio_hole(a)) {
		*value = size_mask;
		return VLAPIC_MMIO_IGNORED;
	}
	if ((size != 1 && size != 2 && size != 4) || align + size > 4 || offset >= APIC_PAGE_SIZE)
		return VLAPIC_MMIO_IGNORED;
	if (reg_read(a, now, offset - align, &v))
		return VLAPIC_MMIO_IGNORED;
	*value = (v >> (align * 8)) & size_mask;
	return VLAPIC_MMIO_DONE;
}

int vlapic_mmio_write(struct vlapic *a, u64 now, u32 offset, u32 size, u32 value, struct vlapic_effects *fx)
{
	struct vlapic_effects scratch;

	if (!fx)
		fx = &scratch;
	vlapic_fx_clear(fx);
	/* SDM §11.4.1: registers are 128-bit aligned and accessed with aligned 32-bit loads and stores. */
	if (mmio_hole(a) || size != 4 || offset % REG_STRIDE || offset >= APIC_PAGE_SIZE)
		return VLAPIC_MMIO_IGNORED;
	return reg_write(a, now, offset, value, fx) ? VLAPIC_MMIO_IGNORED : VLAPIC_MMIO_DONE;
}

static bool x2apic_msr(const struct vlapic *a, u32 msr)
{
	return vlapic_x2apic_mode(a) && msr >= VLAPIC_X2APIC_MSR_FIRST && msr <= VLAPIC_X2APIC_MSR_LAST;
}

static u32 msr_to_reg(u32 msr) { return (msr - VLAPIC_X2APIC_MSR_FIRST) * REG_STRIDE; }

int vlapic_msr_read(struct vlapic *a, u64 now, u32 msr, u64 *value)
{
	u32 reg = msr_to_reg(msr), v;

	*value = 0;
	if (!x2apic_msr(a, msr))
		return -EINVAL; /* not in x2APIC mode: every x2APIC MSR faults */
	if (reg == VLAPIC_REG_ICR_LOW) {
		*value = a->icr_low | (u64)a->icr_high << 32; /* one 64-bit register in x2APIC mode */
		return 0;
	}
	if (reg_read(a, now, reg, &v))
		return -EINVAL;
	*value = v;
	return 0;
}

int vlapic_msr_write(struct vlapic *a, u64 now, u32 msr, u64 value, struct vlapic_effects *fx)
{
	struct vlapic_effects scratch;
	u32 reg = msr_to_reg(msr);

	if (!fx)
		fx = &scratch;
	vlapic_fx_clear(fx);
	if (!x2apic_msr(a, msr))
		return -EINVAL;
	if (reg == VLAPIC_REG_ICR_LOW) {
		if (value & X2APIC_ICR_RESERVED)
			return -EINVAL;
		send_icr(a, (u32)value, (u32)(value >> 32), fx); /* BUSY (bit 12) silently cleared */
		return 0;
	}
	if (value >> 32)
		return -EINVAL; /* every other x2APIC register is 32 bits wide (KVM kvm_lapic_msr_write()) */
	return reg_write(a, now, reg, (u32)value, fx);
}

void vlapic_set_cr8(struct vlapic *a, u64 cr8, struct vlapic_effects *fx)
{
	struct vlapic_effects scratch;

	if (!fx)
		fx = &scratch;
	vlapic_fx_clear(fx);
	a->tpr = (u32)(cr8 & 0xF) << 4;
	fx->intr_changed = true;
}

u64 vlapic_get_cr8(const struct vlapic *a) { return (a->tpr >> 4) & 0xF; }

u64 vlapic_regs_written(u32 offset)
{
	switch (offset) {
	case VLAPIC_REG_TPR: /* the interrupt state only */
	case VLAPIC_REG_EOI:
	case VLAPIC_REG_SELF_IPI:
	case VLAPIC_REG_TIMER_CURRENT: /* read-only, and not in the page (it moves) */
		return VLAPIC_REGS_NONE;
	case VLAPIC_REG_ID:
	case VLAPIC_REG_LDR:
	case VLAPIC_REG_DFR:
	case VLAPIC_REG_ESR:
	case VLAPIC_REG_ICR_LOW: /* in x2APIC mode the whole 64-bit ICR: one slot */
	case VLAPIC_REG_ICR_HIGH:
	case VLAPIC_REG_LVT_THERMAL:
	case VLAPIC_REG_LVT_PERF:
	case VLAPIC_REG_LVT_LINT0:
	case VLAPIC_REG_LVT_LINT1:
	case VLAPIC_REG_LVT_ERROR:
	case VLAPIC_REG_TIMER_INITIAL:
	case VLAPIC_REG_TIMER_DIVIDE:
		return VLAPIC_REG_BIT(offset);
	case VLAPIC_REG_LVT_TIMER:
		return VLAPIC_REG_BIT(offset) | VLAPIC_REG_BIT(VLAPIC_REG_TIMER_INITIAL);
	default: /* SVR, and whatever is not a plain register */
		return VLAPIC_REGS_ALL;
	}
}
