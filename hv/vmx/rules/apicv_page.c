/* The virtual-APIC page as an image of the vlapic model, and the VMCS values derived from the model
 * (see apicv_page.h; SDM Vol. 3C ch. 30). */
#include "apicv_page.h"

#define REG_STRIDE 0x10u       /* registers sit 16 bytes apart; only the low 4 bytes are the register */
#define HIGH_DWORD 4u          /* x2APIC RDMSR reads 8 bytes: the register, then bytes 4-7 (0, or ICR high) */
#define VECTOR_WORDS 8u        /* ISR, TMR, IRR: eight 32-bit words each */
#define VECTORS_PER_WORD 32u
#define TPR_MASK 0xFFu
#define RVI_MASK 0xFFu
#define SVI_SHIFT 8
#define MSR_BITMAP_WRITE_LOW 2048u /* write bitmap for MSRs 0-1FFFH (SDM §25.6.9); the read one is at 0 */
#define BITS_PER_BYTE 8u

/* Sets of registers as masks of VLAPIC_REG_BIT(offset): a run of `count` consecutive registers from `first`. */
#define REGS(first, count) ((~0ull >> (64 - (count))) << ((first) / REG_STRIDE))

#define ID_AND_VERSION 2    /* 020H, 030H */
#define LDR_DFR_SVR 3       /* 0D0H, 0E0H, 0F0H */
#define ISR_TMR_IRR (3 * VECTOR_WORDS) /* 100H-270H */
#define ICR_AND_LVTS 8      /* 300H, 310H, then the six LVTs 320H-370H */

/* Memory-mapped reads the processor virtualizes with APIC-register virtualization (SDM §30.4.2). */
static const u64 xapic_reads = REGS(VLAPIC_REG_ID, ID_AND_VERSION) | REGS(VLAPIC_REG_TPR, 1) |
			       REGS(VLAPIC_REG_EOI, 1) | REGS(VLAPIC_REG_LDR, LDR_DFR_SVR) |
			       REGS(VLAPIC_REG_ISR, ISR_TMR_IRR) | REGS(VLAPIC_REG_ESR, 1) |
			       REGS(VLAPIC_REG_ICR_LOW, ICR_AND_LVTS) | REGS(VLAPIC_REG_TIMER_INITIAL, 1) |
			       REGS(VLAPIC_REG_TIMER_DIVIDE, 1);

/* x2APIC registers whose RDMSR goes to the page (SDM §30.5 reads any of 800H-8FFH from it; the MSR bitmap
 * intercepts the rest): those the model can read in x2APIC mode, except the current count (it moves). */
static const u64 x2apic_reads = REGS(VLAPIC_REG_ID, ID_AND_VERSION) | REGS(VLAPIC_REG_TPR, 1) |
				REGS(VLAPIC_REG_PPR, 1) | REGS(VLAPIC_REG_LDR, 1) | REGS(VLAPIC_REG_SVR, 1) |
				REGS(VLAPIC_REG_ISR, ISR_TMR_IRR) | REGS(VLAPIC_REG_ESR, 1) |
				REGS(VLAPIC_REG_ICR_LOW, 1) | REGS(VLAPIC_REG_LVT_TIMER, VLAPIC_NR_LVT) |
				REGS(VLAPIC_REG_TIMER_INITIAL, 1) | REGS(VLAPIC_REG_TIMER_DIVIDE, 1);

/* The lowest register offset in a non-empty mask. */
static u32 first_reg(u64 mask) { return (u32)__builtin_ctzll(mask) * REG_STRIDE; }

/* x2APIC writes virtualized without a VM exit (SDM §30.5): TPR, EOI, SELF_IPI. */
static const u32 x2apic_writes[] = { VLAPIC_REG_TPR, VLAPIC_REG_EOI, VLAPIC_REG_SELF_IPI };

static u32 msr_of(u32 reg) { return VLAPIC_X2APIC_MSR_FIRST + reg / REG_STRIDE; }

static void put32(u8 *page, u32 offset, u32 value) { __builtin_memcpy(page + offset, &value, sizeof(value)); }

u32 apicv_page_read(const u8 *page, u32 offset)
{
	return apicv_page_read32(page, offset & ~(u32)(sizeof(u32) - 1));
}

static int highest(const u32 *map)
{
	for (int w = VECTOR_WORDS - 1; w >= 0; w--)
		if (map[w])
			return w * (int)VECTORS_PER_WORD + 31 - __builtin_clz(map[w]);
	return -1;
}

enum apicv_mode apicv_mode_of(const struct vlapic *a, u64 ram_size)
{
	if (!vlapic_hw_enabled(a))
		return APICV_MODE_TRAP;
	if (vlapic_x2apic_mode(a))
		return APICV_MODE_X2APIC;
	u64 base = vlapic_base_address(a);
	return base == VLAPIC_DEFAULT_BASE && base >= ram_size ? APICV_MODE_XAPIC : APICV_MODE_TRAP;
}

void apicv_page_publish_interrupts(u8 *page, const struct vlapic *a)
{
	put32(page, VLAPIC_REG_TPR, a->tpr);
	put32(page, VLAPIC_REG_PPR, vlapic_ppr(a));
	for (u32 i = 0; i < VECTOR_WORDS; i++) {
		put32(page, VLAPIC_REG_ISR + i * REG_STRIDE, a->isr[i]);
		put32(page, VLAPIC_REG_TMR + i * REG_STRIDE, a->tmr[i]);
		put32(page, VLAPIC_REG_IRR + i * REG_STRIDE, a->irr[i]);
	}
}

/* None of the registers in the read lists is time-dependent (the current count is left out), so the
 * reads are made at time 0. */
static void publish_xapic(u8 *page, struct vlapic *a, u64 regs)
{
	for (u64 m = regs & xapic_reads; m; m &= m - 1) { /* only the changed ones: a few, not all 42 */
		u32 offset = first_reg(m), value;
		vlapic_mmio_read(a, 0, offset, sizeof(value), &value);
		put32(page, offset, value);
	}
}

static void publish_x2apic(u8 *page, struct vlapic *a, u64 regs)
{
	for (u64 m = regs & x2apic_reads; m; m &= m - 1) {
		u32 offset = first_reg(m);
		u64 value;
		vlapic_msr_read(a, 0, msr_of(offset), &value);
		put32(page, offset, (u32)value);
		put32(page, offset + HIGH_DWORD, (u32)(value >> 32));
	}
}

void apicv_page_publish_regs(u8 *page, struct vlapic *a, enum apicv_mode mode, u64 regs)
{
	apicv_page_publish_interrupts(page, a);
	if (mode == APICV_MODE_XAPIC)
		publish_xapic(page, a, regs);
	else if (mode == APICV_MODE_X2APIC)
		publish_x2apic(page, a, regs);
}

void apicv_page_publish(u8 *page, struct vlapic *a, enum apicv_mode mode)
{
	apicv_page_publish_regs(page, a, mode, VLAPIC_REGS_ALL);
}

void apicv_page_pull(struct vlapic *a, const u8 *page, enum apicv_mode mode)
{
	a->tpr = apicv_page_read32(page, VLAPIC_REG_TPR) & TPR_MASK;
	for (u32 i = 0; i < VECTOR_WORDS; i++) {
		a->isr[i] = apicv_page_read32(page, VLAPIC_REG_ISR + i * REG_STRIDE);
		a->irr[i] = apicv_page_read32(page, VLAPIC_REG_IRR + i * REG_STRIDE);
	}
	vlapic_irr_summarize(a);
	apicv_page_pull_icr_high(a, page, mode);
}

u16 apicv_page_request(u8 *page, u16 status, u8 vector)
{
	u32 offset = VLAPIC_REG_IRR + vector / VECTORS_PER_WORD * REG_STRIDE;
	put32(page, offset, apicv_page_read32(page, offset) | 1u << (vector % VECTORS_PER_WORD));
	return (status & RVI_MASK) >= vector ? status : (u16)((status & ~RVI_MASK) | vector);
}

/* The highest vector requested, from the IRR summary word (vlapic.h): one word read, not eight. */
static int highest_irr(const struct vlapic *a)
{
	if (!a->irr_words)
		return -1;
	u32 w = 31 - (u32)__builtin_clz(a->irr_words);
	return (int)(w * VECTORS_PER_WORD + 31 - (u32)__builtin_clz(a->irr[w]));
}

u16 apicv_intr_status(const struct vlapic *a)
{
	int rvi = highest_irr(a), svi = highest(a->isr);
	return (u16)((rvi < 0 ? 0 : rvi & RVI_MASK) | (svi < 0 ? 0 : svi) << SVI_SHIFT);
}

bool apicv_intr_idle(const struct vlapic *a)
{
	if (a->irr_words)
		return false;
	u32 any = 0;
	for (u32 i = 0; i < VECTOR_WORDS; i++)
		any |= a->isr[i];
	return !any;
}

void apicv_eoi_exit_bitmap(const struct vlapic *a, u64 out[APICV_EOI_EXIT_WORDS])
{
	for (u32 i = 0; i < APICV_EOI_EXIT_WORDS; i++)
		out[i] = a->tmr[2 * i] | (u64)a->tmr[2 * i + 1] << VECTORS_PER_WORD;
}

static void pass(u8 *bitmap, u32 base, u32 msr)
{
	bitmap[base + msr / BITS_PER_BYTE] &= (u8)~(1u << (msr % BITS_PER_BYTE));
}

void apicv_x2apic_msr_bitmap(u8 *bitmap)
{
	for (u64 m = x2apic_reads; m; m &= m - 1)
		pass(bitmap, 0, msr_of(first_reg(m)));
	for (u32 i = 0; i < ARRAY_SIZE(x2apic_writes); i++)
		pass(bitmap, MSR_BITMAP_WRITE_LOW, msr_of(x2apic_writes[i]));
}
