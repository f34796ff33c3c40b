/* Reading the TAP lines a guest prints (pure, unit-tested). */
#ifndef HV_TAP_H
#define HV_TAP_H

#include "types.h"

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

#endif
