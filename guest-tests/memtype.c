/* The memory type microhv maps guest RAM with (spec section 3.2 and R3.4, section 4 R4.4), read
 * through HC_QUERY_MEMTYPE.
 *
 * VMX: EPT leaves say WB with ignore-PAT, so the type is WB whatever the guest's PAT, MTRRs or CR0.CD
 * say. SVM: NPT leaves name no type (host PAT entry 0 = WB) and ignore-PAT does not exist; the guest's
 * own PAT then combines with it in hardware, which the hypercall does not (and need not) report.
 * Either way the answer must not move when the guest turns caching off: that is case (c). */
#include "guest.h"
#include "hv/rules/loader/multiboot_info.h"

#define MEMTYPE_UC 0
#define MEMTYPE_WB 6
#define MIB (1ull << 20)
#define HIGH_MEM_START MIB          /* Multiboot mem_upper counts KiB from here */
#define KIB 1024ull
#define MIN_GUEST_RAM (32 * MIB)    /* guest ABI: at least 32 MiB */
#define GPA_LAPIC 0xFEE00000ull     /* xAPIC page: emulated MMIO, never mapped as RAM */
#define GPA_4G (1ull << 32)
#define GPA_BEYOND_MAXPHYADDR BIT(52)
#define GPA_ALL_ONES (~0ull)
#define MSR_MTRR_DEF_TYPE 0x2FF
#define MTRR_DEF_TYPE_E_UC 0x800    /* E=1 (MTRRs on), default type UC, no ranges: everything UC */
#define MSR_PAT 0x277
#define PAT_ALL_UC 0ull             /* all eight entries type 0 */
#define PAT_RESET 0x0007040600070406ull
#define INNER_OFFSET 0x5000ull      /* a 4 KiB page that is not the first one of its 2 MiB page */
#define MAX_DIAG_MISMATCHES 3

/* What HC_QUERY_MEMTYPE must say for guest RAM on this back end. */
static s64 expected_ram_type(void)
{
	if (microhv_backend() == MICROHV_BACKEND_VMX)
		return MEMTYPE_WB | HC_MEMTYPE_IGNORE_PAT;
	return MEMTYPE_WB;
}

/* End of guest RAM (RAM starts at GPA 0): the top of the highest available memory-map region, or
 * 1 MiB + mem_upper if there is no map. */
static u64 ram_end_from_map(const struct multiboot_info *mbi)
{
	u64 end = 0;
	u32 off = 0;

	if (!(mbi->flags & MBI_FLAG_MMAP))
		return HIGH_MEM_START + (u64)mbi->mem_upper * KIB;
	while (off + sizeof(struct multiboot_mmap_entry) <= mbi->mmap_length) {
		const struct multiboot_mmap_entry *e = (const void *)(u64)(mbi->mmap_addr + off);
		if (e->type == MB_MMAP_AVAILABLE)
			end = MAX(end, e->base_addr + e->length);
		off += e->size + sizeof(e->size);
	}
	return end;
}

/* Several GPAs, one verdict: how many answered something else, and the first few of those. */
struct scan {
	u32 checked, bad;
	u64 bad_gpa[MAX_DIAG_MISMATCHES];
	s64 bad_value[MAX_DIAG_MISMATCHES];
};

static void scan_gpa(struct scan *s, u64 gpa, s64 expect)
{
	s64 got = hc_query_memtype(gpa);

	s->checked++;
	if (got == expect)
		return;
	if (s->bad < MAX_DIAG_MISMATCHES) {
		s->bad_gpa[s->bad] = gpa;
		s->bad_value[s->bad] = got;
	}
	s->bad++;
}

static void report_scan(const struct scan *s, s64 expect, const char *name)
{
	if (CHECK_EQ(s->bad, 0, name))
		return;
	tap_diag("%u of %u GPAs differ from %lld:", s->bad, s->checked, expect);
	for (u32 i = 0; i < MIN(s->bad, (u32)MAX_DIAG_MISMATCHES); i++)
		tap_diag("  GPA 0x%llx -> %lld", s->bad_gpa[i], s->bad_value[i]);
}

/* Every query of case (a), taken without printing so case (c) can run it with caching off. */
struct ram_view {
	struct scan large; /* every 2 MiB page */
	s64 first_page, last_page;
	struct scan inner; /* 4 KiB pages inside 2 MiB pages */
};

static struct ram_view view_ram(u64 ram_end, s64 expect)
{
	const u64 inner[] = { PAGE_SIZE, HIGH_MEM_START + INNER_OFFSET, ALIGN_DOWN(ram_end / 2, LARGE_PAGE_SIZE) + INNER_OFFSET,
			      ram_end - LARGE_PAGE_SIZE + INNER_OFFSET };
	struct ram_view v = { .first_page = hc_query_memtype(0), .last_page = hc_query_memtype(ram_end - PAGE_SIZE) };

	for (u64 gpa = 0; gpa < ram_end; gpa += LARGE_PAGE_SIZE)
		scan_gpa(&v.large, gpa, expect);
	for (u32 i = 0; i < ARRAY_SIZE(inner); i++)
		scan_gpa(&v.inner, inner[i], expect);
	return v;
}

struct view_names {
	const char *large, *first, *last, *inner;
};

static void report_view(const struct ram_view *v, s64 expect, const struct view_names *n)
{
	report_scan(&v->large, expect, n->large);
	CHECK_EQ(v->first_page, expect, n->first);
	CHECK_EQ(v->last_page, expect, n->last);
	report_scan(&v->inner, expect, n->inner);
}

/* The RAM size the other cases use, checked against both MBI sources. */
static u64 ram_size_case(void)
{
	const struct multiboot_info *mbi = (const void *)(u64)runtime_mbi();
	u64 end = ram_end_from_map(mbi);

	if (!CHECK(end >= MIN_GUEST_RAM, "ram_at_least_32m"))
		tap_diag("RAM ends at 0x%llx", end);
	CHECK_EQ(HIGH_MEM_START + (u64)mbi->mem_upper * KIB, end, "ram_end_matches_mem_upper");
	return end;
}

/* (a) All of RAM is WB (+ ignore-PAT on VMX). */
static void test_ram_wb(u64 ram_end)
{
	static const struct view_names names = { "ram_2m_pages_wb", "ram_first_page_wb", "ram_last_page_wb",
						 "ram_4k_pages_wb" };
	if (!require_microhv("ram_wb"))
		return;
	s64 expect = expected_ram_type();
	struct ram_view v = view_ram(ram_end, expect);
	report_view(&v, expect, &names);
}

/* (b) What is not RAM is not mapped: the first byte past RAM, further out, MMIO, and GPAs no page
 * table level covers (a lookup that truncated the GPA would find RAM there). */
static void test_not_ram(u64 ram_end)
{
	if (!require_microhv("not_ram"))
		return;
	CHECK_EQ(hc_query_memtype(ram_end), -EINVAL, "ram_end_einval");
	CHECK_EQ(hc_query_memtype(ram_end + LARGE_PAGE_SIZE), -EINVAL, "beyond_ram_einval");
	CHECK_EQ(hc_query_memtype(GPA_LAPIC), -EINVAL, "lapic_einval");
	CHECK_EQ(hc_query_memtype(GPA_4G), -EINVAL, "gpa_4g_einval");
	CHECK_EQ(hc_query_memtype(GPA_BEYOND_MAXPHYADDR), -EINVAL, "gpa_bit52_einval");
	CHECK_EQ(hc_query_memtype(GPA_ALL_ONES), -EINVAL, "gpa_all_ones_einval");
}

/* (c) The guest turns caching off every way it can (CR0.CD, MTRR default type UC, PAT all UC), and
 * the mapping microhv reports does not change (R4.4: never derive the memtype from guest CR0.CD;
 * R3.4: guest MTRRs never reach the hardware). MTRR emulation may not exist yet: a #GP on DEF_TYPE
 * is only a diagnostic here (the MTRR tests own it). */
static void test_uncached_guest(u64 ram_end)
{
	static const struct view_names names = { "uc_2m_pages_wb", "uc_first_page_wb", "uc_last_page_wb",
						 "uc_4k_pages_wb" };
	u64 cr0 = read_cr0(), pat = PAT_RESET, def_type = 0;

	if (!require_microhv("uncached_guest"))
		return;
	s64 expect = expected_ram_type();
	fault_t pat_read = rdmsr_safe(MSR_PAT, &pat);
	fault_t def_read = rdmsr_safe(MSR_MTRR_DEF_TYPE, &def_type);
	if (pat_read != FAULT_NONE)
		pat = PAT_RESET;

	/* Caching off: no printing until it is back on. */
	fault_t cd_set = write_cr0_safe(cr0 | CR0_CD);
	fault_t def_set = wrmsr_safe(MSR_MTRR_DEF_TYPE, MTRR_DEF_TYPE_E_UC);
	fault_t pat_set = wrmsr_safe(MSR_PAT, PAT_ALL_UC);
	struct ram_view v = view_ram(ram_end, expect);
	fault_t pat_restore = wrmsr_safe(MSR_PAT, pat);
	fault_t def_restore = def_set == FAULT_NONE ? wrmsr_safe(MSR_MTRR_DEF_TYPE, def_type) : FAULT_NONE;
	fault_t cr0_restore = write_cr0_safe(cr0);

	CHECK_EQ(pat_read, FAULT_NONE, "uc_pat_readable");
	CHECK_EQ(cd_set, FAULT_NONE, "uc_cd_set_accepted");
	CHECK_EQ(pat_set, FAULT_NONE, "uc_pat_all_uc_accepted");
	if (def_read != FAULT_NONE || def_set != FAULT_NONE)
		tap_diag("MTRR_DEF_TYPE not emulated yet: rdmsr fault 0x%llx, wrmsr fault 0x%llx", def_read, def_set);
	report_view(&v, expect, &names);

	u64 pat_now = 0, def_now = 0;
	if (!CHECK(pat_restore == FAULT_NONE && rdmsr_safe(MSR_PAT, &pat_now) == FAULT_NONE && pat_now == pat,
		   "uc_pat_restored"))
		tap_diag("PAT restore fault 0x%llx, PAT 0x%llx, wanted 0x%llx", pat_restore, pat_now, pat);
	if (def_set != FAULT_NONE)
		SKIP("uc_mtrr_def_type_restored", "MTRR_DEF_TYPE was never changed");
	else if (!CHECK(def_restore == FAULT_NONE && rdmsr_safe(MSR_MTRR_DEF_TYPE, &def_now) == FAULT_NONE &&
				def_now == def_type,
			"uc_mtrr_def_type_restored"))
		tap_diag("DEF_TYPE restore fault 0x%llx, DEF_TYPE 0x%llx, wanted 0x%llx", def_restore, def_now,
			 def_type);
	if (!CHECK(cr0_restore == FAULT_NONE && read_cr0() == cr0, "uc_cr0_restored"))
		tap_diag("CR0 restore fault 0x%llx, CR0 0x%llx, wanted 0x%llx", cr0_restore, read_cr0(), cr0);
}

void test_main(void)
{
	u64 ram_end = ram_size_case();

	test_ram_wb(ram_end);
	test_not_ram(ram_end);
	test_uncached_guest(ram_end);
}
