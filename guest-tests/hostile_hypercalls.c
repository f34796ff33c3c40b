/* Hostile guest: hypercalls microhv does not offer, with garbage arguments, from CPL 0 and CPL 3.
 * Contract (hv/hypercall.c, docs/guest-abi.md section 4): an unknown function returns -ENOSYS (the whole
 * 64-bit RAX is the function number: 0x1_0000_0011 is not HC_DEBUG_BREAK_ENTRY), the known ones refuse bad
 * arguments with -EINVAL, RBX..RSI come back unchanged, and from CPL 3 every hypercall returns -EPERM and
 * does nothing. HC_DEBUG_BREAK_ENTRY (0x11) is left out at CPL 0: it makes the next VM entry fail on
 * purpose (harness_entry_fail); at CPL 3 it is tried, and must be refused like the rest. The garbage comes
 * from prng.h with the seed printed. leak_check runs after this guest in suite.txt. */
#include "guest.h"
#include "prng.h"
#include "user_mode.h"

#define FUNCTIONS 0x10000u
#define SEED 0x4879706572636131ull
#define NO_GPA 0xFFFFFFFFFFFFF000ull /* beyond any MAXPHYADDR */

static const u64 huge_functions[] = {
	0x10000ull, 0x100000000ull, 0x100000011ull, 0x100000001ull, 0x8000000000000000ull, ~0ull, ~0ull - 0x10,
};

struct garbage {
	u64 rbx, rcx, rdx, rsi;
};

/* Everything the ring-3 sweep reads and writes: user_run() makes this page reachable from ring 3. */
static struct user_sweep {
	bool svm;
	u64 seed;
	u32 tried, not_eperm, clobbered;
	u64 first_bad_fn, first_bad_rax;
} sweep __attribute__((aligned(4096)));

static struct garbage garbage(u64 *seed)
{
	return (struct garbage){ prng_next(seed), prng_next(seed), prng_next(seed), prng_next(seed) };
}

/* One hypercall with the garbage in RBX..RSI; returns RAX, and whether RBX..RSI changed. */
static inline __attribute__((always_inline)) u64 raw_call(bool svm, u64 fn, const struct garbage *g,
							   bool *clobbered)
{
	u64 rax = fn, rbx = g->rbx, rcx = g->rcx, rdx = g->rdx, rsi = g->rsi;
	if (svm)
		asm volatile("vmmcall" : "+a"(rax), "+b"(rbx), "+c"(rcx), "+d"(rdx), "+S"(rsi)::"memory");
	else
		asm volatile("vmcall" : "+a"(rax), "+b"(rbx), "+c"(rcx), "+d"(rdx), "+S"(rsi)::"memory");
	*clobbered = rbx != g->rbx || rcx != g->rcx || rdx != g->rdx || rsi != g->rsi;
	return rax;
}

static bool known_function(u64 fn)
{
	return fn <= HC_WHERE || fn == HC_BENCH_MODE || fn == HC_DEBUG_BREAK_ENTRY || fn == HC_QUERY_CR0 ||
	       fn == HC_IOAPIC_PIN || fn == HC_RAISE_MSI;
}

static void check_unknown_functions_cpl0(void)
{
	bool svm = microhv_backend() == MICROHV_BACKEND_SVM;
	u64 seed = SEED;
	u32 tried = 0, wrong = 0, clobbered = 0;
	u64 first_fn = 0, first_rax = 0;
	for (u64 i = 0; i < FUNCTIONS + ARRAY_SIZE(huge_functions); i++) {
		u64 fn = i < FUNCTIONS ? i : huge_functions[i - FUNCTIONS];
		if (known_function(fn))
			continue;
		struct garbage g = garbage(&seed);
		bool changed;
		u64 rax = raw_call(svm, fn, &g, &changed);
		tried++;
		clobbered += changed;
		if (rax != (u64)-ENOSYS && wrong++ == 0) {
			first_fn = fn;
			first_rax = rax;
		}
	}
	tap_diag("cpl0: %u unknown functions (0-0xffff and %u huge), seed 0x%llx", tried,
		 (u32)ARRAY_SIZE(huge_functions), (u64)SEED);
	if (wrong)
		tap_diag("first: function 0x%llx returned 0x%llx", first_fn, first_rax);
	CHECK_EQ(wrong, 0, "cpl0_unknown_enosys");
	CHECK_EQ(clobbered, 0, "cpl0_unknown_args_preserved");
}

/* The known functions with arguments they must refuse (garbage that could be valid is not used: a
 * random HC_INJECT vector might really inject). */
static void check_bad_arguments_cpl0(void)
{
	CHECK_EQ(hc_inject(0x100000000ull | X86_VEC_UD, 0, 0, 0), -EINVAL, "inject_vector_high_bits_einval");
	CHECK_EQ(hc_inject(~0ull, ~0ull, ~0ull, ~0ull), -EINVAL, "inject_all_ones_einval");
	CHECK_EQ(hc_inject(X86_VEC_UD, 0, 0, ~0ull), -EINVAL, "inject_unknown_flags_einval");
	CHECK_EQ(hc_stat(~0ull), -EINVAL, "stat_all_ones_einval");
	CHECK_EQ(hc_stat(0x100000000ull), -EINVAL, "stat_high_bits_einval");
	CHECK_EQ(hc_bench_mode(~0ull, ~0ull), -EINVAL, "bench_mode_all_ones_einval");
	CHECK_EQ(hc_ioapic_pin(~0ull, 1), -EINVAL, "ioapic_pin_all_ones_einval");
	CHECK_EQ(hc_ioapic_pin(0, ~0ull), -EINVAL, "ioapic_level_all_ones_einval");
	CHECK_EQ(hc_raise_msi(~0ull, 0x41), -EINVAL, "raise_msi_bad_address_einval");
	CHECK_EQ(hc_raise_msi(0xFEE00000ull, ~0ull), -EINVAL, "raise_msi_reserved_data_einval");
	s64 memtype = hc_query_memtype(NO_GPA);
	CHECK(memtype == -EINVAL || memtype == -ENOSYS, "query_memtype_huge_gpa_refused");
	CHECK_EQ(hc_version(), MICROHV_ABI_VERSION, "version_still_answers");
}

/* Ring 3: every function, huge ones and HC_DEBUG_BREAK_ENTRY included. No runtime call in here: the
 * runtime's per-CPU data (GS) and the UART are not for ring 3. */
static void user_sweep_fn(void *arg)
{
	struct user_sweep *s = arg;
	u64 seed = s->seed;
	for (u64 i = 0; i < FUNCTIONS + ARRAY_SIZE(huge_functions); i++) {
		u64 fn = i < FUNCTIONS ? i : huge_functions[i - FUNCTIONS];
		struct garbage g = garbage(&seed);
		bool changed;
		u64 rax = raw_call(s->svm, fn, &g, &changed);
		s->tried++;
		s->clobbered += changed;
		if (rax != (u64)-EPERM && s->not_eperm++ == 0) {
			s->first_bad_fn = fn;
			s->first_bad_rax = rax;
		}
	}
	user_exit();
}

static void check_cpl3(void)
{
	user_mode_init();
	sweep = (struct user_sweep){ .svm = microhv_backend() == MICROHV_BACKEND_SVM, .seed = SEED ^ 3 };
	s64 exits_before = hc_stat(HC_STAT_EXITS);
	u8 vector = user_run(user_sweep_fn, &sweep);
	s64 exits = hc_stat(HC_STAT_EXITS) - exits_before;
	tap_diag("cpl3: %u hypercalls (every function 0-0xffff and %u huge), seed 0x%llx, %lld exits", sweep.tried,
		 (u32)ARRAY_SIZE(huge_functions), (u64)(SEED ^ 3), exits);
	if (sweep.not_eperm)
		tap_diag("first: function 0x%llx returned 0x%llx", sweep.first_bad_fn, sweep.first_bad_rax);
	CHECK_EQ(vector, X86_VEC_UD, "cpl3_sweep_ended_by_user_exit");
	CHECK_EQ(exc_last()->raw[1], SEL_USER_CODE64, "cpl3_sweep_ran_in_ring3");
	CHECK_EQ(sweep.tried, FUNCTIONS + ARRAY_SIZE(huge_functions), "cpl3_all_tried");
	CHECK_EQ(sweep.not_eperm, 0, "cpl3_every_hypercall_eperm");
	CHECK_EQ(sweep.clobbered, 0, "cpl3_args_preserved");
	CHECK(exits >= (s64)sweep.tried, "cpl3_every_hypercall_exited");
}

void test_main(void)
{
	if (!require_microhv("hypercall_sweep"))
		return; /* the instruction would #UD on plain QEMU */
	check_unknown_functions_cpl0();
	check_bad_arguments_cpl0();
	check_cpl3();
	CHECK_EQ(hc_version(), MICROHV_ABI_VERSION, "cpl0_after_ring3_still_served");
}
