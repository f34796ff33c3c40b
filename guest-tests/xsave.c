/* XSAVE under microhv (issue 11 item 4): CR4.OSXSAVE accepted where CPUID offers XSAVE, XSETBV emulated
 * with a per-vCPU XCR0 checked as the SDM says (Vol. 1 §13.3, Vol. 2C XSETBV), CPUID leaf 0xD sizes that
 * follow the XCR0 set, the guest's XCR0 in the hardware while it runs (XGETBV is not intercepted), and AVX
 * (and AVX-512 where the host has it) usable with its registers kept across exits. Also meaningful on
 * plain QEMU (make run-direct TEST=xsave), which answers every case the same way. */
#include "guest.h"
#include "user_mode.h"

#define UD FAULT(X86_VEC_UD, 0)
#define GP0 FAULT(X86_VEC_GP, 0)
#define CR4_OSFXSR BIT(9)
#define CR4_OSXSAVE BIT(18)
#define L1_ECX_XSAVE BIT(26)
#define L1_ECX_OSXSAVE BIT(27)
#define L1_ECX_AVX BIT(28)
#define L7_EBX_AVX512F BIT(16)
#define XCR0_X87 0x1ull
#define XCR0_SSE_X87 0x3ull
#define XCR0_AVX 0x7ull
#define XCR0_AVX512 0xE7ull
#define XCR0_OPMASK_ONLY 0x27ull /* AVX-512 bits 7:5 not all set */
#define XCR0_RESERVED63 (1ull << 63)
#define XSAVE_LEGACY_AND_HEADER 576u
#define LEAF_XSAVE 0xDu
#define YMM_QWORDS 4

static fault_t xsetbv_safe(u32 xcr, u64 value)
{
	return FIXUP_TRY("xsetbv", "c"(xcr), "a"((u32)value), "d"((u32)(value >> 32)));
}

static fault_t xgetbv_safe(u32 xcr, u64 *value)
{
	u32 lo = 0, hi = 0;
	this_cpu()->fixup_fault = FAULT_NONE;
	asm volatile("1: xgetbv\n\t2:\n\t" FIXUP_ENTRY("1b", "2b") : "+a"(lo), "+d"(hi) : "c"(xcr) : "memory");
	*value = lo | (u64)hi << 32;
	return this_cpu()->fixup_fault;
}

static u64 xcr0(void)
{
	u64 v = 0;
	xgetbv_safe(0, &v);
	return v;
}

static u32 xsave_size_now(void)
{
	return cpuid(LEAF_XSAVE, 0).ebx;
}

/* The standard-format size hardware reports for `mask`: the highest component's offset + size. */
static u32 expected_size(u64 mask)
{
	u32 size = XSAVE_LEGACY_AND_HEADER;
	for (u32 i = 2; i < 32; i++) {
		if (!(mask & BIT(i)))
			continue;
		struct cpuid_regs r = cpuid(LEAF_XSAVE, i);
		size = MAX(size, r.ebx + r.eax);
	}
	return size;
}

static void check_before_osxsave(void)
{
	u64 v;
	CHECK_EQ(cpuid(1, 0).ecx & L1_ECX_OSXSAVE, 0, "osxsave_bit_clear_at_reset");
	CHECK_EQ(xsetbv_safe(0, XCR0_X87), UD, "xsetbv_ud_without_osxsave");
	CHECK_EQ(xgetbv_safe(0, &v), UD, "xgetbv_ud_without_osxsave");
}

static void check_bad_values(u64 supported)
{
	CHECK_EQ(xsetbv_safe(0, 0), GP0, "xsetbv_x87_clear_gp");
	CHECK_EQ(xsetbv_safe(0, 0x2), GP0, "xsetbv_sse_only_gp");
	CHECK_EQ(xsetbv_safe(1, XCR0_X87), GP0, "xsetbv_xcr1_gp");
	CHECK_EQ(xsetbv_safe(0, XCR0_X87 | XCR0_RESERVED63), GP0, "xsetbv_reserved_bit_gp");
	if (supported & 0x4) {
		CHECK_EQ(xsetbv_safe(0, 0x5), GP0, "xsetbv_avx_without_sse_gp");
	} else {
		SKIP("xsetbv_avx_without_sse_gp", "no AVX state on this CPU");
	}
	if ((supported & XCR0_AVX512) == XCR0_AVX512) {
		CHECK_EQ(xsetbv_safe(0, XCR0_OPMASK_ONLY), GP0, "xsetbv_partial_avx512_gp");
		CHECK_EQ(xsetbv_safe(0, 0xE3), GP0, "xsetbv_avx512_without_avx_gp");
	} else {
		CHECK_EQ(xsetbv_safe(0, XCR0_AVX512), GP0, "xsetbv_unsupported_avx512_gp");
		SKIP("xsetbv_avx512_without_avx_gp", "no AVX-512 state on this CPU");
	}
	CHECK_EQ(xcr0(), XCR0_X87, "xcr0_unchanged_after_gp");
}

static void user_xsetbv(void *arg)
{
	asm volatile("xsetbv" ::"c"(0), "a"((u32)XCR0_SSE_X87), "d"(0));
	user_exit();
}

static void check_cpl3(void)
{
	user_mode_init();
	u8 vector = user_run(user_xsetbv, NULL);
	CHECK_EQ(vector, X86_VEC_GP, "xsetbv_cpl3_gp");
	CHECK_EQ(exc_last()->raw[2], SEL_USER_CODE64, "xsetbv_cpl3_ran_in_ring3"); /* error code, RIP, CS */
	CHECK_EQ(xcr0(), XCR0_X87, "xcr0_unchanged_after_cpl3");
}

static u64 ymm_in[YMM_QWORDS] __attribute__((aligned(32))) = { 0x1111222233334444ull, 0x5555666677778888ull,
							       0x99990000aaaabbbbull, 0xccccddddeeeeffffull };
static u64 ymm_out[YMM_QWORDS] __attribute__((aligned(32)));

static void check_avx(u64 supported)
{
	if (!(supported & 0x4) || !(cpuid(1, 0).ecx & L1_ECX_AVX)) {
		SKIP("avx_ud_with_xcr0_sse", "no AVX on this CPU");
		SKIP("xsetbv_avx", "no AVX on this CPU");
		SKIP("ymm_kept_across_exits", "no AVX on this CPU");
		return;
	}
	CHECK_EQ(FIXUP_TRY("vmovdqu (%0), %%ymm0", "r"(ymm_in)), UD, "avx_ud_with_xcr0_sse");
	CHECK_EQ(xsetbv_safe(0, XCR0_AVX), FAULT_NONE, "xsetbv_avx");
	CHECK_EQ(xcr0(), XCR0_AVX, "xgetbv_avx");
	CHECK_EQ(xsave_size_now(), expected_size(XCR0_AVX), "cpuid_d_ebx_follows_xcr0_avx");
	CHECK_EQ(FIXUP_TRY("vmovdqu (%0), %%ymm7", "r"(ymm_in)), FAULT_NONE, "avx_load_ymm");
	for (int i = 0; i < 3; i++)
		(void)cpuid(0, 0); /* exits under microhv: the register file must survive them */
	if (under_microhv())
		hc_version();
	CHECK_EQ(FIXUP_TRY("vmovdqu %%ymm7, (%0)", "r"(ymm_out)), FAULT_NONE, "avx_store_ymm");
	bool same = true;
	for (int i = 0; i < YMM_QWORDS; i++)
		same &= ymm_out[i] == ymm_in[i];
	CHECK(same, "ymm_kept_across_exits");
	CHECK_EQ(xcr0(), XCR0_AVX, "xcr0_kept_across_exits");
}

static void check_avx512(u64 supported)
{
	if ((supported & XCR0_AVX512) != XCR0_AVX512 || !(cpuid(7, 0).ebx & L7_EBX_AVX512F)) {
		SKIP("xsetbv_avx512", "no AVX-512 on this CPU");
		SKIP("cpuid_d_ebx_follows_xcr0_avx512", "no AVX-512 on this CPU");
		return;
	}
	CHECK_EQ(xsetbv_safe(0, XCR0_AVX512), FAULT_NONE, "xsetbv_avx512");
	CHECK_EQ(xsave_size_now(), expected_size(XCR0_AVX512), "cpuid_d_ebx_follows_xcr0_avx512");
	CHECK_EQ(xsetbv_safe(0, XCR0_AVX), FAULT_NONE, "xsetbv_back_to_avx");
}

void test_main(void)
{
	struct cpuid_regs l1 = cpuid(1, 0);
	if (!CHECK(l1.ecx & L1_ECX_XSAVE, "cpuid_xsave_offered"))
		return;
	check_before_osxsave();
	CHECK_EQ(write_cr4_safe(read_cr4() | CR4_OSXSAVE | CR4_OSFXSR), FAULT_NONE, "cr4_osxsave_accepted");
	CHECK(cpuid(1, 0).ecx & L1_ECX_OSXSAVE, "osxsave_bit_follows_cr4");
	CHECK_EQ(xcr0(), XCR0_X87, "xcr0_reset_value");
	struct cpuid_regs d0 = cpuid(LEAF_XSAVE, 0);
	u64 supported = d0.eax | (u64)d0.edx << 32;
	tap_diag("CPUID.(0xD,0): supported 0x%llx, size now %u, size all %u", supported, d0.ebx, d0.ecx);
	CHECK_EQ(supported & XCR0_SSE_X87, XCR0_SSE_X87, "cpuid_d_x87_sse");
	CHECK_EQ(d0.ebx, XSAVE_LEGACY_AND_HEADER, "cpuid_d_ebx_xcr0_x87");
	check_bad_values(supported);
	check_cpl3();
	CHECK_EQ(xsetbv_safe(0, XCR0_SSE_X87), FAULT_NONE, "xsetbv_sse");
	CHECK_EQ(xcr0(), XCR0_SSE_X87, "xgetbv_sse");
	if (under_microhv())
		hc_version();
	CHECK_EQ(xcr0(), XCR0_SSE_X87, "xgetbv_sse_after_exit");
	check_avx(supported);
	check_avx512(supported);
	CHECK_EQ(write_cr4_safe(read_cr4() & ~CR4_OSXSAVE), FAULT_NONE, "cr4_osxsave_cleared");
	CHECK_EQ(cpuid(1, 0).ecx & L1_ECX_OSXSAVE, 0, "osxsave_bit_clear_again");
}
