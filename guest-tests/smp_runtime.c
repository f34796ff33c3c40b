/* The SMP guest runtime itself (lib/smp.h, lib/percpu.h): per-CPU identity, stacks and exception
 * state, commands in both idle modes, park and restart. Everything the APIC tests build on, checked
 * on its own so that a runtime bug does not pose as an APIC finding. 4 vCPUs. */
#include "guest.h"
#include "fw_cfg.h"

#define CPUS 4u
#define PARK_CPU 3u
#define CONCURRENT_ROUNDS 200u
#define ECHO_VALUE 0x1234567890ABCDEFull
#define UD_FAULT FAULT(X86_VEC_UD, 0)
/* INT n to an unregistered vector: a trap the test allows with exc_expect(). */
#define SOFT_VECTOR 0x40
#define NO_INT_ON_KVM "the nested KVM of the development sandbox stops the VM at INT n (emulation failure)"
#define STR_(x) #x
#define STR(x) STR_(x)

/* A #UD that resumes through the fixup table: the fixup path. */
static fault_t ud_safe(void)
{
	this_cpu()->fixup_fault = FAULT_NONE;
	asm volatile("1: ud2\n\t2:\n\t" FIXUP_ENTRY("1b", "2b") ::: "memory");
	return this_cpu()->fixup_fault;
}

static const char *no_int; /* SKIP reason for the INT n cases (plain QEMU + KVM only) */

/* A software interrupt allowed by exc_expect(): the expectation path. True if it was recorded once
 * and the allowance used up. */
static bool int_expected(void)
{
	u64 before = exc_count(SOFT_VECTOR);

	exc_expect(SOFT_VECTOR);
	asm volatile("int $" STR(SOFT_VECTOR) ::: "memory");
	return exc_count(SOFT_VECTOR) == before + 1 && exc_expect_cancel(SOFT_VECTOR) == 0;
}

static u64 ap_echo(u64 arg) { return arg; }
static u64 ap_index(u64 unused) { return cpu_index(); }
static u64 ap_initial_apic_id_matches(u64 unused) { return this_cpu()->apic_id == lapic_id(); }

/* Where this CPU's stack is. */
static u64 ap_stack_address(u64 unused)
{
	volatile u64 local = 0;
	return (u64)&local;
}

/* The fixup path, and the expectation path unless no_int, `rounds` times; returns the rounds whose
 * results were all right. */
static u64 ap_exceptions(u64 rounds)
{
	u64 good = 0;

	for (u64 i = 0; i < rounds; i++) {
		u64 ud = exc_count(X86_VEC_UD);
		fault_t f = ud_safe();
		bool fixup_ok = f == UD_FAULT && exc_get(X86_VEC_UD)->fixed_up && exc_count(X86_VEC_UD) == ud + 1;
		good += fixup_ok && (no_int || int_expected());
	}
	return good;
}

static void test_identity(void)
{
	u32 wrong_index = 0, wrong_id = 0, wrong_stack = 0;

	for (u32 i = 0; i < CPUS; i++) {
		struct cpu_local *c = smp_cpu(i);
		u64 sp = smp_call(i, ap_stack_address, 0);
		wrong_index += smp_call(i, ap_index, 0) != i;
		wrong_id += smp_call(i, ap_initial_apic_id_matches, 0) != 1;
		/* An AP's stack lies in its own area, right above its IST stack. */
		if (i > 0)
			wrong_stack += !(sp < c->stack_top && sp > c->stack_top - SMP_AP_STACK_BYTES);
	}
	u32 wrong_cs = 0;
	for (u32 i = 1; i < CPUS; i++)
		if (smp_cpu(i)->first_cs != SMP_SIPI_VECTOR << 8 && wrong_cs++ == 0)
			tap_diag("CPU %u started with CS 0x%x", i, smp_cpu(i)->first_cs);
	CHECK_EQ(wrong_cs, 0, "sipi_cs_is_vector_shl_8"); /* SDM Vol. 3A §9.4.4.1: CS = VV00h, IP = 0 */
	CHECK_EQ(wrong_index, 0, "cpu_index_per_cpu");
	CHECK_EQ(wrong_id, 0, "apic_id_per_cpu");
	CHECK_EQ(wrong_stack, 0, "stack_per_cpu");
	CHECK_EQ(smp_call(1, ap_echo, ECHO_VALUE), ECHO_VALUE, "call_result");
}

/* One AP takes exceptions on both paths; nobody else's records change. */
static void test_exceptions_isolated(void)
{
	CHECK_EQ(smp_call(1, ap_exceptions, 1), 1, "ap_exceptions");
	CHECK_EQ(smp_exc_count(1, X86_VEC_UD), 1, "ap_ud_counted_on_ap");
	CHECK_EQ(exc_count(X86_VEC_UD) + smp_exc_count(2, X86_VEC_UD), 0, "ap_ud_not_counted_elsewhere");
	if (no_int) {
		SKIP("ap_int_counted_on_ap", no_int);
		SKIP("ap_int_not_counted_elsewhere", no_int);
		return;
	}
	CHECK_EQ(smp_exc_count(1, SOFT_VECTOR), 1, "ap_int_counted_on_ap");
	CHECK_EQ(exc_count(SOFT_VECTOR) + smp_exc_count(2, SOFT_VECTOR), 0, "ap_int_not_counted_elsewhere");
}

/* All CPUs at once, the BSP included: per-CPU fixup results and allowances never mix. */
static void test_exceptions_concurrent(void)
{
	u64 results[CPUS] = { 0 };
	bool posted = true;

	for (u32 i = 1; i < CPUS; i++)
		posted &= smp_call_async(i, ap_exceptions, CONCURRENT_ROUNDS);
	results[0] = ap_exceptions(CONCURRENT_ROUNDS);
	for (u32 i = 1; i < CPUS; i++)
		posted &= smp_call_wait(i, &results[i]);
	u32 good = 0;
	for (u32 i = 0; i < CPUS; i++) {
		good += results[i] == CONCURRENT_ROUNDS;
		if (results[i] != CONCURRENT_ROUNDS)
			tap_diag("CPU %u: %llu of %u rounds right", i, results[i], CONCURRENT_ROUNDS);
	}
	if (no_int)
		tap_diag("fixup path only: %s", no_int);
	CHECK(posted && good == CPUS, "exceptions_concurrent");
}

/* Commands reach an AP in either idle mode; park stops it until INIT; a restart keeps its struct. */
static void test_idle_park_restart(void)
{
	smp_set_idle(2, CPU_IDLE_SPIN);
	CHECK_EQ(smp_call(2, ap_echo, 7), 7, "idle_spin_call");
	u32 kicks = smp_cpu(2)->kicks;
	smp_set_idle(2, CPU_IDLE_HALT);
	CHECK_EQ(smp_call(2, ap_echo, 8), 8, "idle_halt_call");
	CHECK(smp_cpu(2)->kicks > kicks, "idle_halt_kicked");

	smp_park(PARK_CPU);
	CHECK_EQ(smp_cpu(PARK_CPU)->state, CPU_PARKED, "parked");
	CHECK(!smp_call_async(PARK_CPU, ap_echo, 0), "parked_refuses_calls");
	CHECK(smp_start_cpu(PARK_CPU), "restart_after_park");
	CHECK_EQ(smp_cpu(PARK_CPU)->starts, 2, "restart_counted");
	CHECK_EQ(smp_call(PARK_CPU, ap_index, 0), PARK_CPU, "restart_same_identity");
}

void test_main(void)
{
	u32 fw = fw_cfg_cpu_count();

	if (fw && !CHECK(fw >= CPUS, "four_cpus")) {
		tap_diag("fw_cfg reports %u CPUs (suite vcpus=4, run-direct SMP=4)", fw);
		return;
	}
	if (runtime_plain_kvm())
		no_int = NO_INT_ON_KVM;
	lapic_setup(SMP_SPURIOUS_VECTOR);
	sti();
	smp_add_dense(CPUS);
	if (!CHECK_EQ(smp_start_all(), CPUS, "all_cpus_online"))
		return;
	test_identity();
	test_exceptions_isolated();
	test_exceptions_concurrent();
	test_idle_park_restart();
	CHECK_EQ(smp_strays(), 0, "no_stray_cpus");
}
