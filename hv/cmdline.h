/* microhv's command line (UEFI load options or \microhv.cfg): space-separated key=value words.
 *   test=NAME[,NAME...]   run only these tests (built-in or from guest=)
 *   guest=PATH            also run this Multiboot image from the boot volume (repeatable)
 *   platform=LABEL        the platform name printed in TAP lines (default: hw)
 *   exit=halt|shutdown|debug-port   what to do when the suite is done (default: halt)
 *   log=error|warn|info|debug
 * Pure: used by boot/ (to find guest files) and by hv/. */
#ifndef HV_CMDLINE_H
#define HV_CMDLINE_H

#include "types.h"

#define CMDLINE_MAX_TESTS 32
#define CMDLINE_MAX_GUESTS 16
#define CMDLINE_NAME_MAX 128
#define CMDLINE_LABEL_MAX 32

enum finish_action { FINISH_HALT, FINISH_SHUTDOWN, FINISH_DEBUG_PORT };
enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

struct cmdline {
	u32 ntests;
	char tests[CMDLINE_MAX_TESTS][CMDLINE_LABEL_MAX];
	u32 nguests;
	char guests[CMDLINE_MAX_GUESTS][CMDLINE_NAME_MAX];
	char platform[CMDLINE_LABEL_MAX];
	enum finish_action finish;
	enum log_level log_level;
	char error[160]; /* the first problem found, empty if none */
};

/* Parses s into *out (always filled with defaults first). Returns 0, or -EINVAL with out->error set;
 * the words before and after a bad word are still applied. */
int cmdline_parse(const char *s, struct cmdline *out);

/* True if test `name` was selected (no test= word selects everything). */
bool cmdline_selects(const struct cmdline *c, const char *name);

#endif
