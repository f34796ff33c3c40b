/* How a run ends: the status reaches QEMU through isa-debug-exit, or the machine powers off or halts. */
#ifndef HV_FINISH_H
#define HV_FINISH_H

#include "rules/cmdline.h"

/* Values written to the debug-exit port; QEMU exits with (value << 1) | 1: 33, 35, 37, 39 and 41
 * (the table is in docs/exit-status.md). The same outcome is printed last on the console as
 * "# microhv: finished: NAME", for emulators and machines without the port. */
enum hv_status {
	HV_STATUS_ALL_PASSED = 0x10,
	HV_STATUS_SOME_FAILED = 0x11,
	HV_STATUS_PANIC = 0x12,        /* a host exception or panic(): the run stopped early */
	HV_STATUS_BAD_CMDLINE = 0x13,  /* a word or a test= name refused: nothing ran */
	HV_STATUS_NO_VIRT = 0x14,      /* no usable SVM or VMX on this CPU: nothing ran */
};
#define HV_DEBUG_EXIT_PORT 0xF4

void finish_configure(enum finish_action action, void (*firmware_shutdown)(void));
/* Called first in hv_entry: the run's TSC cost is printed from there at the end. */
void finish_mark_entry(void);
void hv_finish(enum hv_status status) __attribute__((noreturn));

#endif
