/* Ring 3 for test guests, BSP only: run a function at CPL 3 and come back to CPL 0 at its first
 * exception (the function ends with user_exit(), a #UD, when it is done).
 *
 * user_mode_init() loads a copy of the GDT with a DPL-3 data segment (SEL_USER_DATA) and a DPL-3 64-bit
 * code segment (SEL_USER_CODE64) and gives the TSS an RSP0, so an event from ring 3 has a ring-0 stack.
 * user_mode_allow() sets U/S along the page-table path of an address: the ring-3 code, its data and its
 * stack must be allowed (the runtime's identity map is supervisor-only). */
#ifndef GUEST_USER_MODE_H
#define GUEST_USER_MODE_H

#include "hv/lib/types.h"

typedef void (*user_fn_t)(void *arg);

void user_mode_init(void);

/* Make the 4 KiB-2 MiB page holding `addr` (and its page-table path) reachable from ring 3. */
void user_mode_allow(const void *addr);

/* Run fn(arg) at CPL 3 with IF = 0 on a ring-3 stack of the runtime, whose pages user_mode_init() allows;
 * returns the vector of the exception that ended it (exc_last() has the record). */
u8 user_run(user_fn_t fn, void *arg);

/* The raw entry: IRETQ to `rip` at CPL 3 with RSP = user_rsp, RDI = arg and IF = 0, on whatever page
 * tables are loaded; the first exception comes back here (exc_recover_arm()). For code that is not a C
 * function (random instruction streams): the caller maps it. */
u64 user_enter(user_fn_t fn, void *arg, u64 user_rsp);

/* In ring-3 code: return to user_run()'s caller (raises #UD, which user_run() expects). */
static inline __attribute__((noreturn)) void user_exit(void)
{
	asm volatile("ud2");
	__builtin_unreachable();
}

#endif
