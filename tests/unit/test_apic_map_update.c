/* Host unit tests for the incremental APIC routing map (hv/apic/rules/delivery.h apic_map_update()): after any
 * sequence of single-vCPU changes (ID, mode, enables, LDR/DFR), the map equals a full apic_map_build(),
 * in both settings of apic_32bit_ids, for VMs of 1 to APIC_MAX_VCPUS vCPUs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "hv/apic/rules/delivery.h"

static struct apic_target t[APIC_MAX_VCPUS];
static struct apic_map inc, full;
static u64 rng = 0x2545F4914F6CDD1Dull;

static u32 next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (u32)(rng >> 11);
}

static void assert_maps_equal(u32 n, u32 step)
{
	if (memcmp(inc.head, full.head, sizeof(inc.head)) || memcmp(inc.next, full.next, sizeof(inc.next)) ||
	    inc.any_xapic != full.any_xapic || inc.xapic_count != full.xapic_count ||
	    inc.use_32bit_ids != full.use_32bit_ids)
		fail_msg("n %u, step %u: the incremental map differs from a rebuild", n, step);
}

/* One random change to one vCPU, of the kinds a guest makes: an xAPIC ID write (aliases on purpose: few
 * distinct IDs), the x2APIC switch and back, EN and SVR[8], LDR/DFR. */
static void change(struct apic_target *a)
{
	switch (next_rand() % 6) {
	case 0:
		a->xapic_id = (u8)(next_rand() % 4 ? next_rand() % 8 : next_rand());
		break;
	case 1:
		a->x2apic = !a->x2apic;
		break;
	case 2:
		a->hw_enabled = !a->hw_enabled;
		break;
	case 3:
		a->sw_enabled = !a->sw_enabled;
		break;
	case 4:
		a->ldr = next_rand();
		a->dfr = next_rand() & 1 ? APIC_DFR_FLAT : APIC_DFR_CLUSTER;
		break;
	default: /* INIT: back to the RESET state (xAPIC, ID = vcpu_id & 0xFF) */
		a->x2apic = false;
		a->hw_enabled = true;
		a->xapic_id = (u8)a->vcpu_id;
		break;
	}
}

static void run_sequence(u32 n, bool ids32, u32 steps)
{
	const struct apic_flags f = { .use_32bit_ids = ids32, .broadcast_quirk = true };
	for (u32 i = 0; i < n; i++)
		t[i] = (struct apic_target){ .vcpu_id = i, .hw_enabled = true, .sw_enabled = true, .xapic_id = (u8)i,
					     .dfr = APIC_DFR_FLAT };
	apic_map_build(&inc, t, n, &f);
	for (u32 s = 0; s < steps; s++) {
		u32 i = next_rand() % n;
		struct apic_target old = t[i];
		change(&t[i]);
		apic_map_update(&inc, t, n, i, &old, &f);
		apic_map_build(&full, t, n, &f);
		assert_maps_equal(n, s);
	}
}

static void test_update_equals_rebuild(void **state)
{
	static const u32 sizes[] = { 1, 2, 3, 8, 255, 256, 257, 300 };
	for (unsigned k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		run_sequence(sizes[k], false, 3000);
		run_sequence(sizes[k], true, 500);
	}
}

/* The largest VM, every vCPU switching to x2APIC one after the other and back (smp_1024's pattern), then
 * random changes. */
static void test_update_1024(void **state)
{
	const struct apic_flags f = APIC_FLAGS_DEFAULT;
	run_sequence(APIC_MAX_VCPUS, false, 2000);
	for (u32 round = 0; round < 2; round++) {
		for (u32 i = 0; i < APIC_MAX_VCPUS; i++) {
			struct apic_target old = t[i];
			t[i].x2apic = !t[i].x2apic;
			apic_map_update(&inc, t, APIC_MAX_VCPUS, i, &old, &f);
		}
		apic_map_build(&full, t, APIC_MAX_VCPUS, &f);
		assert_maps_equal(APIC_MAX_VCPUS, round);
	}
}

/* A map built under the other flag setting is rebuilt, not patched. */
static void test_update_after_flag_change(void **state)
{
	const struct apic_flags off = APIC_FLAGS_DEFAULT, on = { .use_32bit_ids = true, .broadcast_quirk = true };
	for (u32 i = 0; i < 4; i++)
		t[i] = (struct apic_target){ .vcpu_id = i, .hw_enabled = true, .xapic_id = 1 };
	apic_map_build(&inc, t, 4, &on);
	struct apic_target old = t[2];
	t[2].xapic_id = 3;
	apic_map_update(&inc, t, 4, 2, &old, &off);
	apic_map_build(&full, t, 4, &off);
	assert_maps_equal(4, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_update_equals_rebuild),
		cmocka_unit_test(test_update_1024),
		cmocka_unit_test(test_update_after_flag_change),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
