/* A strict-enough TAP line reader: "ok N - desc # SKIP why", "not ok N desc", "1..N", "Bail out! why". */
#include "tap.h"
#include "../lib/fmt.h"

static const char *skip_spaces(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

static const char *parse_number(const char *s, u32 *n)
{
	*n = 0;
	while (*s >= '0' && *s <= '9')
		*n = *n * 10 + (u32)(*s++ - '0');
	return s;
}

static void copy_trimmed(char *dst, const char *src, size_t len)
{
	while (len && (src[len - 1] == ' ' || src[len - 1] == '\t'))
		len--;
	len = MIN(len, (size_t)TAP_TEXT_MAX - 1);
	memcpy(dst, src, len);
	dst[len] = '\0';
}

static bool starts_with_word(const char *s, const char *word)
{
	size_t n = strlen(word);
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (c != word[i])
			return false;
	}
	return true;
}

static void parse_test_line(const char *s, struct tap_line *out)
{
	s = parse_number(skip_spaces(s), &out->number);
	s = skip_spaces(s);
	if (*s == '-')
		s = skip_spaces(s + 1);
	const char *hash = s;
	while (*hash && *hash != '#')
		hash++;
	copy_trimmed(out->description, s, (size_t)(hash - s));
	if (*hash == '#') {
		const char *d = skip_spaces(hash + 1);
		copy_trimmed(out->directive, d, strlen(d));
		out->skip = starts_with_word(d, "SKIP");
		out->todo = starts_with_word(d, "TODO");
	}
}

void tap_parse_line(const char *line, struct tap_line *out)
{
	memset(out, 0, sizeof(*out));
	if (strncmp(line, "ok", 2) == 0 && (line[2] == ' ' || line[2] == '\0')) {
		out->kind = TAP_OK;
		parse_test_line(line + 2, out);
	} else if (strncmp(line, "not ok", 6) == 0 && (line[6] == ' ' || line[6] == '\0')) {
		out->kind = TAP_NOT_OK;
		parse_test_line(line + 6, out);
	} else if (strncmp(line, "1..", 3) == 0 && line[3] >= '0' && line[3] <= '9') {
		const char *end = parse_number(line + 3, &out->plan);
		out->kind = (*skip_spaces(end) == '\0' || *skip_spaces(end) == '#') ? TAP_PLAN : TAP_OTHER;
	} else if (strncmp(line, "Bail out!", 9) == 0) {
		out->kind = TAP_BAIL_OUT;
		copy_trimmed(out->description, skip_spaces(line + 9), strlen(skip_spaces(line + 9)));
	}
}

/* The runner's own last case names (runner.c): scripts/console-filter.sh takes a line with one of them
 * for the end of a guest, so a guest case of that name is always echoed. */
static bool runner_case_name(const char *d)
{
	return !strcmp(d, "completed") || !strcmp(d, "misbehaviour-detected") || !strcmp(d, "load");
}

static bool case_name(const char *d)
{
	if (!*d || runner_case_name(d))
		return false;
	for (; *d; d++)
		if (!((*d >= 'a' && *d <= 'z') || (*d >= 'A' && *d <= 'Z') || (*d >= '0' && *d <= '9') || *d == '_' ||
		      *d == '-'))
			return false;
	return true;
}

bool tap_line_rebuildable(const char *raw, const struct tap_line *l, u32 number)
{
	char canon[2 * TAP_TEXT_MAX + 32];
	if ((l->kind != TAP_OK && l->kind != TAP_NOT_OK) || l->number != number || !case_name(l->description))
		return false;
	bool skip = l->kind == TAP_OK && l->skip; /* the only re-print that keeps its directive */
	snprintf(canon, sizeof(canon), "%s %u - %s%s%s", l->kind == TAP_OK ? "ok" : "not ok", l->number,
		 l->description, skip ? " # " : "", skip ? l->directive : "");
	return strcmp(canon, raw) == 0;
}

/* The case numbers must count up by one from 1: a repeat, a step back or a gap means lines were lost,
 * printed twice or made up, so the plan count alone cannot be trusted. */
static void check_number(struct tap_stream *s, u32 number)
{
	u32 expected = s->last_number + 1;
	if (number == 0) /* TAP lets a line leave its number out: it is the next one */
		number = expected;
	if (s->problem == TAP_FINE && number != expected) {
		if (number == s->last_number)
			s->problem = TAP_DUPLICATE_NUMBER;
		else if (number < s->last_number)
			s->problem = TAP_DECREASING_NUMBER;
		else
			s->problem = TAP_NUMBER_GAP;
		s->problem_number = number;
		s->problem_number_after = s->last_number;
	}
	s->last_number = MAX(s->last_number, number);
}

void tap_stream_feed(struct tap_stream *s, const struct tap_line *l)
{
	switch (l->kind) {
	case TAP_PLAN:
		if (s->plan_seen && s->problem == TAP_FINE)
			s->problem = TAP_PLAN_TWICE;
		s->plan_seen = true;
		s->plan = l->plan;
		break;
	case TAP_BAIL_OUT:
		s->bailed_out = true;
		break;
	case TAP_OK:
	case TAP_NOT_OK:
		check_number(s, l->number);
		if (l->kind == TAP_NOT_OK)
			s->not_ok++;
		else if (l->skip)
			s->skipped++;
		else
			s->ok++;
		break;
	case TAP_OTHER:
		break;
	}
}

enum tap_problem tap_stream_verdict(const struct tap_stream *s)
{
	u32 results = s->ok + s->not_ok + s->skipped;
	if (s->bailed_out)
		return TAP_BAILED_OUT;
	if (s->not_ok)
		return TAP_FAILED_CASES;
	if (s->problem != TAP_FINE)
		return s->problem;
	if (!results)
		return TAP_NO_RESULTS;
	if (!s->plan_seen)
		return TAP_NO_PLAN;
	if (s->plan != results)
		return TAP_PLAN_MISMATCH;
	if (!s->ok) /* nothing was checked: a guest that skips everything proves nothing */
		return TAP_ONLY_SKIPS;
	return TAP_FINE;
}

static const char *const problem_names[] = {
	[TAP_FINE] = "fine",
	[TAP_BAILED_OUT] = "bailed-out",
	[TAP_FAILED_CASES] = "failed-cases",
	[TAP_DUPLICATE_NUMBER] = "duplicate-number",
	[TAP_DECREASING_NUMBER] = "decreasing-number",
	[TAP_NUMBER_GAP] = "number-gap",
	[TAP_PLAN_TWICE] = "plan-twice",
	[TAP_NO_RESULTS] = "no-results",
	[TAP_NO_PLAN] = "no-plan",
	[TAP_PLAN_MISMATCH] = "plan-mismatch",
	[TAP_ONLY_SKIPS] = "only-skips",
};

const char *tap_problem_name(enum tap_problem p)
{
	return (u32)p < ARRAY_SIZE(problem_names) ? problem_names[p] : "?";
}

void tap_problem_explain(const struct tap_stream *s, enum tap_problem p, char *why, size_t n)
{
	u32 results = s->ok + s->not_ok + s->skipped;
	switch (p) {
	case TAP_FAILED_CASES:
		snprintf(why, n, "%u case(s) failed", s->not_ok);
		break;
	case TAP_DUPLICATE_NUMBER:
	case TAP_DECREASING_NUMBER:
	case TAP_NUMBER_GAP:
		snprintf(why, n, "%s: case %u after case %u", problem_names[p], s->problem_number,
			 s->problem_number_after);
		break;
	case TAP_PLAN_MISMATCH:
		snprintf(why, n, "plan 1..%u but %u result(s)", s->plan, results);
		break;
	case TAP_ONLY_SKIPS:
		snprintf(why, n, "only-skips: all %u case(s) skipped", s->skipped);
		break;
	default:
		snprintf(why, n, "%s", tap_problem_name(p));
		break;
	}
}
