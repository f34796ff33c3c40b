/* libFuzzer harness for the VMX virtual-APIC page (hv/vmx/rules/apicv_page.c): the processor serves guest APIC
 * reads from the page without a VM exit, and the guest changes TPR, ISR and IRR there behind the model's
 * back.
 *
 * Input: the VM's shape and RAM size, then rounds of: a few vlapic operations (vlapic_sim.h), publishing
 * every vCPU's page, the guest's own changes to the page, and pulling them back.
 * Invariants (SDM Vol. 3C ch. 30, apicv_page.h): every register the processor may read from the page
 * without an exit (§30.4.2 in xAPIC mode; in x2APIC mode each MSR the bitmap lets through, §30.5) holds
 * exactly what an emulated access returns, and that access does not fault; the bitmap passes only x2APIC
 * MSRs, writes only of TPR, EOI and SELF_IPI; RVI/SVI, idleness and the EOI-exit bitmap follow IRR, ISR
 * and TMR; a pull takes the page's TPR, ISR, IRR (and ICR high in xAPIC mode) and nothing else. */
#include <string.h>

#include "hv/vmx/rules/apicv_page.h"
#include "tests/fuzz/vlapic_sim.h"

#define MAX_ROUNDS 16
#define OPS_PER_ROUND 8

static u8 page[APICV_PAGE_SIZE];
static u8 bitmap[APICV_MSR_BITMAP_SIZE];

static bool sdm_xapic_read_virtualized(u32 off)
{
	return off == 0x20 || off == 0x30 || off == 0x80 || off == 0xB0 || off == 0xD0 || off == 0xE0 ||
	       off == 0xF0 || (off >= 0x100 && off <= 0x270) || off == 0x280 || off == 0x300 || off == 0x310 ||
	       (off >= 0x320 && off <= 0x370) || off == 0x380 || off == 0x3E0;
}

static bool passes(u32 base, u32 msr) { return !((bitmap[base + msr / 8] >> (msr % 8)) & 1); }

static void check_bitmap(void)
{
	for (u32 msr = 0; msr < 0x2000; msr++) {
		bool x2 = msr >= VLAPIC_X2APIC_MSR_FIRST && msr <= VLAPIC_X2APIC_MSR_LAST;
		bool w = msr == 0x808 || msr == 0x80B || msr == 0x83F; /* TPR, EOI, SELF_IPI */
		FUZZ_CHECK(!passes(0, msr) || (x2 && msr != 0x839 && msr != 0x80B && msr != 0x83F));
		FUZZ_CHECK(passes(2048, msr) == w);
	}
	for (u32 i = 1024; i < 2048; i++) /* the high-MSR read bitmap is untouched */
		FUZZ_CHECK(bitmap[i] == 0xFF);
	for (u32 i = 3072; i < 4096; i++)
		FUZZ_CHECK(bitmap[i] == 0xFF);
}

static void check_published(struct vlapic *a, u64 now, enum apicv_mode mode)
{
	for (u32 off = 0; off < 0x400; off += 0x10) {
		u32 v;
		u64 m;
		if (mode == APICV_MODE_XAPIC && sdm_xapic_read_virtualized(off)) {
			vlapic_mmio_read(a, now, off, 4, &v);
			FUZZ_CHECK(apicv_page_read(page, off) == v);
		}
		if (mode == APICV_MODE_X2APIC && passes(0, VLAPIC_X2APIC_MSR_FIRST + off / 0x10)) {
			FUZZ_CHECK(vlapic_msr_read(a, now, VLAPIC_X2APIC_MSR_FIRST + off / 0x10, &m) == 0);
			FUZZ_CHECK(apicv_page_read32(page, off) == (u32)m && apicv_page_read32(page, off + 4) == m >> 32);
		}
	}
	/* Virtualized in every mode (SDM §30.1.1). */
	FUZZ_CHECK(apicv_page_read(page, 0x80) == a->tpr && apicv_page_read(page, 0xA0) == vlapic_ppr(a));
	for (u32 i = 0; i < 8; i++)
		FUZZ_CHECK(apicv_page_read(page, 0x100 + 0x10 * i) == a->isr[i] &&
			   apicv_page_read(page, 0x180 + 0x10 * i) == a->tmr[i] &&
			   apicv_page_read(page, 0x200 + 0x10 * i) == a->irr[i]);
}

static int highest(const u32 map[8])
{
	for (int v = 255; v >= 0; v--)
		if ((map[v / 32] >> (v % 32)) & 1)
			return v;
	return -1;
}

static void check_derived(const struct vlapic *a)
{
	int rvi = highest(a->irr), svi = highest(a->isr);
	u64 eoi[APICV_EOI_EXIT_WORDS];

	FUZZ_CHECK(apicv_intr_status(a) == (u16)((rvi < 0 ? 0 : rvi) | (svi < 0 ? 0 : svi) << 8));
	FUZZ_CHECK(apicv_intr_idle(a) == (rvi < 0 && svi < 0));
	apicv_eoi_exit_bitmap(a, eoi);
	for (u32 v = 0; v < 256; v++)
		FUZZ_CHECK(((eoi[v / 64] >> (v % 64)) & 1) == ((a->tmr[v / 32] >> (v % 32)) & 1));
}

/* The guest writes TPR, some ISR/IRR words and ICR high in the page, then the VM exit pulls them. */
static void guest_edits_and_pull(struct vlapic *a, enum apicv_mode mode, struct fuzz_in *in)
{
	struct vlapic before = *a;
	u32 edits = fuzz_u8(in) % 4, tpr = fuzz_u32(in);

	memcpy(page + 0x80, &tpr, 4);
	for (u32 e = 0; e < edits; e++) {
		u32 off = 0x100 + 0x10 * (fuzz_u8(in) % 24), v = fuzz_u32(in);
		if (off < 0x180 || off >= 0x200) /* TMR is not the guest's to change */
			memcpy(page + off, &v, 4);
	}
	u32 icr_high = fuzz_u32(in) & 0xFF000000u;
	memcpy(page + 0x310, &icr_high, 4);
	apicv_page_pull(a, page, mode);
	FUZZ_CHECK(a->tpr == (tpr & 0xFF));
	FUZZ_CHECK(a->icr_high == (mode == APICV_MODE_XAPIC ? icr_high : before.icr_high));
	for (u32 i = 0; i < 8; i++)
		FUZZ_CHECK(a->isr[i] == apicv_page_read(page, 0x100 + 0x10 * i) &&
			   a->irr[i] == apicv_page_read(page, 0x200 + 0x10 * i) && a->tmr[i] == before.tmr[i]);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static struct vlapic_sim sim;
	struct fuzz_in in = fuzz_in(data, size);
	u64 ram_size = fuzz_u8(&in) & 1 ? 1ull << 33 : 32ull << 20; /* RAM over the APIC page, or below it */

	static bool bitmap_done; /* the bitmap does not depend on the input: build and check it once */
	if (!bitmap_done) {
		memset(bitmap, 0xFF, sizeof(bitmap));
		apicv_x2apic_msr_bitmap(bitmap);
		check_bitmap();
		bitmap_done = true;
	}
	sim_init(&sim, &in);
	for (int r = 0; r < MAX_ROUNDS && !fuzz_empty(&in); r++) {
		for (int op = 0; op < OPS_PER_ROUND; op++)
			sim_step(&sim, &in);
		struct vlapic *a = &sim.apic[fuzz_u8(&in) % sim.n];
		enum apicv_mode mode = apicv_mode_of(a, ram_size);
		FUZZ_CHECK(mode == (!vlapic_hw_enabled(a) ? APICV_MODE_TRAP
				    : vlapic_x2apic_mode(a) ? APICV_MODE_X2APIC
				    : vlapic_base_address(a) == VLAPIC_DEFAULT_BASE && ram_size <= VLAPIC_DEFAULT_BASE
					    ? APICV_MODE_XAPIC : APICV_MODE_TRAP));
		memset(page, fuzz_u8(&in), sizeof(page));
		apicv_page_publish(page, a, mode);
		check_published(a, sim.now, mode);
		check_derived(a);
		guest_edits_and_pull(a, mode, &in);
		check_derived(a);
		sim_check_apic(a, sim.now);
	}
	return 0;
}
