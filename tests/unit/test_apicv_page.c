/* Host unit tests for hv/vmx/rules/apicv_page.c: the virtual-APIC page as an image of the vlapic model. The
 * property checked throughout: whatever the processor reads from the page without a VM exit (SDM Vol. 3C
 * §30.4.2 for xAPIC MMIO, §30.5 for x2APIC RDMSR) equals what the model returns to an emulated access. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "hv/vmx/rules/apicv_page.h"

#define RAM_32M (32ull << 20)
#define RAM_4G (4ull << 30)
#define STRIDE 0x10u
#define PAGE_REGS 0x40u /* 16-byte slots 000H-3F0H */
#define MSR(off) (0x800u + (off) / STRIDE)
#define SVR_ON 0x1FFu
#define ID_REG 0x20u
#define TPR_REG 0x80u
#define PPR_REG 0xA0u
#define EOI_REG 0xB0u
#define LDR_REG 0xD0u
#define DFR_REG 0xE0u
#define SVR_REG 0xF0u
#define ICR_LO 0x300u
#define ICR_HI 0x310u
#define LVTT 0x320u
#define LVT_ERR 0x370u
#define TMICT 0x380u
#define TMCCT 0x390u
#define TDCR 0x3E0u
#define SELF_IPI 0x3F0u
#define X2APIC_BASE (VLAPIC_DEFAULT_BASE | VLAPIC_BASE_EN | VLAPIC_BASE_EXTD | VLAPIC_BASE_BSP)
#define MAXPHYADDR 39

static u8 page[APICV_PAGE_SIZE];
static u8 bitmap[APICV_MSR_BITMAP_SIZE];

/* The SDM's list of memory-mapped reads APIC-register virtualization serves from the page (§30.4.2). */
static bool sdm_xapic_read_virtualized(u32 off)
{
	return off == ID_REG || off == 0x30 || off == TPR_REG || off == EOI_REG || off == LDR_REG ||
	       off == DFR_REG || off == SVR_REG || (off >= 0x100 && off <= 0x270) || off == 0x280 ||
	       off == ICR_LO || off == ICR_HI || (off >= LVTT && off <= LVT_ERR) || off == TMICT || off == TDCR;
}

static u64 page64(u32 off)
{
	u64 v;
	memcpy(&v, page + off, sizeof(v));
	return v;
}

static bool read_passes(u32 msr) { return !((bitmap[msr / 8] >> (msr % 8)) & 1); }
static bool write_passes(u32 msr) { return !((bitmap[2048 + msr / 8] >> (msr % 8)) & 1); }

/* An xAPIC with something in most registers, two interrupts pending, one in service, one level. */
static void busy_xapic(struct vlapic *a)
{
	vlapic_reset(a, 3, true);
	vlapic_mmio_write(a, 0, SVR_REG, 4, SVR_ON, NULL);
	vlapic_mmio_write(a, 0, ID_REG, 4, 0x07000000, NULL);
	vlapic_mmio_write(a, 0, LDR_REG, 4, 0x12345678, NULL);
	vlapic_mmio_write(a, 0, DFR_REG, 4, 0x0FFFFFFF, NULL);
	vlapic_mmio_write(a, 0, TPR_REG, 4, 0x21, NULL);
	vlapic_mmio_write(a, 0, ICR_HI, 4, 0xAB000000, NULL);
	vlapic_mmio_write(a, 0, LVTT, 4, 0x20070, NULL);
	vlapic_mmio_write(a, 0, LVT_ERR, 4, 0xFFFFFFFF, NULL);
	vlapic_mmio_write(a, 0, TDCR, 4, 0xB, NULL);
	vlapic_mmio_write(a, 100, TMICT, 4, 1000, NULL);
	vlapic_accept(a, 0x41, APIC_DM_FIXED, true, false);
	vlapic_accept(a, 0x93, APIC_DM_FIXED, true, true);
	vlapic_accept(a, 0x60, APIC_DM_FIXED, true, false);
	vlapic_ack(a, 0x60);
}

static void test_mode_of(void **state)
{
	struct vlapic a;
	vlapic_reset(&a, 0, true);
	assert_int_equal(apicv_mode_of(&a, RAM_32M), APICV_MODE_XAPIC);
	assert_int_equal(apicv_mode_of(&a, RAM_4G), APICV_MODE_TRAP); /* the page would sit over RAM */
	assert_int_equal(vlapic_set_base(&a, (VLAPIC_DEFAULT_BASE - 0x1000) | VLAPIC_BASE_EN | VLAPIC_BASE_BSP,
					 MAXPHYADDR, true, NULL), 0);
	assert_int_equal(apicv_mode_of(&a, RAM_32M), APICV_MODE_TRAP); /* moved: the access page is not there */
	assert_int_equal(vlapic_set_base(&a, VLAPIC_DEFAULT_BASE | VLAPIC_BASE_EN | VLAPIC_BASE_BSP, MAXPHYADDR,
					 true, NULL), 0);
	assert_int_equal(vlapic_set_base(&a, X2APIC_BASE, MAXPHYADDR, true, NULL), 0);
	assert_int_equal(apicv_mode_of(&a, RAM_32M), APICV_MODE_X2APIC);
	assert_int_equal(vlapic_set_base(&a, VLAPIC_DEFAULT_BASE | VLAPIC_BASE_BSP, MAXPHYADDR, true, NULL), 0);
	assert_int_equal(apicv_mode_of(&a, RAM_32M), APICV_MODE_TRAP); /* disabled */
}

static void test_publish_xapic_matches_mmio_reads(void **state)
{
	struct vlapic a;
	busy_xapic(&a);
	memset(page, 0xCC, sizeof(page));
	apicv_page_publish(page, &a, APICV_MODE_XAPIC);
	for (u32 off = 0; off < PAGE_REGS * STRIDE; off += STRIDE) {
		if (!sdm_xapic_read_virtualized(off))
			continue;
		u32 model;
		vlapic_mmio_read(&a, 0, off, 4, &model);
		for (u32 size = 1; size <= 4; size *= 2) /* byte, word and dword reads at the register */
			for (u32 b = 0; b + size <= 4; b += size) {
				u32 emulated, virt = 0;
				vlapic_mmio_read(&a, 0, off + b, size, &emulated);
				memcpy(&virt, page + off + b, size);
				assert_int_equal(virt, emulated);
			}
		assert_int_equal(apicv_page_read(page, off), model);
	}
	assert_int_equal(apicv_page_read(page, EOI_REG), 0);     /* write-only: reads 0 */
	assert_int_equal(apicv_page_read(page, ID_REG), 0x07000000u);
	assert_int_equal(apicv_page_read(page, ICR_HI), 0xAB000000u);
	assert_int_equal(apicv_page_read(page, PPR_REG), 0x60u); /* ISR class 6 above TPR 0x21 */
}

static void test_publish_x2apic_matches_msr_reads(void **state)
{
	struct vlapic a;
	busy_xapic(&a);
	assert_int_equal(vlapic_set_base(&a, X2APIC_BASE, MAXPHYADDR, true, NULL), 0);
	vlapic_msr_write(&a, 0, MSR(ICR_LO), 0x0000000500000000ull | 0x4000 | 0x41, NULL);
	memset(page, 0xCC, sizeof(page));
	memset(bitmap, 0xFF, sizeof(bitmap));
	apicv_page_publish(page, &a, APICV_MODE_X2APIC);
	apicv_x2apic_msr_bitmap(bitmap);
	u32 passed = 0;
	for (u32 msr = VLAPIC_X2APIC_MSR_FIRST; msr <= VLAPIC_X2APIC_MSR_LAST; msr++) {
		if (!read_passes(msr))
			continue;
		u64 model;
		assert_int_equal(vlapic_msr_read(&a, 0, msr, &model), 0); /* never a #GP the page would hide */
		assert_int_equal(page64((msr - VLAPIC_X2APIC_MSR_FIRST) * STRIDE), model);
		passed++;
	}
	assert_int_equal(passed, 40); /* ID, version, TPR, PPR, LDR, SVR, 24 ISR/TMR/IRR, ESR, ICR, 6 LVTs, TMICT, TDCR */
	assert_false(read_passes(MSR(TMCCT)));  /* moves with time: the model computes it */
	assert_false(read_passes(MSR(EOI_REG)));
	assert_false(read_passes(MSR(SELF_IPI)));
	assert_false(read_passes(MSR(DFR_REG)));
	assert_false(read_passes(MSR(ICR_HI)));
	assert_int_equal(page64(ICR_LO), 0x0000000500004041ull);
	for (u32 msr = VLAPIC_X2APIC_MSR_FIRST; msr <= VLAPIC_X2APIC_MSR_LAST; msr++)
		assert_int_equal(write_passes(msr), msr == MSR(TPR_REG) || msr == MSR(EOI_REG) || msr == MSR(SELF_IPI));
	assert_false(read_passes(VLAPIC_MSR_TSC_DEADLINE));
	assert_false(read_passes(0x1B)); /* IA32_APIC_BASE */
}

static void test_publish_trap_mode_interrupt_state_only(void **state)
{
	struct vlapic a;
	busy_xapic(&a);
	memset(page, 0, sizeof(page));
	apicv_page_publish(page, &a, APICV_MODE_TRAP);
	assert_int_equal(apicv_page_read(page, TPR_REG), 0x21);
	assert_int_equal(apicv_page_read(page, PPR_REG), 0x60);
	assert_int_equal(apicv_page_read(page, 0x200 + 2 * STRIDE), 1u << (0x41 % 32));
	assert_int_equal(apicv_page_read(page, 0x180 + 4 * STRIDE), 1u << (0x93 % 32));
	assert_int_equal(apicv_page_read(page, LVTT), 0); /* not read by the processor in this mode */
}

/* After the core changed only the interrupt state, publishing just that gives the page a full publish
 * would: in both modes. */
static void test_publish_interrupts_equals_full(void **state)
{
	static u8 full[APICV_PAGE_SIZE];
	struct vlapic a;
	for (int mode = APICV_MODE_XAPIC; mode <= APICV_MODE_X2APIC; mode++) {
		busy_xapic(&a);
		if (mode == APICV_MODE_X2APIC)
			assert_int_equal(vlapic_set_base(&a, X2APIC_BASE, MAXPHYADDR, true, NULL), 0);
		apicv_page_publish(page, &a, mode);
		vlapic_accept(&a, 0xC7, APIC_DM_FIXED, true, true);
		vlapic_ack(&a, 0x41);
		vlapic_set_cr8(&a, 3, NULL);
		apicv_page_publish_interrupts(page, &a);
		memcpy(full, page, sizeof(full));
		apicv_page_publish(full, &a, mode);
		assert_memory_equal(page, full, sizeof(full));
	}
}

static void test_pull(void **state)
{
	struct vlapic a;
	busy_xapic(&a);
	apicv_page_publish(page, &a, APICV_MODE_XAPIC);
	/* What the guest can do without an exit: EOI (ISR cleared), a self-IPI, TPR, ICR high. */
	u32 isr_60 = 0, irr_41_93_50 = (1u << (0x41 % 32)) | (1u << (0x50 % 32));
	memcpy(page + 0x100 + 3 * STRIDE, &isr_60, 4);
	memcpy(page + 0x200 + 2 * STRIDE, &irr_41_93_50, 4);
	u32 tpr = 0x30, icr_hi = 0x05000000;
	memcpy(page + TPR_REG, &tpr, 4);
	memcpy(page + ICR_HI, &icr_hi, 4);
	apicv_page_pull(&a, page, APICV_MODE_XAPIC);
	assert_int_equal(a.tpr, 0x30);
	assert_int_equal(a.isr[3], 0);
	assert_int_equal(a.irr[2], irr_41_93_50);
	assert_int_equal(a.irr[4], 1u << (0x93 % 32));
	assert_int_equal(a.icr_high, 0x05000000u);
	assert_int_equal(vlapic_highest_deliverable(&a), 0x93);
	icr_hi = 0x09000000;
	memcpy(page + ICR_HI, &icr_hi, 4);
	apicv_page_pull(&a, page, APICV_MODE_X2APIC); /* no ICR high in x2APIC mode */
	assert_int_equal(a.icr_high, 0x05000000u);
}

static void test_intr_status_idle_eoi_exit(void **state)
{
	struct vlapic a;
	u64 eoi_exit[APICV_EOI_EXIT_WORDS];
	vlapic_reset(&a, 0, true);
	vlapic_mmio_write(&a, 0, SVR_REG, 4, SVR_ON, NULL);
	assert_true(apicv_intr_idle(&a));
	assert_int_equal(apicv_intr_status(&a), 0);
	busy_xapic(&a);
	assert_false(apicv_intr_idle(&a));
	assert_int_equal(apicv_intr_status(&a), 0x6093); /* SVI 0x60, RVI 0x93 */
	apicv_eoi_exit_bitmap(&a, eoi_exit);
	assert_true(eoi_exit[0] == 0 && eoi_exit[1] == 0 && eoi_exit[3] == 0);
	assert_true(eoi_exit[2] == 1ull << (0x93 - 128)); /* level-triggered: its EOI must exit */
	vlapic_accept(&a, 0x93, APIC_DM_FIXED, true, false); /* now edge: TMR cleared */
	apicv_eoi_exit_bitmap(&a, eoi_exit);
	assert_true(eoi_exit[2] == 0);
}

/* A vector requested in the page while the guest runs: its IRR bit, RVI raised to it, never lowered. */
static void test_request_raises_rvi(void **state)
{
	static u8 page[APICV_PAGE_SIZE];
	struct vlapic a;
	memset(page, 0, sizeof(page));
	assert_int_equal(apicv_page_request(page, 0x6000, 0x41), 0x6041); /* SVI kept */
	assert_int_equal(apicv_page_request(page, 0x6041, 0x93), 0x6093);
	assert_int_equal(apicv_page_request(page, 0x6093, 0x50), 0x6093);
	vlapic_reset(&a, 0, true);
	apicv_page_pull(&a, page, APICV_MODE_XAPIC);
	assert_int_equal(a.irr[2], (1u << (0x41 % 32)) | (1u << (0x50 % 32)));
	assert_int_equal(a.irr[4], 1u << (0x93 % 32));
	assert_int_equal(vlapic_highest_deliverable(&a), 0x93);
}

/* After a guest write to any register, with any of these values, republishing only the registers
 * vlapic_regs_written() names leaves the page exactly as a whole publish does (xAPIC and x2APIC). */
static void test_publish_regs_after_write_equals_full(void **state)
{
	static const u32 values[] = { 0, 0xFFFFFFFFu, 0x000000FFu, 0x000100FEu, 0x00040041u, 0x12345678u, 0x40u,
				      0x000201F1u, 0x0Fu };
	static u8 partial[APICV_PAGE_SIZE];
	for (int x2 = 0; x2 < 2; x2++)
		for (u32 off = 0; off < PAGE_REGS * STRIDE; off += STRIDE)
			for (u32 k = 0; k < ARRAY_SIZE(values); k++) {
				struct vlapic a;
				busy_xapic(&a);
				enum apicv_mode mode = x2 ? APICV_MODE_X2APIC : APICV_MODE_XAPIC;
				if (x2)
					assert_int_equal(vlapic_set_base(&a, X2APIC_BASE, MAXPHYADDR, true, NULL), 0);
				apicv_page_publish(page, &a, mode);
				if (x2)
					vlapic_msr_write(&a, 200, MSR(off), values[k], NULL);
				else
					vlapic_mmio_write(&a, 200, off, 4, values[k], NULL);
				memcpy(partial, page, sizeof(page));
				apicv_page_publish_regs(partial, &a, mode, vlapic_regs_written(off));
				apicv_page_publish(page, &a, mode);
				if (memcmp(partial, page, sizeof(page)))
					fail_msg("%s write of 0x%x to 0x%x: the partial publish differs", x2 ? "x2APIC" : "xAPIC",
						 values[k], off);
			}
	assert_true(vlapic_regs_written(SVR_REG) == VLAPIC_REGS_ALL); /* SVR[8] masks every LVT */
	/* An illegal vector in the ICR latches an error that only the next ESR write shows (SDM §11.5.3). */
	assert_true(vlapic_regs_written(ICR_LO) == VLAPIC_REG_BIT(ICR_LO));
	assert_true(vlapic_regs_written(0xB0) == VLAPIC_REGS_NONE); /* EOI: the interrupt state only */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mode_of),
		cmocka_unit_test(test_publish_xapic_matches_mmio_reads),
		cmocka_unit_test(test_publish_x2apic_matches_msr_reads),
		cmocka_unit_test(test_publish_trap_mode_interrupt_state_only),
		cmocka_unit_test(test_publish_interrupts_equals_full),
		cmocka_unit_test(test_pull),
		cmocka_unit_test(test_publish_regs_after_write_equals_full),
		cmocka_unit_test(test_intr_status_idle_eoi_exit),
		cmocka_unit_test(test_request_raises_rvi),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
