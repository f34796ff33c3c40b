/* Paging with 4 KiB and 2 MiB pages (SDM Vol. 3A 4.5): the kernel builds a page table for one 2 MiB
 * region of its 4 GiB identity map and checks aliases of RAM through 4 KiB and 2 MiB pages, the
 * accessed and dirty bits the CPU sets, a read-only page raising #PF(P|W), a not-present page raising
 * #PF with CR2, INVLPG making a changed entry visible, and the local APIC read through a 4 KiB alias. */
#include "kl.h"

#define PTE_P 1ULL
#define PTE_W 2ULL
#define PTE_A (1ULL << 5)
#define PTE_D (1ULL << 6)
#define PTE_PS (1ULL << 7)
#define PTE_PCD (1ULL << 4)
#define ALIAS4K 0x3FE00000UL /* PD[0][511]: 4 KiB pages from here */
#define ALIAS2M 0x3FC00000UL /* PD[0][510]: one 2 MiB page */
#define PF_VECTOR 14

extern u64 kl_pd[];
static u64 pt[512] __attribute__((aligned(4096)));
static u8 page_a[4096] __attribute__((aligned(4096)));
static u8 page_b[4096] __attribute__((aligned(4096)));

static void invlpg(uptr va) { __asm__ volatile("invlpg (%0)" : : "r"(va) : "memory"); }
static int write_fault(uptr va)
{
	kl_expect(PF_VECTOR);
	__asm__ volatile("leaq 1f(%%rip), %%rax; movq %%rax, kl_resume_rip(%%rip); movl $7, (%0); 1:" : : "r"(va) : "rax", "memory");
	kl_resume_rip = 0;
	return kl_last_fault.vector;
}
static int read_fault(uptr va)
{
	kl_expect(PF_VECTOR);
	__asm__ volatile("leaq 1f(%%rip), %%rax; movq %%rax, kl_resume_rip(%%rip); movl (%0), %%eax; 1:" : : "r"(va) : "rax", "memory");
	kl_resume_rip = 0;
	return kl_last_fault.vector;
}

void kmain(void);
void kmain(void)
{
	kl_idt_init();
	__asm__ volatile("mov %%cr0, %%rax; or $0x10000, %%eax; mov %%rax, %%cr0" : : : "rax"); /* CR0.WP */
	pt[0] = (uptr)page_a | PTE_P | PTE_W;
	pt[1] = (uptr)page_b | PTE_P; /* read-only */
	pt[2] = LAPIC_BASE | PTE_P | PTE_W | PTE_PCD;
	pt[3] = 0; /* not present */
	kl_pd[511] = (uptr)pt | PTE_P | PTE_W;
	kl_pd[510] = 0x200000ULL | PTE_P | PTE_W | PTE_PS;
	__asm__ volatile("mov %%cr3, %%rax; mov %%rax, %%cr3" : : : "rax", "memory");

	volatile u32 *a = (volatile u32 *)ALIAS4K;
	*a = 0x12345678;
	kl_check_eq("4k_alias_write_reaches_ram", *(volatile u32 *)page_a, 0x12345678);
	kl_check_eq("4k_accessed_dirty_set", pt[0] & (PTE_A | PTE_D), PTE_A | PTE_D);
	*(volatile u32 *)page_b = 0xCAFE;
	kl_check_eq("4k_readonly_alias_reads", *(volatile u32 *)(ALIAS4K + 0x1000), 0xCAFE);
	kl_check_eq("4k_read_sets_accessed_only", pt[1] & (PTE_A | PTE_D), PTE_A);
	kl_check("4k_readonly_write_pf", write_fault(ALIAS4K + 0x1004) == PF_VECTOR && kl_last_fault.error_code == 3 &&
		 kl_last_fault.cr2 == ALIAS4K + 0x1004, "vector %d ec 0x%llx cr2 0x%llx", kl_last_fault.vector,
		 kl_last_fault.error_code, kl_last_fault.cr2);
	kl_check("4k_not_present_pf", read_fault(ALIAS4K + 0x3010) == PF_VECTOR && kl_last_fault.error_code == 0 &&
		 kl_last_fault.cr2 == ALIAS4K + 0x3010, "vector %d ec 0x%llx cr2 0x%llx", kl_last_fault.vector,
		 kl_last_fault.error_code, kl_last_fault.cr2);
	u32 id_direct = *(volatile u32 *)(LAPIC_BASE + 0x30);
	kl_check_eq("apic_through_4k_alias", *(volatile u32 *)(ALIAS4K + 0x2030), id_direct);
	*(volatile u32 *)(ALIAS4K + 0x2080) = 0x40; /* TPR through the alias */
	kl_check_eq("apic_write_through_alias", *(volatile u32 *)(LAPIC_BASE + 0x80), 0x40);
	*(volatile u32 *)(LAPIC_BASE + 0x80) = 0;
	pt[3] = (uptr)page_b | PTE_P;
	invlpg(ALIAS4K + 0x3000);
	kl_check_eq("invlpg_new_entry_visible", *(volatile u32 *)(ALIAS4K + 0x3000), 0xCAFE);

	*(volatile u64 *)0x200040 = 0xFEEDFACE12345678ULL;
	kl_check_eq("2m_alias_reads_ram", *(volatile u64 *)(ALIAS2M + 0x40), 0xFEEDFACE12345678ULL);
	*(volatile u32 *)(ALIAS2M + 0x1FFFF0) = 0xABCD;
	kl_check_eq("2m_alias_last_bytes", *(volatile u32 *)0x3FFFF0, 0xABCD);
	kl_check_eq("2m_accessed_dirty_set", kl_pd[510] & (PTE_A | PTE_D), PTE_A | PTE_D);
	kl_pd[510] = 0;
	invlpg(ALIAS2M);
	kl_check("2m_removed_pf", read_fault(ALIAS2M + 8) == PF_VECTOR && kl_last_fault.cr2 == ALIAS2M + 8,
		 "vector %d cr2 0x%llx", kl_last_fault.vector, kl_last_fault.cr2);
	kl_finish();
}
