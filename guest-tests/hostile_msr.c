/* Hostile guest: RDMSR and WRMSR across every MSR range a kernel might probe. Each access must do what
 * hardware does for an MSR microhv does not offer (#GP(0)) or succeed; no other fault, no VM stop, and the
 * hypervisor must still be there for the next guest (leak_check runs after this one in suite.txt).
 * Every MSR is read, and written with a random value; the readable ones also with 0 and all ones, each
 * write followed by restoring the value read. Then the non-canonical cases that used to reach the host. */
#include "guest.h"
#include "prng.h"

#define SEED 0xC0FFEE0000000001ull
#define NONCANONICAL 0x8000000000000000ull
#define CANONICAL_HIGH 0xFFFF800000001000ull
#define NONCANONICAL_48 0x0000800000000000ull /* canonical with 5-level paging only, which no guest sees */
#define MSR_APIC_BASE 0x1Bu
#define MSR_EFER 0xC0000080u
#define MSR_SFMASK 0xC0000084u
#define MSR_FS_BASE 0xC0000100u
#define MSR_GS_BASE 0xC0000101u
#define MSR_MISC_ENABLE 0x1A0u
#define MISC_ENABLE_RESET 0x1800u /* BTS and PEBS unavailable (KVM's value) */
#define MSR_AMD_PERF_CTL0 0xC0010000u
#define AMD_PERF_EVENT 0x430076u  /* event 76H (cycles), OS+USR, enabled: a typical kernel write */
#define VENDOR_AMD_EBX 0x68747541u /* "Auth" */

static bool cpu_is_amd(void)
{
	return cpuid(0, 0).ebx == VENDOR_AMD_EBX;
}

/* What this guest itself runs on: changing them would stop the test, not test the hypervisor. */
static bool guest_depends_on(u32 msr)
{
	return msr == MSR_APIC_BASE || msr == MSR_EFER || msr == MSR_FS_BASE || msr == MSR_GS_BASE;
}

static const struct {
	u32 first, count;
	const char *name;
} ranges[] = {
	{ 0x00000000u, 0x2000u, "msr_sweep_0_1fff" },
	{ 0xC0000000u, 0x2000u, "msr_sweep_c0000000_c0001fff" },
	{ 0xC0010000u, 0x2000u, "msr_sweep_c0010000_c0011fff" },
	{ 0x40000000u, 0x200u, "msr_sweep_40000000_400001ff" },
};

struct sweep {
	u32 readable, writes_ok, writes_gp, bad;
};

static bool fault_ok(fault_t f) { return f == FAULT_NONE || f == FAULT(X86_VEC_GP, 0); }

static void note_bad(struct sweep *s, const char *what, u32 msr, u64 value, fault_t f)
{
	if (s->bad++ < 8)
		tap_diag("%s MSR 0x%x value 0x%llx: fault 0x%llx (only none or #GP(0) allowed)", what, msr, value, f);
}

static void write_and_restore(struct sweep *s, u32 msr, u64 value, bool readable, u64 orig)
{
	fault_t f = wrmsr_safe(msr, value);
	if (!fault_ok(f))
		note_bad(s, "WRMSR", msr, value, f);
	if (f != FAULT_NONE) {
		s->writes_gp++;
		return;
	}
	s->writes_ok++;
	if (readable && wrmsr_safe(msr, orig) != FAULT_NONE)
		note_bad(s, "restoring", msr, orig, wrmsr_safe(msr, orig));
}

static void sweep_range(u32 first, u32 count, const char *name, u64 *rng)
{
	struct sweep s = { 0 };
	for (u32 msr = first; msr < first + count; msr++) {
		u64 orig = 0;
		fault_t f = rdmsr_safe(msr, &orig);
		if (!fault_ok(f))
			note_bad(&s, "RDMSR", msr, 0, f);
		bool readable = f == FAULT_NONE;
		s.readable += readable;
		if (guest_depends_on(msr))
			continue;
		write_and_restore(&s, msr, prng_next(rng), readable, orig);
		if (readable) {
			write_and_restore(&s, msr, 0, readable, orig);
			write_and_restore(&s, msr, ~0ull, readable, orig);
		}
	}
	tap_diag("%s: %u readable, %u writes accepted, %u #GP(0)", name, s.readable, s.writes_ok, s.writes_gp);
	CHECK_EQ(s.bad, 0, name);
}

/* SDM Vol. 4 Table 2-2 / WRMSR: these hold linear addresses, a non-canonical value is #GP(0). */
static const struct {
	u32 msr;
	const char *name;
} address_msrs[] = {
	{ 0xC0000082u, "lstar_noncanonical_gp" },   { 0xC0000083u, "cstar_noncanonical_gp" },
	{ 0xC0000102u, "kernel_gs_noncanonical_gp" }, { MSR_FS_BASE, "fs_base_noncanonical_gp" },
	{ MSR_GS_BASE, "gs_base_noncanonical_gp" },  { 0x175u, "sysenter_esp_noncanonical_gp" },
	{ 0x176u, "sysenter_eip_noncanonical_gp" },
};

static void check_address_msrs(void)
{
	for (u32 i = 0; i < ARRAY_SIZE(address_msrs); i++) {
		u32 msr = address_msrs[i].msr;
		u64 before = 0, after = 0;
		rdmsr_safe(msr, &before);
		fault_t f = wrmsr_safe(msr, NONCANONICAL);
		rdmsr_safe(msr, &after);
		if (f != FAULT(X86_VEC_GP, 0) || after != before)
			tap_diag("MSR 0x%x: fault 0x%llx, 0x%llx -> 0x%llx", msr, f, before, after);
		CHECK(f == FAULT(X86_VEC_GP, 0) && after == before, address_msrs[i].name);
	}
	u64 lstar = 0;
	rdmsr_safe(0xC0000082u, &lstar);
	CHECK_EQ(wrmsr_safe(0xC0000082u, CANONICAL_HIGH), FAULT_NONE, "lstar_canonical_high_accepted");
	CHECK_EQ(wrmsr_safe(0xC0000082u, NONCANONICAL_48), FAULT(X86_VEC_GP, 0), "lstar_bit47_only_gp");
	wrmsr_safe(0xC0000082u, lstar);
	CHECK_EQ(wrmsr_safe(MSR_SFMASK, 1ull << 32), FAULT(X86_VEC_GP, 0), "sfmask_reserved_bits_gp");
}

/* MSRs kernels use without asking CPUID (issue 11): IA32_MISC_ENABLE reads as KVM's reset value; on AMD
 * the legacy performance counters take a write and read it back, as every AMD CPU does. */
static void check_unadvertised_msrs(void)
{
	u64 misc = 0;
	CHECK_EQ(rdmsr_safe(MSR_MISC_ENABLE, &misc), FAULT_NONE, "misc_enable_readable");
	CHECK_EQ(misc, MISC_ENABLE_RESET, "misc_enable_reset_value");
	if (!cpu_is_amd()) {
		CHECK_EQ(wrmsr_safe(MSR_AMD_PERF_CTL0, 0), FAULT(X86_VEC_GP, 0), "intel_has_no_amd_perf_ctl0");
		return;
	}
	u64 back = 0;
	fault_t w = wrmsr_safe(MSR_AMD_PERF_CTL0, AMD_PERF_EVENT);
	fault_t r = rdmsr_safe(MSR_AMD_PERF_CTL0, &back);
	CHECK(w == FAULT_NONE && r == FAULT_NONE && back == AMD_PERF_EVENT, "amd_perf_ctl0_stored");
	wrmsr_safe(MSR_AMD_PERF_CTL0, 0);
}

void test_main(void)
{
	if (!under_microhv()) {
		SKIP("msr_sweep", "asserts microhv's MSR model; plain QEMU implements other MSRs");
		return;
	}
	u64 rng = SEED;
	tap_diag("seed 0x%llx", SEED);
	check_address_msrs();
	check_unadvertised_msrs();
	for (u32 i = 0; i < ARRAY_SIZE(ranges); i++)
		sweep_range(ranges[i].first, ranges[i].count, ranges[i].name, &rng);
}
