/* Host unit tests for the test= selection (hv/rules/selection.h): names, @GROUPs, and words that name nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "hv/rules/selection.h"

static const struct suite_entry suite[] = { { .name = "cpuid" }, { .name = "apic_regs" }, { .name = "apic_ipi" },
					    { .name = "apic" } };
static const struct suite_group groups[] = { { "apic", "apic_regs apic_ipi" }, { "one", "cpuid" } };
static const struct selection_tables tab = { suite, ARRAY_SIZE(suite), groups, ARRAY_SIZE(groups) };
static struct cmdline cl;

static void parse(const char *s)
{
	if (cmdline_parse(s, &cl))
		fail_msg("\"%s\" rejected: %s", s, cl.error);
}

static void test_no_selection_picks_all(void **state)
{
	parse("platform=x");
	assert_true(selection_picks_builtin(&cl, &tab, "cpuid"));
	assert_null(selection_unknown_word(&cl, &tab));
}

static void test_names(void **state)
{
	parse("test=cpuid,apic");
	assert_true(selection_picks_builtin(&cl, &tab, "cpuid"));
	assert_true(selection_picks_builtin(&cl, &tab, "apic")); /* the test called apic, not the group */
	assert_false(selection_picks_builtin(&cl, &tab, "apic_regs"));
	assert_null(selection_unknown_word(&cl, &tab));
}

static void test_groups(void **state)
{
	parse("test=@apic");
	assert_true(selection_picks_builtin(&cl, &tab, "apic_regs"));
	assert_true(selection_picks_builtin(&cl, &tab, "apic_ipi"));
	assert_false(selection_picks_builtin(&cl, &tab, "apic")); /* whole words only */
	assert_false(selection_picks_builtin(&cl, &tab, "apic_reg"));
	assert_false(selection_picks_builtin(&cl, &tab, "cpuid"));
	assert_null(selection_unknown_word(&cl, &tab));
	parse("test=@one,apic_ipi");
	assert_true(selection_picks_builtin(&cl, &tab, "cpuid"));
	assert_true(selection_picks_builtin(&cl, &tab, "apic_ipi"));
	assert_false(selection_picks_builtin(&cl, &tab, "apic_regs"));
}

static void test_unknown_words(void **state)
{
	parse("test=cpuid,nosuch,other");
	assert_string_equal(selection_unknown_word(&cl, &tab), "nosuch");
	parse("test=@nosuch");
	assert_string_equal(selection_unknown_word(&cl, &tab), "@nosuch");
	parse("test=@cpuid"); /* a test's name is no group */
	assert_string_equal(selection_unknown_word(&cl, &tab), "@cpuid");
	parse("test=@");
	assert_string_equal(selection_unknown_word(&cl, &tab), "@");
}

static void test_guest_files_are_names(void **state)
{
	parse("test=k.elf,cpuid guest=k.elf smp=2");
	assert_null(selection_unknown_word(&cl, &tab));
	assert_false(selection_picks_builtin(&cl, &tab, "apic_regs"));
	parse("test=x guest=k.elf");
	assert_string_equal(selection_unknown_word(&cl, &tab), "x");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_selection_picks_all),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_groups),
		cmocka_unit_test(test_unknown_words),
		cmocka_unit_test(test_guest_files_are_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
