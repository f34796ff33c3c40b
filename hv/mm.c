/* A bitmap page allocator: one bit per 4 KiB page of the pool (bitmap.c searches it a word at a time).
 * Simple, and contiguous runs are easy. */
#include "mm.h"
#include "../boot/boot_info.h"
#include "lib/bitmap.h"
#include "lib/fmt.h"
#include "log.h"
#include "spinlock.h"
#include "x86.h"

/* Sized to the largest pool boot/ reserves (8 KiB of bitmap for 256 MiB): the bitmap is in .data, which
 * is in the EFI file. */
#define MAX_POOL_PAGES (BOOT_POOL_MAX_BYTES / PAGE_SIZE)

static u64 used_bitmap[MAX_POOL_PAGES / BITMAP_WORD_BITS];
static u64 pool_base, pool_pages, free_pages;
static struct spinlock pool_lock; /* the bitmap and free_pages: every pCPU allocates */

static void mark(u64 first, u64 count, bool used)
{
	bitmap_assign(used_bitmap, first, count, used);
	free_pages = used ? free_pages - count : free_pages + count;
}

void mm_init(u64 base, u64 size)
{
	pool_base = base;
	pool_pages = MIN(size / PAGE_SIZE, MAX_POOL_PAGES);
	free_pages = pool_pages;
}

static void *alloc_pages(u64 count, u64 align, bool quiet)
{
	u64 step = MAX(align, PAGE_SIZE) / PAGE_SIZE;
	u64 first = (ALIGN_UP(pool_base, step * PAGE_SIZE) - pool_base) / PAGE_SIZE;

	spin_lock(&pool_lock);
	u64 start = count ? bitmap_find_run(used_bitmap, pool_pages, first, step, count) : BITMAP_NO_RUN;
	if (start != BITMAP_NO_RUN)
		mark(start, count, true);
	u64 free_now = free_pages;
	spin_unlock(&pool_lock);
	if (start != BITMAP_NO_RUN) {
		void *p = phys_to_virt(pool_base + start * PAGE_SIZE);
		zero_qwords(p, count * PAGE_SIZE / sizeof(u64));
		return p;
	}
	/* After the unlock: the console may allocate too (a job's output buffer, hv/suite_jobs.c). */
	if (!quiet)
		log_error("out of memory: %llu contiguous pages wanted, %llu free", count, free_now);
	return NULL;
}

void *mm_alloc_pages(u64 count, u64 align)
{
	return alloc_pages(count, align, false);
}

void *mm_alloc_pages_quiet(u64 count, u64 align)
{
	return alloc_pages(count, align, true);
}

void mm_free_pages(void *p, u64 count)
{
	u64 pa = virt_to_phys(p);
	if (!p)
		return;
	if (pa < pool_base || (pa - pool_base) / PAGE_SIZE + count > pool_pages || pa % PAGE_SIZE)
		panic("mm_free_pages: %p (%llu pages) is not from the pool", p, count);
	spin_lock(&pool_lock);
	mark((pa - pool_base) / PAGE_SIZE, count, false);
	spin_unlock(&pool_lock);
}

u64 mm_free_page_count(void)
{
	return free_pages;
}
