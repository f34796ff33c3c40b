/* The local APIC in x2APIC mode through its MSRs (SDM Vol. 3A 11.12): enabling it through IA32_APIC_BASE,
 * ID/version/TPR/SVR/LDR, the SELF IPI register, reserved-bit #GP, and back to disabled. SKIP when CPUID
 * does not offer x2APIC (QEMU 7.2's TCG has none). */
#include "kl.h"

#define X2(off) (0x800 + ((off) >> 4))
#define MSR_X2_ID X2(0x20)
#define MSR_X2_VER X2(0x30)
#define MSR_X2_TPR X2(0x80)
#define MSR_X2_EOI X2(0xB0)
#define MSR_X2_LDR X2(0xD0)
#define MSR_X2_ESR X2(0x280)
#define MSR_X2_SVR X2(0xF0)
#define MSR_X2_ISR(v) (X2(0x100) + (v) / 32)
#define MSR_X2_IRR(v) (X2(0x200) + (v) / 32)
#define MSR_X2_SELF_IPI 0x83F
#define APIC_BASE_EN (1ULL << 11)
#define APIC_BASE_EXTD (1ULL << 10)
#define CPUID1_ECX_X2APIC (1u << 21)
#define SELF_VECTOR 0x52
#define GP_VECTOR 13

static volatile u32 self_ipis;
static void on_self_ipi(struct kl_frame *f)
{
	self_ipis++;
	wrmsr(MSR_X2_EOI, 0);
}

/* RDMSR that may fault: returns the vector (or -1) */
static int rdmsr_fault(u32 msr)
{
	u32 lo, hi;
	kl_expect(GP_VECTOR);
	__asm__ volatile("leaq 1f(%%rip), %%rax; movq %%rax, kl_resume_rip(%%rip); rdmsr; 1:"
			 : "=a"(lo), "=d"(hi) : "c"(msr) : "memory");
	kl_resume_rip = 0;
	return kl_last_fault.vector;
}
static int wrmsr_fault(u32 msr, u64 v)
{
	kl_expect(GP_VECTOR);
	__asm__ volatile("leaq 1f(%%rip), %%rbx; movq %%rbx, kl_resume_rip(%%rip); wrmsr; 1:"
			 : : "c"(msr), "a"((u32)v), "d"((u32)(v >> 32)) : "rbx", "memory");
	kl_resume_rip = 0;
	return kl_last_fault.vector;
}

void kmain(void);
void kmain(void)
{
	u32 r[4];
	kl_idt_init();
	cpuid(1, 0, r);
	if (!(r[2] & CPUID1_ECX_X2APIC)) {
		kl_skip("x2apic", "CPUID.1:ECX.x2APIC[21] is 0");
		kl_finish();
	}
	u32 xapic_id = *(volatile u32 *)(LAPIC_BASE + 0x20) >> 24;
	kl_check_eq("x2apic_msr_faults_in_xapic_mode", (u64)rdmsr_fault(MSR_X2_ID), GP_VECTOR);
	u64 base = rdmsr(MSR_APIC_BASE);
	wrmsr(MSR_APIC_BASE, base | APIC_BASE_EN | APIC_BASE_EXTD);
	kl_check("apic_base_extd_set", (rdmsr(MSR_APIC_BASE) & APIC_BASE_EXTD) != 0, "IA32_APIC_BASE 0x%llx",
		 rdmsr(MSR_APIC_BASE));
	kl_check_eq("x2apic_id_equals_xapic_id", rdmsr(MSR_X2_ID), xapic_id);
	u64 ver = rdmsr(MSR_X2_VER);
	kl_check("x2apic_version", (ver & 0xF0) == 0x10, "0x%llx", ver);
	/* Logical ID: cluster (ID >> 4) in 31:16, bit (ID & 15) in 15:0 (SDM 11.12.10.2). */
	kl_check_eq("x2apic_ldr_derived_from_id", rdmsr(MSR_X2_LDR), ((u64)(xapic_id >> 4) << 16) | (1u << (xapic_id & 15)));
	kl_check_eq("x2apic_ldr_write_faults", (u64)wrmsr_fault(MSR_X2_LDR, 0), GP_VECTOR);
	wrmsr(MSR_X2_SVR, 0x1FF);
	kl_check_eq("x2apic_svr_reads_back", rdmsr(MSR_X2_SVR) & 0x1FF, 0x1FF);
	wrmsr(MSR_X2_TPR, 0x30);
	kl_check_eq("x2apic_tpr_reads_back", rdmsr(MSR_X2_TPR), 0x30);
	wrmsr(MSR_X2_TPR, 0);
	/* Bits 63:32 of every x2APIC MSR but the ICR are reserved; ESR takes only 0 (KVM kvm_lapic_msr_write). */
	kl_check_eq("x2apic_tpr_high_bits_fault", (u64)wrmsr_fault(MSR_X2_TPR, 1ULL << 32), GP_VECTOR);
	kl_check_eq("x2apic_esr_nonzero_faults", (u64)wrmsr_fault(MSR_X2_ESR, 1), GP_VECTOR);

	kl_set_handler(SELF_VECTOR, on_self_ipi);
	wrmsr(MSR_X2_SELF_IPI, SELF_VECTOR);
	kl_check("x2apic_self_ipi_in_irr", (rdmsr(MSR_X2_IRR(SELF_VECTOR)) >> (SELF_VECTOR % 32)) & 1, "IRR 0x%llx",
		 rdmsr(MSR_X2_IRR(SELF_VECTOR)));
	sti();
	for (unsigned long i = 0; i < KL_SPIN_MAX && !self_ipis; i++)
		pause();
	cli();
	kl_check_eq("x2apic_self_ipi_delivered", self_ipis, 1);
	kl_check_eq("x2apic_isr_clear_after_eoi", rdmsr(MSR_X2_ISR(SELF_VECTOR)), 0);
	/* x2APIC -> xAPIC directly is an invalid transition (SDM 11.12.5): #GP; disabling is allowed. */
	kl_check_eq("x2apic_to_xapic_faults", (u64)wrmsr_fault(MSR_APIC_BASE, (base | APIC_BASE_EN) & ~APIC_BASE_EXTD), GP_VECTOR);
	wrmsr(MSR_APIC_BASE, base & ~(APIC_BASE_EN | APIC_BASE_EXTD));
	kl_check_eq("apic_disabled", rdmsr(MSR_APIC_BASE) & (APIC_BASE_EN | APIC_BASE_EXTD), 0);
	kl_finish();
}
