/* MTRR MSRs as a guest sees them: errata spec section 3.5, tests 1-9.
 *
 * microhv emulates the MSRs the way KVM does (R3.1-R3.3): MTRRCAP reads 0x508 (8 variable ranges,
 * fixed ranges, WC, no SMRR), every accepted write reads back bit-exactly, and reserved bits,
 * reserved memory types and unimplemented MTRR MSRs raise #GP(0). Programming them changes nothing
 * about caching (R3.4), which test 9 measures on hardware.
 *
 * Cases 2 and 8 read reset values, so they run before anything writes those MSRs. Every refused
 * write is also checked to have left the MSR as it was. After each group the MSRs it wrote are put
 * back to their reset value 0, so no variable range is left enabled for the timing test. */
#include "guest.h"

#define MSR_MTRRCAP 0xFE
#define MTRRCAP_KVM 0x508            /* VCNT 8 | FIX (bit 8) | WC (bit 10) */
#define MSR_MTRR_PHYSBASE0 0x200
#define MSR_MTRR_PHYSMASK0 0x201
#define MSR_MTRR_PHYSBASE7 0x20E     /* the last pair that VCNT = 8 implements */
#define MSR_MTRR_PHYSMASK7 0x20F
#define MSR_MTRR_PHYSBASE8 0x210     /* would be pair 8: not implemented */
#define MSR_MTRR_FIX64K_00000 0x250
#define MSR_MTRR_FIX64K_GAP 0x251    /* between the fixed-range MSRs: not implemented */
#define MSR_MTRR_FIX16K_80000 0x258
#define MSR_MTRR_FIX16K_A0000 0x259
#define MSR_MTRR_FIX16K_GAP 0x25A
#define MSR_MTRR_FIX4K_C0000 0x268   /* 0x268-0x26F: eight 4 KiB fixed-range MSRs */
#define FIX4K_MSRS 8
#define MSR_PAT 0x277
#define MSR_MTRR_DEF_TYPE 0x2FF

#define MTRR_TYPE_UC 0
#define MTRR_TYPE_WB 6
#define DEF_TYPE_E BIT(11)           /* MTRRs enabled */
#define DEF_TYPE_FE BIT(10)          /* fixed ranges enabled */
#define DEF_TYPE_ALL_ON (DEF_TYPE_E | DEF_TYPE_FE | MTRR_TYPE_WB) /* 0xC06 */
#define DEF_TYPE_UC_ONLY (DEF_TYPE_E | MTRR_TYPE_UC)              /* 0x800: everything UC */
#define PHYSBASE_2G 0x80000000ull
#define PHYSBASE_BIT8 BIT(8)         /* PHYSBASE bits 11:8 are reserved */
#define PHYSMASK_V BIT(11)
#define PHYSMASK_BIT0 BIT(0)         /* PHYSMASK bits 10:0 are reserved */
#define PHYSMASK_BIT10 BIT(10)
#define PAGE_BITS 0xFFFull
#define FIX_ALL_WB 0x0606060606060606ull
#define FIX_BYTE0_TYPE2 0x0606060606060602ull
#define FIX_BYTE7_TYPE7 0x0706060606060606ull
#define PAT_RESET 0x0007040600070406ull
#define PAT_ENTRY0_TYPE2 0x0007040600070402ull /* type 2 is reserved in PAT too */
#define PAT_ENTRY0_UC_MINUS 0x0007040600070407ull
#define PAT_ENTRY7_TYPE3 0x0307040600070406ull /* every entry is checked, not only the low four */
#define PAT_ENTRY4_TYPE2 0x0007040200070406ull

#define CPUID_EXT_MAX 0x80000000u
#define CPUID_EXT_ADDRESS_SIZES 0x80000008u
#define MAXPHYADDR_MASK 0xFFu
#define MAXPHYADDR_DEFAULT 36        /* SDM: when leaf 0x80000008 is absent */

#define GP0 FAULT(X86_VEC_GP, 0)

/* Test 9. The window is guest RAM the image does not use (the ABI guarantees 32 MiB from 0). */
#define TIMING_WINDOW_GPA (16ull << 20)
#define TIMING_WINDOW_BYTES (1ull << 20)
#define TIMING_ROUNDS 5              /* the fastest round counts: interrupts and SMIs only add time */
#define TIMING_MAX_RATIO 2           /* real UC is well over 10x slower */
#define SKIP_EMULATOR_TIMING "cache timing is meaningless under an emulator (TCG/Bochs model no caches)"

/* The guest's MAXPHYADDR: bits at and above it are reserved in PHYSBASE/PHYSMASK (R3.2). */
static u32 guest_maxphyaddr(void)
{
	if (cpuid(CPUID_EXT_MAX, 0).eax < CPUID_EXT_ADDRESS_SIZES)
		return MAXPHYADDR_DEFAULT;
	return cpuid(CPUID_EXT_ADDRESS_SIZES, 0).eax & MAXPHYADDR_MASK;
}

/* One RDMSR: its fault (FAULT_NONE if none) and the value. */
struct msr_read {
	fault_t fault;
	u64 value;
};

static struct msr_read read_msr(u32 msr)
{
	struct msr_read r;
	r.fault = rdmsr_safe(msr, &r.value);
	return r;
}

/* The fault was #GP with an error code of 0 actually pushed. */
static bool is_gp0(fault_t f, bool ec_pushed)
{
	return f == GP0 && ec_pushed;
}

/* RDMSR must #GP(0) (an MSR that does not exist). */
static void check_read_gp0(u32 msr, const char *name)
{
	u64 value;
	fault_t f = rdmsr_safe(msr, &value);
	bool ec = f != FAULT_NONE && exc_last()->has_ec;

	if (!CHECK(is_gp0(f, ec), name))
		tap_diag("RDMSR 0x%x: fault 0x%llx (expected 0x%llx), error code pushed %d, value 0x%llx", msr, f,
			 GP0, ec, value);
}

/* RDMSR succeeds and gives exactly `expected`. */
static void check_read(u32 msr, u64 expected, const char *name)
{
	struct msr_read r = read_msr(msr);

	if (!CHECK(r.fault == FAULT_NONE && r.value == expected, name))
		tap_diag("RDMSR 0x%x: fault 0x%llx, value 0x%llx, expected 0x%llx", msr, r.fault, r.value, expected);
}

/* WRMSR must #GP(0) and leave the MSR as it was (for an MSR that does not exist, RDMSR keeps
 * faulting the same way). */
static void check_write_gp0(u32 msr, u64 value, const char *name)
{
	struct msr_read before = read_msr(msr);
	fault_t f = wrmsr_safe(msr, value);
	bool ec = f != FAULT_NONE && exc_last()->has_ec;
	struct msr_read after = read_msr(msr);
	bool unchanged = after.fault == before.fault && after.value == before.value;

	if (!CHECK(is_gp0(f, ec) && unchanged, name))
		tap_diag("WRMSR 0x%x <- 0x%llx: fault 0x%llx (expected 0x%llx), error code pushed %d; "
			 "MSR 0x%llx -> 0x%llx (read faults 0x%llx -> 0x%llx)",
			 msr, value, f, GP0, ec, before.value, after.value, before.fault, after.fault);
}

/* WRMSR succeeds and RDMSR gives the value back bit-exactly. */
static void check_write_readback(u32 msr, u64 value, const char *name)
{
	fault_t f = wrmsr_safe(msr, value);
	struct msr_read r = read_msr(msr);

	if (!CHECK(f == FAULT_NONE && r.fault == FAULT_NONE && r.value == value, name))
		tap_diag("WRMSR 0x%x <- 0x%llx: fault 0x%llx; RDMSR fault 0x%llx, value 0x%llx", msr, value, f,
			 r.fault, r.value);
}

/* Test 1: MTRRCAP is KVM's, and read-only. */
static void test_mtrrcap(void)
{
	check_read(MSR_MTRRCAP, MTRRCAP_KVM, "mtrrcap_0x508");
	check_write_gp0(MSR_MTRRCAP, MTRRCAP_KVM, "mtrrcap_write_gp0");
}

/* Test 2: MTRRs are off after RESET (R3.3); the VM is fresh, nothing wrote DEF_TYPE yet. */
static void test_def_type_reset(void)
{
	check_read(MSR_MTRR_DEF_TYPE, 0, "def_type_reset_0");
}

/* Test 3: DEF_TYPE allows bits 7:0 (a valid type), 10 and 11 only. */
static void test_def_type(void)
{
	check_write_readback(MSR_MTRR_DEF_TYPE, DEF_TYPE_ALL_ON, "def_type_c06");
	check_write_gp0(MSR_MTRR_DEF_TYPE, MTRR_TYPE_WB | BIT(8), "def_type_bit8_gp0");
	check_write_gp0(MSR_MTRR_DEF_TYPE, MTRR_TYPE_WB | BIT(9), "def_type_bit9_gp0");
	check_write_gp0(MSR_MTRR_DEF_TYPE, MTRR_TYPE_WB | BIT(12), "def_type_bit12_gp0");
	check_write_gp0(MSR_MTRR_DEF_TYPE, 0x002, "def_type_type2_gp0");
	check_write_gp0(MSR_MTRR_DEF_TYPE, 0x003, "def_type_type3_gp0");
	check_write_gp0(MSR_MTRR_DEF_TYPE, 0x007, "def_type_type7_gp0");
	check_write_gp0(MSR_MTRR_DEF_TYPE, 0x0FF, "def_type_typeff_gp0");
	check_write_readback(MSR_MTRR_DEF_TYPE, 0, "def_type_restored");
}

/* Test 4: PHYSBASE0 takes the five valid types, no reserved type, no bit 11:8, no bit >= M. */
static void test_physbase(u32 m)
{
	static const struct {
		u8 type;
		bool valid;
		const char *name;
	} types[] = {
		{ 0, true, "physbase_type0" },     { 1, true, "physbase_type1" },     { 4, true, "physbase_type4" },
		{ 5, true, "physbase_type5" },     { 6, true, "physbase_type6" },     { 2, false, "physbase_type2_gp0" },
		{ 3, false, "physbase_type3_gp0" }, { 7, false, "physbase_type7_gp0" },
	};

	for (u32 i = 0; i < ARRAY_SIZE(types); i++) {
		if (types[i].valid)
			check_write_readback(MSR_MTRR_PHYSBASE0, PHYSBASE_2G | types[i].type, types[i].name);
		else
			check_write_gp0(MSR_MTRR_PHYSBASE0, PHYSBASE_2G | types[i].type, types[i].name);
	}
	check_write_gp0(MSR_MTRR_PHYSBASE0, PHYSBASE_2G | PHYSBASE_BIT8 | MTRR_TYPE_WB, "physbase_bit8_gp0");
	check_write_gp0(MSR_MTRR_PHYSBASE0, BIT(m) | MTRR_TYPE_WB, "physbase_bit_m_gp0");
	check_write_readback(MSR_MTRR_PHYSBASE0, BIT(m - 1) | MTRR_TYPE_WB, "physbase_bit_m1");
	check_write_readback(MSR_MTRR_PHYSBASE0, 0, "physbase_restored");
}

/* Test 5: PHYSMASK0 takes V and mask bits M-1:12, nothing in 10:0, nothing at or above M. */
static void test_physmask(u32 m)
{
	u64 full = ((BIT(m) - 1) & ~PAGE_BITS) | PHYSMASK_V;

	check_write_readback(MSR_MTRR_PHYSMASK0, full, "physmask_full");
	check_write_gp0(MSR_MTRR_PHYSMASK0, PHYSMASK_V | PHYSMASK_BIT0, "physmask_bit0_gp0");
	check_write_gp0(MSR_MTRR_PHYSMASK0, PHYSMASK_BIT10, "physmask_bit10_gp0");
	check_write_gp0(MSR_MTRR_PHYSMASK0, BIT(m), "physmask_bit_m_gp0");
	check_write_readback(MSR_MTRR_PHYSMASK0, 0, "physmask_restored"); /* V=0: no range left enabled */
}

/* Test 6: the eighth pair exists, a ninth does not. The pair written describes a disabled 2 GiB WB
 * range (V=0), so it changes nothing even for the moment it exists. */
static void test_var_count(u32 m)
{
	u64 mask_2g = (BIT(m) - 1) & ~(PHYSBASE_2G - 1);

	check_write_readback(MSR_MTRR_PHYSBASE7, PHYSBASE_2G | MTRR_TYPE_WB, "physbase7");
	check_write_readback(MSR_MTRR_PHYSMASK7, mask_2g, "physmask7");
	check_write_readback(MSR_MTRR_PHYSBASE7, 0, "physbase7_restored");
	check_write_readback(MSR_MTRR_PHYSMASK7, 0, "physmask7_restored");
	check_read_gp0(MSR_MTRR_PHYSBASE8, "msr_210_read_gp0");
	check_write_gp0(MSR_MTRR_PHYSBASE8, 0, "msr_210_write_gp0");
}

/* Test 7: the eleven fixed-range MSRs hold 8 types each; one bad byte refuses the whole write. */
static void test_fixed(void)
{
	static const struct {
		u32 msr;
		const char *name;
	} fixed[] = {
		{ MSR_MTRR_FIX64K_00000, "fix64k_00000" },     { MSR_MTRR_FIX16K_80000, "fix16k_80000" },
		{ MSR_MTRR_FIX16K_A0000, "fix16k_a0000" },     { MSR_MTRR_FIX4K_C0000 + 0, "fix4k_c0000" },
		{ MSR_MTRR_FIX4K_C0000 + 1, "fix4k_c8000" },   { MSR_MTRR_FIX4K_C0000 + 2, "fix4k_d0000" },
		{ MSR_MTRR_FIX4K_C0000 + 3, "fix4k_d8000" },   { MSR_MTRR_FIX4K_C0000 + 4, "fix4k_e0000" },
		{ MSR_MTRR_FIX4K_C0000 + 5, "fix4k_e8000" },   { MSR_MTRR_FIX4K_C0000 + 6, "fix4k_f0000" },
		{ MSR_MTRR_FIX4K_C0000 + 7, "fix4k_f8000" },
	};
	_Static_assert(ARRAY_SIZE(fixed) == 3 + FIX4K_MSRS, "every fixed-range MSR");

	for (u32 i = 0; i < ARRAY_SIZE(fixed); i++)
		check_write_readback(fixed[i].msr, FIX_ALL_WB, fixed[i].name);
	check_write_gp0(MSR_MTRR_FIX64K_00000, FIX_BYTE0_TYPE2, "fix_byte0_type2_gp0");
	check_write_gp0(MSR_MTRR_FIX64K_00000, FIX_BYTE7_TYPE7, "fix_byte7_type7_gp0");
	check_read_gp0(MSR_MTRR_FIX64K_GAP, "msr_251_read_gp0");
	check_write_gp0(MSR_MTRR_FIX64K_GAP, FIX_ALL_WB, "msr_251_write_gp0");
	check_read_gp0(MSR_MTRR_FIX16K_GAP, "msr_25a_read_gp0");
	check_write_gp0(MSR_MTRR_FIX16K_GAP, FIX_ALL_WB, "msr_25a_write_gp0");

	u32 not_restored = 0;
	for (u32 i = 0; i < ARRAY_SIZE(fixed); i++) {
		struct msr_read r = { .fault = wrmsr_safe(fixed[i].msr, 0) };
		if (r.fault == FAULT_NONE)
			r = read_msr(fixed[i].msr);
		if (r.fault != FAULT_NONE || r.value != 0) {
			tap_diag("MSR 0x%x: fault 0x%llx, value 0x%llx", fixed[i].msr, r.fault, r.value);
			not_restored++;
		}
	}
	CHECK_EQ(not_restored, 0, "fixed_restored");
}

/* Test 8: PAT resets to its architectural value, refuses types 2 and 3 in any of its 8 entries, takes UC- (7). */
static void test_pat(void)
{
	check_read(MSR_PAT, PAT_RESET, "pat_reset");
	check_write_gp0(MSR_PAT, PAT_ENTRY0_TYPE2, "pat_type2_gp0");
	check_write_gp0(MSR_PAT, PAT_ENTRY4_TYPE2, "pat_entry4_type2_gp0");
	check_write_gp0(MSR_PAT, PAT_ENTRY7_TYPE3, "pat_entry7_type3_gp0");
	check_write_readback(MSR_PAT, PAT_ENTRY0_UC_MINUS, "pat_uc_minus");
	check_write_readback(MSR_PAT, PAT_RESET, "pat_restored");
}

/* TSC cycles for the fastest of TIMING_ROUNDS passes reading every qword of the window. */
static u64 time_window_reads(void)
{
	const volatile u64 *window = (const volatile u64 *)TIMING_WINDOW_GPA;
	u64 best = ~0ull;

	for (u32 round = 0; round < TIMING_ROUNDS; round++) {
		u64 start = rdtsc();
		for (u64 i = 0; i < TIMING_WINDOW_BYTES / sizeof(u64); i++)
			(void)window[i];
		best = MIN(best, rdtsc() - start);
	}
	return best;
}

/* Test 9: MTRRs that make everything UC change nothing about caching (R3.4). Hardware only. */
static void test_memtype_timing(void)
{
	if (runtime_on_emulator()) {
		SKIP("memtype_timing", SKIP_EMULATOR_TIMING);
		return;
	}
	/* No printing until DEF_TYPE is back to 0: under a hypervisor that honoured it, everything
	 * (the UART included) would crawl. */
	fault_t wb_set = wrmsr_safe(MSR_MTRR_DEF_TYPE, DEF_TYPE_ALL_ON);
	u64 wb = time_window_reads();
	fault_t uc_set = wrmsr_safe(MSR_MTRR_DEF_TYPE, DEF_TYPE_UC_ONLY);
	u64 uc = time_window_reads();
	fault_t restore = wrmsr_safe(MSR_MTRR_DEF_TYPE, 0);

	tap_diag("1 MiB read: %llu TSC cycles with DEF_TYPE 0x%llx, %llu with 0x%llx", wb, DEF_TYPE_ALL_ON, uc,
		 DEF_TYPE_UC_ONLY);
	if (!CHECK(wb_set == FAULT_NONE && uc_set == FAULT_NONE && restore == FAULT_NONE && uc <= TIMING_MAX_RATIO * wb,
		   "memtype_timing"))
		tap_diag("DEF_TYPE write faults 0x%llx, 0x%llx, restore 0x%llx", wb_set, uc_set, restore);
}

void test_main(void)
{
	u32 m = guest_maxphyaddr();

	tap_diag("guest MAXPHYADDR %u", m);
	test_mtrrcap();
	test_def_type_reset();
	test_def_type();
	test_physbase(m);
	test_physmask(m);
	test_var_count(m);
	test_fixed();
	test_pat();
	test_memtype_timing();
}
