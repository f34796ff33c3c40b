/* The host's own address space: an identity map with W^X and stack guard pages (see host_map.h). */
#ifndef HV_HOST_MMU_H
#define HV_HOST_MMU_H

#include "../boot/boot_info.h"
#include "lib/types.h"

/* Describes the image (code R+X, read-only data R), the firmware's runtime code (R+X), the AP
 * trampoline's code page (R+X) and the guard page below the boot stack. */
void host_mmu_describe(const struct boot_info *bi);
/* Leaves the page at `page` unmapped: the guard below the stack `name`. */
void host_mmu_add_guard(u64 page, const char *name);
/* Builds the map of [0, max_phys_addr) (at least 4 GiB), turns on IA32_EFER.NXE (when the CPU has NX) and
 * CR0.WP, and loads it. Returns CR3. */
u64 host_mmu_enable(u64 max_phys_addr);
/* The name of the stack whose guard page holds addr, or NULL. */
const char *host_mmu_guard_name(u64 addr);

#endif
