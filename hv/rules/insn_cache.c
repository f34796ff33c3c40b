/* See insn_cache.h. */
#include "insn_cache.h"

#define SITE_PAGE_SIZE 0x1000ull
#define SITE_PAGE_OFFSET(a) ((a) & (SITE_PAGE_SIZE - 1))
#define WORD_BYTES 8
#define WORD_PAIR_BYTES 16 /* holds the 15 bytes an instruction may have */

static u32 set_first_site(u64 linear)
{
	return (u32)((linear ^ (linear >> 4) ^ (linear >> 12)) % INSN_CACHE_SETS) * INSN_CACHE_WAYS;
}

static bool same_key(const struct insn_site_key *a, const struct insn_site_key *b)
{
	return a->linear == b->linear && a->cr3 == b->cr3 && a->cr0 == b->cr0 && a->cr4 == b->cr4 &&
	       a->efer == b->efer && a->mode == b->mode;
}

static u64 bytes_mask(u32 n) /* the low n bytes of a word */
{
	return n >= WORD_BYTES ? ~0ull : (1ull << (8 * n)) - 1;
}

static u64 load_word(const u8 *p, u32 n) /* n <= 8 bytes, little-endian (off the hit path) */
{
	u64 w = 0;
	for (u32 i = 0; i < n; i++)
		w |= (u64)p[i] << (8 * i);
	return w;
}

static u64 load_u64(const u8 *p)
{
	u64 v;
	__builtin_memcpy(&v, p, sizeof(v));
	return v;
}

/* The walk would read the same entries again: each one still holds the value it had. Every entry is
 * loaded as 8 bytes (ram_needed covers them) and masked to its size. */
static bool walk_still_valid(const struct insn_site *s, const u8 *ram)
{
	for (u32 i = 0; i < s->walk.entries; i++)
		if ((load_u64(ram + s->walk.gpa[i]) ^ s->walk.value[i]) & s->entry_mask)
			return false;
	return true;
}

/* The instruction's bytes are still at gpa (the 16 bytes loaded; those past insn.len are masked). */
static bool bytes_still_there(const struct insn_site *s, const u8 *ram)
{
	u64 lo = load_u64(ram + s->gpa), hi = load_u64(ram + s->gpa + WORD_BYTES);
	return !(((lo ^ s->bytes_lo) & s->mask_lo) | ((hi ^ s->bytes_hi) & s->mask_hi));
}

const struct insn *insn_cache_lookup(const struct insn_cache *c, const struct insn_site_key *key, const u8 *ram,
				     u64 ram_size)
{
	const struct insn_site *set = &c->site[set_first_site(key->linear)];
	for (u32 way = 0; way < INSN_CACHE_WAYS; way++) {
		const struct insn_site *s = &set[way];
		if (!s->valid || !same_key(&s->key, key))
			continue;
		if (s->ram_needed > ram_size || !walk_still_valid(s, ram) || !bytes_still_there(s, ram))
			return NULL; /* the site is only ever in one way */
		return &s->insn;
	}
	return NULL;
}

void insn_cache_fill(struct insn_cache *c, const struct insn_site_key *key, const struct guest_walk_trace *walk,
		     u64 gpa, const struct insn *in, const u8 *bytes)
{
	struct insn_site *set = &c->site[set_first_site(key->linear)], *s = &set[0];
	u32 len = in->len;
	_Static_assert(INSN_CACHE_WAYS == 2, "fill() ages way 0 into way 1");
	if (!len || len > INSN_MAX_LEN || SITE_PAGE_OFFSET(key->linear) + len > SITE_PAGE_SIZE ||
	    walk->entries > GW_TRACE_MAX)
		return;
	u32 lo_len = len < WORD_BYTES ? len : WORD_BYTES;
	u64 ram_needed = gpa + WORD_PAIR_BYTES;
	for (u32 i = 0; i < walk->entries; i++)
		ram_needed = MAX(ram_needed, walk->gpa[i] + WORD_BYTES);
	if (ram_needed < gpa) /* wrapped: no RAM reaches there */
		return;
	/* A site is in one way at most: a stale copy is replaced where it is. */
	if (set[1].valid && same_key(&set[1].key, key))
		s = &set[1];
	else if (!(set[0].valid && same_key(&set[0].key, key)))
		set[1] = set[0];
	*s = (struct insn_site){
		.valid = true,
		.key = *key,
		.walk = *walk,
		.entry_mask = walk->entry_size == WORD_BYTES ? ~0ull : bytes_mask(walk->entry_size),
		.ram_needed = ram_needed,
		.gpa = gpa,
		.bytes_lo = load_word(bytes, lo_len),
		.bytes_hi = len > WORD_BYTES ? load_word(bytes + WORD_BYTES, len - WORD_BYTES) : 0,
		.mask_lo = bytes_mask(lo_len),
		.mask_hi = len > WORD_BYTES ? bytes_mask(len - WORD_BYTES) : 0,
		.insn = *in,
	};
}
