/* IDT setup and the C side of exception handling (see exc.h for the policy, isr.asm for the stubs).
 * The IDT and the handler table are shared by all CPUs; records, counts and allowances are per CPU
 * (struct exc_cpu_state in the CPU's struct cpu_local). */
#include "hv/lib/fmt.h"
#include "exc.h"
#include "fixup.h"
#include "percpu.h"
#include "runtime.h"
#include "smp.h"
#include "tap.h"
#include "x86.h"

#define GATE_INTERRUPT_64 0x8E /* P=1, DPL=0, type 0xE: 64-bit interrupt gate (clears IF) */
#define DF_IST 1               /* TSS.IST1, set up by entry.asm */
#define SAVED_GPRS 15
#define QWORD 8

/* One 16-byte IDT entry (SDM Vol. 3A "64-Bit Mode IDT"). */
struct idt_gate {
	u16 offset_low;
	u16 selector;
	u8 ist;
	u8 type_attr;
	u16 offset_mid;
	u32 offset_high;
	u32 reserved;
} __attribute__((packed));

/* What isr.asm leaves on the stack: saved registers, the vector it pushed, then the CPU's frame. */
struct isr_context {
	u64 gpr[SAVED_GPRS]; /* rax, rbx, rcx, rdx, rsi, rdi, rbp, r8-r15 */
	u64 vector;
	u64 frame[];         /* RSP at the moment the CPU finished delivering the event */
};

extern const u64 isr_stub_table[X86_NR_VECTORS];

static struct idt_gate idt[X86_NR_VECTORS] __attribute__((aligned(16)));
static exc_handler_t handlers[X86_NR_VECTORS];

static const char *const exception_names[X86_NR_EXCEPTIONS] = {
	"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "CSO", "#TS", "#NP", "#SS", "#GP", "#PF", "rsvd15",
	"#MF", "#AC", "#MC", "#XM", "#VE", "#CP", "rsvd22", "rsvd23", "rsvd24", "rsvd25", "rsvd26", "rsvd27", "#HV",
	"#VC", "#SX", "rsvd31",
};

void idt_init(void)
{
	for (u32 v = 0; v < X86_NR_VECTORS; v++) {
		u64 target = isr_stub_table[v];
		idt[v] = (struct idt_gate){
			.offset_low = (u16)target,
			.selector = SEL_CODE64,
			.ist = v == X86_VEC_DF ? DF_IST : 0,
			.type_attr = GATE_INTERRUPT_64,
			.offset_mid = (u16)(target >> 16),
			.offset_high = (u32)(target >> 32),
		};
	}
	idt_load();
}

void idt_load(void)
{
	struct desc_ptr p = { .limit = sizeof(idt) - 1, .base = (u64)idt };
	lidt(&p);
}

static struct exc_cpu_state *state(void)
{
	return &this_cpu()->exc;
}

bool exc_arch_has_ec(u8 vector)
{
	switch (vector) {
	case X86_VEC_DF:
	case X86_VEC_TS:
	case X86_VEC_NP:
	case X86_VEC_SS:
	case X86_VEC_GP:
	case X86_VEC_PF:
	case X86_VEC_AC:
	case X86_VEC_CP:
	case X86_VEC_VC:
	case X86_VEC_SX:
		return true;
	default:
		return false;
	}
}

const char *exc_name(u8 vector)
{
	return vector < X86_NR_EXCEPTIONS ? exception_names[vector] : "vector";
}

/* Whether the CPU pushed an error code is decided from the frame, not from the vector: an injected
 * event may carry one against the architectural rule (HC_INJECT_RAW on SVM), and "int 13" pushes
 * none. Without an error code, frame[1] is the saved CS, one of our code selectors. With one,
 * frame[1] is the saved RIP, which is never that small (the image starts at 1 MiB). */
static bool frame_has_ec(const u64 *frame)
{
	u64 sel = frame[1] & ~(u64)SEL_RPL_MASK;
	return !(sel == SEL_CODE64 || sel == SEL_CODE32 || sel == (SEL_USER_CODE64 & ~SEL_RPL_MASK));
}

/* Vectors 0-31 keep their own record; the others share one (counts stay per vector). */
static struct exc_record *record_slot(struct exc_cpu_state *s, u8 vector)
{
	return vector < X86_NR_EXCEPTIONS ? &s->records[vector] : &s->latest_interrupt;
}

static struct exc_record *record(u8 vector, const u64 *frame, bool has_ec, bool fixed_up)
{
	struct exc_cpu_state *s = state();
	struct exc_record *r = record_slot(s, vector);
	u64 count = ++s->counts[vector];

	*r = (struct exc_record){
		.vector = vector,
		.has_ec = has_ec,
		.ec = has_ec ? (u32)frame[0] : 0,
		.rip = frame[has_ec ? 1 : 0],
		.frame_addr = (u64)frame,
		.count = count,
		.fixed_up = fixed_up,
	};
	memcpy(r->raw, frame, sizeof(r->raw));
	count = s->last.count + 1;
	s->last = *r;
	s->last.count = count;
	return r;
}

void exc_print_record(const struct exc_record *r)
{
	tap_diag("vector %u (%s), %s 0x%x, rip 0x%llx", r->vector, exc_name(r->vector),
		 r->has_ec ? "error code" : "no error code", r->ec, r->rip);
	tap_diag("frame at 0x%llx: %llx %llx %llx %llx %llx %llx", r->frame_addr, r->raw[0], r->raw[1], r->raw[2],
		 r->raw[3], r->raw[4], r->raw[5]);
}

/* On an AP nothing may print: the AP stops and the BSP reports the record (smp.h). */
static __attribute__((noreturn)) void unexpected(const struct exc_record *r)
{
	if (!cpu_is_bsp())
		smp_ap_die(r);
	tap_result(false, "unexpected_exception");
	exc_print_record(r);
	if (r->vector == X86_VEC_PF)
		tap_diag("cr2 0x%llx", read_cr2());
	runtime_finish();
}

/* The armed recovery point replaces the interrupted context: frame = RIP, CS, RFLAGS, RSP, SS. */
static bool recover(struct exc_cpu_state *s, u64 *frame)
{
	if (!s->recover_rip)
		return false;
	frame[0] = s->recover_rip;
	frame[1] = SEL_CODE64;
	frame[2] = RFLAGS_FIXED;
	frame[3] = s->recover_rsp;
	frame[4] = SEL_DATA;
	s->recover_rip = 0;
	return true;
}

void exc_recover_arm(u64 rip, u64 rsp)
{
	state()->recover_rsp = rsp;
	state()->recover_rip = rip;
}

void exc_recover_disarm(void)
{
	state()->recover_rip = 0;
}

/* Called by isr_common. Returns the bytes isr_common must drop before IRETQ (vector slot + EC). */
u64 exc_dispatch(struct isr_context *ctx)
{
	u8 vector = (u8)ctx->vector;
	u64 *frame = ctx->frame;
	bool has_ec = frame_has_ec(frame);
	u64 *rip = &frame[has_ec ? 1 : 0];
	exc_handler_t handler = handlers[vector];
	/* A vector with its own handler is an interrupt: the saved RIP is the next instruction, which may
	 * well be a fixup-tagged one that has not run yet, so the fixup table must not be consulted. */
	const struct fixup_entry *fix = handler ? NULL : fixup_find(*rip);
	struct exc_cpu_state *s = state();
	const struct exc_record *r = record(vector, frame, has_ec, fix != NULL);

	if (s->depth == 0 && recover(s, rip))
		return QWORD + (has_ec ? QWORD : 0);
	if (s->depth++ > 0)
		unexpected(r); /* a fault in the handler itself: do not loop */

	if (handler) {
		handler(r);
	} else if (fix) {
		this_cpu()->fixup_fault = FAULT(vector, r->ec);
		*rip = fix->resume;
	} else if (s->allowances[vector] > 0) {
		s->allowances[vector]--;
	} else {
		unexpected(r);
	}
	s->depth--;
	return QWORD + (has_ec ? QWORD : 0);
}

const struct exc_record *exc_get(u8 vector)
{
	struct exc_cpu_state *s = state();

	if (vector < X86_NR_EXCEPTIONS)
		return &s->records[vector];
	if (s->latest_interrupt.vector == vector && s->counts[vector])
		s->snapshot = s->latest_interrupt;
	else
		s->snapshot = (struct exc_record){ .vector = vector };
	s->snapshot.count = s->counts[vector];
	return &s->snapshot;
}

const struct exc_record *exc_last(void)
{
	return &state()->last;
}

void exc_expect(u8 vector)
{
	state()->allowances[vector]++;
}

u32 exc_expect_cancel(u8 vector)
{
	struct exc_cpu_state *s = state();
	u32 left = s->allowances[vector];
	s->allowances[vector] = 0;
	return left;
}

void exc_set_handler(u8 vector, exc_handler_t fn)
{
	handlers[vector] = fn;
}

void exc_reset(u8 vector)
{
	struct exc_cpu_state *s = state();

	s->counts[vector] = 0;
	if (vector < X86_NR_EXCEPTIONS)
		s->records[vector] = (struct exc_record){ 0 };
	else if (s->latest_interrupt.vector == vector)
		s->latest_interrupt = (struct exc_record){ 0 };
}
