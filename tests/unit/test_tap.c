/* Host unit tests for the TAP line reader (hv/rules/tap.h): what microhv makes of the lines a guest prints. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "hv/rules/tap.h"

static struct tap_line t;

static void parse(const char *line)
{
	memset(&t, 0x5A, sizeof(t)); /* every field must be written */
	tap_parse_line(line, &t);
}

/* A test line: kind, number, description, skip, todo, directive. */
static void expect_test(const char *line, enum tap_kind kind, u32 number, const char *desc, bool skip, bool todo,
			const char *directive)
{
	parse(line);
	if (t.kind != kind)
		fail_msg("\"%s\": kind %d, want %d", line, t.kind, kind);
	if (t.number != number)
		fail_msg("\"%s\": number %u, want %u", line, t.number, number);
	if (strcmp(t.description, desc) != 0)
		fail_msg("\"%s\": description \"%s\", want \"%s\"", line, t.description, desc);
	if (t.skip != skip || t.todo != todo)
		fail_msg("\"%s\": skip %d todo %d, want %d %d", line, t.skip, t.todo, skip, todo);
	if (strcmp(t.directive, directive) != 0)
		fail_msg("\"%s\": directive \"%s\", want \"%s\"", line, t.directive, directive);
}

static void expect_kind(const char *line, enum tap_kind kind)
{
	parse(line);
	if (t.kind != kind)
		fail_msg("\"%s\": kind %d, want %d", line, t.kind, kind);
}

/* ---- Test lines ---- */

static void test_ok_forms(void **state)
{
	expect_test("ok 1 - cpuid leaf 7", TAP_OK, 1, "cpuid leaf 7", false, false, "");
	expect_test("ok 1 cpuid leaf 7", TAP_OK, 1, "cpuid leaf 7", false, false, "");     /* no '-' */
	expect_test("ok - cpuid leaf 7", TAP_OK, 0, "cpuid leaf 7", false, false, "");     /* no number */
	expect_test("ok cpuid leaf 7", TAP_OK, 0, "cpuid leaf 7", false, false, "");       /* neither */
	expect_test("ok 42", TAP_OK, 42, "", false, false, "");
	expect_test("ok", TAP_OK, 0, "", false, false, "");
	expect_test("ok 7 -", TAP_OK, 7, "", false, false, "");
	expect_test("ok 3-x", TAP_OK, 3, "x", false, false, "");
	expect_test("ok 12 - 7 vectors checked", TAP_OK, 12, "7 vectors checked", false, false, "");
	expect_test("ok 4294967295 - max", TAP_OK, 4294967295u, "max", false, false, "");
}

static void test_not_ok_forms(void **state)
{
	expect_test("not ok 2 - x87 FCS/FDS", TAP_NOT_OK, 2, "x87 FCS/FDS", false, false, "");
	expect_test("not ok 2 x87", TAP_NOT_OK, 2, "x87", false, false, "");
	expect_test("not ok - x87", TAP_NOT_OK, 0, "x87", false, false, "");
	expect_test("not ok", TAP_NOT_OK, 0, "", false, false, "");
	expect_test("not ok 10", TAP_NOT_OK, 10, "", false, false, "");
}

static void test_description_spaces(void **state)
{
	/* Spaces inside are kept, around are trimmed (tabs too). */
	expect_test("ok 5 -   qemu-svm/cpuid/leaf 7 bits  ", TAP_OK, 5, "qemu-svm/cpuid/leaf 7 bits", false, false,
		    "");
	expect_test("ok   6   -\tspaced out\t ", TAP_OK, 6, "spaced out", false, false, "");
	expect_test("not ok 8 - a  b   c", TAP_NOT_OK, 8, "a  b   c", false, false, "");
	expect_test("ok 9 - desc   # SKIP why", TAP_OK, 9, "desc", true, false, "SKIP why");
}

/* ---- Directives ---- */

static void test_skip_directive(void **state)
{
	expect_test("ok 3 - mtrr # SKIP no MTRRs on this host", TAP_OK, 3, "mtrr", true, false,
		    "SKIP no MTRRs on this host");
	expect_test("ok 3 - mtrr # skip", TAP_OK, 3, "mtrr", true, false, "skip");
	expect_test("ok 3 - mtrr # Skip Because", TAP_OK, 3, "mtrr", true, false, "Skip Because");
	expect_test("ok 3 - mtrr #SKIP", TAP_OK, 3, "mtrr", true, false, "SKIP");
	expect_test("ok 3 - mtrr #   SKIP  padded  ", TAP_OK, 3, "mtrr", true, false, "SKIP  padded");
	expect_test("ok 3 # SKIP", TAP_OK, 3, "", true, false, "SKIP");
	expect_test("ok # skip whole thing", TAP_OK, 0, "", true, false, "skip whole thing");
	/* A comment that is not a directive. */
	expect_test("ok 3 - mtrr # slow host", TAP_OK, 3, "mtrr", false, false, "slow host");
	expect_test("ok 3 - mtrr # SKI", TAP_OK, 3, "mtrr", false, false, "SKI");
	expect_test("ok 3 - mtrr #", TAP_OK, 3, "mtrr", false, false, "");
}

static void test_todo_directive(void **state)
{
	expect_test("not ok 4 - x2apic aliasing # TODO not implemented", TAP_NOT_OK, 4, "x2apic aliasing", false, true,
		    "TODO not implemented");
	expect_test("not ok 4 - x # todo", TAP_NOT_OK, 4, "x", false, true, "todo");
	expect_test("ok 4 - x # TODO", TAP_OK, 4, "x", false, true, "TODO");
	expect_test("not ok 4 - x # TOD", TAP_NOT_OK, 4, "x", false, false, "TOD");
}

/* ---- Plans ---- */

static void test_plans(void **state)
{
	parse("1..5");
	assert_int_equal(t.kind, TAP_PLAN);
	assert_int_equal(t.plan, 5);
	parse("1..0");
	assert_int_equal(t.kind, TAP_PLAN);
	assert_int_equal(t.plan, 0);
	parse("1..123");
	assert_int_equal(t.kind, TAP_PLAN);
	assert_int_equal(t.plan, 123);
	parse("1..12 # comment");
	assert_int_equal(t.kind, TAP_PLAN);
	assert_int_equal(t.plan, 12);
	parse("1..0 # SKIP no VMX");
	assert_int_equal(t.kind, TAP_PLAN);
	assert_int_equal(t.plan, 0);
	parse("1..3   ");
	assert_int_equal(t.kind, TAP_PLAN);
	assert_int_equal(t.plan, 3);
	parse("1..7#tight");
	assert_int_equal(t.kind, TAP_PLAN);
	assert_int_equal(t.plan, 7);
}

static void test_not_plans(void **state)
{
	expect_kind("1..x", TAP_OTHER);
	expect_kind("1..", TAP_OTHER);
	expect_kind("1..5x", TAP_OTHER);
	expect_kind("1..5 tests", TAP_OTHER);
	expect_kind("2..5", TAP_OTHER);
	expect_kind("1.5", TAP_OTHER);
	expect_kind(" 1..5", TAP_OTHER);
}

/* ---- Other lines ---- */

static void test_other_lines(void **state)
{
	static const char *const lines[] = {
		"okay",  "oks 1", "ok1",     "notok", "not ok1",  "not okay", "nok 1",  "# diag message", "#",
		"",      " ok 1", "\tok 1",  "OK 1",  "Not ok 1", "bail out! x", "Bail out", "microhv: booting",
		"  ---", "...",   "1..x",
	};

	for (unsigned i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		parse(lines[i]);
		if (t.kind != TAP_OTHER)
			fail_msg("\"%s\": kind %d, want TAP_OTHER", lines[i], t.kind);
		assert_int_equal(t.number, 0);
		assert_false(t.skip);
		assert_false(t.todo);
		assert_string_equal(t.description, "");
	}
}

static void test_bail_out(void **state)
{
	parse("Bail out! VMX not available");
	assert_int_equal(t.kind, TAP_BAIL_OUT);
	assert_string_equal(t.description, "VMX not available");
	parse("Bail out!");
	assert_int_equal(t.kind, TAP_BAIL_OUT);
	assert_string_equal(t.description, "");
	parse("Bail out!   spaced reason  ");
	assert_int_equal(t.kind, TAP_BAIL_OUT);
	assert_string_equal(t.description, "spaced reason");
	parse("Bail out!no space");
	assert_int_equal(t.kind, TAP_BAIL_OUT);
	assert_string_equal(t.description, "no space");
}

/* ---- Lengths ---- */

static void test_overlong_text_truncated(void **state)
{
	char line[512], want[TAP_TEXT_MAX];

	memset(want, 'd', TAP_TEXT_MAX - 1);
	want[TAP_TEXT_MAX - 1] = '\0';

	memcpy(line, "ok 1 - ", 7);
	memset(line + 7, 'd', 300);
	line[307] = '\0';
	parse(line);
	assert_int_equal(t.kind, TAP_OK);
	assert_int_equal(strlen(t.description), TAP_TEXT_MAX - 1);
	assert_string_equal(t.description, want);

	/* With a directive after it, both truncated, and the directive still recognized. */
	memcpy(line + 307, " # SKIP ", 8);
	memset(line + 315, 'r', 190);
	line[505] = '\0';
	parse(line);
	assert_string_equal(t.description, want);
	assert_true(t.skip);
	assert_int_equal(strlen(t.directive), TAP_TEXT_MAX - 1);
	assert_memory_equal(t.directive, "SKIP rrr", 8);

	/* Exactly TAP_TEXT_MAX - 1 characters fit. */
	memcpy(line, "not ok 2 - ", 11);
	memset(line + 11, 'd', TAP_TEXT_MAX - 1);
	line[11 + TAP_TEXT_MAX - 1] = '\0';
	parse(line);
	assert_string_equal(t.description, want);

	memcpy(line, "Bail out! ", 10);
	memset(line + 10, 'd', 200);
	line[210] = '\0';
	parse(line);
	assert_int_equal(t.kind, TAP_BAIL_OUT);
	assert_string_equal(t.description, want);
}

/* ---- A whole stream: the verdict ---- */

/* Feeds the lines (NULL-terminated) into a fresh stream and checks its verdict. */
static struct tap_stream feed_lines(const char *const lines[], enum tap_problem want)
{
	struct tap_stream s = { 0 };
	struct tap_line l;
	for (u32 i = 0; lines[i]; i++) {
		tap_parse_line(lines[i], &l);
		tap_stream_feed(&s, &l);
	}
	enum tap_problem got = tap_stream_verdict(&s);
	if (got != want)
		fail_msg("verdict %s, want %s", tap_problem_name(got), tap_problem_name(want));
	return s;
}

/* The same, and the one line the runner prints about the problem. */
static void expect_explained(const char *const lines[], enum tap_problem want, const char *why_want)
{
	char why[TAP_TEXT_MAX];
	struct tap_stream s = feed_lines(lines, want);
	tap_problem_explain(&s, want, why, sizeof(why));
	assert_string_equal(why, why_want);
}

static void test_stream_fine(void **state)
{
	static const char *const plain[] = { "ok 1 - a", "# note", "ok 2 - b # SKIP why", "ok 3 - c", "1..3", NULL };
	static const char *const unnumbered[] = { "ok - a", "ok", "1..2", NULL };
	static const char *const plan_first[] = { "1..2", "ok 1 - a", "ok 2 - b", NULL };
	struct tap_stream s = feed_lines(plain, TAP_FINE);
	assert_int_equal(s.ok, 2);
	assert_int_equal(s.skipped, 1);
	feed_lines(unnumbered, TAP_FINE);
	feed_lines(plan_first, TAP_FINE);
}

static void test_stream_failures_come_first(void **state)
{
	static const char *const failed[] = { "ok 1 - a", "not ok 1 - b", NULL }; /* and a duplicate, no plan */
	static const char *const bailed[] = { "ok 1 - a", "Bail out! broken", "1..1", NULL };
	expect_explained(failed, TAP_FAILED_CASES, "1 case(s) failed");
	feed_lines(bailed, TAP_BAILED_OUT);
}

static void test_stream_plan_problems(void **state)
{
	static const char *const short_plan[] = { "ok 1 - a", "ok 2 - b", "1..1", NULL };
	static const char *const long_plan[] = { "ok 1 - a", "1..2", NULL };
	static const char *const no_plan[] = { "ok 1 - a", "ok 2 - b", NULL };
	static const char *const two_plans[] = { "1..1", "ok 1 - a", "1..1", NULL };
	static const char *const nothing[] = { "# only talk", "1..0", NULL };
	expect_explained(short_plan, TAP_PLAN_MISMATCH, "plan 1..1 but 2 result(s)");
	feed_lines(long_plan, TAP_PLAN_MISMATCH);
	feed_lines(no_plan, TAP_NO_PLAN);
	feed_lines(two_plans, TAP_PLAN_TWICE);
	feed_lines(nothing, TAP_NO_RESULTS);
}

static void test_stream_numbering(void **state)
{
	static const char *const duplicate[] = { "ok 1 - a", "ok 1 - a", "1..2", NULL };
	static const char *const decreasing[] = { "ok 1 - a", "ok 2 - b", "ok 1 - c", "1..3", NULL };
	static const char *const gap[] = { "ok 1 - a", "ok 3 - b", "1..3", NULL };
	static const char *const late_start[] = { "ok 2 - a", "1..1", NULL };
	expect_explained(duplicate, TAP_DUPLICATE_NUMBER, "duplicate-number: case 1 after case 1");
	expect_explained(decreasing, TAP_DECREASING_NUMBER, "decreasing-number: case 1 after case 2");
	feed_lines(gap, TAP_NUMBER_GAP);
	feed_lines(late_start, TAP_NUMBER_GAP);
}

static void test_stream_only_skips(void **state)
{
	static const char *const skips[] = { "ok 1 - a # SKIP x", "ok 2 - b # skip y", "1..2", NULL };
	static const char *const todo_pass[] = { "ok 1 - a # SKIP x", "ok 2 - b # TODO later", "1..2", NULL };
	expect_explained(skips, TAP_ONLY_SKIPS, "only-skips: all 2 case(s) skipped");
	feed_lines(todo_pass, TAP_FINE);
}

static void test_problem_names(void **state)
{
	assert_string_equal(tap_problem_name(TAP_NO_PLAN), "no-plan");
	assert_string_equal(tap_problem_name(TAP_ONLY_SKIPS), "only-skips");
	assert_string_equal(tap_problem_name((enum tap_problem)99), "?");
}

/* The runner leaves out its echo of a result line only when the console filter can write it back from
 * the suite line exactly: canonical "ok|not ok N - CASE", N the expected one, " # ..." only on an ok SKIP. */
static bool rebuildable(const char *line, u32 number)
{
	parse(line);
	return tap_line_rebuildable(line, &t, number);
}

static void test_rebuildable_lines(void **state)
{
	assert_true(rebuildable("ok 1 - gp_with_ec_value", 1));
	assert_true(rebuildable("not ok 7 - cpu3-online", 7));
	assert_true(rebuildable("ok 3 - df_on_ist # SKIP not running under microhv", 3));
	assert_true(rebuildable("ok 3 - df_on_ist # skip lower case", 3));
	assert_false(rebuildable("ok 1 - gp_with_ec_value", 2));   /* not the number the filter counts */
	assert_false(rebuildable("ok 2 - gp_with_ec_value", 1));
	assert_false(rebuildable("ok 01 - x", 1));                 /* the filter would write "ok 1" */
	assert_false(rebuildable("ok 1 x", 1));                    /* no "- " */
	assert_false(rebuildable("ok 1 -  x", 1));                 /* two spaces */
	assert_false(rebuildable("ok 1 - x ", 1));                 /* trailing blank */
	assert_false(rebuildable("ok  1 - x", 1));
	assert_false(rebuildable("ok 1 - x # TODO later", 1));     /* the suite line drops a non-SKIP directive */
	assert_false(rebuildable("not ok 1 - x # SKIP why", 1));   /* so does a not ok's */
	assert_false(rebuildable("ok 1 - x #SKIP why", 1));        /* "# " is how the suite line writes it */
	assert_false(rebuildable("ok 1 - has space", 1));          /* not a case name */
	assert_false(rebuildable("ok 1 - a/b", 1));                /* a slash would split the suite line wrong */
	assert_false(rebuildable("ok 1 - a:b", 1));
	assert_false(rebuildable("ok 1 - ", 1));
	assert_false(rebuildable("ok 1", 1));
	assert_false(rebuildable("ok 1 - completed", 1));          /* the runner's own last case names */
	assert_false(rebuildable("ok 1 - misbehaviour-detected", 1));
	assert_false(rebuildable("not ok 1 - load", 1));
	assert_false(rebuildable("1..1", 1));
	assert_false(rebuildable("# ok 1 - x", 1));
	assert_false(rebuildable("Bail out! ok 1 - x", 1));
	char longname[TAP_TEXT_MAX + 16] = "ok 1 - ";
	memset(longname + 7, 'a', TAP_TEXT_MAX);                  /* cut to TAP_TEXT_MAX - 1 by the parser */
	longname[7 + TAP_TEXT_MAX] = '\0';
	assert_false(rebuildable(longname, 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ok_forms),
		cmocka_unit_test(test_not_ok_forms),
		cmocka_unit_test(test_description_spaces),
		cmocka_unit_test(test_skip_directive),
		cmocka_unit_test(test_todo_directive),
		cmocka_unit_test(test_plans),
		cmocka_unit_test(test_not_plans),
		cmocka_unit_test(test_other_lines),
		cmocka_unit_test(test_bail_out),
		cmocka_unit_test(test_overlong_text_truncated),
		cmocka_unit_test(test_stream_fine),
		cmocka_unit_test(test_stream_failures_come_first),
		cmocka_unit_test(test_stream_plan_problems),
		cmocka_unit_test(test_stream_numbering),
		cmocka_unit_test(test_stream_only_skips),
		cmocka_unit_test(test_problem_names),
		cmocka_unit_test(test_rebuildable_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
