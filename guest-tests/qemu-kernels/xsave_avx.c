/* XSAVE and AVX as a kernel turns them on (SDM Vol. 1 13.2-13.3, Vol. 3A 2.6): CPUID.1:ECX.XSAVE, CR4.OSXSAVE
 * (then CPUID shows OSXSAVE), XGETBV/XSETBV of XCR0 (x87 must stay set), CPUID leaf 0xD's sizes, an AVX
 * VADDPS on YMM registers, and XSAVE/XRSTOR of the YMM state. SKIP where CPUID offers no XSAVE/AVX. */
#include "kl.h"

#define CPUID1_ECX_XSAVE (1u << 26)
#define CPUID1_ECX_OSXSAVE (1u << 27)
#define CPUID1_ECX_AVX (1u << 28)
#define CR4_OSXSAVE (1ULL << 18)
#define XCR0_X87 1
#define XCR0_SSE 2
#define XCR0_AVX 4
#define GP_VECTOR 13
#define UD_VECTOR 6

static u64 xgetbv(u32 i) { u32 lo, hi; __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(i)); return (u64)hi << 32 | lo; }
static void xsetbv(u32 i, u64 v) { __asm__ volatile("xsetbv" : : "c"(i), "a"((u32)v), "d"((u32)(v >> 32))); }
static int xsetbv_fault(u32 i, u64 v)
{
	kl_expect(GP_VECTOR);
	__asm__ volatile("leaq 1f(%%rip), %%rbx; movq %%rbx, kl_resume_rip(%%rip); xsetbv; 1:"
			 : : "c"(i), "a"((u32)v), "d"((u32)(v >> 32)) : "rbx", "memory");
	kl_resume_rip = 0;
	return kl_last_fault.vector;
}
static int xgetbv_fault(void)
{
	kl_expect(UD_VECTOR);
	__asm__ volatile("leaq 1f(%%rip), %%rbx; movq %%rbx, kl_resume_rip(%%rip); xor %%ecx, %%ecx; xgetbv; 1:"
			 : : : "rax", "rbx", "rcx", "rdx", "memory");
	kl_resume_rip = 0;
	return kl_last_fault.vector;
}

static u8 xsave_area[4096] __attribute__((aligned(64)));
static float in_a[8] __attribute__((aligned(32))) = { 1, 2, 3, 4, 5, 6, 7, 8 };
static float in_b[8] __attribute__((aligned(32))) = { 10, 20, 30, 40, 50, 60, 70, 80 };
static float out[8] __attribute__((aligned(32)));

void kmain(void);
void kmain(void)
{
	u32 r[4];
	kl_idt_init();
	cpuid(1, 0, r);
	if (!(r[2] & CPUID1_ECX_XSAVE)) {
		kl_skip("xsave", "CPUID.1:ECX.XSAVE[26] is 0");
		kl_finish();
	}
	int avx = (r[2] & CPUID1_ECX_AVX) != 0;
	kl_check_eq("osxsave_clear_before_cr4", r[2] & CPUID1_ECX_OSXSAVE, 0);
	kl_check_eq("xgetbv_ud_without_osxsave", (u64)xgetbv_fault(), UD_VECTOR);
	u64 cr4;
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	__asm__ volatile("mov %0, %%cr4" : : "r"(cr4 | CR4_OSXSAVE));
	cpuid(1, 0, r);
	kl_check("osxsave_set_after_cr4", r[2] & CPUID1_ECX_OSXSAVE, "CPUID.1:ECX 0x%x", r[2]);
	kl_check_eq("xcr0_reset_value", xgetbv(0), XCR0_X87);
	cpuid(0xD, 0, r);
	u64 supported = (u64)r[3] << 32 | r[0];
	kl_check("leaf_d_x87_sse_supported", (supported & 3) == 3, "XCR0 mask 0x%llx", supported);
	kl_check_eq("xsetbv_without_x87_faults", (u64)xsetbv_fault(0, XCR0_SSE), GP_VECTOR);
	kl_check_eq("xsetbv_avx_without_sse_faults", (u64)xsetbv_fault(0, XCR0_X87 | XCR0_AVX), GP_VECTOR);
	xsetbv(0, XCR0_X87 | XCR0_SSE);
	cpuid(0xD, 0, r);
	kl_check("leaf_d_size_for_x87_sse", r[1] >= 576 && r[1] <= r[2], "EBX %u ECX %u", r[1], r[2]);
	if (!avx || !(supported & XCR0_AVX)) {
		kl_skip("avx", "CPUID.1:ECX.AVX[28] or XCR0 bit 2 not offered");
		kl_finish();
	}
	xsetbv(0, XCR0_X87 | XCR0_SSE | XCR0_AVX);
	kl_check_eq("xcr0_avx_reads_back", xgetbv(0), XCR0_X87 | XCR0_SSE | XCR0_AVX);
	cpuid(0xD, 0, r);
	kl_check("leaf_d_size_with_avx", r[1] >= 832, "EBX %u", r[1]);
	cpuid(0xD, 2, r);
	kl_check("leaf_d_avx_component", r[0] == 256 && r[1] == 576, "size %u offset %u", r[0], r[1]);
	__asm__ volatile("vmovaps %1, %%ymm0; vmovaps %2, %%ymm1; vaddps %%ymm1, %%ymm0, %%ymm2; vmovaps %%ymm2, %0"
			 : "=m"(out) : "m"(in_a), "m"(in_b) : "xmm0", "xmm1", "xmm2");
	int ok = 1;
	for (int i = 0; i < 8; i++)
		ok &= out[i] == in_a[i] + in_b[i];
	kl_check("vaddps_ymm", ok, "wrong sum in lane 7: %u", (u32)out[7]);
	/* XSAVE the YMM state, clobber ymm2, XRSTOR, and the sum is back. */
	kl_memset(xsave_area, 0, sizeof(xsave_area));
	__asm__ volatile("xsave %0" : "+m"(xsave_area) : "a"(7), "d"(0) : "memory");
	u64 xstate_bv = *(u64 *)(xsave_area + 512);
	kl_check("xsave_header_avx_in_use", (xstate_bv & XCR0_AVX) != 0, "XSTATE_BV 0x%llx", xstate_bv);
	__asm__ volatile("vxorps %%ymm2, %%ymm2, %%ymm2" : : : "xmm2");
	__asm__ volatile("xrstor %0" : : "m"(xsave_area), "a"(7), "d"(0) : "memory");
	__asm__ volatile("vmovaps %%ymm2, %0" : "=m"(out));
	kl_check("xrstor_restores_ymm", out[7] == 88 && out[0] == 11, "lane 0 %u", (u32)out[0]);
	kl_finish();
}
