/* Isolation, part 2 of 2, and the "still standing" guest after every hostile one (suite.txt): a new VM
 * must start with the reset register file, whatever the VM before it left (leak_write fills it all).
 * Reset values: XMM = 0, MXCSR = 1F80H, x87 as after FNINIT, DR0-3 = 0, DR6 = FFFF0FF0H, DR7 = 400H,
 * CR2 = 0 (SDM Vol. 3A Table 10-1), the SYSCALL MSRs and KERNEL_GS_BASE = 0. */
#include "guest.h"
#include "regfile.h"

static const struct {
	u32 msr;
	const char *name;
} reset_msrs[] = {
	{ 0xC0000081u, "star_reset" },  { 0xC0000082u, "lstar_reset" },  { 0xC0000083u, "cstar_reset" },
	{ 0xC0000084u, "sfmask_reset" }, { 0xC0000102u, "kernel_gs_base_reset" },
};

static void check_xmm(const struct regfile *s)
{
	u32 dirty = 0;
	for (u32 n = 0; n < REGFILE_XMM_REGS; n++) {
		if (s->xmm[n][0] || s->xmm[n][1]) {
			tap_diag("xmm%u = 0x%016llx%016llx", n, s->xmm[n][1], s->xmm[n][0]);
			dirty++;
		}
	}
	CHECK_EQ(dirty, 0, "xmm0_15_reset");
}

void test_main(void)
{
	/* Plain QEMU runs SeaBIOS before the kernel: the register file is the firmware's, not a new VM's. */
	if (!under_microhv()) {
		SKIP("register_file_reset", "not a fresh VM: firmware ran before this kernel (plain QEMU)");
		return;
	}
	struct regfile s;
	regfile_enable_sse(); /* CR4 only: no register changes */
	regfile_read(&s);
	CHECK_EQ(s.cr2, 0, "cr2_reset");
	CHECK_EQ(s.dr[0], 0, "dr0_reset");
	CHECK_EQ(s.dr[1], 0, "dr1_reset");
	CHECK_EQ(s.dr[2], 0, "dr2_reset");
	CHECK_EQ(s.dr[3], 0, "dr3_reset");
	CHECK_EQ(s.dr6, DR6_RESET, "dr6_reset");
	CHECK_EQ(s.dr7, DR7_RESET, "dr7_reset");
	check_xmm(&s);
	CHECK_EQ(s.mxcsr, MXCSR_RESET, "mxcsr_reset");
	CHECK_EQ(s.fcw, FCW_RESET, "x87_fcw_reset");
	CHECK_EQ(s.fsw, 0, "x87_fsw_reset");
	CHECK_EQ(s.ftw, FTW_ALL_EMPTY, "x87_stack_empty");
	for (u32 i = 0; i < ARRAY_SIZE(reset_msrs); i++) {
		u64 value = ~0ull;
		fault_t f = rdmsr_safe(reset_msrs[i].msr, &value);
		if (f != FAULT_NONE || value)
			tap_diag("MSR 0x%x: fault 0x%llx, value 0x%llx", reset_msrs[i].msr, f, value);
		CHECK(f == FAULT_NONE && value == 0, reset_msrs[i].name);
	}
}
