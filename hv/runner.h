/* The suite runner: a fresh VM per test, a watchdog, TAP out, one summary line. */
#ifndef HV_RUNNER_H
#define HV_RUNNER_H

#include "../boot/boot_info.h"
#include "backend.h"
#include "rules/cmdline.h"

struct suite_totals {
	u32 passed, failed, skipped;
};

/* False, after a "Bail out!" line listing the valid names, if a test= word names nothing. */
bool runner_selection_valid(const struct cmdline *cl);

/* Runs the selected built-in tests and the guest files from the command line. */
struct suite_totals runner_run_suite(const struct backend *be, const struct cmdline *cl, const struct boot_info *bi);

#endif
