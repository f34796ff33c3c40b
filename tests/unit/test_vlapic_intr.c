/* Host unit tests for the virtual local APIC's interrupt side (hv/apic/rules/vlapic.h): acceptance per KVM
 * __apic_accept_irq() (spec §5.2), priority, PPR and EOI (SDM Vol. 3A §11.8.3.1, §11.8.4, §11.8.5), and the
 * timer on virtual time (SDM §11.5.4, §11.5.4.1), with explicit `now` values. The timer's clock is the
 * TSC: a count of N with divide-by-D expires N * D TSC ticks after the initial-count write. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "hv/apic/rules/vlapic.h"

#define TPR 0x080u
#define PPR 0x0A0u
#define EOI 0x0B0u
#define SVR 0x0F0u
#define IRR 0x200u
#define LVTT 0x320u
#define TMICT 0x380u
#define TMCCT 0x390u
#define TDCR 0x3E0u
#define MASKED (1u << 16)
#define PERIODIC (1u << 17)
#define DEADLINE (2u << 17)
#define DIV1 0xBu

static u32 rd(struct vlapic *a, u64 now, u32 off)
{
	u32 v = 0xDEADBEEF;
	assert_int_equal(vlapic_mmio_read(a, now, off, 4, &v), VLAPIC_MMIO_DONE);
	return v;
}

static void wr(struct vlapic *a, u64 now, u32 off, u32 val, struct vlapic_effects *fx)
{
	assert_int_equal(vlapic_mmio_write(a, now, off, 4, val, fx), VLAPIC_MMIO_DONE);
}

static void setup(struct vlapic *a)
{
	vlapic_reset(a, 1, false);
	wr(a, 0, SVR, 0x1FF, NULL);
}

static bool irr_has(struct vlapic *a, u8 v) { return (rd(a, 0, IRR + (v / 32) * 0x10) >> (v % 32)) & 1; }
static bool isr_has(struct vlapic *a, u8 v) { return (rd(a, 0, 0x100 + (v / 32) * 0x10) >> (v % 32)) & 1; }
static bool tmr_has(struct vlapic *a, u8 v) { return (rd(a, 0, 0x180 + (v / 32) * 0x10) >> (v % 32)) & 1; }

/* ---- Acceptance ---- */

static void test_accept_fixed_and_tmr(void **state)
{
	struct vlapic a;
	setup(&a);
	assert_true(vlapic_accept(&a, 0x41, APIC_DM_FIXED, true, false));
	assert_true(irr_has(&a, 0x41));
	assert_false(tmr_has(&a, 0x41));
	assert_true(vlapic_accept(&a, 0xE5, APIC_DM_LOWEST, true, true)); /* level: TMR set */
	assert_true(irr_has(&a, 0xE5));
	assert_true(tmr_has(&a, 0xE5));
	assert_false(vlapic_accept(&a, 0x52, APIC_DM_FIXED, false, true)); /* level de-assert dropped */
	assert_false(irr_has(&a, 0x52));
	assert_true(vlapic_accept(&a, 0x53, APIC_DM_FIXED, false, false)); /* edge: level bit irrelevant */
	assert_true(irr_has(&a, 0x53));
	assert_false(vlapic_accept(&a, 0x30, APIC_DM_EXTINT, true, false));
	assert_false(vlapic_accept(&a, 0x30, 3, true, false)); /* reserved mode */
	assert_int_equal(rd(&a, 0, IRR + 0x10), 0);
}

/* The summary word the exit path tests (irr_words) follows IRR through accept, ack and INIT. */
static void test_irr_summary_word(void **state)
{
	struct vlapic a;
	setup(&a);
	assert_int_equal(a.irr_words, 0);
	vlapic_accept(&a, 0x41, APIC_DM_FIXED, true, false);
	vlapic_accept(&a, 0x45, APIC_DM_FIXED, true, false);
	vlapic_accept(&a, 0xE5, APIC_DM_FIXED, true, false);
	assert_int_equal(a.irr_words, (1u << 2) | (1u << 7));
	vlapic_ack(&a, 0xE5);
	assert_int_equal(a.irr_words, 1u << 2);
	vlapic_ack(&a, 0x45);
	assert_int_equal(a.irr_words, 1u << 2); /* 0x41 still requested in word 2 */
	vlapic_ack(&a, 0x41);
	assert_int_equal(a.irr_words, 0);
	vlapic_accept(&a, 0x80, APIC_DM_FIXED, true, false);
	vlapic_init_signal(&a);
	assert_int_equal(a.irr_words, 0);
}

static void test_accept_nmi_init_sipi(void **state)
{
	struct vlapic a;
	setup(&a);
	assert_true(vlapic_accept(&a, 0x99, APIC_DM_NMI, true, false));
	assert_true(a.nmi_pending);
	assert_false(irr_has(&a, 0x99)); /* NMI ignores the vector */
	assert_true(vlapic_accept(&a, 0x9A, APIC_DM_STARTUP, true, false));
	assert_true(a.sipi_pending);
	assert_int_equal(a.sipi_vector, 0x9A);
	assert_false(vlapic_accept(&a, 0, APIC_DM_INIT, false, true)); /* INIT level de-assert */
	assert_false(a.init_pending);
	assert_true(a.sipi_pending);
	assert_true(vlapic_accept(&a, 0, APIC_DM_INIT, true, true)); /* INIT assert: any earlier SIPI is gone */
	assert_true(a.init_pending);
	assert_false(a.sipi_pending);
	assert_true(vlapic_accept(&a, 0x10, APIC_DM_STARTUP, true, false));
	assert_true(a.sipi_pending && a.init_pending);
	assert_int_equal(a.sipi_vector, 0x10);
}

/* ---- Priority (SDM §11.8.3.1) ---- */

static void test_priority_nested_isr_and_eoi(void **state)
{
	struct vlapic a;
	struct vlapic_effects fx;
	setup(&a);
	vlapic_accept(&a, 0x31, APIC_DM_FIXED, true, false);
	vlapic_accept(&a, 0x45, APIC_DM_FIXED, true, true);
	assert_int_equal(vlapic_highest_deliverable(&a), 0x45);
	vlapic_ack(&a, 0x45);
	assert_false(irr_has(&a, 0x45));
	assert_true(isr_has(&a, 0x45));
	assert_int_equal(rd(&a, 0, PPR), 0x40);
	assert_int_equal(vlapic_highest_deliverable(&a), -1); /* 0x31: class 3 <= 4 */
	vlapic_accept(&a, 0x4F, APIC_DM_FIXED, true, false);
	assert_int_equal(vlapic_highest_deliverable(&a), -1); /* same class as the one in service */
	vlapic_accept(&a, 0x51, APIC_DM_FIXED, true, false);
	assert_int_equal(vlapic_highest_deliverable(&a), 0x51);
	vlapic_ack(&a, 0x51); /* nested */
	assert_int_equal(rd(&a, 0, PPR), 0x50);
	assert_int_equal(vlapic_highest_deliverable(&a), -1);
	wr(&a, 0, EOI, 0, &fx); /* clears the highest ISR bit: 0x51 */
	assert_int_equal(fx.eoi_vector, 0x51);
	assert_false(fx.eoi_level);
	assert_true(fx.intr_changed);
	assert_true(isr_has(&a, 0x45));
	assert_int_equal(rd(&a, 0, PPR), 0x40);
	wr(&a, 0, EOI, 0x12345678, &fx); /* the value written does not matter */
	assert_int_equal(fx.eoi_vector, 0x45);
	assert_true(fx.eoi_level); /* was accepted level-triggered: forward to the IOAPIC */
	assert_int_equal(rd(&a, 0, PPR), 0);
	assert_int_equal(vlapic_highest_deliverable(&a), 0x4F);
	vlapic_ack(&a, 0x4F);
	assert_int_equal(vlapic_highest_deliverable(&a), -1);
	wr(&a, 0, EOI, 0, NULL);
	assert_int_equal(vlapic_highest_deliverable(&a), 0x31);
	vlapic_ack(&a, 0x31);
	wr(&a, 0, EOI, 0, NULL);
	wr(&a, 0, EOI, 0, &fx); /* ISR empty: nothing to do */
	assert_int_equal(fx.eoi_vector, -1);
	assert_false(fx.intr_changed);
}

/* vlapic_eoi_if_local(): the EOI the fast path may complete is the one that retires an edge-triggered
 * vector (or none) with nothing waiting in IRR; anything else is left to the full path, untouched. */
static void test_eoi_if_local(void **state)
{
	struct vlapic a;
	setup(&a);
	assert_true(vlapic_eoi_if_local(&a)); /* nothing in service: ignored, as vlapic_eoi() */
	vlapic_accept(&a, 0x61, APIC_DM_FIXED, true, false);
	vlapic_ack(&a, 0x61);
	vlapic_accept(&a, 0x72, APIC_DM_FIXED, true, true);
	vlapic_ack(&a, 0x72); /* level, on top of 0x61 */
	assert_false(vlapic_eoi_if_local(&a)); /* the I/O APIC must hear of 0x72 */
	assert_true(isr_has(&a, 0x72));
	wr(&a, 0, EOI, 0, NULL);
	vlapic_accept(&a, 0x35, APIC_DM_FIXED, true, false); /* waits below 0x61's class */
	assert_false(vlapic_eoi_if_local(&a)); /* the lower PPR would make 0x35 deliverable */
	assert_true(isr_has(&a, 0x61));
	vlapic_ack(&a, 0x35);
	assert_true(vlapic_eoi_if_local(&a)); /* retires 0x61, the highest in service (edge) */
	assert_false(isr_has(&a, 0x61));
	assert_true(isr_has(&a, 0x35));
	assert_int_equal(rd(&a, 0, PPR), 0x30);
	assert_true(vlapic_eoi_if_local(&a));
	assert_false(isr_has(&a, 0x35));
	assert_int_equal(rd(&a, 0, PPR), 0);
}

/* vlapic_icr_plain_fixed(): only a fixed, edge-triggered ICR write of a legal vector, busy bit clear, from an
 * enabled xAPIC-mode APIC, to a vector whose TMR bit is clear, qualifies for the fast path; ICR high gives
 * the destination. */
static void test_icr_plain_fixed(void **state)
{
	struct vlapic a;
	struct apic_irq irq;
	setup(&a);
	a.icr_high = 0x01000000u;
	assert_true(vlapic_icr_plain_fixed(&a, 0x00004041u, &irq)); /* fixed, assert, physical, 0x41 */
	assert_int_equal(irq.vector, 0x41);
	assert_int_equal(irq.dest, 1);
	assert_int_equal(irq.delivery_mode, APIC_DM_FIXED);
	assert_false(vlapic_icr_plain_fixed(&a, 0x0000C041u, &irq)); /* level-triggered */
	assert_false(vlapic_icr_plain_fixed(&a, 0x0000400Fu, &irq)); /* illegal vector: ESR, full path */
	assert_false(vlapic_icr_plain_fixed(&a, 0x00005041u, &irq)); /* busy bit written */
	assert_false(vlapic_icr_plain_fixed(&a, 0x00004441u, &irq)); /* NMI */
	assert_false(vlapic_icr_plain_fixed(&a, 0x00004141u, &irq)); /* lowest priority */
	vlapic_accept(&a, 0x41, APIC_DM_FIXED, true, true);
	assert_true(tmr_has(&a, 0x41));
	assert_false(vlapic_icr_plain_fixed(&a, 0x00004041u, &irq)); /* an edge 0x41 would clear TMR */
	assert_true(vlapic_icr_plain_fixed(&a, 0x00004042u, &irq));
	wr(&a, 0, SVR, 0xFF, NULL); /* software-disabled */
	assert_false(vlapic_icr_plain_fixed(&a, 0x00004042u, &irq));
	wr(&a, 0, SVR, 0x1FF, NULL);
	a.apic_base |= VLAPIC_BASE_EXTD; /* x2APIC: the ICR is an MSR, never this exit */
	assert_false(vlapic_icr_plain_fixed(&a, 0x00004042u, &irq));
	a.apic_base &= ~(u64)(VLAPIC_BASE_EXTD | VLAPIC_BASE_EN);
	assert_false(vlapic_icr_plain_fixed(&a, 0x00004042u, &irq));
}

static void test_tpr_blocks_lower_classes(void **state)
{
	struct vlapic a;
	struct vlapic_effects fx;
	setup(&a);
	wr(&a, 0, TPR, 0x55, &fx);
	assert_true(fx.intr_changed);
	assert_int_equal(rd(&a, 0, PPR), 0x55); /* TPR class >= ISR class: PPR = TPR, low nibble too */
	vlapic_accept(&a, 0x5F, APIC_DM_FIXED, true, false);
	assert_int_equal(vlapic_highest_deliverable(&a), -1);
	vlapic_accept(&a, 0x20, APIC_DM_FIXED, true, false);
	assert_int_equal(vlapic_highest_deliverable(&a), -1);
	vlapic_accept(&a, 0x60, APIC_DM_FIXED, true, false);
	assert_int_equal(vlapic_highest_deliverable(&a), 0x60);
	vlapic_ack(&a, 0x60);
	assert_int_equal(rd(&a, 0, PPR), 0x60); /* ISR class wins: low nibble 0 */
	wr(&a, 0, TPR, 0x6A, NULL); /* equal classes: PPR = TPR, low nibble included */
	assert_int_equal(rd(&a, 0, PPR), 0x6A);
	wr(&a, 0, EOI, 0, NULL);
	wr(&a, 0, TPR, 0x4F, NULL);
	assert_int_equal(vlapic_highest_deliverable(&a), 0x5F);
	wr(&a, 0, TPR, 0, NULL);
	assert_int_equal(vlapic_highest_deliverable(&a), 0x5F);
	/* CR8 is TPR[7:4] (SDM §11.8.6). */
	vlapic_set_cr8(&a, 6, &fx);
	assert_true(fx.intr_changed);
	assert_int_equal(rd(&a, 0, TPR), 0x60);
	assert_int_equal(vlapic_get_cr8(&a), 6);
	assert_int_equal(vlapic_highest_deliverable(&a), -1);
	wr(&a, 0, TPR, 0xAB, NULL);
	assert_int_equal(vlapic_get_cr8(&a), 0xA);
}

static void test_hw_disabled_delivers_nothing(void **state)
{
	struct vlapic a;
	setup(&a);
	vlapic_accept(&a, 0x80, APIC_DM_FIXED, true, false);
	a.apic_base &= ~VLAPIC_BASE_EN; /* as seen before vlapic_set_base() resets the registers */
	assert_int_equal(vlapic_highest_deliverable(&a), -1);
	assert_false(vlapic_accept(&a, 0x81, APIC_DM_FIXED, true, false));
	assert_false(vlapic_accept(&a, 0, APIC_DM_INIT, true, false));
}

/* ---- Timer ---- */

static void test_timer_one_shot(void **state)
{
	struct vlapic a;
	struct vlapic_effects fx;
	setup(&a);
	wr(&a, 5000, LVTT, 0x30, &fx);
	wr(&a, 5000, TDCR, DIV1, &fx);
	wr(&a, 5000, TMICT, 1000, &fx);
	assert_true(fx.timer_changed);
	assert_int_equal(vlapic_timer_next(&a), 6000);
	assert_int_equal(rd(&a, 5000, TMCCT), 1000);
	assert_int_equal(rd(&a, 5500, TMCCT), 500);
	assert_int_equal(rd(&a, 5999, TMCCT), 1);
	assert_int_equal(rd(&a, 6000, TMCCT), 0);
	assert_false(vlapic_timer_fire(&a, 5999));
	assert_false(irr_has(&a, 0x30));
	assert_true(vlapic_timer_fire(&a, 6000));
	assert_true(irr_has(&a, 0x30));
	assert_int_equal(vlapic_timer_next(&a), 0);
	assert_int_equal(rd(&a, 7000, TMCCT), 0);
	assert_int_equal(rd(&a, 7000, TMICT), 1000);
	assert_false(vlapic_timer_fire(&a, 7000)); /* one fire only */
	wr(&a, 8000, TMICT, 10, NULL);           /* a new write restarts it */
	assert_int_equal(vlapic_timer_next(&a), 8010);
	wr(&a, 8005, TMICT, 0, &fx);              /* 0 stops it */
	assert_true(fx.timer_changed);
	assert_int_equal(vlapic_timer_next(&a), 0);
	assert_int_equal(rd(&a, 8006, TMCCT), 0);
}

static void test_timer_divide_values(void **state)
{
	static const struct { u32 tdcr; u64 div; } table[] = { /* SDM Figure 11-10 */
		{ 0x0, 2 }, { 0x1, 4 }, { 0x2, 8 }, { 0x3, 16 }, { 0x8, 32 }, { 0x9, 64 }, { 0xA, 128 }, { 0xB, 1 },
		{ 0xF4, 2 }, /* bits 2 and 31:4 ignored */
	};
	struct vlapic a;
	for (unsigned i = 0; i < ARRAY_SIZE(table); i++) {
		setup(&a);
		wr(&a, 100, LVTT, 0x30, NULL);
		wr(&a, 100, TDCR, table[i].tdcr, NULL);
		wr(&a, 100, TMICT, 50, NULL);
		if (vlapic_timer_next(&a) != 100 + 50 * table[i].div)
			fail_msg("TDCR 0x%x: expiry %llu, want %llu", table[i].tdcr, vlapic_timer_next(&a),
				 100 + 50 * table[i].div);
		assert_int_equal(rd(&a, 100 + table[i].div, TMCCT), 49);
	}
	setup(&a);
	wr(&a, 0, TDCR, 0x3, NULL); /* divide by 16 */
	wr(&a, 0, TMICT, 100, NULL);
	assert_int_equal(rd(&a, 1, TMCCT), 100); /* the count drops after a whole divided tick */
	assert_int_equal(rd(&a, 16, TMCCT), 99);
	assert_int_equal(rd(&a, 800, TMCCT), 50);
	wr(&a, 800, TDCR, 0xB, NULL); /* divide by 1 while counting: the count of 50 is kept */
	assert_int_equal(rd(&a, 800, TMCCT), 50);
	assert_int_equal(vlapic_timer_next(&a), 850);
}

static void test_timer_periodic(void **state)
{
	struct vlapic a;
	setup(&a);
	wr(&a, 0, LVTT, PERIODIC | 0x31, NULL);
	wr(&a, 0, TDCR, DIV1, NULL);
	wr(&a, 0, TMICT, 100, NULL);
	assert_int_equal(vlapic_timer_next(&a), 100);
	assert_int_equal(rd(&a, 40, TMCCT), 60);
	assert_true(vlapic_timer_fire(&a, 100));
	assert_true(irr_has(&a, 0x31));
	assert_int_equal(vlapic_timer_next(&a), 200);
	assert_int_equal(rd(&a, 100, TMCCT), 100); /* reloaded */
	vlapic_ack(&a, 0x31);
	wr(&a, 0, EOI, 0, NULL);
	assert_true(vlapic_timer_fire(&a, 250)); /* 50 late: the phase is kept */
	assert_int_equal(vlapic_timer_next(&a), 300);
	assert_true(vlapic_timer_fire(&a, 1030)); /* 7 periods late: one fire, re-armed from now */
	assert_int_equal(vlapic_timer_next(&a), 1130);
	assert_int_equal(rd(&a, 1030, TMCCT), 100);
	assert_true(irr_has(&a, 0x31));
	wr(&a, 1050, LVTT, 0x31, NULL); /* periodic -> one-shot keeps the running count */
	assert_int_equal(vlapic_timer_next(&a), 1130);
	assert_true(vlapic_timer_fire(&a, 1130));
	assert_int_equal(vlapic_timer_next(&a), 0);
}

/* A periodic count reloads at 0 (SDM §11.5.4): read before the model re-arms (the expiry already past)
 * it stands in the new period, never at 0; and a period stretched to min_period_tsc still counts from
 * the initial count down to 1, never above it. */
static void test_timer_periodic_current_count(void **state)
{
	struct vlapic a;
	setup(&a);
	wr(&a, 0, LVTT, PERIODIC | 0x31, NULL);
	wr(&a, 0, TDCR, DIV1, NULL);
	wr(&a, 0, TMICT, 100, NULL);
	assert_int_equal(rd(&a, 100, TMCCT), 100); /* expired, not yet fired: reloaded */
	assert_int_equal(rd(&a, 130, TMCCT), 70);
	assert_int_equal(rd(&a, 199, TMCCT), 1);

	setup(&a);
	a.min_period_tsc = 1000; /* the owner's floor: 10 times the count */
	wr(&a, 0, LVTT, PERIODIC | 0x31, NULL);
	wr(&a, 0, TDCR, DIV1, NULL);
	wr(&a, 0, TMICT, 100, NULL);
	assert_int_equal(rd(&a, 50, TMCCT), 50);   /* the first period is not stretched */
	assert_int_equal(rd(&a, 100, TMCCT), 100); /* past it: the stretched period begins at the count */
	assert_int_equal(rd(&a, 600, TMCCT), 50);
	assert_true(vlapic_timer_fire(&a, 600));
	assert_int_equal(vlapic_timer_next(&a), 1100);
	for (u64 t = 600; t < 1100; t += 37) {
		u32 c = rd(&a, t, TMCCT);
		if (c < 1 || c > 100)
			fail_msg("stretched period: count %u at %llu", c, (unsigned long long)t);
	}
	assert_int_equal(rd(&a, 1099, TMCCT), 1);
}

static void test_timer_masked_counts_without_interrupt(void **state)
{
	struct vlapic a;
	setup(&a);
	wr(&a, 0, LVTT, MASKED | PERIODIC | 0x32, NULL);
	wr(&a, 0, TDCR, DIV1, NULL);
	wr(&a, 0, TMICT, 10, NULL);
	assert_int_equal(rd(&a, 4, TMCCT), 6); /* the count runs */
	assert_true(vlapic_timer_fire(&a, 10));
	assert_false(irr_has(&a, 0x32));
	assert_int_equal(vlapic_timer_next(&a), 20);
	wr(&a, 15, LVTT, PERIODIC | 0x32, NULL); /* unmask: the next period interrupts */
	assert_true(vlapic_timer_fire(&a, 20));
	assert_true(irr_has(&a, 0x32));
}

static void test_timer_tsc_deadline(void **state)
{
	struct vlapic a;
	struct vlapic_effects fx;
	setup(&a);
	vlapic_set_tsc_deadline(&a, 0, 5000, &fx); /* not in TSC-deadline mode: ignored */
	assert_false(fx.timer_changed);
	assert_int_equal(vlapic_get_tsc_deadline(&a), 0);
	assert_int_equal(vlapic_timer_next(&a), 0);
	wr(&a, 0, LVTT, DEADLINE | 0x33, NULL);
	wr(&a, 0, TMICT, 100, NULL); /* ignored in TSC-deadline mode */
	assert_int_equal(rd(&a, 0, TMICT), 0);
	assert_int_equal(vlapic_timer_next(&a), 0);
	vlapic_set_tsc_deadline(&a, 1000, 5000, &fx);
	assert_true(fx.timer_changed);
	assert_int_equal(vlapic_get_tsc_deadline(&a), 5000);
	assert_int_equal(vlapic_timer_next(&a), 5000);
	assert_int_equal(rd(&a, 2000, TMCCT), 0); /* current count reads 0 in this mode */
	assert_false(vlapic_timer_fire(&a, 4999));
	assert_true(vlapic_timer_fire(&a, 5000));
	assert_true(irr_has(&a, 0x33));
	assert_int_equal(vlapic_get_tsc_deadline(&a), 0);
	assert_int_equal(vlapic_timer_next(&a), 0);
	vlapic_set_tsc_deadline(&a, 6000, 3000, NULL); /* in the past: due at once */
	assert_true(vlapic_timer_next(&a) != 0 && vlapic_timer_next(&a) <= 6000);
	vlapic_set_tsc_deadline(&a, 6000, 0, NULL); /* 0 disarms */
	assert_int_equal(vlapic_timer_next(&a), 0);
	vlapic_set_tsc_deadline(&a, 6000, 9000, NULL);
	wr(&a, 6100, LVTT, 0x33, &fx); /* leaving TSC-deadline mode disarms */
	assert_true(fx.timer_changed);
	assert_int_equal(vlapic_timer_next(&a), 0);
	assert_int_equal(vlapic_get_tsc_deadline(&a), 0);
}

/* A masked LVT in TSC-deadline mode still takes the deadline: the MSR reads it back and the timer expires
 * (clearing the MSR), only the interrupt is suppressed (SDM §11.5.1, §11.5.4.1). */
static void test_timer_tsc_deadline_masked(void **state)
{
	struct vlapic a;
	struct vlapic_effects fx;
	setup(&a);
	wr(&a, 0, LVTT, MASKED | DEADLINE | 0x35, NULL);
	vlapic_set_tsc_deadline(&a, 1000, 5000, &fx);
	assert_true(fx.timer_changed);
	assert_int_equal(vlapic_get_tsc_deadline(&a), 5000);
	assert_int_equal(vlapic_timer_next(&a), 5000);
	assert_true(vlapic_timer_fire(&a, 5000));
	assert_false(irr_has(&a, 0x35));
	assert_int_equal(vlapic_get_tsc_deadline(&a), 0);
}

static void test_timer_software_disable_masks(void **state)
{
	struct vlapic a;
	setup(&a);
	wr(&a, 0, LVTT, 0x34, NULL);
	wr(&a, 0, TDCR, DIV1, NULL);
	wr(&a, 0, TMICT, 10, NULL);
	wr(&a, 5, SVR, 0xFF, NULL); /* software disable masks the LVT, the count goes on */
	assert_int_equal(rd(&a, 5, TMCCT), 5);
	assert_true(vlapic_timer_fire(&a, 10));
	assert_false(irr_has(&a, 0x34));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accept_fixed_and_tmr),
		cmocka_unit_test(test_irr_summary_word),
		cmocka_unit_test(test_accept_nmi_init_sipi),
		cmocka_unit_test(test_priority_nested_isr_and_eoi),
		cmocka_unit_test(test_eoi_if_local),
		cmocka_unit_test(test_icr_plain_fixed),
		cmocka_unit_test(test_tpr_blocks_lower_classes),
		cmocka_unit_test(test_hw_disabled_delivers_nothing),
		cmocka_unit_test(test_timer_one_shot),
		cmocka_unit_test(test_timer_divide_values),
		cmocka_unit_test(test_timer_periodic),
		cmocka_unit_test(test_timer_periodic_current_count),
		cmocka_unit_test(test_timer_masked_counts_without_interrupt),
		cmocka_unit_test(test_timer_tsc_deadline),
		cmocka_unit_test(test_timer_tsc_deadline_masked),
		cmocka_unit_test(test_timer_software_disable_masks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
