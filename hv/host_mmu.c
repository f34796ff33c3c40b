/* The host's own address space (see host_mmu.h). */
#include "host_mmu.h"
#include "rules/host_map.h"
#include "log.h"
#include "mm.h"
#include "rules/paging.h"
#include "x86.h"

#define GIB (1ull << 30)
#define MIN_MAPPED (4 * GIB) /* always cover the 32-bit MMIO hole (LAPIC, IOAPIC, flash) */
#define CPUID_EXT_MAX_LEAF 0x80000000u
#define CPUID_EXT_FEATURES 0x80000001u
#define CPUID_EXT_EDX_NX BIT(20)

/* linker.ld: page-aligned bounds of the code and of the read-only data. */
extern char _text[], _etext[], _rodata[], _erodata[];

static struct host_map map;
static u32 tables;

static void add(u64 base, u64 end, enum host_access access, const char *name)
{
	if (host_map_add(&map, base, end, access, name))
		panic("host map: cannot add %s [0x%llx, 0x%llx)", name, base, end);
}

void host_mmu_describe(const struct boot_info *bi)
{
	host_map_init(&map);
	add((u64)_text, (u64)_etext, HOST_RX, "microhv code");
	add((u64)_rodata, (u64)_erodata, HOST_RO_NX, "microhv read-only data");
	host_mmu_add_guard(bi->stack_guard, "hypervisor");
	/* An AP runs the trampoline's last instructions on the host's own tables. */
	if (bi->ap_trampoline)
		add(bi->ap_trampoline, bi->ap_trampoline + PAGE_SIZE, HOST_RX, "AP trampoline");
	/* ResetSystem powers the machine off at the end of a run (exit=shutdown). */
	for (u32 i = 0; i < bi->nmem; i++)
		if (bi->mem[i].type == BOOT_MEM_FIRMWARE_CODE)
			add(bi->mem[i].base, bi->mem[i].base + bi->mem[i].size, HOST_RX, "firmware runtime code");
}

void host_mmu_add_guard(u64 page, const char *name)
{
	add(page, page + PAGE_SIZE, HOST_GUARD, name);
}

static bool cpu_has_nx(void)
{
	u32 r[4];
	cpuid_count(CPUID_EXT_MAX_LEAF, 0, r);
	if (r[0] < CPUID_EXT_FEATURES)
		return false;
	cpuid_count(CPUID_EXT_FEATURES, 0, r);
	return r[3] & CPUID_EXT_EDX_NX;
}

static void *alloc_table(void)
{
	tables++;
	return mm_alloc_pages(1, PAGE_SIZE);
}

u64 host_mmu_enable(u64 max_phys_addr)
{
	u64 top = MAX(ALIGN_UP(max_phys_addr, GIB), MIN_MAPPED);
	if (top > PAGING_MAX_MAPPED) {
		log_warn("mapping only the first 512 GiB of %llu GiB", top / GIB);
		top = PAGING_MAX_MAPPED;
	}
	bool nx = cpu_has_nx();
	if (nx)
		wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE); /* before CR3: without NXE, XD is a reserved bit */
	else
		log_warn("the CPU has no NX (CPUID 0x80000001 EDX[20]): host data stays executable");
	u64 cr3 = paging_build_identity_map(&map, top, nx, alloc_table);
	if (!cr3)
		panic("no memory for the host page tables");
	write_cr3(cr3);
	/* Writing CR3 keeps global TLB entries; toggling CR4.PGE drops them all (SDM Vol. 3A §4.10.4.1). */
	u64 cr4 = read_cr4();
	if (cr4 & CR4_PGE) {
		write_cr4(cr4 & ~CR4_PGE);
		write_cr4(cr4);
	}
	/* CR0.WP: read-only pages are read-only in ring 0 too (SDM Vol. 3A §4.6.1). */
	write_cr0(read_cr0() | CR0_WP);
	log_info("W^X host map of %llu GiB in %u tables: code 0x%llx-0x%llx R+X, read-only data to 0x%llx, "
		 "%u regions, NX %s", top / GIB, tables, (u64)_text, (u64)_etext, (u64)_erodata, map.n, nx ? "on" : "off");
	return cr3;
}

const char *host_mmu_guard_name(u64 addr)
{
	const struct host_region *r = host_map_find(&map, addr);
	return r && r->access == HOST_GUARD ? r->name : NULL;
}
