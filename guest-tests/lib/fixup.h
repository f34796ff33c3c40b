/* Instructions that may fault, and how a test finds out.
 *
 * A "safe" helper tags its instruction with a fixup-table entry (faulting address, resume address).
 * If the instruction raises an exception, the handler (idt.c) records it in the CPU's fixup_fault
 * (struct cpu_local, percpu.h) and resumes at the resume address instead of failing the test. The helper returns FAULT_NONE if the instruction
 * completed, else FAULT(vector, error code), so one assertion checks both:
 *     CHECK_EQ(wrmsr_safe(MSR, 0), FAULT(X86_VEC_GP, 0), "wrmsr_unknown_gp0");
 * The full frame of the fault is still available through exc_get()/exc_last(). */
#ifndef GUEST_FIXUP_H
#define GUEST_FIXUP_H

#include "hv/lib/types.h"

typedef u64 fault_t;

#define FAULT_NONE 0ull
#define FAULT_RAISED BIT(63)
#define FAULT(vector, ec) (FAULT_RAISED | ((u64)(u8)(vector) << 32) | (u32)(ec))
#define FAULT_VECTOR(f) ((u8)((f) >> 32))
#define FAULT_EC(f) ((u32)(f))

/* One entry of the .fixup_table section (collected by guest.ld). */
struct fixup_entry {
	u64 insn;   /* address of the instruction that may fault */
	u64 resume; /* where to continue if it does */
};

/* For inline asm: FIXUP_ENTRY("1b", "2b") after "1: <insn>\n 2:" makes a fault at 1 resume at 2. */
#define FIXUP_ENTRY(insn_label, resume_label)                                  \
	".pushsection .fixup_table, \"a\"\n\t.balign 8\n\t.quad " insn_label ", " \
	resume_label "\n\t.popsection\n\t"

/* The table entry for `rip`, or NULL. */
const struct fixup_entry *fixup_find(u64 rip);

/* Runs one instruction (asm text, then its input operands) with a fixup entry; the value is what it
 * raised (FAULT_NONE if it completed). Needs percpu.h (this_cpu()). */
#define FIXUP_TRY(insn, ...)                                                                  \
	({                                                                                    \
		this_cpu()->fixup_fault = FAULT_NONE;                                         \
		asm volatile("1: " insn "\n\t2:\n\t" FIXUP_ENTRY("1b", "2b")::__VA_ARGS__ : "memory"); \
		this_cpu()->fixup_fault;                                                      \
	})

fault_t rdmsr_safe(u32 msr, u64 *value); /* *value = 0 if it faulted */
fault_t wrmsr_safe(u32 msr, u64 value);
fault_t write_cr0_safe(u64 value);
fault_t write_cr4_safe(u64 value);

#endif
