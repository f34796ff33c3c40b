/* Page bitmaps (bitmap.h): word-at-a-time search and update. */
#include "bitmap.h"

/* The first bit >= i whose value is `want` (a used or a free page), or `end`. */
static u64 next_bit(const u64 *bm, u64 i, u64 end, bool want)
{
	while (i < end) {
		u64 w = bm[i / BITMAP_WORD_BITS];
		if (!want)
			w = ~w;
		w >>= i % BITMAP_WORD_BITS;
		if (w)
			return MIN(i + (u64)__builtin_ctzll(w), end);
		i = (i / BITMAP_WORD_BITS + 1) * BITMAP_WORD_BITS; /* the rest of this word has none */
	}
	return end;
}

u64 bitmap_find_run(const u64 *bm, u64 nbits, u64 first, u64 step, u64 count)
{
	u64 from = first;
	while (from < nbits) {
		u64 clear = next_bit(bm, from, nbits, false);
		if (clear >= nbits)
			break;
		/* The first candidate at or after that free page. */
		u64 start = first + (clear - first + step - 1) / step * step;
		if (start >= nbits || count > nbits - start)
			break;
		u64 used = next_bit(bm, start, start + count, true);
		if (used == start + count)
			return start;
		/* Every candidate up to `used` holds it in its run: none of them fits. */
		from = used + 1;
	}
	return BITMAP_NO_RUN;
}

void bitmap_assign(u64 *bm, u64 first, u64 count, bool used)
{
	u64 i = first, end = first + count;
	while (i < end) {
		u64 bit = i % BITMAP_WORD_BITS;
		u64 n = MIN(BITMAP_WORD_BITS - bit, end - i);
		u64 mask = (n == BITMAP_WORD_BITS ? ~0ull : (BIT(n) - 1)) << bit;
		if (used)
			bm[i / BITMAP_WORD_BITS] |= mask;
		else
			bm[i / BITMAP_WORD_BITS] &= ~mask;
		i += n;
	}
}
