/* Hostile guest: every page of its own RAM, then guest-physical addresses where nothing is: every 2 MiB
 * from the end of RAM to 4 GiB (the APIC page excepted) and a few above 4 GiB. Nothing may stop the VM:
 * unassigned memory reads all ones and drops writes, as a PC's bus does when no device claims the cycle
 * (docs/guest-abi.md). leak_check runs after this guest in suite.txt. */
#include "guest.h"

#define MBI_MEM_UPPER 8 /* KiB above 1 MiB (Multiboot information, offset 8) */
#define KIB 1024ull
#define MIB (1024 * KIB)
#define GIB (1024 * MIB)
#define STEP (2 * MIB)
#define APIC_PAGE 0xFEE00000ull
#define IOAPIC_PAGE 0xFEC00000ull
#define APIC_VERSION_VALUE 0x00050014u /* microhv's: 6 LVT entries, version 14H (docs/apic.md) */
#define PTE_PRESENT 0x1ull
#define PTE_WRITABLE 0x2ull
#define PTE_PCD 0x10ull
#define PTE_LARGE 0x80ull
#define PTE_ADDR_MASK 0x000FFFFFFFFFF000ull
#define CPUID_EXT_FEATURES 0x80000001u
#define CPUID_E1_EDX_PAGE1GB BIT(26)
#define CPUID_EXT_ADDRESS_SIZES 0x80000008u

static const u64 high_gpas[] = { 4 * GIB, 4 * GIB + 0x123000, 8 * GIB + 0xFFF000, 15 * GIB };

static u64 ram_end(void)
{
	u32 mem_upper = *(volatile u32 *)(u64)(runtime_mbi() + MBI_MEM_UPPER);
	return MIB + (u64)mem_upper * KIB;
}

/* No inlining nor constant propagation (noipa): the address stays in a register, so the compiler emits MOV with a ModRM operand, not the
 * moffs form a constant address gets (apic_mmio_forms covers those). */
static __attribute__((noipa)) u64 read64(u64 gpa) { return *(volatile u64 *)gpa; }
static __attribute__((noipa)) u32 read32(u64 gpa) { return *(volatile u32 *)gpa; }
static __attribute__((noipa)) u16 read16(u64 gpa) { return *(volatile u16 *)gpa; }
static __attribute__((noipa)) u8 read8(u64 gpa) { return *(volatile u8 *)gpa; }

static void check_own_ram(void)
{
	u64 end = ram_end(), sum = 0, pages = 0;
	for (u64 gpa = 0; gpa < end; gpa += PAGE_SIZE, pages++)
		sum += read64(gpa);
	tap_diag("read %llu pages of RAM (0x0-0x%llx), checksum 0x%llx", pages, end, sum);
	CHECK(pages == end / PAGE_SIZE, "every_ram_page_readable");
}

/* Reads must give all ones at every width; a write must change nothing. */
static u32 probe_unassigned(u64 gpa)
{
	u32 wrong = 0;
	wrong += read64(gpa) != ~0ull;
	wrong += read32(gpa + 4) != ~0u;
	wrong += read8(gpa + 1) != 0xFF;
	*(volatile u32 *)gpa = 0;
	wrong += read32(gpa) != ~0u;
	/* Not only MOV: an ALU read and a locked read-modify-write (the MMIO emulator's other forms). */
	u32 acc = 0;
	asm volatile("orl (%1), %0" : "+r"(acc) : "r"(gpa) : "memory", "cc");
	wrong += acc != ~0u;
	asm volatile("lock incl (%0)" ::"r"(gpa) : "memory", "cc");
	wrong += read32(gpa) != ~0u;
	if (wrong)
		tap_diag("unassigned 0x%llx: %u reads not all ones", gpa, wrong);
	return wrong;
}

static void check_below_4g(void)
{
	u32 wrong = 0, probes = 0;
	for (u64 gpa = ALIGN_UP(ram_end(), STEP); gpa < 4 * GIB; gpa += STEP) {
		if (gpa <= APIC_PAGE && APIC_PAGE < gpa + STEP)
			continue; /* the local APIC (apic_regs, hostile_apic) */
		if (gpa <= IOAPIC_PAGE && IOAPIC_PAGE < gpa + STEP)
			continue; /* the I/O APIC (ioapic) */
		wrong += probe_unassigned(gpa);
		probes++;
	}
	tap_diag("%u unassigned addresses between the end of RAM and 4 GiB, every 2 MiB", probes);
	CHECK_EQ(wrong, 0, "unassigned_below_4g_reads_all_ones_drops_writes");
}

/* The runtime maps 4 GiB; the addresses above get 1 GiB pages of their own in its PDPT. */
static bool map_above_4g(void)
{
	if (!(cpuid(CPUID_EXT_FEATURES, 0).edx & CPUID_E1_EDX_PAGE1GB))
		return false;
	u64 *pdpt = (u64 *)((*(u64 *)(read_cr3() & PTE_ADDR_MASK)) & PTE_ADDR_MASK);
	for (u32 i = 0; i < ARRAY_SIZE(high_gpas); i++) {
		u64 gib = high_gpas[i] / GIB;
		pdpt[gib] = gib * GIB | PTE_PRESENT | PTE_WRITABLE | PTE_PCD | PTE_LARGE;
	}
	asm volatile("mov %0, %%cr3" ::"r"(read_cr3()) : "memory");
	return true;
}

static void check_above_4g(void)
{
	u8 maxphy = (u8)cpuid(CPUID_EXT_ADDRESS_SIZES, 0).eax;
	if (!map_above_4g()) {
		SKIP("unassigned_above_4g", "the vCPU has no 1 GiB pages to map them with");
		return;
	}
	u32 wrong = 0, probes = 0;
	for (u32 i = 0; i < ARRAY_SIZE(high_gpas); i++) {
		if (high_gpas[i] >> maxphy)
			continue; /* beyond the physical-address width: a reserved-bit #PF, not a bus cycle */
		wrong += probe_unassigned(high_gpas[i]);
		probes++;
	}
	tap_diag("%u unassigned addresses above 4 GiB (MAXPHYADDR %u)", probes, maxphy);
	CHECK(probes > 0 && wrong == 0, "unassigned_above_4g_reads_all_ones_drops_writes");
}

/* The APIC page with sizes and offsets a driver would never use. microhv's model (as KVM's): a 1, 2 or
 * 4-byte read inside a register's first dword returns those bytes, anything wider or across it reads 0
 * (docs/apic.md); byte reads at odd offsets and in reserved space complete too. None may stop the VM. */
static void check_apic_odd_accesses(void)
{
	static const u32 offsets[] = { 0x21, 0x3E, 0x80, 0x2F0, 0x3F8, 0xFF8 };
	u64 sum = 0;
	for (u32 i = 0; i < ARRAY_SIZE(offsets); i++)
		sum += read8(APIC_PAGE + offsets[i]);
	tap_diag("APIC page: %u odd byte reads completed (sum 0x%llx)", (u32)ARRAY_SIZE(offsets), sum);
	CHECK_EQ(read8(APIC_PAGE + APIC_VERSION), APIC_VERSION_VALUE & 0xFF, "apic_version_byte0");
	CHECK_EQ(read8(APIC_PAGE + APIC_VERSION + 2), (APIC_VERSION_VALUE >> 16) & 0xFF, "apic_version_byte2_max_lvt");
	CHECK_EQ(read16(APIC_PAGE + APIC_VERSION), APIC_VERSION_VALUE & 0xFFFF, "apic_version_word");
	CHECK_EQ(read64(APIC_PAGE + APIC_VERSION), 0, "apic_version_quadword_reads_0");
}

void test_main(void)
{
	if (!under_microhv()) {
		SKIP("unassigned_memory", "asserts microhv's unassigned-memory rule; plain QEMU's differs");
		return;
	}
	check_own_ram();
	check_below_4g();
	check_above_4g();
	check_apic_odd_accesses();
}
