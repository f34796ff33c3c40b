/* Harness check: one passing and one deliberately failing assertion, then a normal exit.
 * Expected outcome: fail-assert (the runtime exits with status 1 because a case failed). */
#include "guest.h"

#define ANSWER 42
#define WRONG_ANSWER 43

void test_main(void)
{
	volatile u64 answer = ANSWER; /* volatile: keep the comparison at run time */

	CHECK_EQ(answer, ANSWER, "passes");
	CHECK_EQ(answer, WRONG_ANSWER, "fails_on_purpose");
}
