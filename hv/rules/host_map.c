/* The host W^X policy as data (see host_map.h). */
#include "host_map.h"
#include "../lib/x86_defs.h"

void host_map_init(struct host_map *m)
{
	m->n = 0;
}

static bool overlaps(const struct host_region *r, u64 base, u64 end)
{
	return base < r->end && r->base < end;
}

int host_map_add(struct host_map *m, u64 base, u64 end, enum host_access access, const char *name)
{
	if (base % PAGE_SIZE || end % PAGE_SIZE || base >= end || access == HOST_MIXED)
		return -EINVAL;
	for (u32 i = 0; i < m->n; i++)
		if (overlaps(&m->r[i], base, end))
			return -EINVAL;
	struct host_region *last = m->n ? &m->r[m->n - 1] : NULL;
	if (last && last->end == base && last->access == access && last->name == name) {
		last->end = end;
		return 0;
	}
	if (m->n == HOST_MAP_MAX_REGIONS)
		return -ENOMEM;
	m->r[m->n++] = (struct host_region){ base, end, access, name };
	return 0;
}

enum host_access host_map_access(const struct host_map *m, u64 base, u64 size)
{
	u64 end = base + size;
	for (u32 i = 0; i < m->n; i++) {
		const struct host_region *r = &m->r[i];
		if (!overlaps(r, base, end))
			continue;
		/* Regions do not overlap, so one that covers the whole range is the only one touching it. */
		return r->base <= base && end <= r->end ? r->access : HOST_MIXED;
	}
	return HOST_RW_NX;
}

const struct host_region *host_map_find(const struct host_map *m, u64 addr)
{
	for (u32 i = 0; i < m->n; i++)
		if (m->r[i].base <= addr && addr < m->r[i].end)
			return &m->r[i];
	return NULL;
}

/* SDM Vol. 3A §4.6: a page is writable only with R/W = 1 (ring 0 included, given CR0.WP = 1), and
 * executable only with XD = 0 (with IA32_EFER.NXE = 1; without NXE bit 63 is reserved). */
u64 host_access_pte_bits(enum host_access access, bool nx)
{
	u64 no_exec = nx ? PTE_NX : 0;
	switch (access) {
	case HOST_RX:
		return PTE_P;
	case HOST_RO_NX:
		return PTE_P | no_exec;
	case HOST_GUARD:
		return 0;
	default:
		return PTE_P | PTE_RW | no_exec;
	}
}
