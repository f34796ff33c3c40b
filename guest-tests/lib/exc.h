/* Exception handling for test guests: every vector is caught, recorded, then resolved as
 *   1. fixup:    the faulting RIP is in the fixup table (fixup.h) -> resume at the fixup address;
 *   2. expected: the test armed exc_expect(vector) -> resume at the interrupted RIP;
 *   3. otherwise a TAP "not ok" line naming vector, error code and RIP, and the guest exits with 1
 *      (on an AP: the AP records the exception and stops, and the BSP reports it, see smp.h).
 * Vector 8 (#DF) runs on IST1, so it is handled even when the normal stack is unusable.
 *
 * Everything below is per CPU (records, counts, exc_expect() allowances): each function acts on the
 * CPU that calls it. Only the handlers of exc_set_handler() are shared, like the IDT itself. */
#ifndef GUEST_EXC_H
#define GUEST_EXC_H

#include "hv/lib/types.h"
#include "x86.h"

#define EXC_RAW_QWORDS 6 /* an error code plus the 5-qword 64-bit interrupt frame */

/* What the handler saw for one delivery of a vector. */
struct exc_record {
	u8 vector;
	bool has_ec;     /* an error code was on the stack (decided from the frame itself, see idt.c) */
	u32 ec;          /* the error code, 0 if none was pushed */
	u64 rip;         /* the RIP saved in the frame (faulting or next instruction) */
	u64 frame_addr;  /* RSP at handler entry: tells which stack (e.g. IST1) the CPU switched to */
	u64 raw[EXC_RAW_QWORDS]; /* the 6 qwords at RSP on entry, exactly as pushed:
	                          * with EC:    EC, RIP, CS, RFLAGS, RSP, SS
	                          * without EC: RIP, CS, RFLAGS, RSP, SS, (whatever was above the frame) */
	u64 count;       /* deliveries of this vector since boot or exc_reset() */
	bool fixed_up;   /* resolved through the fixup table */
};

/* Install the IDT (called by the runtime before test_main). */
void idt_init(void);

/* The latest delivery of `vector` (count = number of deliveries). For an exception (0-31) the record
 * is updated in place by later deliveries: copy the struct if you need a snapshot. For vectors 32-255
 * only the count is kept per vector, plus the details of the latest delivery of any of them: the
 * result is a snapshot with those details if that latest delivery was `vector`, else only its count. */
const struct exc_record *exc_get(u8 vector);

/* The latest delivery of any vector (count = total deliveries of all vectors). */
const struct exc_record *exc_last(void);

static inline u64 exc_count(u8 vector)
{
	return exc_get(vector)->count;
}

/* Allow one more delivery of `vector` to return to the interrupted code instead of failing the
 * test. Use it for events the hypervisor injects asynchronously (e.g. after HC_INJECT). */
void exc_expect(u8 vector);

/* Withdraw the allowances of exc_expect() that were not used. Returns how many were left. */
u32 exc_expect_cancel(u8 vector);

/* Forget what was recorded for `vector` (count back to 0). */
void exc_reset(u8 vector);

/* Does `vector` push an error code architecturally (8, 10-14, 17, 21, 29, 30)? */
bool exc_arch_has_ec(u8 vector);

/* A handler that takes over one vector (irq.h uses it for APIC interrupts). It runs after the delivery
 * is recorded, in place of the fixup / exc_expect() / "unexpected" resolution, with interrupts off;
 * when it returns, the interrupted code resumes. A fault inside it is still fatal. */
typedef void (*exc_handler_t)(const struct exc_record *r);

/* Install `fn` for `vector`; NULL restores the default resolution. */
void exc_set_handler(u8 vector, exc_handler_t fn);

/* "#GP", "#UD", ... for exceptions, "vector" for the rest. */
const char *exc_name(u8 vector);

/* Load the runtime's IDT on this CPU (the APs share the BSP's table). */
void idt_load(void);

/* Print the diagnostics of an unexpected delivery (BSP only: TAP output). */
void exc_print_record(const struct exc_record *r);

/* Recovery: the next delivery of any vector on this CPU, whatever its handler, fixup or allowance, is
 * recorded and then returns to `rip` at CPL 0 with RSP = `rsp`, CS/SS = SEL_CODE64/SEL_DATA and
 * RFLAGS = RFLAGS_FIXED (IF = 0); the recovery is then disarmed. For code that may fault anywhere or
 * never return on its own: ring-3 code (lib/user_mode.h), random instruction streams. */
void exc_recover_arm(u64 rip, u64 rsp);
void exc_recover_disarm(void);

/* One CPU's state (lives in struct cpu_local, lib/percpu.h; use the functions above). */
struct exc_cpu_state {
	struct exc_record records[X86_NR_EXCEPTIONS];
	struct exc_record latest_interrupt; /* the latest delivery of a vector >= 32 */
	struct exc_record snapshot;         /* what exc_get() returned last for a vector >= 32 */
	struct exc_record last;
	u32 counts[X86_NR_VECTORS];
	u16 allowances[X86_NR_VECTORS];
	u32 depth; /* > 0 while a handler runs: a fault inside it is fatal, not recursive */
	u64 recover_rip, recover_rsp; /* exc_recover_arm(); rip 0 = disarmed */
};

#endif
