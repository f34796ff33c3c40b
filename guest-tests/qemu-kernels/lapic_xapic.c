/* The local APIC in xAPIC mode through MMIO at its constant address: ID, version, TPR, SVR, LDR/DFR,
 * the error status register, and a self-IPI through the ICR (SDM Vol. 3A 11.4-11.6). */
#include "kl.h"

#define REG(off) (*(volatile u32 *)(LAPIC_BASE + (off)))
#define APIC_ID 0x20
#define APIC_VER 0x30
#define APIC_TPR 0x80
#define APIC_PPR 0xA0
#define APIC_EOI 0xB0
#define APIC_LDR 0xD0
#define APIC_DFR 0xE0
#define APIC_SVR 0xF0
#define APIC_ISR 0x100
#define APIC_IRR 0x200
#define APIC_ESR 0x280
#define APIC_ICR_LO 0x300
#define APIC_ICR_HI 0x310
#define APIC_LVT_TIMER 0x320
#define SVR_ENABLE 0x100
#define SELF_VECTOR 0x41
#define ICR_SELF_SHORTHAND (1u << 18)
#define ICR_PENDING (1u << 12)
#define APIC_BASE_EN (1u << 11)
#define APIC_BASE_BSP (1u << 8)

static volatile u32 self_ipis;

static void on_self_ipi(struct kl_frame *f)
{
	self_ipis++;
	REG(APIC_EOI) = 0;
}

void kmain(void);
void kmain(void)
{
	kl_idt_init();
	u64 base = rdmsr(MSR_APIC_BASE);
	kl_check("apic_base_enabled_bsp", (base & (APIC_BASE_EN | APIC_BASE_BSP)) == (APIC_BASE_EN | APIC_BASE_BSP) &&
		(base & ~0xFFFULL) == LAPIC_BASE, "IA32_APIC_BASE 0x%llx", base);
	kl_check_eq("apic_id_bsp_is_0", REG(APIC_ID) >> 24, 0);
	u32 ver = REG(APIC_VER);
	kl_check("version_integrated_apic", (ver & 0xF0) == 0x10, "version register 0x%x", ver);
	kl_check("version_max_lvt_at_least_5", ((ver >> 16) & 0xFF) >= 5, "version register 0x%x", ver);

	REG(APIC_SVR) = SVR_ENABLE | 0xFF;
	kl_check_eq("svr_enabled_reads_back", REG(APIC_SVR) & 0x1FF, SVR_ENABLE | 0xFF);
	REG(APIC_TPR) = 0x20;
	kl_check_eq("tpr_reads_back", REG(APIC_TPR), 0x20);
	kl_check_eq("ppr_follows_tpr", REG(APIC_PPR), 0x20);
	REG(APIC_TPR) = 0x1FF; /* bits 31:8 are reserved: only 7:0 stick */
	kl_check_eq("tpr_keeps_bits_7_0", REG(APIC_TPR), 0xFF);
	REG(APIC_TPR) = 0;

	REG(APIC_DFR) = 0xFFFFFFFF; /* flat model */
	REG(APIC_LDR) = 0x01000000;
	kl_check_eq("ldr_reads_back", REG(APIC_LDR), 0x01000000);
	kl_check_eq("dfr_flat_reads_back", REG(APIC_DFR), 0xFFFFFFFF);

	kl_check_eq("lvt_timer_masked_after_reset", REG(APIC_LVT_TIMER) & 0x10000, 0x10000);
	REG(APIC_ESR) = 0;
	kl_check_eq("esr_clear", REG(APIC_ESR), 0);

	kl_set_handler(SELF_VECTOR, on_self_ipi);
	REG(APIC_ICR_HI) = 0;
	REG(APIC_ICR_LO) = ICR_SELF_SHORTHAND | SELF_VECTOR;
	for (unsigned long i = 0; i < KL_SPIN_MAX && (REG(APIC_ICR_LO) & ICR_PENDING); i++)
		pause();
	u32 irr = REG(APIC_IRR + 0x10 * (SELF_VECTOR / 32));
	kl_check("self_ipi_pending_in_irr", irr & (1u << (SELF_VECTOR % 32)), "IRR word 0x%x", irr);
	sti();
	for (unsigned long i = 0; i < KL_SPIN_MAX && !self_ipis; i++)
		pause();
	cli();
	kl_check_eq("self_ipi_delivered_once", self_ipis, 1);
	kl_check_eq("isr_clear_after_eoi", REG(APIC_ISR + 0x10 * (SELF_VECTOR / 32)), 0);
	kl_finish();
}
