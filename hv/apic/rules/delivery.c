/* Interrupt routing between virtual local APICs (spec §5.2-§5.4). Pure; see delivery.h for the rules. */
#include "delivery.h"

#define XAPIC_MAX_ID 0xFFu            /* 8-bit xAPIC IDs; larger physical destinations compare vcpu_id */
#define X2APIC_CLUSTER_SHIFT 16       /* x2APIC logical: cluster in MDA/LDR bits 31:16 (SDM §11.12.10.2) */
#define X2APIC_MEMBER_MASK 0xFFFFu    /* x2APIC logical: member bitmap in bits 15:0 */
#define X2APIC_MEMBER_BITS 0xFu       /* x2APIC ID bits 3:0 select the member bit */
#define XAPIC_CLUSTER_SHIFT 4         /* xAPIC cluster model: cluster in bits 7:4, members in 3:0 */
#define XAPIC_MEMBER_MASK 0xFu

u32 apic_x2apic_ldr(u32 id)
{
	return ((id >> XAPIC_CLUSTER_SHIFT) << X2APIC_CLUSTER_SHIFT) | (1u << (id & X2APIC_MEMBER_BITS));
}

/* ---- Matching: the spec's reference matcher (kvm_apic_match_dest()) ---- */

static bool is_broadcast(const struct apic_target *t, u32 mda)
{
	return mda == (t->x2apic ? X2APIC_BROADCAST : APIC_BROADCAST);
}

/* Message destination address as t sees it. R5.5: with the quirk, a non-IPI 0xFF to an x2APIC-mode
 * target is the x2APIC broadcast (KVM kvm_apic_mda()). */
static u32 mda_of(const struct apic_flags *f, const struct apic_target *t, const struct apic_target *src, u32 dest)
{
	if (f->broadcast_quirk && !src && dest == APIC_BROADCAST && t->x2apic)
		return X2APIC_BROADCAST;
	return dest;
}

/* KVM kvm_apic_match_physical_addr(): mda > 0xFF is compared with the x2APIC ID even in xAPIC mode. */
static bool match_physical(const struct apic_target *t, u32 mda)
{
	if (is_broadcast(t, mda))
		return true;
	if (t->x2apic || mda > XAPIC_MAX_ID)
		return mda == t->vcpu_id;
	return mda == t->xapic_id;
}

/* KVM kvm_apic_match_logical_addr(); the cluster model compares mda[31:4] unmasked, as KVM does. */
static bool match_logical(const struct apic_target *t, u32 mda)
{
	u8 lid;

	if (is_broadcast(t, mda))
		return true;
	if (t->x2apic)
		return (t->ldr >> X2APIC_CLUSTER_SHIFT) == (mda >> X2APIC_CLUSTER_SHIFT) &&
		       (t->ldr & mda & X2APIC_MEMBER_MASK) != 0;
	lid = (u8)(t->ldr >> APIC_LDR_XAPIC_SHIFT);
	switch (t->dfr >> APIC_DFR_MODEL_SHIFT) {
	case APIC_DFR_MODEL_FLAT:    /* SDM §11.6.2.2 flat model */
		return (lid & mda) != 0;
	case APIC_DFR_MODEL_CLUSTER: /* SDM §11.6.2.2 flat cluster model */
		return (u32)(lid >> XAPIC_CLUSTER_SHIFT) == (mda >> XAPIC_CLUSTER_SHIFT) &&
		       (lid & mda & XAPIC_MEMBER_MASK) != 0;
	default:
		return false;
	}
}

static bool same_apic(const struct apic_target *a, const struct apic_target *b)
{
	return b && a->vcpu_id == b->vcpu_id;
}

bool apic_match_dest(const struct apic_flags *f, const struct apic_target *t, const struct apic_target *src,
		     u8 shorthand, u32 dest, bool logical)
{
	u32 mda = mda_of(f, t, src, dest);

	switch (shorthand) {
	case APIC_SH_SELF:
		return same_apic(t, src);
	case APIC_SH_ALL_INCLUDING:
		return true;
	case APIC_SH_ALL_EXCLUDING:
		return !same_apic(t, src);
	case APIC_SH_NONE:
		return logical ? match_logical(t, mda) : match_physical(t, mda);
	default:
		return false;
	}
}

/* ---- The physical-ID map ---- */

static void map_clear(struct apic_map *m)
{
	for (u32 i = 0; i < APIC_MAX_VCPUS; i++) {
		m->head[i] = APIC_MAP_NONE;
		m->next[i] = APIC_MAP_NONE;
	}
}

/* KVM "A": every present APIC under its physical ID, lists in ascending index order (built backwards).
 * An xAPIC-mode vCPU with vcpu_id > 0xFF is also the single entry at vcpu_id (match_physical()). */
static void map_build_architectural(struct apic_map *m, const struct apic_target *t, u32 n)
{
	for (u32 i = n; i-- > 0;) {
		const struct apic_target *a = &t[i];
		u32 id = a->x2apic ? a->vcpu_id : a->xapic_id;

		if (!a->hw_enabled || a->vcpu_id >= APIC_MAX_VCPUS)
			continue;
		m->xapic_count += !a->x2apic;
		if (id <= XAPIC_MAX_ID) {
			m->next[i] = m->head[id];
			m->head[id] = (u16)i;
		}
		if (a->vcpu_id > XAPIC_MAX_ID)
			m->head[a->vcpu_id] = (u16)i; /* vcpu_id is unique: a single entry, never a list */
	}
}

/* KVM "B" (kvm_recalculate_phys_map() with x2apic_format): the hotplug hack. */
static void map_build_32bit_ids(struct apic_map *m, const struct apic_target *t, u32 n)
{
	for (u32 i = 0; i < n; i++) {
		const struct apic_target *a = &t[i];

		if (!a->hw_enabled || a->vcpu_id >= APIC_MAX_VCPUS)
			continue;
		m->xapic_count += !a->x2apic;
		if (a->x2apic || a->vcpu_id > XAPIC_MAX_ID)
			m->head[a->vcpu_id] = (u16)i;
		if (!a->x2apic && m->head[a->xapic_id] == APIC_MAP_NONE)
			m->head[a->xapic_id] = (u16)i;
	}
}

void apic_map_build(struct apic_map *m, const struct apic_target *t, u32 n, const struct apic_flags *f)
{
	if (n > APIC_MAX_VCPUS)
		n = APIC_MAX_VCPUS;
	map_clear(m);
	m->use_32bit_ids = f->use_32bit_ids;
	m->xapic_count = 0;
	if (f->use_32bit_ids)
		map_build_32bit_ids(m, t, n);
	else
		map_build_architectural(m, t, n);
	m->any_xapic = m->xapic_count != 0;
}

/* The physical ID t is listed under in the architectural map (map_build_architectural()). */
static u32 listed_id(const struct apic_target *a)
{
	return a->x2apic ? a->vcpu_id : a->xapic_id;
}

static bool in_map(const struct apic_target *a)
{
	return a->hw_enabled && a->vcpu_id < APIC_MAX_VCPUS;
}

static void map_remove(struct apic_map *m, u32 i, const struct apic_target *a)
{
	if (!in_map(a))
		return;
	m->xapic_count -= !a->x2apic;
	if (listed_id(a) <= XAPIC_MAX_ID) {
		u16 *p = &m->head[listed_id(a)];
		for (u32 k = 0; *p != APIC_MAP_NONE && *p != i && k < APIC_MAX_VCPUS; k++) /* bounded: never spin */
			p = &m->next[*p];
		if (*p == i)
			*p = m->next[i];
		m->next[i] = APIC_MAP_NONE;
	}
	if (a->vcpu_id > XAPIC_MAX_ID)
		m->head[a->vcpu_id] = APIC_MAP_NONE;
}

/* Into its list in ascending index order, as the rebuild leaves the lists. */
static void map_insert(struct apic_map *m, u32 i, const struct apic_target *a)
{
	if (!in_map(a))
		return;
	m->xapic_count += !a->x2apic;
	if (listed_id(a) <= XAPIC_MAX_ID) {
		u16 *p = &m->head[listed_id(a)];
		for (u32 k = 0; *p != APIC_MAP_NONE && *p < i && k < APIC_MAX_VCPUS; k++)
			p = &m->next[*p];
		m->next[i] = *p;
		*p = (u16)i;
	}
	if (a->vcpu_id > XAPIC_MAX_ID)
		m->head[a->vcpu_id] = (u16)i;
}

void apic_map_update(struct apic_map *m, const struct apic_target *t, u32 n, u32 i, const struct apic_target *old,
		     const struct apic_flags *f)
{
	n = MIN(n, APIC_MAX_VCPUS);
	if (f->use_32bit_ids || m->use_32bit_ids || i >= n) {
		apic_map_build(m, t, n, f);
		return;
	}
	map_remove(m, i, old);
	map_insert(m, i, &t[i]);
	m->any_xapic = m->xapic_count != 0;
}

/* ---- Delivery ---- */

/* KVM kvm_irq_delivery_to_apic(): "phys broadcast and lowest prio" is delivered as fixed. */
static u8 effective_mode(const struct apic_irq *irq)
{
	if (irq->delivery_mode == APIC_DM_LOWEST && !irq->logical && irq->dest == APIC_BROADCAST)
		return APIC_DM_FIXED;
	return irq->delivery_mode;
}

/* May a matched APIC be chosen? FIXED/LOWEST need SVR[8] (SDM §11.4.7.2); the others only EN. */
static bool is_candidate(const struct apic_target *t, u8 mode)
{
	if (!t->hw_enabled)
		return false;
	switch (mode) {
	case APIC_DM_FIXED:
	case APIC_DM_LOWEST:
		return t->sw_enabled;
	case APIC_DM_SMI:
	case APIC_DM_NMI:
	case APIC_DM_INIT:
	case APIC_DM_STARTUP:
		return true;
	default:
		return false; /* reserved, ExtINT */
	}
}

/* KVM __apic_accept_irq(): a level-triggered de-assert is dropped for FIXED, LOWEST and INIT. */
static bool deassert_dropped(const struct apic_irq *irq, u8 mode)
{
	return irq->trigger_level && !irq->level &&
	       (mode == APIC_DM_FIXED || mode == APIC_DM_LOWEST || mode == APIC_DM_INIT);
}

/* Physical unicast through the map: writes the candidates, returns their count. */
static u32 collect_mapped(const struct apic_map *m, const struct apic_target *t, u32 n, u32 dest, u8 mode,
			  u16 *out)
{
	u32 count = 0;
	u16 i;

	if (dest >= APIC_MAX_VCPUS)
		return 0;
	i = m->head[dest];
	if (m->use_32bit_ids || dest > XAPIC_MAX_ID) {
		if (i < n && is_candidate(&t[i], mode))
			out[count++] = i;
		return count;
	}
	for (; i != APIC_MAP_NONE; i = m->next[i]) {
		if (i < n && is_candidate(&t[i], mode))
			out[count++] = i;
	}
	return count;
}

/* Shorthands, broadcasts and logical destinations: the matcher over every vCPU. */
static u32 collect_all(const struct apic_flags *f, const struct apic_target *t, u32 n,
		       const struct apic_target *src, const struct apic_irq *irq, u8 mode, u16 *out)
{
	u32 count = 0;

	if (n > APIC_MAX_VCPUS)
		n = APIC_MAX_VCPUS;
	for (u32 i = 0; i < n; i++) {
		if (is_candidate(&t[i], mode) && apic_match_dest(f, &t[i], src, irq->shorthand, irq->dest, irq->logical))
			out[count++] = (u16)i;
	}
	return count;
}

/* With 32-bit IDs, whether 0xFF is a broadcast is decided once, before the map lookup, as KVM's
 * kvm_apic_is_broadcast_dest() does: with the quirk, by the sender (an x2APIC-mode sender means x2APIC
 * ID 0xFF, so only the map's vCPU with that ID receives); without it, 0xFF is a broadcast while any
 * APIC is in xAPIC mode. */
static bool broadcast_for_32bit_ids(const struct apic_map *m, const struct apic_target *src, const struct apic_flags *f)
{
	if (!f->broadcast_quirk)
		return m->any_xapic;
	return !(src && src->x2apic);
}

/* Physical destinations that name at most one APIC ID. Architecturally (flag off) 0xFF is x2APIC ID 0xFF
 * only when no xAPIC-mode APIC exists and the quirk (R5.5) does not turn it into the x2APIC broadcast. */
static bool uses_map(const struct apic_map *m, const struct apic_irq *irq, const struct apic_target *src,
		     const struct apic_flags *f)
{
	if (irq->shorthand != APIC_SH_NONE || irq->logical || irq->dest == X2APIC_BROADCAST)
		return false;
	if (irq->dest == APIC_BROADCAST) {
		if (m->use_32bit_ids)
			return !broadcast_for_32bit_ids(m, src, f);
		return !m->any_xapic && (src || !f->broadcast_quirk);
	}
	return true;
}

u32 apic_route(const struct apic_map *m, const struct apic_target *t, u32 n, const struct apic_target *src,
	       const struct apic_irq *irq, const struct apic_flags *f, u16 *receivers)
{
	u8 mode = effective_mode(irq);
	u32 count;

	if (deassert_dropped(irq, mode))
		return 0;
	if (uses_map(m, irq, src, f))
		count = collect_mapped(m, t, n, irq->dest, mode, receivers);
	else
		count = collect_all(f, t, n, src, irq, mode, receivers);

	/* SDM §11.6.2.4: exactly one receiver; KVM's vector hashing picks candidates[vector % count]. */
	if (mode == APIC_DM_LOWEST && count > 1) {
		receivers[0] = receivers[irq->vector % count];
		count = 1;
	}
	return count;
}
