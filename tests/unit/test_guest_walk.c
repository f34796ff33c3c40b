/* Host unit tests for the guest page-table walker (hv/rules/guest_walk.h).
 *
 * Page tables are built in a fake 16 MiB guest RAM by a small builder written from the SDM's formats
 * (Vol. 3A §4.3 32-bit paging, §4.4 PAE, §4.5 4-level), then translated and read through the walker. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "hv/rules/guest_walk.h"
#include "hv/x86.h"

#define RAM_SIZE (16ull << 20)
#define TABLE_POOL 0x100000ull /* page tables are allocated from here up */

#define CR0_PE BIT(0)
#define CR0_PG BIT(31)
#define CR4_PSE BIT(4)
#define CR4_PAE BIT(5)
#define CR4_LA57 BIT(12)
#define EFER_LME BIT(8)
#define EFER_LMA BIT(10)
#define EFER_NXE BIT(11)

#define P BIT(0)
#define RW BIT(1)
#define US BIT(2)
#define A BIT(5)
#define PS BIT(7)
#define XD BIT(63)

static u8 ram[RAM_SIZE];

struct fake {
	u64 next_table; /* bump allocator for page tables */
	unsigned reads;
	bool saw_8byte_read;
};

static bool read_phys(void *ctx, u64 gpa, void *buf, u32 len)
{
	struct fake *f = ctx;
	f->reads++;
	if (len == 8)
		f->saw_8byte_read = true;
	if (gpa >= RAM_SIZE || len > RAM_SIZE - gpa)
		return false;
	memcpy(buf, ram + gpa, len);
	return true;
}

static void put64(u64 gpa, u64 v) { memcpy(ram + gpa, &v, 8); }
static void put32(u64 gpa, u32 v) { memcpy(ram + gpa, &v, 4); }
static u64 get64(u64 gpa) { u64 v; memcpy(&v, ram + gpa, 8); return v; }

static struct fake fake;

static int setup(void **state)
{
	memset(ram, 0, sizeof(ram));
	fake = (struct fake){ .next_table = TABLE_POOL };
	return 0;
}

static u64 alloc_table(void)
{
	u64 t = fake.next_table;
	fake.next_table += PAGE_SIZE;
	memset(ram + t, 0, PAGE_SIZE);
	return t;
}

static struct guest_paging paging(u64 cr0, u64 cr4, u64 efer, u64 cr3)
{
	return (struct guest_paging){ .cr0 = cr0, .cr4 = cr4, .efer = efer, .cr3 = cr3, .read_phys = read_phys,
				      .ctx = &fake };
}

#define LM_CR0 (CR0_PE | CR0_PG)
#define LM_CR4 CR4_PAE
#define LM_EFER (EFER_LME | EFER_LMA | EFER_NXE)

/* A 48-bit linear address from its four table indexes, sign-extended from bit 47. */
static u64 la48(u64 i4, u64 i3, u64 i2, u64 i1, u64 off)
{
	u64 la = (i4 << 39) | (i3 << 30) | (i2 << 21) | (i1 << 12) | off;
	return (u64)((s64)(la << 16) >> 16);
}

/* Builds 64-bit-entry tables for `la` from `top` down to `leaf_level`, where the leaf maps `gpa` (with PS
 * above level 1); top 3 is PAE, whose PDPTEs carry only P. Returns the leaf entry's address. */
static u64 map64(u64 root, int top, u64 la, u64 gpa, int leaf_level, u64 extra)
{
	u64 table = root;
	for (int level = top; ; level--) {
		unsigned shift = 12 + 9 * (level - 1);
		u64 idx = (la >> shift) & (top == 3 && level == 3 ? 3 : 511);
		u64 slot = table + idx * 8;
		bool pae_pdpte = top == 3 && level == 3;
		if (level == leaf_level) {
			put64(slot, gpa | P | (pae_pdpte ? 0 : RW | A) | (level > 1 ? PS : 0) | extra);
			return slot;
		}
		u64 e = get64(slot);
		if (!(e & P)) {
			e = alloc_table() | P | (pae_pdpte ? 0 : RW | US);
			put64(slot, e);
		}
		table = e & 0x000FFFFFFFFFF000ull;
	}
}

static void expect_ok(const struct guest_paging *p, u64 la, u64 want_gpa, u64 want_size, int want_level)
{
	struct guest_xlate x;
	int rc = guest_translate(p, la, &x);
	if (rc)
		fail_msg("linear 0x%llx: rc %d (level %d), want gpa 0x%llx", la, rc, x.level, want_gpa);
	if (x.gpa != want_gpa || x.page_size != want_size || x.level != want_level)
		fail_msg("linear 0x%llx: gpa 0x%llx size 0x%llx level %d, want 0x%llx 0x%llx %d", la, x.gpa,
			 x.page_size, x.level, want_gpa, want_size, want_level);
}

static void expect_err(const struct guest_paging *p, u64 la, int want_rc, int want_level)
{
	struct guest_xlate x;
	int rc = guest_translate(p, la, &x);
	if (rc != want_rc || x.level != want_level)
		fail_msg("linear 0x%llx: rc %d level %d, want rc %d level %d", la, rc, x.level, want_rc, want_level);
}

/* ---- paging off ---- */

static void test_paging_off(void **state)
{
	struct guest_paging p = paging(CR0_PE, CR4_PAE, 0, 0xdead000);

	expect_ok(&p, 0x12345678, 0x12345678, BIT(32), 0);
	expect_ok(&p, 0x100001000ull, 0x1000, BIT(32), 0); /* only 32 linear bits */
	p.cr0 = 0;
	expect_ok(&p, 0xfffffff0, 0xfffffff0, BIT(32), 0);
	assert_int_equal(fake.reads, 0);
}

/* ---- 4-level long mode ---- */

static void test_long_mode_4k_2m_1g(void **state)
{
	u64 pml4 = alloc_table();
	struct guest_paging p = paging(LM_CR0, LM_CR4, LM_EFER, pml4);
	u64 la4k = la48(0xFE, 0x48, 0x1A2, 0x167, 0);
	u64 la2m = la48(0x1FF, 0x1FE, 0x3, 0, 0);      /* kernel half */
	u64 la1g = la48(0x100, 0x5, 0, 0, 0);          /* 0xffff800140000000 */

	map64(pml4, 4, la4k, 0xABC000, 1, 0);
	map64(pml4, 4, la2m, 0x600000, 2, 0);
	map64(pml4, 4, la1g, 0x40000000, 3, 0);
	expect_ok(&p, la4k + 0xABC, 0xABCABC, PAGE_SIZE, 1);
	expect_ok(&p, la4k, 0xABC000, PAGE_SIZE, 1);
	expect_ok(&p, la2m + 0x1F0123, 0x7F0123, BIT(21), 2);
	expect_ok(&p, la1g + 0x3FFFFFFF, 0x7FFFFFFF, BIT(30), 3);
	assert_true(la2m >> 47 == 0x1FFFF);
	/* CR3's low 12 bits (PCID or PWT/PCD) are not part of the table address. */
	p.cr3 = pml4 | 0x123;
	expect_ok(&p, la4k + 0x10, 0xABC010, PAGE_SIZE, 1);
	/* Ignored high bits 62:52 of an entry (protection key, software) are neither reserved nor address. */
	u64 pte = map64(pml4, 4, la48(1, 2, 3, 4, 0), 0x5000, 1, 0x7FFull << 52);
	expect_ok(&p, la48(1, 2, 3, 4, 0x18), 0x5018, PAGE_SIZE, 1);
	assert_true(get64(pte) >> 52 == 0x7FF);
}

static void test_long_mode_not_present(void **state)
{
	u64 pml4 = alloc_table();
	struct guest_paging p = paging(LM_CR0, LM_CR4, LM_EFER, pml4);
	u64 la = la48(3, 4, 5, 6, 0x7);
	u64 pte = map64(pml4, 4, la, 0x9000, 1, 0);
	/* Find every entry of the walk through the tables just built. */
	u64 pml4e = pml4 + 3 * 8;
	u64 pdpte = (get64(pml4e) & ~0xFFFull) + 4 * 8;
	u64 pde = (get64(pdpte) & ~0xFFFull) + 5 * 8;
	assert_true(pte == (get64(pde) & ~0xFFFull) + 6 * 8);
	expect_ok(&p, la, 0x9007, PAGE_SIZE, 1);

	const u64 slots[] = { pte, pde, pdpte, pml4e };
	for (int level = 1; level <= 4; level++) {
		u64 saved = get64(slots[level - 1]);
		put64(slots[level - 1], saved & ~P);
		expect_err(&p, la, GW_ERR_NOT_PRESENT, level);
		put64(slots[level - 1], 0);
		expect_err(&p, la, GW_ERR_NOT_PRESENT, level);
		put64(slots[level - 1], saved);
		expect_ok(&p, la, 0x9007, PAGE_SIZE, 1);
	}
}

static void test_long_mode_reserved(void **state)
{
	u64 pml4 = alloc_table();
	struct guest_paging p = paging(LM_CR0, LM_CR4, LM_EFER, pml4);
	u64 la = la48(7, 8, 9, 10, 0);
	u64 pte = map64(pml4, 4, la, 0x9000, 1, 0);
	u64 pml4e = pml4 + 7 * 8;

	/* XD is reserved only while EFER.NXE = 0. */
	put64(pte, get64(pte) | XD);
	expect_ok(&p, la, 0x9000, PAGE_SIZE, 1);
	p.efer &= ~EFER_NXE;
	expect_err(&p, la, GW_ERR_RESERVED, 1);
	p.efer |= EFER_NXE;
	put64(pte, get64(pte) & ~XD);

	/* Address bits at and above MAXPHYADDR. */
	put64(pte, get64(pte) | BIT(40));
	p.maxphyaddr = 40;
	expect_err(&p, la, GW_ERR_RESERVED, 1);
	p.maxphyaddr = 41;
	expect_ok(&p, la, BIT(40) | 0x9000, PAGE_SIZE, 1);
	p.maxphyaddr = 0; /* 52 */
	expect_ok(&p, la, BIT(40) | 0x9000, PAGE_SIZE, 1);
	put64(pte, get64(pte) & ~BIT(40));

	/* PS in a PML4E: there are no 512 GiB pages. */
	put64(pml4e, get64(pml4e) | PS);
	expect_err(&p, la, GW_ERR_RESERVED, 4);
	put64(pml4e, get64(pml4e) & ~PS);
	expect_ok(&p, la, 0x9000, PAGE_SIZE, 1);

	/* A 2 MiB page must be 2 MiB aligned (bits 20:13 reserved; bit 12 is its PAT bit). */
	u64 la2 = la48(7, 8, 20, 0, 0);
	u64 pde = map64(pml4, 4, la2, 0x200000 | BIT(13), 2, 0);
	expect_err(&p, la2, GW_ERR_RESERVED, 2);
	put64(pde, (get64(pde) & ~BIT(13)) | BIT(12));
	expect_ok(&p, la2 + 0x345, 0x200345, BIT(21), 2);

	/* A 1 GiB page: bits 29:13 reserved. */
	u64 la3 = la48(7, 9, 0, 0, 0);
	u64 pdpte = map64(pml4, 4, la3, 0x40000000 | BIT(29), 3, 0);
	expect_err(&p, la3, GW_ERR_RESERVED, 3);
	put64(pdpte, get64(pdpte) & ~BIT(29));
	expect_ok(&p, la3 + 0x12345678, 0x52345678, BIT(30), 3);

	/* Reserved bits of a non-present entry do not matter. */
	put64(pte, XD | BIT(51) | 0x9000);
	p.efer &= ~EFER_NXE;
	expect_err(&p, la, GW_ERR_NOT_PRESENT, 1);
}

static void test_long_mode_other_errors(void **state)
{
	u64 pml4 = alloc_table();
	struct guest_paging p = paging(LM_CR0, LM_CR4, LM_EFER, pml4);
	u64 la = la48(0, 0, 1, 2, 0);

	map64(pml4, 4, la, 0x9000, 1, 0);
	expect_ok(&p, la, 0x9000, PAGE_SIZE, 1);
	expect_err(&p, 0x0000800000000000ull, GW_ERR_NONCANONICAL, 0);
	expect_err(&p, 0xFFFF7FFFFFFFFFFFull, GW_ERR_NONCANONICAL, 0);
	expect_err(&p, 0x8000000000000000ull, GW_ERR_NONCANONICAL, 0);
	p.cr4 |= CR4_LA57;
	expect_err(&p, la, GW_ERR_UNSUPPORTED, 0);
	p.cr4 = 0; /* LMA without PAE */
	expect_err(&p, la, GW_ERR_UNSUPPORTED, 0);
	p.cr4 = LM_CR4;
	/* A table outside guest RAM: the read fails at that level. */
	p.cr3 = RAM_SIZE;
	expect_err(&p, la, GW_ERR_READ, 4);
	p.cr3 = pml4;
	put64(pml4, (RAM_SIZE + 0x1000) | P | RW);
	expect_err(&p, la, GW_ERR_READ, 3);
}

/* ---- PAE ---- */

static void test_pae(void **state)
{
	u64 page = alloc_table();
	u64 pdpt = page + 0x20; /* CR3 needs only 32-byte alignment */
	struct guest_paging p = paging(CR0_PE | CR0_PG, CR4_PAE, 0, pdpt);
	u64 la4k = 0xC0123000, la2m = 0x40600000;

	u64 pte = map64(pdpt, 3, la4k, 0x77000, 1, 0);
	u64 pde2m = map64(pdpt, 3, la2m, 0xA00000, 2, 0);
	u64 pdpte3 = pdpt + 3 * 8;
	u64 pde = (get64(pdpte3) & ~0xFFFull) + ((la4k >> 21) & 511) * 8;
	expect_ok(&p, la4k + 0xABC, 0x77ABC, PAGE_SIZE, 1);
	expect_ok(&p, la2m + 0x1FFFFF, 0xBFFFFF, BIT(21), 2);
	expect_ok(&p, 0xF00000000ull | la4k, 0x77000, PAGE_SIZE, 1); /* linear bits above 31 ignored */
	assert_true(fake.saw_8byte_read);

	/* Not present at each level. */
	put64(pte, get64(pte) & ~P);
	expect_err(&p, la4k, GW_ERR_NOT_PRESENT, 1);
	put64(pte, get64(pte) | P);
	put64(pde, get64(pde) & ~P);
	expect_err(&p, la4k, GW_ERR_NOT_PRESENT, 2);
	put64(pde, get64(pde) | P);
	put64(pdpte3, get64(pdpte3) & ~P);
	expect_err(&p, la4k, GW_ERR_NOT_PRESENT, 3);
	put64(pdpte3, get64(pdpte3) | P);
	expect_ok(&p, la4k, 0x77000, PAGE_SIZE, 1);
	expect_err(&p, 0x0, GW_ERR_NOT_PRESENT, 3); /* PDPTE 0 never set */

	/* PDPTE: R/W, U/S and PS are reserved there, and there are no 1 GiB pages. */
	static const u64 pdpte_rsvd[] = { RW, US, PS, BIT(5), BIT(8), XD, BIT(60) };
	for (unsigned i = 0; i < ARRAY_SIZE(pdpte_rsvd); i++) {
		put64(pdpte3, get64(pdpte3) | pdpte_rsvd[i]);
		expect_err(&p, la4k, GW_ERR_RESERVED, 3);
		put64(pdpte3, get64(pdpte3) & ~pdpte_rsvd[i]);
	}
	expect_ok(&p, la4k, 0x77000, PAGE_SIZE, 1);

	/* XD needs EFER.NXE (PAE supports NX too). */
	put64(pte, get64(pte) | XD);
	expect_err(&p, la4k, GW_ERR_RESERVED, 1);
	p.efer = EFER_NXE;
	expect_ok(&p, la4k, 0x77000, PAGE_SIZE, 1);

	/* Misaligned 2 MiB page. */
	put64(pde2m, get64(pde2m) | BIT(20));
	expect_err(&p, la2m, GW_ERR_RESERVED, 2);
}

/* ---- 32-bit paging ---- */

static void test_32bit_4k_4m(void **state)
{
	u64 pd = alloc_table(), pt = alloc_table();
	struct guest_paging p = paging(CR0_PE | CR0_PG, CR4_PSE, 0, pd | 0x18 /* PWT|PCD */);
	u32 la = 0xC0123ABC;

	put32(pd + (la >> 22) * 4, (u32)pt | P | RW);
	put32(pt + ((la >> 12) & 1023) * 4, 0x00345000 | P | RW);
	put32(pt + (((la >> 12) & 1023) + 1) * 4, 0xFFFFF000 | P); /* neighbour: a 4-byte read must not see it */
	expect_ok(&p, la, 0x345ABC, PAGE_SIZE, 1);
	expect_ok(&p, 0xABCD00000000ull | la, 0x345ABC, PAGE_SIZE, 1); /* bits above 31 ignored */

	/* 4 MiB page with CR4.PSE. */
	put32(pd + 0x100 * 4, 0x00800000 | PS | P | RW);
	expect_ok(&p, 0x40000000 + 0x3FFFFF, 0xBFFFFF, BIT(22), 2);
	assert_false(fake.saw_8byte_read);

	/* Without CR4.PSE, PS is ignored: the PDE points to a page table at 0x800000. */
	p.cr4 = 0;
	put32(0x800000 + 5 * 4, 0x00456000 | P);
	expect_ok(&p, 0x40005123, 0x456123, PAGE_SIZE, 1);

	/* Not present. */
	p.cr4 = CR4_PSE;
	expect_err(&p, 0x00400000, GW_ERR_NOT_PRESENT, 2);
	put32(pt + ((la >> 12) & 1023) * 4, 0x00345000 | RW);
	expect_err(&p, la, GW_ERR_NOT_PRESENT, 1);
	assert_false(fake.saw_8byte_read);
}

static void test_32bit_pse36(void **state)
{
	u64 pd = alloc_table();
	struct guest_paging p = paging(CR0_PE | CR0_PG, CR4_PSE, 0, pd);
	u64 slot = pd + 0x200 * 4;
	u32 la = 0x80000000 + 0x1234;

	/* PDE bits 20:13 hold PA bits 39:32 (with MAXPHYADDR >= 40). */
	put32(slot, 0x00C00000 | (0x05u << 13) | PS | P);
	expect_ok(&p, la, 0x500C01234ull, BIT(22), 2);
	put32(slot, 0x00C00000 | (0xFFu << 13) | PS | P);
	expect_ok(&p, la, 0xFF00C01234ull, BIT(22), 2);
	/* With MAXPHYADDR 36 only bits 16:13 are address, 20:17 reserved. */
	p.maxphyaddr = 36;
	expect_err(&p, la, GW_ERR_RESERVED, 2);
	put32(slot, 0x00C00000 | (0x0Fu << 13) | PS | P);
	expect_ok(&p, la, 0xF00C01234ull, BIT(22), 2);
	/* MAXPHYADDR 32: no high bits at all. */
	p.maxphyaddr = 32;
	expect_err(&p, la, GW_ERR_RESERVED, 2);
	put32(slot, 0x00C00000 | PS | P);
	expect_ok(&p, la, 0xC01234, BIT(22), 2);
	/* Bit 21 is always reserved. */
	p.maxphyaddr = 0;
	put32(slot, 0x00C00000 | BIT(21) | PS | P);
	expect_err(&p, la, GW_ERR_RESERVED, 2);
}

/* ---- guest_read_linear ---- */

static void fill(u64 gpa, u32 len, u8 seed)
{
	for (u32 i = 0; i < len; i++)
		ram[gpa + i] = (u8)(seed + i);
}

static void test_read_crossing_pages(void **state)
{
	u64 pml4 = alloc_table();
	struct guest_paging p = paging(LM_CR0, LM_CR4, LM_EFER, pml4);
	u64 la = la48(0x1FF, 0x1FE, 0, 0x10, 0); /* two adjacent linear pages, far apart physically */
	u8 buf[15], want[15];
	u32 done = 99;

	map64(pml4, 4, la, 0xA00000, 1, 0);
	map64(pml4, 4, la + PAGE_SIZE, 0x300000, 1, 0);
	fill(0xA00FF8, 8, 0x10);
	fill(0x300000, 8, 0x80);
	for (int i = 0; i < 8; i++)
		want[i] = (u8)(0x10 + i);
	for (int i = 0; i < 7; i++)
		want[8 + i] = (u8)(0x80 + i);
	assert_int_equal(guest_read_linear(&p, la + 0xFF8, buf, 15, &done), 0);
	assert_int_equal(done, 15);
	assert_memory_equal(buf, want, 15);
	assert_int_equal(guest_read_linear(&p, la + 0xFF8, buf, 15, NULL), 0);

	/* The second page not present: 8 bytes read, the faulting address is la + 0x1000. */
	u64 pte2 = map64(pml4, 4, la + PAGE_SIZE, 0x300000, 1, 0);
	put64(pte2, 0);
	memset(buf, 0, sizeof(buf));
	assert_int_equal(guest_read_linear(&p, la + 0xFF8, buf, 15, &done), GW_ERR_NOT_PRESENT);
	assert_int_equal(done, 8);
	assert_memory_equal(buf, want, 8);

	/* The second page maps outside guest RAM. */
	put64(pte2, (RAM_SIZE + 0x5000) | P);
	assert_int_equal(guest_read_linear(&p, la + 0xFF8, buf, 15, &done), GW_ERR_READ);
	assert_int_equal(done, 8);

	/* First page not present: nothing read. */
	assert_int_equal(guest_read_linear(&p, la - PAGE_SIZE + 0xFFC, buf, 15, &done), GW_ERR_NOT_PRESENT);
	assert_int_equal(done, 0);
	/* Zero bytes: nothing translated. */
	fake.reads = 0;
	assert_int_equal(guest_read_linear(&p, 0x8000000000000000ull, buf, 0, &done), 0);
	assert_int_equal(done, 0);
	assert_int_equal(fake.reads, 0);
}

static void test_read_large_page_and_canonical_end(void **state)
{
	u64 pml4 = alloc_table();
	struct guest_paging p = paging(LM_CR0, LM_CR4, LM_EFER, pml4);
	u64 la2m = la48(0, 1, 2, 0, 0);
	u64 top = la48(0xFF, 0x1FF, 0x1FF, 0x1FF, 0); /* the last canonical low-half page */
	u8 buf[32];
	u32 done;

	map64(pml4, 4, la2m, 0x400000, 2, 0);
	fill(0x400FF0, 32, 0x40);
	assert_int_equal(guest_read_linear(&p, la2m + 0xFF0, buf, 32, &done), 0);
	for (int i = 0; i < 32; i++)
		assert_int_equal(buf[i], (u8)(0x40 + i));

	map64(pml4, 4, top, 0x9000, 1, 0);
	fill(0x9FFC, 4, 0xA0);
	assert_int_equal(guest_read_linear(&p, top + 0xFFC, buf, 8, &done), GW_ERR_NONCANONICAL);
	assert_int_equal(done, 4);
	assert_int_equal(buf[3], 0xA3);
}

static void test_read_wraps_at_4g(void **state)
{
	u64 pd = alloc_table(), pt_hi = alloc_table(), pt_lo = alloc_table();
	struct guest_paging p = paging(CR0_PE | CR0_PG, 0, 0, pd);
	u8 buf[8];
	u32 done;

	put32(pd + 1023 * 4, (u32)pt_hi | P);
	put32(pt_hi + 1023 * 4, 0x00051000 | P); /* linear 0xFFFFF000 */
	put32(pd, (u32)pt_lo | P);
	put32(pt_lo, 0x00062000 | P); /* linear 0 */
	fill(0x51FFC, 4, 0x11);
	fill(0x62000, 4, 0x21);
	assert_int_equal(guest_read_linear(&p, 0xFFFFFFFC, buf, 8, &done), 0);
	assert_int_equal(done, 8);
	static const u8 want[8] = { 0x11, 0x12, 0x13, 0x14, 0x21, 0x22, 0x23, 0x24 };
	assert_memory_equal(buf, want, 8);

	/* Paging off wraps the same way; 0xFFFFFFFC is outside our RAM, 0 is not. */
	p.cr0 = CR0_PE;
	assert_int_equal(guest_read_linear(&p, 0xFFFFFFFC, buf, 8, &done), GW_ERR_READ);
	assert_int_equal(done, 0);
	fill(0x1FF8, 16, 0x30);
	assert_int_equal(guest_read_linear(&p, 0x1FF8, buf, 8, &done), 0);
	assert_int_equal(buf[0], 0x30);
	assert_int_equal(buf[7], 0x37);
}

/* The #PF error code for each failed walk, access type and privilege (SDM Vol. 3A §4.7). */
static void test_pf_error_code(void **state)
{
	(void)state;
	assert_int_equal(guest_walk_pf_error_code(GW_ERR_NOT_PRESENT, false, false), 0);
	assert_int_equal(guest_walk_pf_error_code(GW_ERR_NOT_PRESENT, true, false), PF_EC_WRITE);
	assert_int_equal(guest_walk_pf_error_code(GW_ERR_NOT_PRESENT, false, true), PF_EC_USER);
	assert_int_equal(guest_walk_pf_error_code(GW_ERR_RESERVED, false, false), PF_EC_PRESENT | PF_EC_RESERVED);
	assert_int_equal(guest_walk_pf_error_code(GW_ERR_RESERVED, true, true),
			 PF_EC_PRESENT | PF_EC_RESERVED | PF_EC_WRITE | PF_EC_USER);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_paging_off, setup),
		cmocka_unit_test_setup(test_long_mode_4k_2m_1g, setup),
		cmocka_unit_test_setup(test_long_mode_not_present, setup),
		cmocka_unit_test_setup(test_long_mode_reserved, setup),
		cmocka_unit_test_setup(test_long_mode_other_errors, setup),
		cmocka_unit_test_setup(test_pae, setup),
		cmocka_unit_test_setup(test_32bit_4k_4m, setup),
		cmocka_unit_test_setup(test_32bit_pse36, setup),
		cmocka_unit_test_setup(test_read_crossing_pages, setup),
		cmocka_unit_test_setup(test_read_large_page_and_canonical_end, setup),
		cmocka_unit_test_setup(test_read_wraps_at_4g, setup),
		cmocka_unit_test(test_pf_error_code),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
