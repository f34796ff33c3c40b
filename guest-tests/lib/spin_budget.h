/* The rule of a spin budget (tsc.h), apart from the TSC so that host unit tests walk it
 * (tests/unit/test_spin_budget.c). */
#ifndef GUEST_SPIN_BUDGET_H
#define GUEST_SPIN_BUDGET_H

#include "hv/lib/types.h"

struct spin_budget {
	u64 last, left; /* TSC at the last check; ticks still to spin */
};

/* One check at TSC `now`: the step since the last check comes off the budget, but at most `cap` ticks of
 * it (a TSC that went backwards is a huge unsigned step, so it too counts as cap). True once spent. */
static inline bool spin_budget_step(struct spin_budget *b, u64 now, u64 cap)
{
	u64 step = now - b->last;
	b->last = now;
	if (step > cap)
		step = cap;
	b->left = step >= b->left ? 0 : b->left - step;
	return b->left == 0;
}

#endif
