/* The local APIC as a guest sees it wherever microhv runs it from: emulated on every exit (SVM, VMX with
 * the suite option no-apicv) or with VMX's hardware APIC virtualization, where most reads come from the
 * virtual-APIC page and EOI, TPR and self-IPIs never exit (docs/apic.md). The same expectations hold in
 * both: the whole xAPIC register page with odd values written (masks, read-only and write-only registers,
 * holes), sub-register reads, IRR/ISR/TMR/PPR around a delivery, nested interrupts, CR8 and TPR, the set of
 * x2APIC MSRs that read or #GP, TPR blocking, and an xAPIC page moved away from its default base. */
#include "guest.h"
#include "hv/lib/fmt.h"

#define SPURIOUS 0xFF
#define VEC_OUTER 0x41  /* class 4 */
#define VEC_LEVEL 0x42  /* sent level-triggered: TMR set while in service */
#define VEC_INNER 0x81  /* class 8: preempts VEC_OUTER */
#define ALL_ONES 0xFFFFFFFFu
#define NOBODY 0x55u    /* an APIC ID no vCPU has: an IPI to it reaches nobody */
#define PAGE_SLOTS 64u  /* registers 000H-3F0H */
#define STRIDE 0x10u
#define MOVED_BASE 0xFED00000ull
#define VERSION_VALUE 0x00050014u /* 6 LVTs, integrated APIC (hv/apic/rules/vlapic.h) */
#define SETTLE_TSC (1ull << 20) /* long enough for an interrupt due at once to arrive */
#define GP0 FAULT(X86_VEC_GP, 0)
#define IF_CLEAR_HOLD_MS 35 /* IF = 0 for over three host ticks (HOST_TICK_MS) */

/* ---- The register page (xAPIC) ---- */

struct reg_case {
	u16 reg;
	u32 write;    /* written first (ALL_ONES: every bit) */
	u32 expected; /* then read back */
};

/* Written in this order, then every slot of the page is read: slots not listed read 0. */
static const struct reg_case page_cases[] = {
	{ APIC_LDR, 0x12345678, 0x12000000 },      /* logical ID only (bits 31:24) */
	{ APIC_DFR, 0, 0x0FFFFFFF },               /* bits 27:0 read 1 */
	{ APIC_SVR, 0xFFFFF1FF, 0x1FF },           /* bits 9:0 */
	{ APIC_TPR, 0xFFFFFF21, 0x21 },
	{ APIC_ESR, ALL_ONES, 0 },                 /* no error is ever recorded */
	{ APIC_LVT_TIMER, ALL_ONES, 0x000700FF },  /* vector, mask, timer mode */
	{ APIC_LVT_THERMAL, ALL_ONES, 0x000107FF }, /* vector, delivery mode, mask */
	{ APIC_LVT_PERF, ALL_ONES, 0x000107FF },
	{ APIC_LVT_LINT0, ALL_ONES, 0x0001A7FF },  /* + polarity, trigger mode */
	{ APIC_LVT_LINT1, ALL_ONES, 0x0001A7FF },
	{ APIC_LVT_ERROR, ALL_ONES, 0x000100FF },  /* vector, mask */
	{ APIC_TDCR, ALL_ONES, 0xB },
	{ APIC_ICR2, ALL_ONES, 0xFF000000 },       /* destination only */
	{ APIC_ICR2, NOBODY << APIC_ID_SHIFT, NOBODY << APIC_ID_SHIFT },
	{ APIC_ICR, APIC_ICR_LEVEL_ASSERT | 0x33, APIC_ICR_LEVEL_ASSERT | 0x33 }, /* sent to nobody */
};

static u32 expected_at(u32 reg)
{
	u32 value = 0;
	if (reg == APIC_VERSION)
		return VERSION_VALUE;
	if (reg == APIC_PPR)
		return 0x21; /* TPR, nothing in service */
	for (u32 i = 0; i < ARRAY_SIZE(page_cases); i++)
		if (page_cases[i].reg == reg)
			value = page_cases[i].expected; /* the last write counts */
	return value;
}

static void test_register_page(void)
{
	u32 wrong = 0;
	for (u32 i = 0; i < ARRAY_SIZE(page_cases); i++)
		xapic_write(page_cases[i].reg, page_cases[i].write);
	for (u32 slot = 0; slot < PAGE_SLOTS; slot++) {
		u32 reg = slot * STRIDE, got = xapic_read(reg);
		if (reg == APIC_TMCCT)
			continue; /* the timer is not running: 0, checked below */
		if (got != expected_at(reg)) {
			tap_diag("register 0x%03x reads 0x%08x, expected 0x%08x", reg, got, expected_at(reg));
			wrong++;
		}
	}
	CHECK_EQ(wrong, 0, "xapic_page_image");
	CHECK_EQ(xapic_read(APIC_TMCCT), 0, "xapic_tmcct_stopped");
	/* Sub-register reads: within a register's low 4 bytes, and past them (0). */
	volatile u8 *page = (volatile u8 *)(uintptr_t)lapic_mmio_base();
	CHECK_EQ(*(volatile u16 *)(page + APIC_VERSION + 2), VERSION_VALUE >> 16, "xapic_word_read");
	CHECK_EQ(page[APIC_LDR + 3], 0x12, "xapic_byte_read");
	CHECK_EQ(*(volatile u32 *)(page + APIC_LDR + 4), 0, "xapic_read_past_register");
	/* A 32-bit write that is not a register's low 4 bytes is ignored. */
	*(volatile u32 *)(page + APIC_TPR + 4) = 0x77;
	*(volatile u32 *)(page + APIC_LVT_ERROR + 2) = 0;
	CHECK_EQ(xapic_read(APIC_TPR), 0x21, "xapic_write_past_register_ignored");
	CHECK_EQ(xapic_read(APIC_LVT_ERROR), 0x000100FF, "xapic_misaligned_write_ignored");
	for (u32 i = 0; i < ARRAY_SIZE(page_cases); i++)
		if (page_cases[i].reg >= APIC_LVT_TIMER && page_cases[i].reg <= APIC_LVT_ERROR)
			xapic_write(page_cases[i].reg, APIC_LVT_MASKED);
	xapic_write(APIC_TPR, 0);
	xapic_write(APIC_ID, 0x05000000);
	CHECK_EQ(xapic_read(APIC_ID), 0x05000000, "xapic_id_writable");
	xapic_write(APIC_ID, 0);
}

/* ---- Interrupt state around deliveries ---- */

struct seen {
	u32 isr_outer, isr_inner, tmr_level, irr_outer, ppr;
	u64 count;
};
static volatile struct seen outer, inner, level;
static volatile bool hold; /* the VEC_OUTER handler leaves its vector in service */

static bool bit_of(u32 first_reg, u8 vector)
{
	return (lapic_read(first_reg + (vector / 32) * STRIDE) >> (vector % 32)) & 1;
}

static void record(volatile struct seen *s)
{
	s->isr_outer = bit_of(APIC_ISR, VEC_OUTER);
	s->isr_inner = bit_of(APIC_ISR, VEC_INNER);
	s->tmr_level = bit_of(APIC_TMR, VEC_LEVEL);
	s->irr_outer = bit_of(APIC_IRR, VEC_OUTER);
	s->ppr = lapic_read(APIC_PPR);
	s->count++;
}

static void on_inner(const struct exc_record *r) { record(&inner); lapic_eoi(); }
static void on_level(const struct exc_record *r) { record(&level); lapic_eoi(); }

static void on_outer(const struct exc_record *r)
{
	record(&outer);
	if (!hold)
		lapic_eoi();
}

/* A self-IPI of VEC_OUTER raised with IF = 0, then taken and left in service; a higher class is taken
 * on top of it (the guest runtime has no nested handlers: the outer one has returned without EOI); the
 * two EOIs retire them in priority order. `mode` names the cases. */
static void test_delivery(const char *mode)
{
	char name[48];
	outer = (struct seen){ 0 };
	inner = (struct seen){ 0 };
	hold = true;
	/* MSR reads and a CPUID: exits, so not between the CLI and the spin below */
	bool x2 = lapic_x2apic_mode();
	volatile u32 *icr = x2 ? NULL : (volatile u32 *)(uintptr_t)(lapic_mmio_base() + APIC_ICR);
	u64 hold_tsc = IF_CLEAR_HOLD_MS * TSC_PER_MS;
	cli();
	if (x2)
		x2apic_write(APIC_SELF_IPI, VEC_OUTER);
	else
		*icr = APIC_ICR_SH_SELF | APIC_ICR_LEVEL_ASSERT | APIC_ICR_DM_FIXED | VEC_OUTER;
	/* IF = 0 across several of microhv's 10 ms host ticks, with no exit since the CLI: an external
	 * interrupt for the host must not deliver the pending one (Bochs's virtual-interrupt delivery did). */
	u64 until = rdtsc() + hold_tsc;
	while (rdtsc() < until)
		cpu_relax();
	snprintf(name, sizeof(name), "%s_irr_while_blocked", mode);
	CHECK(bit_of(APIC_IRR, VEC_OUTER) && !outer.count, name);
	sti();
	irq_spin_until(rdtsc() + SETTLE_TSC);
	snprintf(name, sizeof(name), "%s_outer_once_in_service", mode);
	CHECK(outer.count == 1 && outer.isr_outer && !outer.irr_outer && outer.ppr == (VEC_OUTER & 0xF0), name);
	lapic_self_ipi(VEC_INNER);
	irq_spin_until(rdtsc() + SETTLE_TSC);
	snprintf(name, sizeof(name), "%s_inner_on_top_once", mode);
	CHECK(inner.count == 1 && inner.isr_outer && inner.isr_inner && inner.ppr == (VEC_INNER & 0xF0), name);
	snprintf(name, sizeof(name), "%s_outer_still_in_service", mode);
	CHECK(bit_of(APIC_ISR, VEC_OUTER) && !bit_of(APIC_ISR, VEC_INNER) && lapic_read(APIC_PPR) == (VEC_OUTER & 0xF0),
	      name);
	lapic_eoi();
	snprintf(name, sizeof(name), "%s_all_eoied", mode);
	CHECK(!bit_of(APIC_ISR, VEC_OUTER) && lapic_read(APIC_PPR) == 0 && outer.count == 1, name);
	hold = false;
}

/* A level-triggered self-IPI: TMR set while in service (the EOI is what an I/O APIC would wait for). */
static void test_level(const char *mode, bool x2)
{
	char name[48];
	u32 low = APIC_ICR_SH_SELF | APIC_ICR_TRIGGER_LEVEL | APIC_ICR_LEVEL_ASSERT | VEC_LEVEL;
	level = (struct seen){ 0 };
	if (x2)
		x2apic_write(APIC_ICR, low);
	else
		xapic_write(APIC_ICR, low);
	irq_spin_until(rdtsc() + SETTLE_TSC);
	snprintf(name, sizeof(name), "%s_level_once_tmr_set", mode);
	CHECK(level.count == 1 && level.tmr_level, name);
	snprintf(name, sizeof(name), "%s_level_eoied", mode);
	CHECK(!bit_of(APIC_ISR, VEC_LEVEL), name);
}

/* TPR blocks a class; lowering it delivers what waited, once. CR8 is the same register. */
static void test_tpr(const char *mode)
{
	char name[48];
	u64 cr8;
	outer = (struct seen){ 0 };
	lapic_set_tpr(0x50);
	lapic_self_ipi(VEC_OUTER);
	irq_spin_until(rdtsc() + SETTLE_TSC);
	snprintf(name, sizeof(name), "%s_tpr_blocks", mode);
	CHECK(!outer.count && bit_of(APIC_IRR, VEC_OUTER), name);
	asm volatile("mov %%cr8, %0" : "=r"(cr8));
	snprintf(name, sizeof(name), "%s_cr8_is_tpr", mode);
	CHECK_EQ(cr8, 5, name);
	asm volatile("mov %0, %%cr8" ::"r"(0ull) : "memory");
	irq_spin_until(rdtsc() + SETTLE_TSC);
	snprintf(name, sizeof(name), "%s_tpr_lowered_delivers_once", mode);
	CHECK(outer.count == 1 && lapic_read(APIC_TPR) == 0, name);
}

/* ---- x2APIC ---- */

static bool x2apic_readable(u32 msr)
{
	u32 reg = (msr - MSR_X2APIC_FIRST) << 4;
	return reg == APIC_ID || reg == APIC_VERSION || reg == APIC_TPR || reg == APIC_PPR || reg == APIC_LDR ||
	       reg == APIC_SVR || (reg >= APIC_ISR && reg <= APIC_ESR) || reg == APIC_ICR ||
	       (reg >= APIC_LVT_TIMER && reg <= APIC_TMCCT) || reg == APIC_TDCR;
}

static void test_x2apic_msrs(void)
{
	u32 wrong = 0;
	u64 icr = (u64)NOBODY << APIC_ICR_X2APIC_DEST_SHIFT | APIC_ICR_LEVEL_ASSERT | 0x33;
	x2apic_write(APIC_ICR, icr);
	for (u32 msr = MSR_X2APIC_FIRST; msr < MSR_X2APIC_FIRST + 0x100; msr++) {
		u64 v;
		bool ok = rdmsr_safe(msr, &v) == FAULT_NONE;
		if (ok != x2apic_readable(msr)) {
			tap_diag("RDMSR 0x%x %s", msr, ok ? "reads" : "faults");
			wrong++;
		}
	}
	CHECK_EQ(wrong, 0, "x2apic_readable_set");
	CHECK_EQ(x2apic_read(APIC_VERSION), VERSION_VALUE, "x2apic_version");
	CHECK_EQ(x2apic_read(APIC_LDR), 1, "x2apic_ldr");
	CHECK_EQ(x2apic_read(APIC_ICR), icr, "x2apic_icr_64bit");
	CHECK_EQ(x2apic_read(APIC_LVT_ERROR), APIC_LVT_MASKED, "x2apic_lvt_kept");
	CHECK_EQ(x2apic_write_safe(APIC_ID, 0), GP0, "x2apic_id_read_only");
	CHECK_EQ(x2apic_write_safe(APIC_PPR, 0), GP0, "x2apic_ppr_read_only");
	CHECK_EQ(x2apic_write_safe(APIC_EOI, 0), FAULT_NONE, "x2apic_eoi_write");
	x2apic_write(APIC_TPR, 0x30);
	u64 cr8;
	asm volatile("mov %%cr8, %0" : "=r"(cr8));
	CHECK(x2apic_read(APIC_TPR) == 0x30 && cr8 == 3, "x2apic_tpr_cr8");
	x2apic_write(APIC_TPR, 0);
}

/* ---- xAPIC page moved away from its default base ---- */

static void test_moved_base(void)
{
	u64 base = apic_base_get();
	CHECK_EQ(apic_base_set_safe(MOVED_BASE | (base & ~APIC_BASE_ADDR_MASK)), FAULT_NONE, "base_moved");
	CHECK_EQ(lapic_mmio_base(), MOVED_BASE, "base_moved_reads_back");
	CHECK_EQ(xapic_read(APIC_VERSION), VERSION_VALUE, "moved_version");
	lapic_setup(SPURIOUS);
	sti();
	test_delivery("moved");
	test_tpr("moved");
	cli();
	CHECK_EQ(apic_base_set_safe(base), FAULT_NONE, "base_back");
	CHECK_EQ(xapic_read(APIC_VERSION), VERSION_VALUE, "back_version");
}

void test_main(void)
{
	if (!require_microhv("apic_virt"))
		return;
	exc_set_handler(VEC_OUTER, on_outer);
	exc_set_handler(VEC_INNER, on_inner);
	exc_set_handler(VEC_LEVEL, on_level);
	lapic_setup(SPURIOUS);
	test_register_page();
	sti();
	test_delivery("xapic");
	test_level("xapic", false);
	test_tpr("xapic");
	cli();
	CHECK_EQ(lapic_enable_x2apic(), FAULT_NONE, "x2apic_enable");
	test_x2apic_msrs();
	sti();
	test_delivery("x2apic");
	test_level("x2apic", true);
	test_tpr("x2apic");
	cli();
	CHECK_EQ(lapic_disable(), FAULT_NONE, "disable");
	CHECK_EQ(lapic_enable_xapic(), FAULT_NONE, "xapic_again");
	test_moved_base();
}
