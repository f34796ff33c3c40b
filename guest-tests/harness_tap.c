/* Harness check: a guest that exits with status 0 but whose TAP stream proves nothing. One image, five
 * suite rows (image=harness_tap): the row's name, the first word of the command line microhv passes,
 * picks the broken stream. Expected outcome: fail-tap:PROBLEM, the problem the runner must find.
 * The lines are printed raw, not through tap.h, which would number and plan them correctly. */
#include "guest.h"

struct broken_stream {
	const char *row;         /* the suite.txt row that runs it */
	const char *const *lines; /* NULL-terminated */
};

static const char *const short_plan[] = { "ok 1 - first", "ok 2 - second", "1..1", NULL };
static const char *const no_plan[] = { "ok 1 - first", "ok 2 - second", NULL };
static const char *const duplicate_number[] = { "ok 1 - first", "ok 1 - first_again", "1..2", NULL };
static const char *const decreasing_number[] = { "ok 1 - first", "ok 2 - second", "ok 1 - back", "1..3", NULL };
static const char *const only_skips[] = { "ok 1 - first # SKIP on purpose", "ok 2 - second # SKIP on purpose",
					  "1..2", NULL };

static const struct broken_stream streams[] = {
	{ "harness_tap_short_plan", short_plan },
	{ "harness_tap_no_plan", no_plan },
	{ "harness_tap_duplicate", duplicate_number },
	{ "harness_tap_decreasing", decreasing_number },
	{ "harness_tap_only_skips", only_skips },
};

void test_main(void)
{
	for (u32 i = 0; i < ARRAY_SIZE(streams); i++) {
		if (!runtime_cmdline_has(streams[i].row))
			continue;
		for (const char *const *line = streams[i].lines; *line; line++)
			printf("%s\n", *line);
		guest_exit(GUEST_EXIT_PASS); /* status 0: only the TAP stream can give it away */
	}
	/* Run under a name this table does not know: a real failure, not the one a row expects. */
	CHECK(false, "row_name_known");
}
