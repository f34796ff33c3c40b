/* Fixup table lookup and the "safe" instruction helpers (see fixup.h). */
#include "fixup.h"
#include "percpu.h"

extern const struct fixup_entry __start_fixup_table[], __stop_fixup_table[];

const struct fixup_entry *fixup_find(u64 rip)
{
	for (const struct fixup_entry *e = __start_fixup_table; e < __stop_fixup_table; e++)
		if (e->insn == rip)
			return e;
	return NULL;
}

/* Each helper clears this CPU's fixup_fault, runs its instruction with a fixup entry that resumes
 * right after it, and returns whatever the handler stored. The "memory" clobbers order the accesses
 * to fixup_fault around the instruction. */
#define fixup_fault (this_cpu()->fixup_fault)

fault_t rdmsr_safe(u32 msr, u64 *value)
{
	u32 lo = 0, hi = 0;

	fixup_fault = FAULT_NONE;
	asm volatile("1: rdmsr\n\t2:\n\t" FIXUP_ENTRY("1b", "2b") : "+a"(lo), "+d"(hi) : "c"(msr) : "memory");
	*value = ((u64)hi << 32) | lo;
	return fixup_fault;
}

fault_t wrmsr_safe(u32 msr, u64 value)
{
	fixup_fault = FAULT_NONE;
	asm volatile("1: wrmsr\n\t2:\n\t" FIXUP_ENTRY("1b", "2b")::"c"(msr), "a"((u32)value),
		     "d"((u32)(value >> 32))
		     : "memory");
	return fixup_fault;
}

fault_t write_cr0_safe(u64 value)
{
	fixup_fault = FAULT_NONE;
	asm volatile("1: mov %0, %%cr0\n\t2:\n\t" FIXUP_ENTRY("1b", "2b")::"r"(value) : "memory");
	return fixup_fault;
}

fault_t write_cr4_safe(u64 value)
{
	fixup_fault = FAULT_NONE;
	asm volatile("1: mov %0, %%cr4\n\t2:\n\t" FIXUP_ENTRY("1b", "2b")::"r"(value) : "memory");
	return fixup_fault;
}
