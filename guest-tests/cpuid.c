/* CPUID as microhv presents it (spec section 1, R1.1, and the hypervisor leaves of the guest ABI).
 * These are assertions about microhv: on plain QEMU (TCG or KVM, recognised by their own CPUID
 * signatures and the absence of microhv's platform= word) the microhv-only ones SKIP. */
#include "guest.h"

#define CPUID_7_EBX_FDP_EXCPTN_ONLY 6 /* de-feature bits: set = feature absent, always set for guests */
#define CPUID_7_EBX_ZERO_FCS_FDS 13
#define CPUID_LEAF_FEATURES 1
#define CPUID_LEAF_EXT_FEATURES 7

static u32 bit_of(u32 value, u32 bit)
{
	return (value >> bit) & 1;
}

static void check_x87_defeatures(void)
{
	u32 ebx = cpuid(CPUID_LEAF_EXT_FEATURES, 0).ebx;

	CHECK_EQ(bit_of(ebx, CPUID_7_EBX_FDP_EXCPTN_ONLY), 1, "leaf7_ebx6_fdp_excptn_only");
	CHECK_EQ(bit_of(ebx, CPUID_7_EBX_ZERO_FCS_FDS), 1, "leaf7_ebx13_zero_fcs_fds");
}

static void check_hypervisor_leaves(void)
{
	CHECK_EQ(cpuid(CPUID_LEAF_FEATURES, 0).ecx & CPUID_1_ECX_HYPERVISOR, CPUID_1_ECX_HYPERVISOR,
		 "leaf1_ecx31_hypervisor");

	struct cpuid_regs base = cpuid(MICROHV_CPUID_BASE, 0);
	if (!CHECK(base.eax >= MICROHV_CPUID_INFO, "hv_leaf_max"))
		tap_diag("0x40000000 EAX = 0x%x", base.eax);
	CHECK_EQ(base.ebx, MICROHV_SIG_EBX, "hv_signature_ebx");
	CHECK_EQ(base.ecx, MICROHV_SIG_ECX, "hv_signature_ecx");
	CHECK_EQ(base.edx, MICROHV_SIG_EDX, "hv_signature_edx");

	struct cpuid_regs info = cpuid(MICROHV_CPUID_INFO, 0);
	CHECK_EQ(info.eax, MICROHV_ABI_VERSION, "hv_abi_version");
	if (!CHECK(info.ebx == MICROHV_BACKEND_SVM || info.ebx == MICROHV_BACKEND_VMX, "hv_backend_known"))
		tap_diag("0x40000001 EBX = 0x%x", info.ebx);
	/* The TSC rate microhv calibrated (kHz): the runtime's INIT/SIPI delays are timed with it (tsc.h). */
	if (!CHECK(info.ecx != 0 && tsc_khz() == info.ecx, "hv_tsc_khz"))
		tap_diag("0x40000001 ECX = %u, tsc_khz() = %llu", info.ecx, tsc_khz());
}

static void check_version_hypercall(void)
{
	if (!require_microhv("hc_version"))
		return;
	CHECK_EQ(hc_version(), MICROHV_ABI_VERSION, "hc_version");
}

static const char *const microhv_only[] = {
	"leaf7_ebx6_fdp_excptn_only", "leaf7_ebx13_zero_fcs_fds", "hv_leaf_max", "hv_signature_ebx",
	"hv_signature_ecx", "hv_signature_edx", "hv_abi_version", "hv_backend_known", "hv_tsc_khz", "hc_version",
};

void test_main(void)
{
	if (runtime_plain_tcg() || runtime_plain_kvm()) {
		CHECK_EQ(cpuid(CPUID_LEAF_FEATURES, 0).ecx & CPUID_1_ECX_HYPERVISOR, CPUID_1_ECX_HYPERVISOR,
			 "leaf1_ecx31_hypervisor");
		for (u32 i = 0; i < ARRAY_SIZE(microhv_only); i++)
			SKIP(microhv_only[i], runtime_plain_kvm() ? "plain QEMU with KVM: microhv's CPUID policy is absent"
								 : "plain QEMU TCG: microhv's CPUID policy is absent");
		return;
	}
	check_x87_defeatures();
	check_hypervisor_leaves();
	check_version_hypercall();
}
