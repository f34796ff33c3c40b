/* Intel APIC virtualization (SDM Vol. 3C ch. 30 "APIC Virtualization and Virtual Interrupts") over the
 * pure local-APIC model (hv/apic/rules/vlapic.h), which stays the single source of truth:
 *  - the virtual-APIC page is an image of the model: every register the processor may read from it
 *    holds exactly what the model would return to an emulated read (apicv_page_publish());
 *  - what the guest can change there without a VM exit (TPR, ISR, IRR through EOI, TPR and self-IPI
 *    virtualization and virtual-interrupt delivery; ICR high in xAPIC mode) is copied back into the
 *    model at each VM exit (apicv_page_pull());
 *  - RVI/SVI, the EOI-exit bitmap and the x2APIC MSR bitmap are derived from the model.
 * Pure: no VMCS access, no allocation; unit-tested in tests/unit/test_apicv_page.c. */
#ifndef HV_VMX_APICV_PAGE_H
#define HV_VMX_APICV_PAGE_H

#include "../../apic/rules/vlapic.h"

#define APICV_PAGE_SIZE 4096u
#define APICV_MSR_BITMAP_SIZE 4096u
#define APICV_EOI_EXIT_WORDS 4 /* four 64-bit EOI-exit bitmap fields: vectors 0-255 */

/* What a vCPU's VMCS virtualizes besides TPR, IRR and ISR (which are virtualized in every mode). */
enum apicv_mode {
	/* APIC disabled, or in xAPIC mode at a base other than the one the APIC-access page is mapped at
	 * (or over guest RAM): its MMIO misses EPT and is decoded, every x2APIC MSR exits. */
	APICV_MODE_TRAP,
	APICV_MODE_XAPIC,  /* "virtualize APIC accesses": the APIC-access page at the default base */
	APICV_MODE_X2APIC, /* "virtualize x2APIC mode" with the x2APIC MSR bitmap */
};

/* The mode for the APIC's current IA32_APIC_BASE in a VM whose RAM spans [0, ram_size). */
enum apicv_mode apicv_mode_of(const struct vlapic *a, u64 ram_size);

/* Writes the model into the page for `mode`: TPR, PPR, ISR, TMR and IRR always; in xAPIC mode every
 * register a memory-mapped read is virtualized for (SDM §30.4.2), in x2APIC mode every register whose
 * RDMSR apicv_x2apic_msr_bitmap() lets through (SDM §30.5), each with the value an emulated access
 * returns (the ICR as 64 bits at 300H in x2APIC mode, as RDMSR reads it). */
void apicv_page_publish(u8 *page, struct vlapic *a, enum apicv_mode mode);
/* The same for the registers in `regs` only (VLAPIC_REG_BIT() mask), and the interrupt state: after a
 * write, vlapic_regs_written() of its register leaves the page as a whole publish would, at a fraction
 * of the cost (issue 12: an ICR write with APICv spent 3,300 instructions republishing the page). */
void apicv_page_publish_regs(u8 *page, struct vlapic *a, enum apicv_mode mode, u64 regs);

/* The 32-bit value at a 4-byte aligned page offset. */
static inline u32 apicv_page_read32(const u8 *page, u32 offset)
{
	u32 value;
	__builtin_memcpy(&value, page + offset, sizeof(value));
	return value;
}

/* Only what the processor uses in every mode: VTPR, VPPR, VISR, VTMR, VIRR (SDM §30.1.1). Enough after
 * the core changed only the interrupt state: in either mode these registers read the same as the model. */
void apicv_page_publish_interrupts(u8 *page, const struct vlapic *a);

/* Copies into the model what the guest may have changed in the page without a VM exit. */
void apicv_page_pull(struct vlapic *a, const u8 *page, enum apicv_mode mode);

/* Only ICR high: in xAPIC mode a write to it is virtualized without a VM exit (SDM §30.4.3.2); the
 * processor has cleared its bytes 2:0. Inline: it runs at every VM exit. */
static inline void apicv_page_pull_icr_high(struct vlapic *a, const u8 *page, enum apicv_mode mode)
{
	if (mode == APICV_MODE_XAPIC)
		a->icr_high = apicv_page_read32(page, VLAPIC_REG_ICR_HIGH);
}

/* A fixed interrupt requested straight in the page while the guest runs, as posted-interrupt processing
 * does (SDM Vol. 3C §30.6): its IRR bit set, and the guest interrupt status `status` with RVI raised to
 * it; the model learns of it when the page is next pulled. Returns the new status. */
u16 apicv_page_request(u8 *page, u16 status, u8 vector);

/* The guest interrupt status for the model: RVI (bits 7:0) = highest IRR vector, SVI (bits 15:8) =
 * highest ISR vector, 0 where there is none (SDM §30.1.1, §30.2). */
u16 apicv_intr_status(const struct vlapic *a);

/* Is the model's IRR and ISR empty? Then a VM exit whose guest interrupt status is 0 and whose VTPR is
 * unchanged brings nothing back (virtual-interrupt delivery keeps RVI = highest VIRR vector and SVI =
 * highest VISR vector, and fills VIRR only with vectors >= 16 without a VM exit). */
bool apicv_intr_idle(const struct vlapic *a);

/* The EOI-exit bitmap: the model's TMR, so the EOI of a level-triggered vector exits (SDM §30.1.4). */
void apicv_eoi_exit_bitmap(const struct vlapic *a, u64 out[APICV_EOI_EXIT_WORDS]);

/* Clears, in an MSR bitmap (SDM Vol. 3C §25.6.9) that intercepts everything, the bits of the x2APIC
 * MSRs that need no exit with "virtualize x2APIC mode", APIC-register virtualization and virtual-interrupt
 * delivery: RDMSR of the registers apicv_page_publish() keeps exact (not TMCCT, EOI, SELF_IPI, nor the
 * ones that #GP in x2APIC mode), WRMSR of TPR, EOI and SELF_IPI. */
void apicv_x2apic_msr_bitmap(u8 *bitmap);

/* The 32-bit register holding a page offset (an APIC-write VM exit names the offset of the write). */
u32 apicv_page_read(const u8 *page, u32 offset);

#endif
