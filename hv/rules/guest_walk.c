/* Guest page-table walker (SDM Vol. 3A ch. 4, APM Vol. 2 ch. 5). Presence and reserved bits only: see
 * guest_walk.h for what is deliberately not modelled. */
#include "guest_walk.h"
#include "../lib/x86_defs.h"

#define GW_CR0_PG BIT(31)
#define GW_CR4_PSE BIT(4)
#define GW_CR4_PAE BIT(5)
#define GW_CR4_LA57 BIT(12)
#define GW_EFER_LMA BIT(10)
#define GW_EFER_NXE BIT(11)

#define GW_PTE_P BIT(0)
#define GW_PTE_PS BIT(7)
#define GW_PTE_XD BIT(63)

#define GW_PAGE_SHIFT 12
#define GW_PAGE_OFFSET_MASK 0xFFFull
#define GW_BITS_PER_LEVEL 9     /* 512 eight-byte entries per table (PAE and long mode) */
#define GW_ENTRIES_MASK 0x1FFull
#define GW_ENTRY_SIZE 8
#define GW_MAX_PHYS_BITS 52     /* architectural MAXPHYADDR limit, and the top of the address field */
#define GW_MIN_PHYS_BITS 32
#define GW_LINEAR32_MASK 0xFFFFFFFFull
#define GW_4GIB BIT(32)

/* Long mode: 4 levels of 9 bits over a 4 KiB page, so linear addresses have 48 significant bits. */
#define GW_LM_LEVELS 4

/* PAE: CR3 points at a 32-byte-aligned table of 4 PDPTEs, indexed by linear bits 31:30. */
#define GW_PAE_CR3_MASK 0xFFFFFFE0ull
#define GW_PAE_PDPTE_LEVEL 3
#define GW_PAE_PDPTE_INDEX_MASK 0x3ull
/* PAE PDPTE bits 2:1 (R/W, U/S) and 8:5 are reserved: the PDPTE carries no permissions (SDM Table 4-8). */
#define GW_PAE_PDPTE_RSVD (BIT(1) | BIT(2) | BIT(5) | BIT(6) | BIT(7) | BIT(8))

/* Large-page entries: the bits between the PAT bit (12) and the page frame are reserved. */
#define GW_RSVD_2M 0x001FE000ull /* bits 20:13 */
#define GW_RSVD_1G 0x3FFFE000ull /* bits 29:13 */

/* 32-bit paging: 1024 four-byte entries per table; a 4 MiB page keeps PA 39:32 in PDE bits 20:13
 * (PSE-36) and bit 21 is always reserved. */
#define GW_32_ENTRY_SIZE 4
#define GW_32_PDE_SHIFT 22
#define GW_32_INDEX_MASK 0x3FFull
#define GW_32_FRAME_MASK 0xFFFFF000ull
#define GW_32_4M_FRAME_MASK 0xFFC00000ull
#define GW_32_4M_SIZE BIT(22)
#define GW_PSE36_SHIFT 13       /* PDE bit 13 holds PA bit 32 */
#define GW_PSE36_MAX_PHYS_BITS 40
#define GW_32_4M_RSVD_TOP 21

#define GW_LEVEL_PT 1
#define GW_LEVEL_PD 2
#define GW_LEVEL_PDPT 3

static u64 mask_bits(unsigned hi, unsigned lo) /* bits hi:lo set; empty when hi < lo */
{
	if (hi < lo)
		return 0;
	return (hi >= 63 ? ~0ull : (BIT(hi + 1) - 1)) & ~(BIT(lo) - 1);
}

/* 0 (unset) or anything above 52 means 52; below 32 is no x86 CPU and would break the 32-bit formats. */
static unsigned maxphyaddr(const struct guest_paging *p)
{
	if (!p->maxphyaddr || p->maxphyaddr > GW_MAX_PHYS_BITS)
		return GW_MAX_PHYS_BITS;
	return MAX(p->maxphyaddr, GW_MIN_PHYS_BITS);
}

static bool long_mode(const struct guest_paging *p)
{
	return (p->cr0 & GW_CR0_PG) && (p->efer & GW_EFER_LMA);
}

static int read_entry(const struct guest_paging *p, u64 gpa, u32 size, u64 *val, struct guest_walk_trace *t)
{
	*val = 0; /* little-endian: a 4-byte read fills the low half */
	if (!p->read_phys(p->ctx, gpa, val, size))
		return GW_ERR_READ;
	if (t && t->entries < GW_TRACE_MAX) {
		t->entry_size = (u8)size;
		t->gpa[t->entries] = gpa;
		t->value[t->entries++] = *val;
	}
	return 0;
}

static u64 level_shift(int level)
{
	return GW_PAGE_SHIFT + GW_BITS_PER_LEVEL * (unsigned)(level - 1);
}

/* Reserved bits of an 8-byte entry at `level` (PAE or long mode), given whether it maps a page. */
static u64 reserved_bits(const struct guest_paging *p, int level, bool pae_pdpte, bool leaf)
{
	unsigned m = maxphyaddr(p);
	u64 rsvd = mask_bits(GW_MAX_PHYS_BITS - 1, m);

	if (pae_pdpte) /* bits 63:M, with no XD and no "available" high bits */
		return mask_bits(63, m) | GW_PAE_PDPTE_RSVD;
	if (!(p->efer & GW_EFER_NXE))
		rsvd |= GW_PTE_XD;
	if (level == GW_LM_LEVELS)
		rsvd |= GW_PTE_PS; /* no 512 GiB pages */
	else if (leaf && level == GW_LEVEL_PDPT)
		rsvd |= GW_RSVD_1G;
	else if (leaf && level == GW_LEVEL_PD)
		rsvd |= GW_RSVD_2M;
	return rsvd;
}

/* Can an entry at this level map a page (PS = 1)? 2 MiB PDEs always; 1 GiB PDPTEs only in long mode. */
static bool may_be_large(int level, bool lm)
{
	return level == GW_LEVEL_PD || (level == GW_LEVEL_PDPT && lm);
}

/* PAE and long mode: walk from `table` at `top` level down to the leaf. */
static int walk_64(const struct guest_paging *p, u64 linear, u64 table, int top, struct guest_xlate *out,
		   struct guest_walk_trace *t)
{
	bool lm = top == GW_LM_LEVELS;
	u64 frame_mask = mask_bits(maxphyaddr(p) - 1, GW_PAGE_SHIFT);

	for (int level = top; level >= GW_LEVEL_PT; level--) {
		bool pdpte = !lm && level == GW_PAE_PDPTE_LEVEL;
		u64 idx = (linear >> level_shift(level)) & (pdpte ? GW_PAE_PDPTE_INDEX_MASK : GW_ENTRIES_MASK);
		u64 e;
		int rc;

		out->level = level;
		rc = read_entry(p, table + idx * GW_ENTRY_SIZE, GW_ENTRY_SIZE, &e, t);
		if (rc)
			return rc;
		if (!(e & GW_PTE_P))
			return GW_ERR_NOT_PRESENT;
		bool leaf = level == GW_LEVEL_PT || (may_be_large(level, lm) && (e & GW_PTE_PS));
		if (e & reserved_bits(p, level, pdpte, leaf))
			return GW_ERR_RESERVED;
		if (leaf) {
			out->page_size = BIT(level_shift(level));
			out->gpa = (e & frame_mask & ~(out->page_size - 1)) | (linear & (out->page_size - 1));
			return 0;
		}
		table = e & frame_mask;
	}
	return GW_ERR_UNSUPPORTED; /* not reached: level 1 is always a leaf */
}

/* 32-bit paging: a PDE with PS (and CR4.PSE) maps 4 MiB, else a page table of 4-byte PTEs. */
static int walk_32(const struct guest_paging *p, u32 linear, struct guest_xlate *out, struct guest_walk_trace *t)
{
	u64 pde, pte;
	int rc;

	out->level = GW_LEVEL_PD;
	rc = read_entry(p, (p->cr3 & GW_32_FRAME_MASK) + ((linear >> GW_32_PDE_SHIFT) & GW_32_INDEX_MASK) *
				   GW_32_ENTRY_SIZE, GW_32_ENTRY_SIZE, &pde, t);
	if (rc)
		return rc;
	if (!(pde & GW_PTE_P))
		return GW_ERR_NOT_PRESENT;
	if ((pde & GW_PTE_PS) && (p->cr4 & GW_CR4_PSE)) {
		/* PSE-36: PDE bits 20:13 give PA bits 39:32, as far as MAXPHYADDR (capped at 40) reaches. */
		unsigned high_bits = MIN(maxphyaddr(p), GW_PSE36_MAX_PHYS_BITS) - 32;
		if (pde & mask_bits(GW_32_4M_RSVD_TOP, GW_PSE36_SHIFT + high_bits))
			return GW_ERR_RESERVED;
		u64 high = (pde >> GW_PSE36_SHIFT) & (BIT(high_bits) - 1);
		out->page_size = GW_32_4M_SIZE;
		out->gpa = (high << 32) | (pde & GW_32_4M_FRAME_MASK) | (linear & (GW_32_4M_SIZE - 1));
		return 0;
	}
	out->level = GW_LEVEL_PT;
	rc = read_entry(p, (pde & GW_32_FRAME_MASK) + ((linear >> GW_PAGE_SHIFT) & GW_32_INDEX_MASK) *
				   GW_32_ENTRY_SIZE, GW_32_ENTRY_SIZE, &pte, t);
	if (rc)
		return rc;
	if (!(pte & GW_PTE_P))
		return GW_ERR_NOT_PRESENT;
	out->page_size = PAGE_SIZE;
	out->gpa = (pte & GW_32_FRAME_MASK) | (linear & GW_PAGE_OFFSET_MASK);
	return 0;
}

int guest_translate(const struct guest_paging *p, u64 linear, struct guest_xlate *out)
{
	return guest_translate_traced(p, linear, out, NULL);
}

int guest_translate_traced(const struct guest_paging *p, u64 linear, struct guest_xlate *out,
			   struct guest_walk_trace *t)
{
	if (t)
		t->entries = t->entry_size = 0;
	out->gpa = 0;
	out->page_size = 0;
	out->level = 0;
	if (!(p->cr0 & GW_CR0_PG)) {
		/* Paging off means not in long mode: linear addresses are 32 bits and map 1:1. */
		out->gpa = linear & GW_LINEAR32_MASK;
		out->page_size = GW_4GIB;
		return 0;
	}
	if (p->cr4 & GW_CR4_LA57)
		return GW_ERR_UNSUPPORTED;
	if (long_mode(p)) {
		if (!(p->cr4 & GW_CR4_PAE))
			return GW_ERR_UNSUPPORTED;
		if (!is_canonical48(linear))
			return GW_ERR_NONCANONICAL;
		/* CR3 bits 11:0 are flags or the PCID; bits above MAXPHYADDR are not part of the address. */
		return walk_64(p, linear, p->cr3 & mask_bits(maxphyaddr(p) - 1, GW_PAGE_SHIFT), GW_LM_LEVELS, out, t);
	}
	linear &= GW_LINEAR32_MASK;
	if (p->cr4 & GW_CR4_PAE)
		return walk_64(p, linear, p->cr3 & GW_PAE_CR3_MASK, GW_PAE_PDPTE_LEVEL, out, t);
	return walk_32(p, (u32)linear, out, t);
}

int guest_read_linear(const struct guest_paging *p, u64 linear, void *buf, u32 len, u32 *done)
{
	u8 *dst = buf;
	u32 n = 0;
	int rc = 0;

	while (n < len) {
		struct guest_xlate x;
		u64 la = linear + n; /* outside long mode guest_translate() wraps it at 4 GiB */

		rc = guest_translate(p, la, &x);
		if (rc)
			break;
		/* The rest of this page (or of the 4 GiB space with paging off) is physically contiguous. */
		u64 room = x.page_size - (la & (x.page_size - 1));
		u32 chunk = (u32)MIN((u64)(len - n), room);
		if (!p->read_phys(p->ctx, x.gpa, dst + n, chunk)) {
			rc = GW_ERR_READ;
			break;
		}
		n += chunk;
	}
	if (done)
		*done = n;
	return rc;
}

u32 guest_walk_pf_error_code(int walk_err, bool write, bool user)
{
	return (walk_err == GW_ERR_RESERVED ? PF_EC_PRESENT | PF_EC_RESERVED : 0) | (write ? PF_EC_WRITE : 0) |
	       (user ? PF_EC_USER : 0);
}
