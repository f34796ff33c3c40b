/* Reading the TAP lines a guest prints (pure, unit-tested). */
#ifndef HV_TAP_H
#define HV_TAP_H

#include "../lib/types.h"

#define TAP_TEXT_MAX 128

enum tap_kind { TAP_OTHER, TAP_OK, TAP_NOT_OK, TAP_PLAN, TAP_BAIL_OUT };

struct tap_line {
	enum tap_kind kind;
	u32 number;   /* test number, 0 if absent */
	u32 plan;     /* for TAP_PLAN: the N of 1..N */
	bool skip;    /* "# SKIP" directive */
	bool todo;    /* "# TODO" directive */
	char description[TAP_TEXT_MAX]; /* without the leading "- " and without the directive */
	char directive[TAP_TEXT_MAX];   /* the text after '#', if any */
};

/* Parses one line. Anything that is not a test line, plan or bail-out is TAP_OTHER. */
void tap_parse_line(const char *line, struct tap_line *out);

/* May the runner leave out its echo of the guest's result line `raw` (parsed into `l`), because the
 * console filter (scripts/console-filter.sh) writes it back into the logs from the re-printed suite line
 * "ok M - PLATFORM/GUEST/DESC[ # SKIP ...]"? Only when that gives `raw` back byte for byte: the guest's
 * number is `number` (1 + the lines left out so far: the filter counts the same), the description is a
 * case name (docs/guest-abi.md section 6), and the line is "ok|not ok N - DESC", with " # DIRECTIVE"
 * only on an ok SKIP. */
bool tap_line_rebuildable(const char *raw, const struct tap_line *l, u32 number);

/* A guest's whole TAP stream, fed line by line; the verdict says whether it proves anything. */
enum tap_problem {
	TAP_FINE,              /* results numbered 1..N, plan 1..N, at least one real pass, nothing failed */
	TAP_BAILED_OUT,        /* a "Bail out!" line */
	TAP_FAILED_CASES,      /* a "not ok" line */
	TAP_DUPLICATE_NUMBER,  /* a case number repeated */
	TAP_DECREASING_NUMBER, /* a case number below an earlier one */
	TAP_NUMBER_GAP,        /* a case number skipped */
	TAP_PLAN_TWICE,        /* two plan lines */
	TAP_NO_RESULTS,        /* no case at all */
	TAP_NO_PLAN,           /* cases but no plan line */
	TAP_PLAN_MISMATCH,     /* the plan counts more or fewer cases than were printed */
	TAP_ONLY_SKIPS,        /* every case skipped: nothing was checked */
};

struct tap_stream {
	u32 ok, not_ok, skipped; /* "ok" lines without SKIP, "not ok" lines, SKIPs */
	u32 plan, last_number;
	bool plan_seen, bailed_out;
	enum tap_problem problem;        /* the first numbering or plan problem seen, TAP_FINE if none */
	u32 problem_number, problem_number_after; /* for a numbering problem: case `number` after `after` */
};

/* Accounts one parsed line; start from a zeroed struct tap_stream. */
void tap_stream_feed(struct tap_stream *s, const struct tap_line *l);

/* The most serious problem of the stream so far (failures first), TAP_FINE if it passes. */
enum tap_problem tap_stream_verdict(const struct tap_stream *s);

/* The problem's name as suite.txt writes it after fail-tap: ("no-plan", "only-skips", ...). */
const char *tap_problem_name(enum tap_problem p);

/* One line for the TAP output: what is wrong, with the numbers that show it. */
void tap_problem_explain(const struct tap_stream *s, enum tap_problem p, char *why, size_t n);

#endif
