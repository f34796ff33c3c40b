/* Ending the run. On hardware the default is to halt so the console stays readable. */
#include "finish.h"
#include "console.h"
#include "x86.h"

static enum finish_action finish_action = FINISH_HALT;
static void (*shutdown_fn)(void);

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
	irq_disable();
	console_printf("# microhv: finished: %s (status 0x%x)\n", status_name(status), status);
	console_drain();
	if (finish_action == FINISH_DEBUG_PORT)
		outl(HV_DEBUG_EXIT_PORT, status);
	if (finish_action != FINISH_HALT && shutdown_fn)
		shutdown_fn();
	for (;;)
		halt();
}
