/* microhv hypercalls from a test guest (ABI in hv/rules/guest_abi.h and docs/guest-abi.md).
 *
 * The instruction is VMMCALL on the SVM back end and VMCALL on the VMX one, chosen from
 * CPUID 0x40000001 EBX. Without microhv (plain QEMU) no instruction is issued: every call returns
 * -ENOSYS, and tests are expected to SKIP (see require_microhv()). */
#ifndef GUEST_HYPERCALL_H
#define GUEST_HYPERCALL_H

#include "hv/rules/guest_abi.h"
#include "hv/lib/types.h"
#include "x86.h"

#define SKIP_NO_MICROHV "not running under microhv"

/* Registers in and out of one hypercall: RAX = function / result, RBX, RCX, RDX, RSI = arguments. */
struct hc_regs {
	u64 rax, rbx, rcx, rdx, rsi;
};

/* Is the CPUID signature of microhv present (hypervisor bit, 0x40000000 signature and max leaf)? */
bool under_microhv(void);

/* MICROHV_BACKEND_SVM, MICROHV_BACKEND_VMX, or 0 when not under microhv. */
u32 microhv_backend(void);

/* If not under microhv, print "ok N - <name> # SKIP not running under microhv" and return false. */
bool require_microhv(const char *name);

/* Issue a hypercall with all registers from/to *r. */
void hc_raw(struct hc_regs *r);

/* The address of the instruction right after the hypercall instruction hc_raw() uses: the RIP an
 * exception injected by that hypercall must report. 0 when not under microhv. */
u64 hc_next_rip(void);

s64 hc_call(u64 fn, u64 a1, u64 a2, u64 a3, u64 a4);

static inline s64 hc_version(void)
{
	return hc_call(HC_VERSION, 0, 0, 0, 0);
}

/* Queue an exception for this vCPU; delivered before the instruction after the hypercall.
 * Arguments are u64 so tests can pass out-of-range values. */
static inline s64 hc_inject(u64 vector, u64 has_ec, u64 ec, u64 flags)
{
	return hc_call(HC_INJECT, vector, has_ec, ec, flags);
}

static inline s64 hc_stat(u64 counter)
{
	return hc_call(HC_STAT, counter, 0, 0, 0);
}

/* The pCPU the calling vCPU runs on (its index, 0 = the boot CPU); *online gets how many are online. */
static inline s64 hc_where(u64 *online)
{
	struct hc_regs r = { .rax = HC_WHERE };
	hc_raw(&r);
	*online = r.rbx;
	return (s64)r.rax;
}

static inline s64 hc_query_memtype(u64 gpa)
{
	return hc_call(HC_QUERY_MEMTYPE, gpa, 0, 0, 0);
}

/* The hardware's CR0 and which CR0 bits exit on a write / are served on a read (HC_QUERY_CR0). */
struct hc_cr0 {
	u64 hw, write_exits, read_exits;
};
static inline struct hc_cr0 hc_query_cr0(void)
{
	struct hc_regs r = { .rax = HC_QUERY_CR0 };
	hc_raw(&r);
	return (struct hc_cr0){ .hw = r.rax, .write_exits = r.rbx, .read_exits = r.rcx };
}

/* bench/: the exit kinds (HC_BENCH_NULL_* mask) the back end answers alone from now on; mmio_len: the
 * length of the instruction a HC_BENCH_NULL_MMIO exit skips. HC_BENCH_NORMAL (0) ends it. */
static inline s64 hc_bench_mode(u64 kinds, u64 mmio_len)
{
	return hc_call(HC_BENCH_MODE, kinds, mmio_len, 0, 0);
}

/* Harness guests only: microhv makes the next VM entry fail on purpose, so the guest never runs
 * again; the runner must detect and report the failed entry. */
static inline s64 hc_debug_break_entry(void)
{
	return hc_call(HC_DEBUG_BREAK_ENTRY, 0, 0, 0, 0);
}

/* Drive I/O APIC input `pin` to `level` (1 asserted, 0 not); a debug source for interrupt tests. */
static inline s64 hc_ioapic_pin(u64 pin, u64 level)
{
	return hc_call(HC_IOAPIC_PIN, pin, level, 0, 0);
}

/* Deliver the MSI whose address/data a device would write (SDM Vol. 3A §11.11). */
static inline s64 hc_raise_msi(u64 addr, u64 data)
{
	return hc_call(HC_RAISE_MSI, addr, data, 0, 0);
}

/* The host's raw CPUID (debug aid for strict CPUID tests). All zero when not under microhv. */
struct cpuid_regs hc_host_cpuid(u32 leaf, u32 subleaf);

#endif
