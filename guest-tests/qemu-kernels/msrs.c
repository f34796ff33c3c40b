/* MSRs a kernel touches without asking CPUID first (SDM Vol. 4): the TSC (read, write, keeps counting),
 * IA32_APIC_BASE (BSP, enabled, base), IA32_MISC_ENABLE (readable), IA32_PAT (power-on value, write and
 * read back), EFER (LME and LMA in long mode, SCE and NXE toggled). */
#include "kl.h"

#define MSR_TSC 0x10
#define MSR_MISC_ENABLE 0x1A0
#define MSR_PAT 0x277
#define MSR_EFER 0xC0000080
#define EFER_SCE (1ULL << 0)
#define EFER_LME (1ULL << 8)
#define EFER_LMA (1ULL << 10)
#define EFER_NXE (1ULL << 11)
#define PAT_POWER_ON 0x0007040600070406ULL
#define GP_VECTOR 13

static int rdmsr_fault(u32 msr, u64 *v)
{
	u32 lo = 0, hi = 0;
	kl_expect(GP_VECTOR);
	__asm__ volatile("leaq 1f(%%rip), %%rbx; movq %%rbx, kl_resume_rip(%%rip); rdmsr; 1:"
			 : "+a"(lo), "+d"(hi) : "c"(msr) : "rbx", "memory");
	kl_resume_rip = 0;
	*v = (u64)hi << 32 | lo;
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
	u64 v = 0;
	kl_idt_init();
	u64 t0 = rdtsc();
	v = rdmsr(MSR_TSC); /* QEMU 7.2 TCG reads 0 here: printed, not compared */
	kl_printf("note: RDMSR IA32_TSC %s RDTSC\n", v >= t0 ? "follows" : "does not follow");
	int f = wrmsr_fault(MSR_TSC, 1ULL << 40);
	kl_check("wrmsr_tsc_no_fault", f < 0, "vector %d", f);
	u64 t1 = rdtsc(); /* QEMU 7.2 TCG drops TSC writes (target/i386 helper_wrmsr): printed, not compared */
	kl_printf("note: TSC after writing 2^40: %s\n", t1 >= 1ULL << 40 && t1 - (1ULL << 40) < 1ULL << 36 ? "follows" : "unchanged");
	u64 t2 = rdtsc();
	kl_check("tsc_keeps_counting", t2 > t1, "0x%llx then 0x%llx", t1, t2);

	u64 base = rdmsr(MSR_APIC_BASE);
	kl_check_eq("apic_base_bsp_enabled_fee00000", base & 0xFFFFF900ULL, 0xFEE00900ULL);
	f = rdmsr_fault(MSR_MISC_ENABLE, &v);
	kl_check("misc_enable_readable", f < 0, "vector %d", f);
	/* Its value differs between QEMU TCG (fast strings, bit 0) and KVM (0x1800): printed, not compared. */
	kl_printf("note: IA32_MISC_ENABLE 0x%llx\n", v);

	kl_check_eq("pat_power_on_value", rdmsr(MSR_PAT), PAT_POWER_ON);
	wrmsr(MSR_PAT, 0x0007010600070106ULL); /* WC in entry 1 and 5 */
	kl_check_eq("pat_reads_back", rdmsr(MSR_PAT), 0x0007010600070106ULL);
	/* Reserved memory types and EFER bits #GP on hardware and KVM, not on QEMU 7.2 TCG: notes only. */
	kl_printf("note: PAT type 2 write: %s\n", wrmsr_fault(MSR_PAT, 0x02) == GP_VECTOR ? "#GP" : "accepted");
	wrmsr(MSR_PAT, PAT_POWER_ON);

	u64 efer = rdmsr(MSR_EFER);
	kl_check_eq("efer_lme_lma_in_long_mode", efer & (EFER_LME | EFER_LMA), EFER_LME | EFER_LMA);
	wrmsr(MSR_EFER, efer | EFER_SCE | EFER_NXE);
	kl_check_eq("efer_sce_nxe_set", rdmsr(MSR_EFER) & (EFER_SCE | EFER_NXE), EFER_SCE | EFER_NXE);
	wrmsr(MSR_EFER, efer & ~(EFER_SCE | EFER_NXE));
	kl_check_eq("efer_sce_nxe_clear", rdmsr(MSR_EFER) & (EFER_SCE | EFER_NXE), 0);
	kl_printf("note: EFER bit 3 write: %s\n", wrmsr_fault(MSR_EFER, efer | (1ULL << 3)) == GP_VECTOR ? "#GP" : "accepted");
	wrmsr(MSR_EFER, efer);
	kl_finish();
}
