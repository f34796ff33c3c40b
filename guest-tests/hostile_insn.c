/* Hostile guest: privileged and virtualization instructions a guest must not be able to use against the
 * hypervisor. Each must raise what a CPU with microhv's CPUID would (#UD for hidden features, #GP(0) for
 * reserved bits, #PF for an unmapped operand) or complete (INVD, WBINVD); never stop the VM. leak_check
 * runs after this guest in suite.txt to show the hypervisor survived. */
#include "guest.h"

#define UD FAULT(X86_VEC_UD, 0)
#define GP0 FAULT(X86_VEC_GP, 0)
#define CR4_VMXE BIT(13)
#define CR4_OSXSAVE BIT(18)
#define CR4_RESERVED_25 BIT(25)
#define NONCANONICAL_LINEAR 0x8000000000001000ull /* bits 63:47 differ */
#define UNMAPPED_LINEAR 0x00007F0000000000ull /* canonical, and no PML4 entry in the runtime's tables */
#define PF_EC_WRITE 0x2u

/* Runs one instruction (asm text, then its operands) with a fixup entry; returns what it raised. */
#define TRY(insn, ...)                                                                        \
	({                                                                                    \
		this_cpu()->fixup_fault = FAULT_NONE;                                         \
		asm volatile("1: " insn "\n\t2:\n\t" FIXUP_ENTRY("1b", "2b")::__VA_ARGS__ : "memory"); \
		this_cpu()->fixup_fault;                                                      \
	})

static u64 vmx_region[512] __attribute__((aligned(4096)));

static void check_ud(void)
{
	u64 mem = (u64)vmx_region;
	CHECK_EQ(TRY("xsetbv", "c"(0), "a"(1), "d"(0)), UD, "xsetbv_ud");
	/* RDTSCP is offered (IA32_TSC_AUX per vCPU, guest-tests/insn_features.c): it completes. */
	u32 lo = 0, hi = 0, aux = 0;
	this_cpu()->fixup_fault = FAULT_NONE;
	asm volatile("1: rdtscp\n\t2:\n\t" FIXUP_ENTRY("1b", "2b") : "+a"(lo), "+d"(hi), "+c"(aux)::"memory");
	CHECK_EQ(this_cpu()->fixup_fault, FAULT_NONE, "rdtscp_completes");
	CHECK_EQ(TRY("monitor", "a"(mem), "c"(0), "d"(0)), UD, "monitor_ud");
	CHECK_EQ(TRY("mwait", "a"(0), "c"(0)), UD, "mwait_ud");
	CHECK_EQ(TRY(".byte 0x0f, 0x37", "a"(0)), UD, "getsec_ud");
	/* VMX (hidden): outside VMX operation, or intercepted in it, they are #UD for the guest. */
	CHECK_EQ(TRY("vmxon (%0)", "r"(mem)), UD, "vmxon_ud");
	CHECK_EQ(TRY("vmxoff", "a"(0)), UD, "vmxoff_ud");
	CHECK_EQ(TRY("vmlaunch", "a"(0)), UD, "vmlaunch_ud");
	CHECK_EQ(TRY("vmresume", "a"(0)), UD, "vmresume_ud");
	CHECK_EQ(TRY("vmptrld (%0)", "r"(mem)), UD, "vmptrld_ud");
	CHECK_EQ(TRY("vmclear (%0)", "r"(mem)), UD, "vmclear_ud");
	CHECK_EQ(TRY("vmptrst (%0)", "r"(mem)), UD, "vmptrst_ud");
	CHECK_EQ(TRY("vmread %0, %1", "a"(0ull), "b"(0ull)), UD, "vmread_ud"); /* #UD: RBX stays */
	CHECK_EQ(TRY("vmwrite %0, %0", "a"(0ull)), UD, "vmwrite_ud");
	CHECK_EQ(TRY("invept (%0), %1", "r"(mem), "r"(1ull)), UD, "invept_ud");
	CHECK_EQ(TRY("invvpid (%0), %1", "r"(mem), "r"(1ull)), UD, "invvpid_ud");
	/* SVM (hidden; the guest's EFER.SVME reads 0): #UD. */
	CHECK_EQ(TRY(".byte 0x0f, 0x01, 0xd8", "a"(mem)), UD, "vmrun_ud");
	CHECK_EQ(TRY(".byte 0x0f, 0x01, 0xda", "a"(mem)), UD, "vmload_ud");
	CHECK_EQ(TRY(".byte 0x0f, 0x01, 0xdb", "a"(mem)), UD, "vmsave_ud");
	CHECK_EQ(TRY(".byte 0x0f, 0x01, 0xdc", "a"(0)), UD, "stgi_ud");
	CHECK_EQ(TRY(".byte 0x0f, 0x01, 0xdd", "a"(0)), UD, "clgi_ud");
	CHECK_EQ(TRY(".byte 0x0f, 0x01, 0xde", "a"(mem)), UD, "skinit_ud");
	CHECK_EQ(TRY(".byte 0x0f, 0x01, 0xdf", "a"(0), "c"(0)), UD, "invlpga_ud");
	/* LOCK MOV CR0 (AMD's CR8 alias, hidden: CPUID 80000001H:ECX[4] = 0): #UD. RAX = 0 = the TPR. */
	CHECK_EQ(TRY(".byte 0xf0, 0x0f, 0x22, 0xc0", "a"(0)), UD, "lock_mov_cr0_ud");
}

static void check_control_registers(void)
{
	u64 cr4 = read_cr4(); /* CR0 reserved bits: guest-tests/cr0.c */
	CHECK_EQ(write_cr4_safe(cr4 | CR4_VMXE), GP0, "cr4_vmxe_gp");
	/* XSAVE is offered (XSETBV emulated): OSXSAVE is accepted, and it is cleared again here. */
	CHECK_EQ(write_cr4_safe(cr4 | CR4_OSXSAVE), FAULT_NONE, "cr4_osxsave_accepted");
	CHECK_EQ(write_cr4_safe(cr4), FAULT_NONE, "cr4_osxsave_cleared");
	CHECK_EQ(write_cr4_safe(cr4 | CR4_RESERVED_25), GP0, "cr4_reserved_bit25_gp");
	CHECK_EQ(read_cr4(), cr4, "cr4_unchanged");
	u64 cr8 = 0;
	CHECK_EQ(TRY("mov %0, %%cr8", "r"(0x10ull)), GP0, "cr8_reserved_bits_gp");
	asm volatile("mov %%cr8, %0" : "=r"(cr8));
	CHECK_EQ(cr8, 0, "cr8_unchanged");
	CHECK_EQ(TRY("rdpmc", "c"(0)), GP0, "rdpmc_no_counters_gp");
	CHECK_EQ(TRY("invd"), FAULT_NONE, "invd_completes");
	CHECK_EQ(TRY("wbinvd"), FAULT_NONE, "wbinvd_completes");
}

/* SMSW/LMSW with a memory operand the page tables do not map: #PF with CR2 = that address. With CR0.CD
 * set, SVM intercepts them and microhv emulates the access (the case that used to stop the VM). */
static void check_msw_page_faults(void)
{
	u64 cr0 = read_cr0();
	write_cr0(cr0 | CR0_CD);
	fault_t smsw = TRY("smsw (%0)", "r"(UNMAPPED_LINEAR));
	u64 smsw_cr2 = read_cr2();
	fault_t lmsw = TRY("lmsw (%0)", "r"(UNMAPPED_LINEAR + 8));
	u64 lmsw_cr2 = read_cr2();
	fault_t smsw_nc = TRY("smsw (%0)", "r"(NONCANONICAL_LINEAR)); /* #GP(0), SDM Vol. 3A §3.3.7.1 */
	write_cr0(cr0);
	CHECK_EQ(smsw, FAULT(X86_VEC_PF, PF_EC_WRITE), "smsw_unmapped_pf");
	CHECK_EQ(smsw_cr2, UNMAPPED_LINEAR, "smsw_unmapped_cr2");
	CHECK_EQ(lmsw, FAULT(X86_VEC_PF, 0), "lmsw_unmapped_pf");
	CHECK_EQ(lmsw_cr2, UNMAPPED_LINEAR + 8, "lmsw_unmapped_cr2");
	CHECK_EQ(smsw_nc, FAULT(X86_VEC_GP, 0), "smsw_noncanonical_gp0");
}

/* A diagnostic line with a terminal escape sequence and a NUL: microhv must print them escaped
 * (scripts/check-bad-input.sh looks for the escaped text and for no raw ESC in this guest's lines). */
static void print_control_bytes(void)
{
	static const char line[] = "# control bytes: \x1b[2J nul \0 del \x7f end\n";
	serial_write(line, sizeof(line) - 1);
}

void test_main(void)
{
	print_control_bytes();
	if (!under_microhv()) {
		SKIP("privileged_instructions", "asserts microhv's CPUID policy; plain QEMU offers other features");
		return;
	}
	check_ud();
	check_control_registers();
	check_msw_page_faults();
}
