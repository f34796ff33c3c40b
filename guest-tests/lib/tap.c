/* TAP result lines, assertions and diagnostics (see tap.h). Only the BSP prints: output from an AP
 * would interleave with the BSP's lines, so it is dropped and counted for the BSP to report. */
#include <stdarg.h>
#include "hv/lib/fmt.h"
#include "percpu.h"
#include "serial.h"
#include "tap.h"

static u32 results;
static u32 failures;

/* tap_attempt_*(): while an attempt runs, its lines are kept here instead of printed. */
#define ATTEMPT_BUFFER_BYTES 16384
static struct {
	bool on, overflowed;
	u32 len, results, failures; /* the counters when the attempt began */
	char text[ATTEMPT_BUFFER_BYTES];
} attempt;

static void out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void out(const char *fmt, ...)
{
	char buf[PRINTF_MAX];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (!attempt.on) {
		serial_puts(buf);
		return;
	}
	if (n < 0 || attempt.len + (u32)n >= sizeof(attempt.text)) {
		attempt.overflowed = true; /* committed as a failure: nothing may be lost silently */
		return;
	}
	memcpy(attempt.text + attempt.len, buf, (size_t)n);
	attempt.len += (u32)n;
}

static bool is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
	       c == '-';
}

static bool name_is_valid(const char *name)
{
	if (!name || !*name)
		return false;
	for (const char *p = name; *p; p++)
		if (!is_name_char(*p))
			return false;
	return true;
}

/* False (and counted) on an AP. */
static bool may_print(void)
{
	if (cpu_is_bsp())
		return true;
	this_cpu()->tap_misuse++;
	return false;
}

bool tap_result(bool pass, const char *name)
{
	bool valid = name_is_valid(name);

	if (!may_print())
		return false;
	results++;
	if (!pass || !valid)
		failures++;
	out("%s %u - %s\n", pass && valid ? "ok" : "not ok", results, valid ? name : "invalid_case_name");
	if (!valid)
		tap_diag("case name \"%s\" must be an identifier (no spaces or ':')", name ? name : "(null)");
	return pass && valid;
}

bool tap_check(bool pass, const char *name, const char *expr, const char *file, int line)
{
	bool ok = tap_result(pass, name);

	if (!pass)
		tap_diag("%s:%d: CHECK(%s) failed", file, line, expr);
	return ok;
}

bool tap_check_eq(u64 actual, u64 expected, bool want_equal, const char *name, const char *actual_expr,
		  const char *expected_expr, const char *file, int line)
{
	bool pass = (actual == expected) == want_equal;
	bool ok = tap_result(pass, name);

	if (!pass) {
		tap_diag("%s:%d: %s %s %s", file, line, actual_expr, want_equal ? "==" : "!=", expected_expr);
		tap_diag("  expected: %s0x%llx (%lld)", want_equal ? "" : "anything but ", expected, (s64)expected);
		tap_diag("  actual:   0x%llx (%lld)", actual, (s64)actual);
	}
	return ok;
}

void tap_skip(const char *name, const char *reason)
{
	if (!may_print())
		return;
	if (!name_is_valid(name)) {
		tap_result(false, name);
		return;
	}
	results++;
	out("ok %u - %s # SKIP %s\n", results, name, reason);
}

void tap_diag(const char *fmt, ...)
{
	char buf[PRINTF_MAX];
	va_list ap;

	if (!may_print())
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	out("# %s\n", buf);
}

void tap_attempt_begin(void)
{
	attempt.on = true;
	attempt.overflowed = false;
	attempt.len = 0;
	attempt.results = results;
	attempt.failures = failures;
}

bool tap_attempt_failed(void)
{
	return failures > attempt.failures || attempt.overflowed;
}

void tap_attempt_discard(void)
{
	u32 failed = failures - attempt.failures;
	attempt.on = false;
	results = attempt.results;
	failures = attempt.failures;
	tap_diag("attempt discarded: %u failed case(s)%s", failed, attempt.overflowed ? ", output overflowed" : "");
}

void tap_attempt_commit(void)
{
	attempt.on = false;
	serial_write(attempt.text, attempt.len);
	if (attempt.overflowed)
		tap_result(false, "attempt_output_overflowed");
}

void tap_plan(void)
{
	printf("1..%u\n", results);
}

u32 tap_results(void)
{
	return results;
}

u32 tap_failures(void)
{
	return failures;
}
