/* Ending the run. On hardware the default is to halt so the console stays readable. */
#include "finish.h"
#include "console.h"
#include "x86.h"

static enum finish_action finish_action = FINISH_HALT;
static void (*shutdown_fn)(void);
static u64 entry_tsc; /* TSC at hv_entry: under Bochs the TSC counts instructions, so the run's cost */

void finish_mark_entry(void)
{
	entry_tsc = rdtsc();
}

void finish_configure(enum finish_action action, void (*firmware_shutdown)(void))
{
	finish_action = action;
	shutdown_fn = firmware_shutdown;
}

static const char *status_name(enum hv_status status)
{
	switch (status) {
	case HV_STATUS_ALL_PASSED:
		return "all-passed";
	case HV_STATUS_SOME_FAILED:
		return "some-failed";
	case HV_STATUS_PANIC:
		return "panic";
	case HV_STATUS_BAD_CMDLINE:
		return "bad-command-line";
	case HV_STATUS_NO_VIRT:
		return "no-virtualization";
	}
	return "?";
}

void hv_finish(enum hv_status status)
{
	static bool called_firmware;
	irq_disable();
	console_drain(); /* what is still queued belongs to the run: count it */
	console_printf("# microhv: %llu TSC ticks after firmware (instructions under Bochs)\n", rdtsc() - entry_tsc);
	console_printf("# microhv: finished: %s (status 0x%x)\n", status_name(status), status);
	console_drain();
	if (finish_action == FINISH_DEBUG_PORT)
		outl(HV_DEBUG_EXIT_PORT, status);
	/* Once only: a fault inside the firmware is reported and comes back here. */
	if (finish_action != FINISH_HALT && shutdown_fn && !called_firmware) {
		called_firmware = true;
		/* The firmware's runtime images keep their data beside their code, which the host maps R+X
		 * (host_mmu.c): with CR0.WP = 0 ring 0 may write it (SDM Vol. 3A §4.6.1). The run ends here. */
		write_cr0(read_cr0() & ~CR0_WP);
		shutdown_fn();
	}
	for (;;)
		halt();
}
