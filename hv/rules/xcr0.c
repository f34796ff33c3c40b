/* See xcr0.h. */
#include "xcr0.h"

bool xcr0_valid(u64 value, u64 supported)
{
	if (!(value & XCR0_X87) || (value & ~supported))
		return false;
	if ((value & XCR0_AVX) && !(value & XCR0_SSE)) /* XCR0[2:1] = 10b */
		return false;
	u64 avx512 = value & XCR0_AVX512;
	if (avx512 && avx512 != XCR0_AVX512) /* XCR0[7:5] neither 000b nor 111b */
		return false;
	if (avx512 && !(value & XCR0_AVX)) /* XCR0[7:5] = 111b needs XCR0[2:1] = 11b */
		return false;
	return true;
}

enum xsetbv_result xsetbv_check(const struct xsetbv_context *c, u32 index, u64 value)
{
	/* #UD comes from the instruction's existence, before the privilege check. */
	if (!c->supported || !c->osxsave)
		return XSETBV_UD;
	if (c->cpl != 0 || c->v8086)
		return XSETBV_GP;
	if (index != XCR_XFEATURE_ENABLED) /* XCR1 (XINUSE) is read-only, others do not exist */
		return XSETBV_GP;
	return xcr0_valid(value, c->supported) ? XSETBV_OK : XSETBV_GP;
}

u64 xcr0_guest_supported(u64 host_supported, u64 host_xcr0)
{
	u64 s = host_supported & host_xcr0 & XCR0_GUEST_POLICY;
	if ((s & (XCR0_X87 | XCR0_SSE)) != (XCR0_X87 | XCR0_SSE))
		return 0;
	if ((s & XCR0_AVX512) != XCR0_AVX512 || !(s & XCR0_AVX))
		s &= ~XCR0_AVX512;
	return s;
}
