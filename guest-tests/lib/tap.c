/* TAP result lines, assertions and diagnostics (see tap.h). Only the BSP prints: output from an AP
 * would interleave with the BSP's lines, so it is dropped and counted for the BSP to report. */
#include <stdarg.h>
#include "hv/fmt.h"
#include "percpu.h"
#include "serial.h"
#include "tap.h"

static u32 results;
static u32 failures;

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
	printf("%s %u - %s\n", pass && valid ? "ok" : "not ok", results, valid ? name : "invalid_case_name");
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
	printf("ok %u - %s # SKIP %s\n", results, name, reason);
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
	printf("# %s\n", buf);
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
