/* A test-and-test-and-set spin lock for the few structures the pCPUs share (the page pool, the console,
 * the suite's output order). Taking it is an acquire, releasing it a release: what one holder wrote is
 * seen by the next. Held only for short, bounded work and never from an interrupt handler, so the host
 * runs with interrupts off (IF = 0, as it always does) while holding it and no holder can be preempted. */
#ifndef HV_SPINLOCK_H
#define HV_SPINLOCK_H

#include "lib/types.h"

struct spinlock {
	u32 taken;
};

static inline bool spin_trylock(struct spinlock *l)
{
	return !__atomic_exchange_n(&l->taken, 1, __ATOMIC_ACQUIRE);
}

static inline void spin_lock(struct spinlock *l)
{
	while (!spin_trylock(l))
		while (__atomic_load_n(&l->taken, __ATOMIC_RELAXED))
			__asm__ volatile("pause");
}

static inline void spin_unlock(struct spinlock *l)
{
	__atomic_store_n(&l->taken, 0, __ATOMIC_RELEASE);
}

#endif
