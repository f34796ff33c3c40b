/* A bitmap page allocator: one bit per 4 KiB page of the pool. Simple, and contiguous runs are easy. */
#include "mm.h"
#include "fmt.h"
#include "log.h"
#include "x86.h"

#define MAX_POOL_PAGES (1ull << 20) /* 4 GiB of pool */
#define BITS_PER_WORD 64

static u64 used_bitmap[MAX_POOL_PAGES / BITS_PER_WORD];
static u64 pool_base, pool_pages, free_pages;

static bool page_used(u64 i) { return used_bitmap[i / BITS_PER_WORD] & BIT(i % BITS_PER_WORD); }

static void mark(u64 first, u64 count, bool used)
{
	for (u64 i = first; i < first + count; i++) {
		if (used)
			used_bitmap[i / BITS_PER_WORD] |= BIT(i % BITS_PER_WORD);
		else
			used_bitmap[i / BITS_PER_WORD] &= ~BIT(i % BITS_PER_WORD);
	}
	free_pages = used ? free_pages - count : free_pages + count;
}

void mm_init(u64 base, u64 size)
{
	pool_base = base;
	pool_pages = MIN(size / PAGE_SIZE, MAX_POOL_PAGES);
	free_pages = pool_pages;
}

void *mm_alloc_pages(u64 count, u64 align)
{
	u64 step = MAX(align, PAGE_SIZE) / PAGE_SIZE;
	u64 first = (ALIGN_UP(pool_base, step * PAGE_SIZE) - pool_base) / PAGE_SIZE;

	for (u64 start = first; start + count <= pool_pages; start += step) {
		u64 n = 0;
		while (n < count && !page_used(start + n))
			n++;
		if (n == count) {
			mark(start, count, true);
			void *p = phys_to_virt(pool_base + start * PAGE_SIZE);
			zero_qwords(p, count * PAGE_SIZE / sizeof(u64));
			return p;
		}
	}
	log_error("out of memory: %llu contiguous pages wanted, %llu free", count, free_pages);
	return NULL;
}

void mm_free_pages(void *p, u64 count)
{
	u64 pa = virt_to_phys(p);
	if (!p)
		return;
	if (pa < pool_base || (pa - pool_base) / PAGE_SIZE + count > pool_pages || pa % PAGE_SIZE)
		panic("mm_free_pages: %p (%llu pages) is not from the pool", p, count);
	mark((pa - pool_base) / PAGE_SIZE, count, false);
}

u64 mm_free_page_count(void)
{
	return free_pages;
}
