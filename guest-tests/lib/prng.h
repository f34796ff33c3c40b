/* A small deterministic generator (xorshift64*) for hostile guests: the seed is printed, so a failing
 * sequence can be replayed. */
#ifndef GUEST_PRNG_H
#define GUEST_PRNG_H

#include "hv/lib/types.h"

static inline u64 prng_next(u64 *state)
{
	u64 x = *state;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545F4914F6CDD1Dull;
}

#endif
