/* Per-CPU data. Every CPU reaches its own struct cpu_local through the GS base: %gs:0 holds the
 * struct's own address, so this_cpu() is one load and never a VM exit.
 *
 * The BSP's struct is static and installed by runtime_main() before anything else runs. An AP's is
 * carved from free RAM above the image, together with its stacks, only when a test asks for that AP
 * (smp_add_cpu(), lib/smp.h): a 1-CPU guest pays for one struct and no extra stacks.
 *
 * The first fields are read and written by lib/ap_boot.asm before the AP runs any C: their offsets are
 * mirrored there as CPU_LOCAL_* constants and checked by _Static_assert in smp.c. */
#ifndef GUEST_PERCPU_H
#define GUEST_PERCPU_H

#include "hv/lib/types.h"
#include "exc.h"
#include "fixup.h"
#include "irq.h"
#include "x86.h"

#define MSR_IA32_GS_BASE 0xC0000101u

#define GDT_ENTRIES 6 /* null, code64, data, code32, 16-byte TSS descriptor (entry.asm's layout) */
#define TSS64_SIZE 104

/* What an AP is doing, as the BSP sees it. */
enum cpu_state {
	CPU_OFFLINE = 0, /* never started, or INIT'ed and not yet back */
	CPU_ONLINE,      /* running its idle loop, serving commands */
	CPU_PARKED,      /* CLI; HLT forever: only INIT (or NMI, which it ignores) reaches it */
	CPU_DEAD,        /* stopped by an unexpected exception: see `death` */
};

/* How an online AP waits for work (with IF = 1 either way, so interrupts are taken and counted). */
enum cpu_idle {
	CPU_IDLE_HALT = 0, /* STI; HLT (the default): costs no CPU time, so hundreds of idle vCPUs do not
	                    * starve the BSP; a command needs a kick, an IPI to the AP's initial APIC ID */
	CPU_IDLE_SPIN,     /* PAUSE loop: commands start without an IPI, whatever the AP's APIC state
	                    * (changed ID, software-disabled, masked by TPR) */
};

/* The command slot: the BSP writes fn and arg, then bumps seq; the AP runs fn(arg), stores result,
 * then sets done = seq. One command at a time per CPU. */
typedef u64 (*smp_fn_t)(u64 arg);
struct cpu_cmd {
	smp_fn_t fn;
	u64 arg;
	u64 result;
	volatile u32 seq;
	volatile u32 done;
};

/* A 64-bit TSS (SDM Vol. 3A §9.7 "Task Management in 64-bit Mode"): only IST1 is used (#DF). */
struct tss64 {
	u32 reserved0;
	u64 rsp[3];
	u64 reserved1;
	u64 ist[7];
	u64 reserved2;
	u16 reserved3;
	u16 iopb_offset;
} __attribute__((packed));

struct cpu_local {
	/* ---- Boot header: ap_boot.asm uses these offsets (CPU_LOCAL_* there). ---- */
	struct cpu_local *self; /* %gs:0 */
	u64 stack_top;          /* RSP for the AP's C entry */
	u32 apic_id;            /* initial APIC ID: CPUID.0BH:EDX, else CPUID.1:EBX[31:24]; finds this struct */
	u32 index;              /* 0 = BSP, then in smp_add_cpu() order */
	u64 entry_cr0;          /* CR0 read by the trampoline's first instruction, latest start */
	u16 entry_cs;           /* CS there: SIPI vector << 8 */
	u16 gdtr_pad[3];        /* aligns gdtr.base */
	struct desc_ptr gdtr;   /* LGDT operand for gdt[] below */
	u16 gdtr_pad2[3];

	/* ---- Descriptor tables of this CPU (APs only: the BSP keeps entry.asm's). ---- */
	u64 gdt[GDT_ENTRIES] __attribute__((aligned(16)));
	struct tss64 tss __attribute__((aligned(16)));

	/* ---- Start-up and commands (smp.c) ---- */
	volatile u32 state;     /* enum cpu_state */
	volatile u32 starts;    /* completed starts: bumped when the AP is ready for commands */
	u64 first_cr0;          /* entry_cr0 of the first start */
	u64 first_apic_base;    /* IA32_APIC_BASE at the first start (EXTD: still in x2APIC mode) */
	u16 first_cs;
	volatile u32 idle;      /* enum cpu_idle, read by the AP on every idle round */
	volatile u32 kicks;     /* SMP_KICK_VECTOR deliveries */
	u32 tap_misuse;         /* TAP output attempted on this AP (only the BSP prints) */
	struct cpu_cmd cmd;
	struct exc_record death; /* the unexpected exception that stopped this AP (state CPU_DEAD) */

	/* ---- Per-CPU state of the runtime's other modules ---- */
	volatile fault_t fixup_fault; /* fixup.h */
	struct exc_cpu_state exc;     /* idt.c */
	struct irq_cpu_state irq;     /* irq.c */
};

static inline struct cpu_local *this_cpu(void)
{
	struct cpu_local *c;
	/* Not volatile: the value is constant for the running CPU, so the compiler may reuse it. */
	asm("mov %%gs:0, %0" : "=r"(c));
	return c;
}

static inline u32 cpu_index(void)
{
	return this_cpu()->index;
}

static inline bool cpu_is_bsp(void)
{
	return this_cpu()->index == 0;
}

/* Point GS at `c` (c->self must already be set). */
static inline void percpu_install(struct cpu_local *c)
{
	asm volatile("wrmsr" ::"c"(MSR_IA32_GS_BASE), "a"((u32)(u64)c), "d"((u32)((u64)c >> 32)) : "memory");
}

/* The BSP's struct (index 0): installed by runtime_main(). */
extern struct cpu_local percpu_bsp;

#endif
