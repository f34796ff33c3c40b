/* Page bitmaps for the allocator (mm.c): one bit per page, 1 = used. Pure: no hardware, no globals. */
#ifndef HV_BITMAP_H
#define HV_BITMAP_H

#include "types.h"

#define BITMAP_WORD_BITS 64
#define BITMAP_NO_RUN (~0ull)

/* The lowest start = first + k * step (k >= 0) with bits [start, start + count) all clear and
 * start + count <= nbits; BITMAP_NO_RUN if there is none. Whole used words are skipped at once, and a
 * used bit inside a candidate run moves the search past it, so the cost is linear in the bitmap's
 * words, not in pages times candidates. count >= 1, step >= 1. */
u64 bitmap_find_run(const u64 *bm, u64 nbits, u64 first, u64 step, u64 count);

/* Sets (used) or clears bits [first, first + count), a word at a time. */
void bitmap_assign(u64 *bm, u64 first, u64 count, bool used);

#endif
