/* Interrupt routing between microhv's virtual local APICs (spec §5, R5.4-R5.6): destination matching,
 * the physical-ID map and the delivery-mode rules. Pure: no hardware, no allocation, only hv/types.h.
 *
 * Architecture: Intel SDM Vol. 3A §11.6.1 (ICR), §11.6.2 "Determining IPI Destination", §11.12.10 (x2APIC
 * destinations). KVM: arch/x86/kvm/lapic.c kvm_apic_match_dest(), kvm_recalculate_phys_map(),
 * kvm_irq_delivery_to_apic(), __apic_accept_irq().
 *
 * Usage: keep one struct apic_target per vCPU, call apic_map_build() whenever an APIC ID, LDR/DFR, the mode
 * (xAPIC/x2APIC) or an enable bit (IA32_APIC_BASE.EN, SVR[8]) changes, then apic_route() per message.
 * Preconditions: n <= APIC_MAX_VCPUS; vcpu_id values are unique and < APIC_MAX_VCPUS. The receivers are
 * returned as indices into the target array, in ascending order. */
#ifndef HV_APIC_DELIVERY_H
#define HV_APIC_DELIVERY_H

#include "../../lib/types.h"

#define APIC_MAX_VCPUS 1024u         /* vCPUs per VM, and the bound of every x2APIC ID (= vCPU index) */

/* ICR delivery mode, bits 10:8 (SDM §11.6.1). 3 is reserved; 7 (ExtINT) is never routed here. */
#define APIC_DM_FIXED 0u
#define APIC_DM_LOWEST 1u
#define APIC_DM_SMI 2u
#define APIC_DM_NMI 4u
#define APIC_DM_INIT 5u
#define APIC_DM_STARTUP 6u
#define APIC_DM_EXTINT 7u

/* ICR destination shorthand, bits 19:18 (SDM §11.6.1). */
#define APIC_SH_NONE 0u
#define APIC_SH_SELF 1u
#define APIC_SH_ALL_INCLUDING 2u
#define APIC_SH_ALL_EXCLUDING 3u

#define APIC_BROADCAST 0xFFu          /* xAPIC physical/logical broadcast (SDM §11.6.2.1, §11.6.2.2) */
#define X2APIC_BROADCAST 0xFFFFFFFFu  /* x2APIC broadcast (SDM §11.12.10.1) */

/* xAPIC DFR model, bits 31:28 (SDM §11.6.2.2); bits 27:0 always read as 1 (R5.2). */
#define APIC_DFR_MODEL_SHIFT 28
#define APIC_DFR_MODEL_FLAT 0xFu
#define APIC_DFR_MODEL_CLUSTER 0x0u
#define APIC_DFR_FLAT 0xFFFFFFFFu
#define APIC_DFR_CLUSTER 0x0FFFFFFFu
#define APIC_LDR_XAPIC_SHIFT 24       /* xAPIC logical ID: LDR bits 31:24 */

/* One vCPU's APIC as routing sees it. */
struct apic_target {
	u32 vcpu_id;      /* = its x2APIC ID (R5.1), < APIC_MAX_VCPUS, unique */
	bool x2apic;      /* in x2APIC mode (IA32_APIC_BASE.EXTD) */
	bool hw_enabled;  /* IA32_APIC_BASE.EN: when clear the APIC receives nothing (SDM §11.4.3) */
	bool sw_enabled;  /* SVR[8]: when clear only NMI, SMI, INIT and SIPI are accepted (SDM §11.4.7.2) */
	u8 xapic_id;      /* APIC_ID[31:24] in xAPIC mode (guest-writable) */
	u32 ldr;          /* xAPIC: LDR as stored (bits 31:24); x2APIC: apic_x2apic_ldr(vcpu_id) */
	u32 dfr;          /* xAPIC DFR: APIC_DFR_FLAT or APIC_DFR_CLUSTER (any other model matches nothing) */
	u8 ppr;           /* processor priority; unused: lowest priority uses KVM's vector hashing (R5.6) */
};

/* One interrupt message: an IPI (ICR), an MSI or an IOAPIC redirection entry. */
struct apic_irq {
	u8 vector;
	u8 delivery_mode;   /* APIC_DM_* */
	bool logical;       /* destination mode: logical (ICR bit 11 = 1) */
	u8 shorthand;       /* APIC_SH_*; always APIC_SH_NONE for IOAPIC/MSI */
	u32 dest;           /* 8 bits from xAPIC senders and MSI/IOAPIC, 32 bits from x2APIC senders */
	bool level;         /* ICR bit 14: assert (1) or de-assert (0) */
	bool trigger_level; /* ICR bit 15: level-triggered */
};

/* Per-VM routing flags (KVM_CAP_X2APIC_API). */
struct apic_flags {
	bool use_32bit_ids;   /* R5.4 apic_32bit_ids, KVM_X2APIC_API_USE_32BIT_IDS: the hotplug hack; default off */
	bool broadcast_quirk; /* R5.5 x2apic_broadcast_quirk: default on (!KVM_X2APIC_API_DISABLE_BROADCAST_QUIRK) */
};

#define APIC_FLAGS_DEFAULT ((struct apic_flags){ .use_32bit_ids = false, .broadcast_quirk = true })

#define APIC_MAP_NONE 0xFFFFu         /* empty slot / end of list */

/* Physical-ID map for O(1 + receivers) physical unicast. Slots are indexed by APIC ID 0..APIC_MAX_VCPUS-1
 * and hold target-array indices. Only hardware-enabled APICs are in it (as KVM's kvm_apic_present()).
 *  use_32bit_ids off (KVM "A", architectural): head[id] for id <= 0xFF starts a list linked by next[] of
 *    every APIC whose current physical ID is id (x2APIC-mode vCPU id, xAPIC ID otherwise); head[id] for
 *    id > 0xFF is the one vCPU with that vcpu_id, in either mode (the reference matcher's "mda > 0xFF
 *    compares vcpu_id"). Routing through it gives exactly what apic_match_dest() over all vCPUs gives.
 *  use_32bit_ids on (KVM "B", the erratum): head[id] is a single vCPU, next[] is unused; see
 *    apic_map_build(). */
struct apic_map {
	u16 head[APIC_MAX_VCPUS];
	u16 next[APIC_MAX_VCPUS];
	bool use_32bit_ids; /* the flag the map was built with; apic_route() follows it */
	bool any_xapic;     /* some enabled APIC is in xAPIC mode, for which destination 0xFF is a broadcast */
	u32 xapic_count;    /* how many: any_xapic kept by apic_map_update() */
};

/* The read-only x2APIC LDR (SDM §11.12.10.2): cluster = id[31:4] in bits 31:16, 1 << id[3:0] in 15:0. */
u32 apic_x2apic_ldr(u32 id);

/* Does APIC t accept a message with this destination? Exactly the spec's reference matcher (§5.4),
 * i.e. KVM's kvm_apic_match_dest(): src == NULL means not an IPI (IOAPIC/MSI), which is what the
 * broadcast quirk looks at; SELF/ALL_EXCLUDING compare t and src by vcpu_id. Mode and enable bits of t
 * are only looked at for the ID format, not for acceptance (see apic_route()). */
bool apic_match_dest(const struct apic_flags *f, const struct apic_target *t, const struct apic_target *src,
		     u8 shorthand, u32 dest, bool logical);

/* Rebuild m from the n targets t[0..n-1] under f->use_32bit_ids:
 *  off: every hardware-enabled APIC is linked under its current physical ID (aliases all receive);
 *  on:  in index order, head[vcpu_id] = i for x2APIC-mode vCPUs and for vcpu_id > 0xFF (overwriting),
 *       and head[xapic_id] = i for xAPIC-mode vCPUs only if that slot is still empty: the first vCPU wins,
 *       later aliases are unreachable by that ID (spec §5.2 "With USE_32BIT_IDS", §5.3 rows 3 and 6). */
void apic_map_build(struct apic_map *m, const struct apic_target *t, u32 n, const struct apic_flags *f);

/* t[i] alone changed, from *old: makes m what apic_map_build(m, t, n, f) would, in O(1 + the aliases of
 * the old and new ID) with use_32bit_ids off (one vCPU's INIT or x2APIC switch must not cost a rebuild
 * over every vCPU: issue 12). With use_32bit_ids on, where the first xAPIC alias by index owns a slot, or
 * when m was built with the other setting, it rebuilds (as KVM does for that case). */
void apic_map_update(struct apic_map *m, const struct apic_target *t, u32 n, u32 i, const struct apic_target *old,
		     const struct apic_flags *f);

/* Route one message from src (NULL for IOAPIC/MSI) to the n targets; writes the accepting targets' indices
 * to receivers[] (room for n entries) and returns how many there are. Rules (spec §5.4 "After matching"):
 *  - physical-mode LOWEST with dest 0xFF is handled as FIXED;
 *  - physical destinations without shorthand are looked up in m (O(1 + receivers)), except 0xFFFFFFFF
 *    and, when it is a broadcast for some APIC (an xAPIC-mode APIC exists, or R5.5 applies), 0xFF;
 *    shorthands, broadcasts and logical destinations apply apic_match_dest() to all n;
 *  - hardware-disabled APICs never receive;
 *  - FIXED: every match that is software-enabled; LOWEST: exactly one software-enabled match,
 *    candidates[vector % count] in index order (KVM vector hashing);
 *  - NMI, SMI, INIT, STARTUP: every match, software-enabled or not;
 *  - level-triggered de-asserts of FIXED/LOWEST/INIT reach nobody (KVM __apic_accept_irq());
 *  - reserved modes (3) and ExtINT reach nobody. */
u32 apic_route(const struct apic_map *m, const struct apic_target *t, u32 n, const struct apic_target *src,
	       const struct apic_irq *irq, const struct apic_flags *f, u16 *receivers);

#endif
