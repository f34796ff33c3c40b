/* A per-vCPU cache of decoded instruction sites, so that an instruction that exits again and again (the
 * EOI write of an interrupt handler, a polling loop on a device register) is neither re-walked through
 * the guest's page tables nor re-decoded. Pure: guest RAM is a pointer and a size.
 *
 * A hit is never a guess. An entry holds what a fresh fetch and decode depended on, and a lookup checks
 * all of it against the guest as it is now:
 *  - the key: the linear address of the first byte and the decode mode, plus CR0, CR3, CR4 and EFER
 *    whole (every input of the walk, and more);
 *  - the translation: the page-table entries the walk read (guest_walk.h's trace), re-read and compared
 *    with the stored values; equal entries at the same addresses mean the same walk and the same
 *    guest-physical address (a changed PTE, a remapped page, a different CR3 all miss);
 *  - the instruction: its bytes, re-read at that address and compared (self-modifying code misses).
 * So a hit returns exactly what guest_walk.h + insn_decode() would compute now. Only an instruction
 * that lies within one 4-KiB page and in guest RAM is cached; the walker checks no permissions
 * (guest_walk.h), so neither does a hit. */
#ifndef HV_INSN_CACHE_H
#define HV_INSN_CACHE_H

#include "decode.h"
#include "guest_walk.h"

/* A guest has few hot emulated sites (an interrupt handler's EOI, the ICR write of an IPI loop, a timer
 * rearm): eight sets of two. Two sets were too few: a handler's EOI and three sites around an IPI loop
 * evicted each other at every exit (2,406 instead of 1,170 instructions per EOI on tigerlake). */
#define INSN_CACHE_WAYS 2
#define INSN_CACHE_SETS 8
#define INSN_CACHE_SITES (INSN_CACHE_WAYS * INSN_CACHE_SETS)

/* What selects an instruction and its translation. */
struct insn_site_key {
	u64 linear; /* of the first byte (insn_fetch_linear()) */
	u64 cr0, cr3, cr4, efer;
	u8 mode;    /* enum cpu_mode */
};

struct insn_site {
	bool valid;
	struct insn_site_key key;
	struct guest_walk_trace walk; /* the entries the translation of key.linear read */
	u64 entry_mask;               /* the bits of an 8-byte load that are the entry (32-bit paging: 4 bytes) */
	u64 ram_needed;               /* guest RAM must reach this far for every load of a lookup */
	u64 gpa;                      /* of the first byte */
	u64 bytes_lo, bytes_hi;       /* the instruction's bytes, little-endian, zero beyond insn.len */
	u64 mask_lo, mask_hi;         /* which bits of the two words are the instruction's */
	struct insn insn;
};

struct insn_cache {
	struct insn_site site[INSN_CACHE_SITES];
};

/* The decoded instruction at key, if it is cached and still valid in ram[0..ram_size); else NULL. */
const struct insn *insn_cache_lookup(const struct insn_cache *c, const struct insn_site_key *key, const u8 *ram,
				     u64 ram_size);

/* Remembers a successful decode: `in` was decoded from `bytes` (at least in->len of them), fetched from
 * guest-physical gpa, which the walk `walk` of key->linear gave. An instruction that crosses a 4-KiB
 * page is not stored (its second page has its own walk). The new site takes its set's first way; the
 * site there moves to the second, whose site is dropped. */
void insn_cache_fill(struct insn_cache *c, const struct insn_site_key *key, const struct guest_walk_trace *walk,
		     u64 gpa, const struct insn *in, const u8 *bytes);

#endif
