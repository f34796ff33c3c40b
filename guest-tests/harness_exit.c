/* Harness check: exit through the exit port with a status that is neither pass nor fail.
 * Expected outcome: fail-exit:3. */
#include "guest.h"

#define HARNESS_EXIT_STATUS 3

void test_main(void)
{
	CHECK(true, "before_exit");
	guest_exit(HARNESS_EXIT_STATUS);
}
