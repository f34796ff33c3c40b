/* Benchmark: the round trip of the exits that need no APIC (CPUID, RDMSR of an emulated MSR, an OUT of one
 * byte to COM1's THR, a read-only hypercall), each through microhv's core (the normal path) and through
 * the back end's null path (HC_BENCH_MODE: answered without the core), in one boot. Each figure is the
 * lowest of PASSES passes of OPS operations, in TSC ticks per operation (under Bochs: instructions, guest
 * and hypervisor together, and a pass that caught a watchdog tick does not count). Prints, for
 * scripts/bench-table.sh,
 *   # bench exit KIND: normal N, null M
 * and TAP lines that check the null path did what HC_BENCH_MODE promises (defined results, exits
 * counted). */
#include "guest.h"

#define OPS 200    /* per pass; also the longest line of OUT bytes the UART takes whole (240) */
#define PASSES 32  /* of each path, alternating; the lowest is kept */
#define CPUID_LEAF_VENDOR 0
#define MSR_EMULATED 0x2FFu /* IA32_MTRR_DEF_TYPE: only stored by microhv, never the hardware's */
#define OUT_BYTE '.'

struct kind {
	const char *name;
	u32 null_kind; /* HC_BENCH_NULL_* */
	void (*run)(u32 n);
};

static volatile u64 sink; /* results the loops must not optimize away */

static void run_cpuid(u32 n)
{
	for (u32 i = 0; i < n; i++)
		sink += cpuid(CPUID_LEAF_VENDOR, 0).ebx;
}

static void run_rdmsr(u32 n)
{
	for (u32 i = 0; i < n; i++)
		sink += rdmsr(MSR_EMULATED);
}

static void run_out(u32 n)
{
	for (u32 i = 0; i < n; i++)
		outb(GUEST_UART_PORT, OUT_BYTE);
}

static void run_hypercall(u32 n)
{
	for (u32 i = 0; i < n; i++)
		sink += (u64)hc_version();
}

static const struct kind kinds[] = {
	{ "cpuid", HC_BENCH_NULL_CPUID, run_cpuid },
	{ "rdmsr", HC_BENCH_NULL_RDMSR, run_rdmsr },
	{ "uart_out", HC_BENCH_NULL_OUT, run_out },
	{ "hypercall", HC_BENCH_NULL_HYPERCALL, run_hypercall },
};

struct best {
	u64 ticks, exits; /* the fewest per operation / per pass so far */
};

/* One pass of OPS operations with `null_kind` on the null path (0: none). Exits counted: the OPS, the two
 * HC_BENCH_MODE and the second HC_STAT. The OUT bytes of a normal pass make a console line of their
 * own, a TAP comment. */
static void one_pass(const struct kind *k, u32 null_kind, struct best *b)
{
	bool printing = k->null_kind == HC_BENCH_NULL_OUT && !null_kind;
	if (printing)
		serial_puts("# ");
	s64 before = hc_stat(HC_STAT_EXITS);
	hc_bench_mode(null_kind, 0);
	u64 start = rdtsc();
	k->run(OPS);
	u64 end = rdtsc();
	hc_bench_mode(HC_BENCH_NORMAL, 0);
	s64 after = hc_stat(HC_STAT_EXITS);
	if (printing)
		serial_puts("\n");
	b->ticks = MIN(b->ticks, (end - start) / OPS);
	b->exits = MIN(b->exits, (u64)(after - before));
}

/* Normal and null passes alternate, so that a busy host (QEMU's TSC is host time) slows both alike. */
static void measure(const struct kind *k)
{
	char name[48];
	struct best normal = { ~0ull, ~0ull }, null = normal;
	for (u32 pass = 0; pass < PASSES; pass++) {
		one_pass(k, 0, &normal);
		one_pass(k, k->null_kind, &null);
	}
	tap_diag("bench exit %s: normal %llu, null %llu", k->name, normal.ticks, null.ticks);
	/* The null path counts its exits as the run loop does (HC_STAT_EXITS, bench_apic's exits/op). */
	snprintf(name, sizeof(name), "%s_null_exits_counted", k->name);
	if (!CHECK(null.exits >= OPS && null.exits == normal.exits, name))
		tap_diag("%s: %llu exits on the normal path, %llu on the null path, for %u operations", k->name,
			 normal.exits, null.exits, OPS);
}

/* What HC_BENCH_MODE promises besides speed (docs/guest-abi.md): RDMSR reads 0, a hypercall returns 0
 * and does nothing, an unknown kind or an MMIO kind without a length is refused. */
static void check_null_results(void)
{
	u32 lo = ~0u, hi = ~0u; /* what RDMSR must overwrite */
	hc_bench_mode(HC_BENCH_NULL_RDMSR, 0);
	asm volatile("rdmsr" : "+a"(lo), "+d"(hi) : "c"(MSR_EMULATED));
	u64 msr = (u64)hi << 32 | lo;
	hc_bench_mode(HC_BENCH_NULL_HYPERCALL, 0);
	s64 version = hc_version();
	hc_bench_mode(HC_BENCH_NORMAL, 0);
	CHECK_EQ(msr, 0, "null_rdmsr_reads_0");
	CHECK_EQ(version, 0, "null_hypercall_returns_0");
	CHECK_EQ(hc_version(), MICROHV_ABI_VERSION, "normal_hypercall_after_null");
	CHECK_EQ(hc_bench_mode(HC_BENCH_NULL_KINDS + 1, 0), -EINVAL, "bench_mode_unknown_kind_refused");
	CHECK_EQ(hc_bench_mode(HC_BENCH_NULL_MMIO, 0), -EINVAL, "bench_mode_mmio_without_length_refused");
	CHECK_EQ(hc_bench_mode(HC_BENCH_NULL_MMIO, HC_BENCH_MMIO_LEN_MAX + 1), -EINVAL,
		 "bench_mode_mmio_length_16_refused");
}

void test_main(void)
{
	if (!require_microhv("bench_cpuid"))
		return;

	if (!CHECK_EQ(hc_bench_mode(HC_BENCH_NULL_CPUID, 0), 0, "bench_null_mode_available"))
		return;
	CHECK_EQ(hc_bench_mode(HC_BENCH_NORMAL, 0), 0, "bench_normal_mode_restored");
	check_null_results();
	for (u32 i = 0; i < ARRAY_SIZE(kinds); i++)
		measure(&kinds[i]);
}
