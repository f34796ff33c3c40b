/* Why the guest stopped running, in terms the core understands. Back ends translate their exit codes. */
#ifndef HV_EXIT_H
#define HV_EXIT_H

#include "lib/types.h"

enum exit_reason {
	EXIT_NONE,               /* the back end completed the exit itself */
	EXIT_CPUID,
	EXIT_MSR_READ,
	EXIT_MSR_WRITE,
	EXIT_IO,
	EXIT_HLT,
	EXIT_HYPERCALL,
	EXIT_MEM_FAULT,          /* guest-physical access outside the VM's memory map */
	EXIT_CR_ACCESS,          /* MOV to/from CR0/CR4, CLTS, LMSW that the back end intercepts */
	EXIT_CR_UNDECODED,       /* a CR intercept whose exit names no instruction (SVM): the core decodes it */
	EXIT_INVALID_OPCODE,     /* an instruction the guest must see as #UD (VMX/SVM instructions) */
	EXIT_TRIPLE_FAULT,
	EXIT_EXTERNAL_INTERRUPT, /* a host interrupt (e.g. the watchdog tick) */
	EXIT_PREEMPTED,          /* the back end's own timer ended the slice: nothing to emulate */
	EXIT_INTERRUPT_WINDOW,   /* the guest can take an interrupt now (requested by the core) */
	EXIT_NMI_WINDOW,         /* the guest can take an NMI now (requested by the core) */
	EXIT_PAUSE,              /* PAUSE in a VM with several vCPUs: a spin loop, let another vCPU run */
	EXIT_APIC_WRITE,         /* APIC virtualization stored a guest write the model must apply (trap-like: RIP is past it) */
	EXIT_APIC_EOI,           /* APIC virtualization completed the EOI of a vector in the EOI-exit bitmap (trap-like) */
	EXIT_GUEST_FAULT,        /* the exiting instruction's memory operand faults for the guest (struct exit_fault) */
	EXIT_INVD,               /* INVD (CPL 0: the CPU checked the privilege before exiting) */
	EXIT_XSETBV,
	EXIT_RDTSCP,             /* intercepted only where the CPU would otherwise run it natively (SVM) */
	EXIT_RDPMC,
	EXIT_MONITOR_MWAIT,      /* MONITOR or MWAIT */
	EXIT_ENTRY_FAILED,       /* VM entry refused the guest state; the back end already printed why */
	EXIT_UNHANDLED,          /* anything else: the back end names it in `detail` */
};

struct exit_io {
	u16 port;
	u8 size; /* 1, 2 or 4 bytes */
	bool in;
	bool string; /* INS/OUTS (not emulated) */
};

enum cr_access_type { CR_WRITE, CR_READ, CR_CLTS, CR_LMSW, CR_SMSW };

struct exit_cr {
	u8 cr;      /* 0 or 4 */
	u8 gpr;     /* enum gpr: source of a write, destination of a read */
	enum cr_access_type type;
	u16 lmsw_source; /* the LMSW operand */
	u8 size;         /* SMSW: the destination register's size in bytes */
	u8 insn_len;     /* the core decoded it (EXIT_CR_UNDECODED): its length; 0: the back end knows it */
};

struct exit_mem {
	u64 gpa;
	bool write;
	bool fetch;
};

/* EXIT_APIC_WRITE: the register (xAPIC page offset; in x2APIC mode MSR 800H + offset / 16) and the
 * 32-bit value written. EXIT_APIC_EOI: the vector whose ISR bit the EOI cleared. */
struct exit_apic {
	u32 offset;
	u32 value;
	u8 vector;
};

/* EXIT_GUEST_FAULT: what the guest's own CPU would have raised; cr2 for a #PF. */
struct exit_fault {
	u8 vector;
	u32 ec;
	u64 cr2;
};

/* The guest's interrupt state at the exit (what the next entry's event decision needs). */
struct guest_intr_state {
	bool injection_pending; /* an event whose delivery the exit interrupted goes in again at the next entry */
	bool shadow;            /* STI or MOV SS blocking */
	bool nmi_blocked;       /* an NMI handler runs (until its IRET) */
};

/* The report of one exit: why, its decoded facts, where the exiting instruction ends, the interrupt state. */
struct exit_info {
	enum exit_reason reason;
	u64 next_rip; /* past the exiting instruction, where the back end knows it (0: it does not) */
	struct guest_intr_state intr;
	u64 hw_code; /* the back end's own exit code, for reports */
	union {
		u32 msr;
		struct exit_io io;
		struct exit_mem mem;
		struct exit_cr cr;
		struct exit_apic apic;
		struct exit_fault fault;
	};
	char detail[96];
};

const char *exit_reason_name(enum exit_reason r);


#endif
