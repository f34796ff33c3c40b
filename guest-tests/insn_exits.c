/* Instructions microhv completes for the guest: the guest must see them end exactly as on hardware.
 *  - With redundant prefixes (REX.W, 66) CPUID and RDMSR still resume at the next instruction (an SVM CPU
 *    without NRIP save makes microhv decode the length).
 *  - A single-step trap (RFLAGS.TF) after an emulated CPUID or RDMSR arrives right after it, with
 *    DR6.BS set (SDM Vol. 3B §18.3.1.4), not one instruction later. */
#include "guest.h"

#define MARKER 0x1234u
#define RFLAGS_TF BIT(8)
#define DR6_BS BIT(14)
#define MSR_EFER_NUM 0xC0000080u

/* "rex.W cpuid", then a MOV that only runs if the guest resumed after the whole CPUID. */
static void check_prefixed_cpuid(void)
{
	u32 eax = 0, ecx = 0, marker = 0;
	asm volatile(".byte 0x48, 0x0f, 0xa2\n\tmov %3, %2"
		     : "+a"(eax), "+c"(ecx), "=r"(marker)
		     : "i"(MARKER)
		     : "rbx", "rdx");
	CHECK_EQ(marker, MARKER, "rex_w_cpuid_resumes_after_it");
	CHECK_EQ(eax, cpuid(0, 0).eax, "rex_w_cpuid_result");
}

static void check_prefixed_rdmsr(void)
{
	u32 lo = 0, hi = 0, marker = 0;
	asm volatile(".byte 0x66, 0x0f, 0x32\n\tmov %4, %2"
		     : "=a"(lo), "=d"(hi), "=r"(marker)
		     : "c"(MSR_EFER_NUM), "i"(MARKER));
	CHECK_EQ(marker, MARKER, "data16_rdmsr_resumes_after_it");
	CHECK_EQ(((u64)hi << 32 | lo), rdmsr(MSR_EFER_NUM), "data16_rdmsr_result");
}

static volatile u64 first_db_rip, db_count;

static void on_debug(const struct exc_record *r)
{
	if (!db_count++)
		first_db_rip = r->rip;
}

/* TF on, the emulated instruction, then POPF restores TF = 0. The first #DB must point right after the
 * emulated instruction (label 1); without the trap it would come after the POPF. */
#define SINGLE_STEP_OVER(insn, ...)                                                                   \
	({                                                                                            \
		u64 after;                                                                            \
		asm volatile("pushfq\n\tpushfq\n\torq %[tf], (%%rsp)\n\tpopfq\n\t" insn "\n1:\tpopfq\n\t" \
			     "lea 1b(%%rip), %[after]"                                                \
			     : [after] "=r"(after)                                                    \
			     : [tf] "i"(RFLAGS_TF), __VA_ARGS__                                      \
			     : "rbx", "rdx", "memory");                                               \
		after;                                                                                \
	})

static void check_single_step(void)
{
	exc_set_handler(X86_VEC_DB, on_debug);
	asm volatile("mov %0, %%db6" ::"r"(0xFFFF0FF0ull));
	db_count = 0;
	u64 after = SINGLE_STEP_OVER("cpuid", "a"(0), "c"(0));
	u64 dr6;
	asm volatile("mov %%db6, %0" : "=r"(dr6));
	CHECK(db_count >= 1, "single_step_over_cpuid_traps");
	CHECK_EQ(first_db_rip, after, "single_step_trap_right_after_cpuid");
	CHECK(dr6 & DR6_BS, "single_step_sets_dr6_bs");
	db_count = 0;
	after = SINGLE_STEP_OVER("rdmsr", "c"(MSR_EFER_NUM), "a"(0));
	CHECK_EQ(first_db_rip, after, "single_step_trap_right_after_rdmsr");
	exc_set_handler(X86_VEC_DB, NULL);
}

void test_main(void)
{
	check_prefixed_cpuid();
	check_prefixed_rdmsr();
	check_single_step();
}
