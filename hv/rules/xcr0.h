/* XCR0, the XSAVE feature-enabled mask (SDM Vol. 1 §13.3): which state components a guest may enable,
 * and the checks XSETBV makes. Pure: compiled into the hypervisor and the host unit tests. */
#ifndef HV_XCR0_H
#define HV_XCR0_H

#include "../lib/types.h"

#define XCR0_X87 BIT(0)
#define XCR0_SSE BIT(1)
#define XCR0_AVX BIT(2)
#define XCR0_OPMASK BIT(5)    /* AVX-512 k0-k7 */
#define XCR0_ZMM_HI256 BIT(6) /* AVX-512 upper halves of ZMM0-15 */
#define XCR0_HI16_ZMM BIT(7)  /* AVX-512 ZMM16-31 */
#define XCR0_AVX512 (XCR0_OPMASK | XCR0_ZMM_HI256 | XCR0_HI16_ZMM)
/* The components microhv switches per vCPU and lets a guest enable: x87, SSE, AVX and AVX-512. Others
 * (MPX, PKRU, AMX, CET, ...) stay hidden. */
#define XCR0_GUEST_POLICY (XCR0_X87 | XCR0_SSE | XCR0_AVX | XCR0_AVX512)
#define XCR0_PKRU BIT(9)      /* saved per vCPU by microhv (PKU runs natively), never enabled by a guest */
#define XCR0_RESET XCR0_X87   /* after RESET (SDM Vol. 1 §13.3) */
#define XCR_XFEATURE_ENABLED 0 /* ECX of XSETBV/XGETBV: XCR0, the only XCR XSETBV can write */

/* What XSETBV does, given its checks (SDM Vol. 2C XSETBV "Protected Mode Exceptions"). */
enum xsetbv_result {
	XSETBV_OK,
	XSETBV_UD, /* CR4.OSXSAVE = 0 (or no XSAVE): #UD */
	XSETBV_GP, /* #GP(0) */
};

struct xsetbv_context {
	bool osxsave; /* the guest's CR4.OSXSAVE */
	u8 cpl;
	bool v8086;   /* virtual-8086 mode: #GP(0) as at CPL 3 */
	u64 supported; /* CPUID.(0xD,0):EDX:EAX as the guest sees it; 0 = XSAVE not offered */
};

/* True if `value` is a legal XCR0 on a CPU that supports the components `supported`: bit 0 set, AVX
 * only with SSE, the three AVX-512 bits all or none and only with AVX, nothing outside `supported`. */
bool xcr0_valid(u64 value, u64 supported);

/* The checks of XSETBV with ECX = `index` and EDX:EAX = `value`. */
enum xsetbv_result xsetbv_check(const struct xsetbv_context *c, u32 index, u64 value);

/* The largest XCR0 for a guest on a host whose CPUID.(0xD,0) reports `host_supported` and whose own
 * XCR0 (what microhv saves per vCPU) is `host_xcr0`: within XCR0_GUEST_POLICY, and itself valid (an
 * inconsistent host set loses AVX-512, then AVX). 0 if not even x87 and SSE are there. */
u64 xcr0_guest_supported(u64 host_supported, u64 host_xcr0);

#endif
