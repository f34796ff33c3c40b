/* Instructions CPUID offers now that microhv runs them (issue 11 item 4): RDTSCP and RDPID with a
 * per-vCPU IA32_TSC_AUX (in the hardware while the guest runs; VMX "enable RDTSCP"), and INVPCID (VMX
 * "enable INVPCID"). Each case runs only where CPUID offers the instruction; under microhv RDTSCP is
 * offered on every platform and RDPID/INVPCID where the host has them (Bochs tigerlake). */
#include "guest.h"

#define GP0 FAULT(X86_VEC_GP, 0)
#define MSR_IA32_TSC 0x10u
#define MSR_TSC_AUX 0xC0000103u
#define E1_EDX_RDTSCP BIT(27)
#define L7_ECX_RDPID BIT(22)
#define L7_EBX_INVPCID BIT(10)
#define AUX_VALUE 0x12345u
#define AUX_RESERVED (1ull << 32)
#define TSC_FORWARD (1ull << 44)
#define BOUND (1ull << 32)
#define INVPCID_ALL_WITH_GLOBALS 2
#define INVPCID_ALL 3
#define INVPCID_BAD_TYPE 4

struct invpcid_desc {
	u64 pcid; /* bits 11:0; 63:12 reserved */
	u64 linear;
} __attribute__((aligned(16)));

static u64 rdtscp(u32 *aux)
{
	u32 lo, hi, c;
	asm volatile("rdtscp" : "=a"(lo), "=d"(hi), "=c"(c));
	*aux = c;
	return lo | (u64)hi << 32;
}

static void check_rdtscp(void)
{
	static const char *const names[] = { "tsc_aux_write", "tsc_aux_read", "tsc_aux_reserved_gp",
					      "rdtscp_reads_tsc_aux", "rdtscp_after_exits", "rdtscp_follows_tsc_write" };
	if (!(cpuid(0x80000001u, 0).edx & E1_EDX_RDTSCP)) {
		for (u32 i = 0; i < ARRAY_SIZE(names); i++)
			SKIP(names[i], "CPUID offers no RDTSCP");
		return;
	}
	u64 v = 0;
	CHECK_EQ(wrmsr_safe(MSR_TSC_AUX, AUX_VALUE), FAULT_NONE, names[0]);
	CHECK_EQ(rdmsr_safe(MSR_TSC_AUX, &v), FAULT_NONE, names[1]);
	if (runtime_plain_tcg()) /* measured on QEMU 7.2 TCG (make run-direct TEST=insn_features) */
		SKIP(names[2], "QEMU TCG accepts IA32_TSC_AUX bits 63:32");
	else
		CHECK_EQ(wrmsr_safe(MSR_TSC_AUX, AUX_VALUE | AUX_RESERVED), GP0, names[2]);
	u32 aux = 0;
	u64 t0 = rdtsc();
	u64 t1 = rdtscp(&aux);
	CHECK(aux == AUX_VALUE && v == AUX_VALUE && t1 >= t0, names[3]);
	for (int i = 0; i < 3; i++)
		(void)cpuid(0, 0);
	rdtscp(&aux);
	CHECK_EQ(aux, AUX_VALUE, names[4]);
	if (runtime_plain_tcg()) {
		SKIP(names[5], "QEMU TCG ignores WRMSR IA32_TSC (RDTSC does not follow it)");
		return;
	}
	u64 x = rdtsc() + TSC_FORWARD; /* RDTSCP reads the TSC with the vCPU's offset, as RDTSC */
	wrmsr(MSR_IA32_TSC, x);
	t1 = rdtscp(&aux);
	CHECK(t1 - x <= BOUND, names[5]);
}

static void check_rdpid(void)
{
	if (!(cpuid(7, 0).ecx & L7_ECX_RDPID)) {
		SKIP("rdpid_reads_tsc_aux", "CPUID offers no RDPID");
		return;
	}
	u64 id = 0;
	asm volatile("rdpid %0" : "=r"(id));
	CHECK_EQ(id, AUX_VALUE, "rdpid_reads_tsc_aux");
}

static struct invpcid_desc desc;

static void check_invpcid(void)
{
	static const char *const names[] = { "invpcid_all_with_globals", "invpcid_all", "invpcid_bad_type_gp",
					      "invpcid_reserved_desc_gp" };
	if (!(cpuid(7, 0).ebx & L7_EBX_INVPCID)) {
		for (u32 i = 0; i < ARRAY_SIZE(names); i++)
			SKIP(names[i], "CPUID offers no INVPCID");
		return;
	}
	desc = (struct invpcid_desc){ 0, 0 };
	CHECK_EQ(FIXUP_TRY("invpcid (%0), %1", "r"(&desc), "r"((u64)INVPCID_ALL_WITH_GLOBALS)), FAULT_NONE, names[0]);
	CHECK_EQ(FIXUP_TRY("invpcid (%0), %1", "r"(&desc), "r"((u64)INVPCID_ALL)), FAULT_NONE, names[1]);
	CHECK_EQ(FIXUP_TRY("invpcid (%0), %1", "r"(&desc), "r"((u64)INVPCID_BAD_TYPE)), GP0, names[2]);
	desc.pcid = 1ull << 12; /* bits 63:12 of the descriptor must be 0 */
	CHECK_EQ(FIXUP_TRY("invpcid (%0), %1", "r"(&desc), "r"(0ull)), GP0, names[3]);
}

void test_main(void)
{
	check_rdtscp();
	check_rdpid();
	check_invpcid();
}
