/* IDT setup and the C side of exception handling (see exc.h for the policy, isr.asm for the stubs). */
#include "hv/fmt.h"
#include "exc.h"
#include "fixup.h"
#include "runtime.h"
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
static struct exc_record records[X86_NR_VECTORS];
static struct exc_record last;
static u32 allowances[X86_NR_VECTORS];
static exc_handler_t handlers[X86_NR_VECTORS];
static u32 depth; /* > 0 while a handler runs: a fault inside it is fatal, not recursive */

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
	struct desc_ptr p = { .limit = sizeof(idt) - 1, .base = (u64)idt };
	lidt(&p);
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
	return !(sel == SEL_CODE64 || sel == SEL_CODE32);
}

static void record(u8 vector, const u64 *frame, bool has_ec, bool fixed_up)
{
	struct exc_record *r = &records[vector];
	u64 count = r->count + 1;

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
	count = last.count + 1;
	last = *r;
	last.count = count;
}

static __attribute__((noreturn)) void unexpected(const struct exc_record *r)
{
	tap_result(false, "unexpected_exception");
	tap_diag("vector %u (%s), %s 0x%x, rip 0x%llx", r->vector, exc_name(r->vector),
		 r->has_ec ? "error code" : "no error code", r->ec, r->rip);
	tap_diag("frame at 0x%llx: %llx %llx %llx %llx %llx %llx", r->frame_addr, r->raw[0], r->raw[1], r->raw[2],
		 r->raw[3], r->raw[4], r->raw[5]);
	if (r->vector == X86_VEC_PF)
		tap_diag("cr2 0x%llx", read_cr2());
	runtime_finish();
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

	record(vector, frame, has_ec, fix != NULL);
	if (depth++ > 0)
		unexpected(&records[vector]); /* a fault in the handler itself: do not loop */

	if (handler) {
		handler(&records[vector]);
	} else if (fix) {
		fixup_fault = FAULT(vector, records[vector].ec);
		*rip = fix->resume;
	} else if (allowances[vector] > 0) {
		allowances[vector]--;
	} else {
		unexpected(&records[vector]);
	}
	depth--;
	return QWORD + (has_ec ? QWORD : 0);
}

const struct exc_record *exc_get(u8 vector)
{
	return &records[vector];
}

const struct exc_record *exc_last(void)
{
	return &last;
}

void exc_expect(u8 vector)
{
	allowances[vector]++;
}

u32 exc_expect_cancel(u8 vector)
{
	u32 left = allowances[vector];
	allowances[vector] = 0;
	return left;
}

void exc_set_handler(u8 vector, exc_handler_t fn)
{
	handlers[vector] = fn;
}

void exc_reset(u8 vector)
{
	records[vector] = (struct exc_record){ 0 };
}
