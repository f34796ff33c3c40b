/* Host exceptions and interrupts. An exception in the hypervisor is a hypervisor bug: dump and stop. */
#include "console.h"
#include "cpu.h"
#include "finish.h"
#include "host_mmu.h"
#include "log.h"
#include "x86.h"

#define IRQ_VECTORS 256
#define BACKTRACE_MAX_FRAMES 16
/* Page-fault error code (SDM Vol. 3A §4.7). */
#define PFEC_P BIT(0)
#define PFEC_W BIT(1)
#define PFEC_ID BIT(4)

static irq_handler irq_handlers[IRQ_VECTORS];

void cpu_set_irq_handler(u8 vector, irq_handler fn)
{
	irq_handlers[vector] = fn;
}

static const char *exception_name(u64 v)
{
	static const char *const names[] = { "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM",
					     "#DF", "CSO", "#TS", "#NP", "#SS", "#GP", "#PF", "RSV",
					     "#MF", "#AC", "#MC", "#XM", "#VE", "#CP" };
	return v < ARRAY_SIZE(names) ? names[v] : "exception";
}

static void dump_frame(const struct trap_frame *f)
{
	console_printf("# rip %016llx cs %04llx rflags %08llx rsp %016llx ss %04llx\n", f->rip, f->cs, f->rflags,
		       f->rsp, f->ss);
	console_printf("# rax %016llx rbx %016llx rcx %016llx rdx %016llx\n", f->rax, f->rbx, f->rcx, f->rdx);
	console_printf("# rsi %016llx rdi %016llx rbp %016llx r8  %016llx\n", f->rsi, f->rdi, f->rbp, f->r8);
	console_printf("# r9  %016llx r10 %016llx r11 %016llx r12 %016llx\n", f->r9, f->r10, f->r11, f->r12);
	console_printf("# r13 %016llx r14 %016llx r15 %016llx\n", f->r13, f->r14, f->r15);
	console_printf("# cr0 %016llx cr2 %016llx cr3 %016llx cr4 %016llx\n", read_cr0(), read_cr2(), read_cr3(),
		       read_cr4());
}

/* Walks the RBP chain (the hypervisor is built with frame pointers). Addresses are absolute;
 * subtract the image base printed at start-up to look them up in build/microhv.so. */
static void backtrace(u64 rbp)
{
	console_printf("# backtrace:");
	/* A frame in a guard page would fault again inside the report. */
	for (int i = 0; i < BACKTRACE_MAX_FRAMES && rbp && !(rbp & 7) && !host_mmu_guard_name(rbp + 8); i++) {
		const u64 *frame = (const u64 *)rbp;
		console_printf(" %llx", frame[1]);
		if (frame[0] <= rbp) /* the chain must go up the stack */
			break;
		rbp = frame[0];
	}
	console_printf("\n");
}

/* What a #PF (or a #DF that a #PF escalated) hit: a stack's guard page, or which access to which page. */
static void describe_page_fault(const struct trap_frame *f)
{
	u64 cr2 = read_cr2();
	const char *guard = host_mmu_guard_name(cr2);
	if (guard)
		console_printf("# stack overflow: cr2 %llx is in the guard page below the %s stack\n", cr2, guard);
	else if (f->vector == VEC_PF)
		console_printf("# page fault: %s %s page at %llx\n",
			       f->error_code & PFEC_ID ? "instruction fetch from a" :
			       f->error_code & PFEC_W  ? "write to a" : "read from a",
			       f->error_code & PFEC_P ? "present (protected)" : "not-present", cr2);
}

/* microhv sets no breakpoint and never runs with TF, so a #DB in the host is a guest's debug event that
 * surfaced here: Bochs 2.7 (SVM) delivers a guest's single-step trap right after the #VMEXIT of an
 * intercepted instruction, which hardware does not complete (APM Vol. 2 §15.7.1). It must not stop the
 * hypervisor: disarm whatever breakpoints the hardware holds and go on (the guest's own #DB is emulated). */
static void spurious_debug_trap(const struct trap_frame *f)
{
	static u64 seen;
	write_dr7(DR7_INIT_VALUE);
	if (!seen++)
		log_warn("host #DB at rip 0x%llx (a guest's debug event, not microhv's): ignored", f->rip);
}

void trap_dispatch(struct trap_frame *f)
{
	static bool reporting;
	if (f->vector >= NUM_EXCEPTION_VECTORS) {
		if (irq_handlers[f->vector])
			irq_handlers[f->vector](f);
		return;
	}
	if (f->vector == VEC_DB) {
		spurious_debug_trap(f);
		return;
	}
	if (reporting) { /* the report itself faulted: say so and stop rather than recurse */
		console_printf("Bail out! microhv: host %s while reporting a host exception\n",
			       exception_name(f->vector));
		hv_finish(HV_STATUS_PANIC);
	}
	reporting = true;
	console_set_capture(NULL); /* straight out, not into a suite job's buffer (hv/suite_jobs.c) */
	console_printf("Bail out! microhv: host %s (vector %llu) error code 0x%llx\n", exception_name(f->vector),
		       f->vector, f->error_code);
	if (f->vector == VEC_PF || f->vector == VEC_DF)
		describe_page_fault(f);
	dump_frame(f);
	backtrace(f->rbp);
	hv_finish(HV_STATUS_PANIC);
}

void panic(const char *fmt, ...)
{
	va_list ap;
	u64 rbp;
	irq_disable();
	console_set_capture(NULL); /* straight out, not into a suite job's buffer (hv/suite_jobs.c) */
	console_printf("Bail out! microhv panic: ");
	va_start(ap, fmt);
	console_vprintf(fmt, ap);
	va_end(ap);
	console_printf("\n");
	__asm__ volatile("mov %%rbp, %0" : "=r"(rbp));
	backtrace(rbp);
	hv_finish(HV_STATUS_PANIC);
}
