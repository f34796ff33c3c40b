/* microhv caches the decoded MMIO instruction of each code site (hv/rules/insn_cache.h): the same RIP exits
 * again and is neither walked nor decoded again. Here the site changes under the cache in the two ways a
 * guest can change what RIP means, and each second access must do what the code says now:
 *  - self-modifying code: the bytes at the site are rewritten (another source register);
 *  - remapping: the site is a linear page of this guest's own page tables (PML4 slot 1, 4-KiB pages),
 *    whose PTE is pointed at another physical page with other code, then INVLPG.
 * The device is the I/O APIC's IOREGSEL, a plain read/write byte that exits on every back end (the local
 * APIC's registers may be virtualized by APICv and never exit). Passes on plain QEMU as well. */
#include "guest.h"
#include "ioapic.h"

#define PTE_P_RW 0x3ull
#define SITE_LINEAR (1ull << 39) /* PML4 entry 1: unused by the runtime's identity map */
#define SITE_OFFSET 0x100u
#define OP_MOV_STORE 0x89
#define MODRM_RDI_ESI 0x37 /* mov [rdi], esi */
#define MODRM_RDI_EDX 0x17 /* mov [rdi], edx */
#define OP_RET 0xC3
#define FROM_ESI 0x11u
#define FROM_EDX 0x22u

typedef void (*store_fn)(volatile u32 *reg, u32 esi, u32 edx);

static u8 code_a[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static u8 code_b[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static u64 pdpt[512] __attribute__((aligned(PAGE_SIZE)));
static u64 pd[512] __attribute__((aligned(PAGE_SIZE)));
static u64 pt[512] __attribute__((aligned(PAGE_SIZE)));

static volatile u32 *ioregsel(void)
{
	return (volatile u32 *)(uintptr_t)(IOAPIC_GPA + IOAPIC_SEL);
}

static void write_site(u8 *page, u8 modrm)
{
	page[SITE_OFFSET] = OP_MOV_STORE;
	page[SITE_OFFSET + 1] = modrm;
	page[SITE_OFFSET + 2] = OP_RET;
	asm volatile("" ::: "memory");
}

static void map_site(const u8 *page)
{
	pt[0] = (u64)(uintptr_t)page | PTE_P_RW; /* guest linear = physical in the identity map */
	asm volatile("invlpg (%0)" ::"r"(SITE_LINEAR) : "memory");
}

static void run_site(void)
{
	store_fn site = (store_fn)(uintptr_t)(SITE_LINEAR + SITE_OFFSET);
	site(ioregsel(), FROM_ESI, FROM_EDX);
}

/* The site runs (so it is cached, with the code before the change), `change` alters it with no other
 * MMIO access in between (another site could take its cache slot), then it runs again: IOREGSEL says
 * which code the second run executed. */
static u32 run_across(void (*change)(void))
{
	run_site();
	change();
	run_site();
	return *ioregsel() & 0xFF;
}

static void no_change(void) {}
static void rewrite_to_edx(void) { write_site(code_a, MODRM_RDI_EDX); }
static void rewrite_to_esi(void) { write_site(code_a, MODRM_RDI_ESI); }
static void remap_to_b(void) { map_site(code_b); }
static void remap_to_a(void) { map_site(code_a); }

static void setup_mapping(void)
{
	u64 *pml4 = (u64 *)(uintptr_t)(read_cr3() & ~0xFFFull);
	pd[0] = (u64)(uintptr_t)pt | PTE_P_RW;
	pdpt[0] = (u64)(uintptr_t)pd | PTE_P_RW;
	pml4[1] = (u64)(uintptr_t)pdpt | PTE_P_RW;
	write_site(code_a, MODRM_RDI_ESI);
	write_site(code_b, MODRM_RDI_EDX);
	map_site(code_a);
}

void test_main(void)
{
	setup_mapping();
	CHECK_EQ(run_across(no_change), FROM_ESI, "site_stores_esi");
	CHECK_EQ(run_across(rewrite_to_edx), FROM_EDX, "rewritten_site_stores_edx");
	CHECK_EQ(run_across(rewrite_to_esi), FROM_ESI, "rewritten_back_stores_esi");
	CHECK_EQ(run_across(remap_to_b), FROM_EDX, "remapped_site_runs_the_other_page");
	CHECK_EQ(run_across(remap_to_a), FROM_ESI, "mapped_back_runs_the_first_page");
}
