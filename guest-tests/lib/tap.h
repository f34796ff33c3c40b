/* TAP output for test guests (docs/guest-abi.md, "Results").
 *
 *   ok 1 - name
 *   not ok 2 - name
 *   # file.c:42: rec->raw[0] == 0x1234        (diagnostics follow a failure)
 *   ok 3 - name # SKIP reason
 *   1..3                                       (the plan comes last, printed by the runtime)
 *
 * A case name is a short identifier: letters, digits, '_' and '-' (microhv re-prints each line as
 * "ok N - <platform>/<test>/<name>", so spaces and ':' would break its parser). Names that break this
 * rule make the case fail.
 *
 * BSP only: on an AP these print nothing, and the BSP reports the attempt as a failure (smp.h). */
#ifndef GUEST_TAP_H
#define GUEST_TAP_H

#include "hv/lib/types.h"

/* Pass if `cond` is true. */
#define CHECK(cond, name) tap_check(!!(cond), (name), #cond, __FILE__, __LINE__)

/* Pass if actual == expected, compared as u64 (so -EINVAL matches an s64 -22); both printed in hex
 * and signed decimal on failure. */
#define CHECK_EQ(actual, expected, name) \
	tap_check_eq((u64)(actual), (u64)(expected), true, (name), #actual, #expected, __FILE__, __LINE__)

/* Pass if actual != unexpected. */
#define CHECK_NE(actual, unexpected, name) \
	tap_check_eq((u64)(actual), (u64)(unexpected), false, (name), #actual, #unexpected, __FILE__, __LINE__)

#define SKIP(name, reason) tap_skip((name), (reason))

/* Emit one result line; returns pass. */
bool tap_result(bool pass, const char *name);

bool tap_check(bool pass, const char *name, const char *expr, const char *file, int line);
bool tap_check_eq(u64 actual, u64 expected, bool want_equal, const char *name, const char *actual_expr,
		  const char *expected_expr, const char *file, int line);
void tap_skip(const char *name, const char *reason);

/* "# " + formatted text + "\n". */
void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Attempts, for a test whose outcome a busy host can spoil (timing on an emulator whose TSC is host
 * time): between begin and commit/discard its lines are held back. Commit prints them as they were;
 * discard drops them (the case numbers are reused) and prints one diagnostic saying how many failed, so
 * the test can run again. The caller names the reason for retrying, and runs its last attempt outside
 * an attempt, so that a real failure always shows. BSP only. */
void tap_attempt_begin(void);
bool tap_attempt_failed(void);
void tap_attempt_discard(void);
void tap_attempt_commit(void);

/* Print the plan "1..N" for the results emitted so far. */
void tap_plan(void);

u32 tap_results(void);  /* lines emitted so far */
u32 tap_failures(void); /* "not ok" lines emitted so far */

#endif
