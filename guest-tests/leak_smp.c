/* Isolation between the vCPUs of one VM: the BSP and an AP load different XMM/MXCSR/x87 values, then
 * take turns on the one physical CPU (every smp_call() is a switch) and each must still hold its own.
 * Then INIT-SIPI-SIPI restarts the AP: DR0-3, DR6 and CR2 return to their reset values, the XMM
 * registers and MXCSR are kept (SDM Vol. 3A Table 10-1), and so are the MTRRs (spec R3.3: only RESET
 * zeroes them). */
#include "guest.h"
#include "regfile.h"

#define BSP_SEED 0xB5B5ull
#define AP_SEED 0xA9A9ull
#define ROUNDS 8
#define MSR_MTRR_PHYSBASE0 0x200u
#define MSR_MTRR_DEF_TYPE 0x2FFu
#define AP_PHYSBASE0 0x80000006ull /* WB range at 2 GiB */
#define AP_DEF_TYPE 0xC06ull      /* E = 1, FE = 1, default WB */

static u64 ap_fill(u64 seed)
{
	regfile_enable_sse();
	regfile_fill(seed);
	return 0;
}

/* What the AP holds: XMM5's low quadword and MXCSR, one word. */
static u64 ap_read(u64 unused)
{
	struct regfile s;
	regfile_read(&s);
	return s.xmm[5][0] ^ ((u64)s.mxcsr << 48);
}

/* Before INIT: the AP programs two MTRRs; 0 if both writes were taken. */
static u64 ap_program_mtrrs(u64 unused)
{
	return (wrmsr_safe(MSR_MTRR_PHYSBASE0, AP_PHYSBASE0) != FAULT_NONE) |
	       (wrmsr_safe(MSR_MTRR_DEF_TYPE, AP_DEF_TYPE) != FAULT_NONE) << 1;
}

/* After the restart: 0 if the MTRRs still hold what ap_program_mtrrs() wrote, else a bit per one that does not. */
static u64 ap_mtrrs_changed(u64 unused)
{
	u64 base = 0, def = 0;
	rdmsr_safe(MSR_MTRR_PHYSBASE0, &base);
	rdmsr_safe(MSR_MTRR_DEF_TYPE, &def);
	return (base != AP_PHYSBASE0) | (def != AP_DEF_TYPE) << 1;
}

/* After the restart: 0 if DR0-3, DR6 and CR2 are reset, else a bit per register that is not. */
static u64 ap_debug_state_not_reset(u64 unused)
{
	struct regfile s;
	regfile_enable_sse(); /* INIT cleared CR4 */
	regfile_read(&s);
	return (s.dr[0] != 0) | (s.dr[1] != 0) << 1 | (s.dr[2] != 0) << 2 | (s.dr[3] != 0) << 3 |
	       (s.dr6 != DR6_RESET) << 4 | (s.cr2 != 0) << 5;
}

static void check_init_restart(u64 ap_expect)
{
	const u32 dest = 1;
	CHECK_EQ(smp_call(1, ap_program_mtrrs, 0), 0, "ap_mtrrs_programmed");
	smp_send_startup(&dest, 1);
	if (!CHECK(smp_wait_starts(1, 2, SMP_START_TIMEOUT_US), "ap_restarted_by_init_sipi"))
		return;
	CHECK_EQ(smp_call(1, ap_debug_state_not_reset, 0), 0, "init_resets_dr0_3_dr6_cr2");
	CHECK_EQ(smp_call(1, ap_read, 0), ap_expect, "init_keeps_xmm_mxcsr");
	CHECK_EQ(smp_call(1, ap_mtrrs_changed, 0), 0, "init_keeps_mtrrs");
}

void test_main(void)
{
	smp_add_dense(2);
	if (smp_start_all() != 2) {
		CHECK(false, "ap_online");
		return;
	}
	regfile_enable_sse();
	regfile_fill(BSP_SEED);
	CHECK_EQ(smp_call(1, ap_fill, AP_SEED), 0, "ap_filled");
	u32 bsp_bad = 0, ap_bad = 0;
	const u64 ap_expect = regfile_xmm_pattern(AP_SEED, 5) ^ ((u64)regfile_mxcsr_pattern(AP_SEED) << 48);
	for (u32 round = 0; round < ROUNDS; round++) {
		ap_bad += smp_call(1, ap_read, 0) != ap_expect;
		struct regfile s;
		regfile_read(&s);
		bsp_bad += s.xmm[5][0] != regfile_xmm_pattern(BSP_SEED, 5) ||
			   s.mxcsr != regfile_mxcsr_pattern(BSP_SEED) || s.fcw != 0x027F;
	}
	CHECK_EQ(bsp_bad, 0, "bsp_keeps_its_xmm_mxcsr_x87");
	CHECK_EQ(ap_bad, 0, "ap_keeps_its_xmm_mxcsr");
	check_init_restart(ap_expect);
}
