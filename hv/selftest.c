/* Faults on purpose (see selftest.h). Each case is one access that W^X or a guard page must stop. */
#include "selftest.h"
#include "console.h"
#include "finish.h"

#define RET_OPCODE 0xC3
#define OVERFLOW_FRAME_BYTES 512

static const char *const names[] = { "none", "text-write", "rodata-write", "data-exec", "stack-overflow" };
static const u8 rodata_byte = 1;
static u8 data_ret[] = { RET_OPCODE };

static volatile u64 overflow_limit = ~0ull; /* never reached: the guard page ends the recursion */

/* Recurses until the stack runs into its guard page; using the frame after the call keeps it from
 * becoming a loop. */
static __attribute__((noinline)) u64 overflow(u64 depth)
{
	volatile u8 frame[OVERFLOW_FRAME_BYTES];
	if (depth == overflow_limit)
		return 0;
	frame[0] = (u8)depth;
	return overflow(depth + 1) + frame[0];
}

void selftest_run(enum host_selftest t)
{
	console_printf("# microhv: selftest %s: faulting on purpose\n", names[t]);
	switch (t) {
	case SELFTEST_TEXT_WRITE:
		*(volatile u8 *)(uintptr_t)&selftest_run = RET_OPCODE;
		break;
	case SELFTEST_RODATA_WRITE:
		*(volatile u8 *)(uintptr_t)&rodata_byte = 2;
		break;
	case SELFTEST_DATA_EXEC:
		((void (*)(void))(uintptr_t)data_ret)();
		break;
	case SELFTEST_STACK_OVERFLOW:
		overflow(0);
		break;
	default:
		break;
	}
	console_printf("Bail out! microhv: selftest %s did not fault\n", names[t]);
	hv_finish(HV_STATUS_PANIC);
}
