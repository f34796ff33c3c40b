/* Physical page allocator over the pool boot/ reserved. Memory is identity mapped: a pointer is its address. */
#ifndef HV_MM_H
#define HV_MM_H

#include "lib/phys.h"
#include "lib/types.h"

void mm_init(u64 pool_base, u64 pool_size);
/* `count` zeroed, physically contiguous pages aligned to `align` bytes (a power of two >= PAGE_SIZE). */
void *mm_alloc_pages(u64 count, u64 align);
/* The same, without the out-of-memory log line: for a caller that reports (or waits) itself. */
void *mm_alloc_pages_quiet(u64 count, u64 align);
void mm_free_pages(void *p, u64 count);
u64 mm_free_page_count(void);

#endif
