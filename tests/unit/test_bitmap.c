/* Host unit tests for the page bitmap (hv/lib/bitmap.h): the word-at-a-time search finds exactly the run the
 * page-by-page scan it replaced found, and ranges are set and cleared bit-exactly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "hv/lib/bitmap.h"

#define WORDS 40
#define NBITS_MAX (WORDS * BITMAP_WORD_BITS)

static u64 bm[WORDS];
static u64 rng = 0x9E3779B97F4A7C15ull;

static u64 next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static bool used(u64 i) { return bm[i / 64] >> (i % 64) & 1; }

/* The allocator's old loop: every candidate, every page. */
static u64 naive_find(u64 nbits, u64 first, u64 step, u64 count)
{
	for (u64 start = first; start + count <= nbits; start += step) {
		u64 n = 0;
		while (n < count && !used(start + n))
			n++;
		if (n == count)
			return start;
	}
	return BITMAP_NO_RUN;
}

/* Bitmaps from empty to full, with long used and free stretches (whole words), against the naive scan. */
static void test_find_matches_naive(void **state)
{
	for (unsigned round = 0; round < 4000; round++) {
		unsigned density = round % 9; /* 0: empty ... 8: full */
		for (unsigned w = 0; w < WORDS; w++) {
			u64 r = next_rand();
			bm[w] = density == 0 ? 0 : density == 8 ? ~0ull : (r % 8 < density ? ~0ull : 0);
			if (r % 5 == 0)
				bm[w] ^= next_rand() & next_rand(); /* partly used words too */
		}
		u64 nbits = 1 + next_rand() % NBITS_MAX;
		u64 first = next_rand() % 70;
		static const u64 steps[] = { 1, 2, 4, 8, 64, 512 };
		u64 step = steps[next_rand() % 6];
		u64 count = 1 + next_rand() % (next_rand() % 4 ? 8 : 300);
		u64 want = naive_find(nbits, first, step, count);
		u64 got = bitmap_find_run(bm, nbits, first, step, count);
		if (got != want)
			fail_msg("round %u: nbits %llu first %llu step %llu count %llu: got %llu, want %llu", round,
				 (unsigned long long)nbits, (unsigned long long)first, (unsigned long long)step,
				 (unsigned long long)count, (unsigned long long)got, (unsigned long long)want);
	}
}

static void test_find_edges(void **state)
{
	memset(bm, 0, sizeof(bm));
	assert_int_equal(bitmap_find_run(bm, 128, 0, 1, 128), 0);
	assert_true(bitmap_find_run(bm, 128, 0, 1, 129) == BITMAP_NO_RUN);
	assert_true(bitmap_find_run(bm, 128, 128, 1, 1) == BITMAP_NO_RUN);
	bm[0] = ~0ull;
	assert_int_equal(bitmap_find_run(bm, 128, 0, 1, 1), 64);
	bm[1] = 1ull << 63; /* only bit 127 used: a run of 63 fits at 64, one of 64 does not */
	assert_int_equal(bitmap_find_run(bm, 128, 0, 1, 63), 64);
	assert_true(bitmap_find_run(bm, 128, 0, 1, 64) == BITMAP_NO_RUN);
	assert_int_equal(bitmap_find_run(bm, 128, 3, 64, 1), 67); /* candidates 3 (used) and 67 */
	bm[0] = ~0ull - 8; /* bit 3 free */
	assert_int_equal(bitmap_find_run(bm, 128, 3, 64, 1), 3);
}

static void test_assign_bit_exact(void **state)
{
	u64 ref[WORDS];
	for (unsigned round = 0; round < 3000; round++) {
		for (unsigned w = 0; w < WORDS; w++)
			bm[w] = ref[w] = next_rand();
		u64 first = next_rand() % NBITS_MAX;
		u64 count = next_rand() % (NBITS_MAX - first + 1);
		bool set = next_rand() & 1;
		bitmap_assign(bm, first, count, set);
		for (u64 i = first; i < first + count; i++) {
			if (set)
				ref[i / 64] |= 1ull << (i % 64);
			else
				ref[i / 64] &= ~(1ull << (i % 64));
		}
		assert_memory_equal(bm, ref, sizeof(bm));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_find_matches_naive),
		cmocka_unit_test(test_find_edges),
		cmocka_unit_test(test_assign_bit_exact),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
