/* Isolation, part 1 of 2: fills every register a VM exit leaves alone (regfile.h) and the MSRs that
 * VMX does not switch, then exits. The next guest in the suite, leak_check, runs in a new VM and must
 * see none of it (docs/isolation.md). */
#include "guest.h"
#include "regfile.h"

#define LEAK_SEED 0x5EED0001ull
#define MSR_STAR 0xC0000081u
#define MSR_LSTAR 0xC0000082u
#define MSR_CSTAR 0xC0000083u
#define MSR_SFMASK 0xC0000084u
#define MSR_KERNEL_GS_BASE 0xC0000102u

static const u32 dirty_msrs[] = { MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SFMASK, MSR_KERNEL_GS_BASE };

void test_main(void)
{
	struct regfile s;
	regfile_enable_sse();
	regfile_fill(LEAK_SEED);
	regfile_read(&s);
	CHECK_EQ(s.xmm[7][0], regfile_xmm_pattern(LEAK_SEED, 7), "xmm7_written");
	CHECK_EQ(s.mxcsr, regfile_mxcsr_pattern(LEAK_SEED), "mxcsr_written");
	CHECK_NE(s.dr[0], 0, "dr0_written");
	CHECK_NE(s.ftw, FTW_ALL_EMPTY, "x87_stack_written");
	u32 written = 0;
	for (u32 i = 0; i < ARRAY_SIZE(dirty_msrs); i++) /* SFMASK takes only bits 31:0 */
		written += wrmsr_safe(dirty_msrs[i], 0x12345678u + i) == FAULT_NONE;
	CHECK_EQ(written, ARRAY_SIZE(dirty_msrs), "syscall_msrs_written");
}
