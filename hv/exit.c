/* Exit reasons by name, for reports. */
#include "exit.h"
#include "lib/types.h"

const char *exit_reason_name(enum exit_reason r)
{
	static const char *const names[] = {
		[EXIT_NONE] = "none", [EXIT_CPUID] = "CPUID", [EXIT_MSR_READ] = "RDMSR", [EXIT_MSR_WRITE] = "WRMSR",
		[EXIT_IO] = "I/O", [EXIT_HLT] = "HLT", [EXIT_HYPERCALL] = "hypercall", [EXIT_MEM_FAULT] = "memory fault",
		[EXIT_CR_ACCESS] = "CR access", [EXIT_CR_UNDECODED] = "CR access (undecoded)",
		[EXIT_INVALID_OPCODE] = "invalid opcode", [EXIT_TRIPLE_FAULT] = "triple fault",
		[EXIT_EXTERNAL_INTERRUPT] = "external interrupt", [EXIT_PREEMPTED] = "preempted",
		[EXIT_INTERRUPT_WINDOW] = "interrupt window", [EXIT_NMI_WINDOW] = "NMI window", [EXIT_PAUSE] = "PAUSE",
		[EXIT_APIC_WRITE] = "APIC write", [EXIT_APIC_EOI] = "APIC EOI", [EXIT_GUEST_FAULT] = "guest fault",
		[EXIT_INVD] = "INVD", [EXIT_XSETBV] = "XSETBV", [EXIT_RDTSCP] = "RDTSCP", [EXIT_RDPMC] = "RDPMC",
		[EXIT_MONITOR_MWAIT] = "MONITOR/MWAIT", [EXIT_ENTRY_FAILED] = "entry failed", [EXIT_UNHANDLED] = "unhandled",
	};
	return r < ARRAY_SIZE(names) && names[r] ? names[r] : "?";
}
