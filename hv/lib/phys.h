/* Memory is identity mapped (hv/mm.h): a pointer is its address, and the other way round. */
#ifndef HV_LIB_PHYS_H
#define HV_LIB_PHYS_H

#include "types.h"

static inline u64 virt_to_phys(const void *p) { return (u64)(uintptr_t)p; }
static inline void *phys_to_virt(u64 pa) { return (void *)(uintptr_t)pa; }

#endif
