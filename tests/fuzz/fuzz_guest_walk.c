/* libFuzzer harness for the guest page-table walker (hv/rules/guest_walk.c): the page tables are guest memory,
 * so every entry is attacker-controlled, and so are CR0/CR4/EFER/CR3 and the address.
 *
 * Input: a flags byte (CR0.PG, CR4.PSE/PAE/LA57, EFER.LMA/NXE), CR3, MAXPHYADDR, a linear address, a read
 * length, a second offset into the same page, then the contents of a small fake guest RAM at GPA 0.
 * Invariants (SDM Vol. 3A ch. 4): page-table entries are read naturally aligned, at most one per level and
 * only below MAXPHYADDR; a successful walk went through present entries only, none with XD set unless
 * EFER.NXE; the result keeps the page offset, fits MAXPHYADDR and its page size matches its level; and
 * guest_read_linear() returns exactly what byte-by-byte translation reads. */
#include <string.h>

#include "hv/rules/guest_walk.h"
#include "tests/fuzz/fuzz.h"

#define RAM_SIZE 0x4000u /* four pages: room for a full 4-level walk */
#define MAX_READ 32u
#define MAX_ENTRIES 8

#define F_PG BIT(0)
#define F_PSE BIT(1)
#define F_PAE BIT(2)
#define F_LMA BIT(3)
#define F_NXE BIT(4)
#define F_LA57 BIT(5)

struct fake_ram {
	u8 bytes[RAM_SIZE];
	bool record;           /* log the reads (page-table entries only: guest_translate() reads nothing else) */
	unsigned nentries;
	u64 entry_gpa[MAX_ENTRIES];
	u64 entry_val[MAX_ENTRIES];
	u32 entry_len[MAX_ENTRIES];
};

static bool read_phys(void *ctx, u64 gpa, void *buf, u32 len)
{
	struct fake_ram *r = ctx;

	FUZZ_CHECK(len > 0);
	if (r->record) {
		FUZZ_CHECK(r->nentries < MAX_ENTRIES);
		r->entry_gpa[r->nentries] = gpa;
		r->entry_len[r->nentries] = len;
	}
	if (gpa >= RAM_SIZE || len > RAM_SIZE - gpa)
		return false;
	memcpy(buf, r->bytes + gpa, len);
	if (r->record) {
		u64 v = 0;
		memcpy(&v, r->bytes + gpa, len < sizeof(v) ? len : sizeof(v));
		r->entry_val[r->nentries++] = v;
	}
	return true;
}

static unsigned phys_bits(const struct guest_paging *p)
{
	if (!p->maxphyaddr || p->maxphyaddr > 52)
		return 52;
	return p->maxphyaddr < 32 ? 32 : p->maxphyaddr;
}

static int level_of(u64 page_size)
{
	switch (page_size) {
	case BIT(12): return 1;
	case BIT(21): case BIT(22): return 2;
	case BIT(30): return 3;
	case BIT(32): return 0;
	default: return -1;
	}
}

static void check_entries(const struct guest_paging *p, const struct fake_ram *r, int rc)
{
	bool lm = (p->efer & BIT(10)) != 0, pae = (p->cr4 & BIT(5)) != 0;
	u32 want_len = pae || lm ? 8 : 4;

	FUZZ_CHECK(r->nentries <= 4);
	for (unsigned i = 0; i < r->nentries; i++) {
		FUZZ_CHECK(r->entry_len[i] == want_len && r->entry_gpa[i] % want_len == 0);
		FUZZ_CHECK(r->entry_gpa[i] < BIT(phys_bits(p)));
		if (rc == 0) {
			FUZZ_CHECK(r->entry_val[i] & 1); /* every entry of a successful walk is present */
			if (!(p->efer & BIT(11)) && want_len == 8)
				FUZZ_CHECK(!(r->entry_val[i] >> 63)); /* XD is reserved without EFER.NXE */
		}
	}
}

static void check_translation(const struct guest_paging *p, struct fake_ram *r, u64 linear, u64 other_off)
{
	bool lm = (p->cr0 & BIT(31)) && (p->efer & BIT(10));
	struct guest_xlate x, y;

	r->record = true;
	r->nentries = 0;
	int rc = guest_translate(p, linear, &x);
	r->record = false;
	FUZZ_CHECK(rc <= 0 && rc >= GW_ERR_UNSUPPORTED);
	FUZZ_CHECK(x.level >= 0 && x.level <= 4);
	check_entries(p, r, rc);
	if (!(p->cr0 & BIT(31)))
		FUZZ_CHECK(rc == 0 && r->nentries == 0 && x.gpa == (linear & 0xFFFFFFFFull));
	if (rc == GW_ERR_NOT_PRESENT || rc == GW_ERR_RESERVED)
		FUZZ_CHECK(x.level >= 1);
	if (rc)
		return;

	u64 la = lm ? linear : linear & 0xFFFFFFFFull;
	FUZZ_CHECK(level_of(x.page_size) == x.level);
	FUZZ_CHECK((x.gpa & (x.page_size - 1)) == (la & (x.page_size - 1)));
	FUZZ_CHECK(x.gpa < BIT(phys_bits(p)) || !(p->cr0 & BIT(31)));
	if (lm)
		FUZZ_CHECK(p->cr4 & BIT(5));

	/* Another address in the same page takes the same walk: same page, same offset change. */
	u64 delta = other_off & (x.page_size - 1);
	u64 base = la & ~(x.page_size - 1);
	FUZZ_CHECK(guest_translate(p, base | delta, &y) == 0);
	FUZZ_CHECK(y.page_size == x.page_size && y.gpa == ((x.gpa & ~(x.page_size - 1)) | delta));
}

/* guest_read_linear() against one guest_translate() and one byte read per byte. */
static void check_read(const struct guest_paging *p, struct fake_ram *r, u64 linear, u32 len)
{
	u8 buf[MAX_READ], ref[MAX_READ];
	u32 done = 0xFFFFFFFFu, n = 0;
	int ref_rc = 0;

	memset(buf, 0xA5, sizeof(buf));
	int rc = guest_read_linear(p, linear, buf, len, &done);
	for (; n < len; n++) {
		struct guest_xlate x;
		ref_rc = guest_translate(p, linear + n, &x);
		if (ref_rc)
			break;
		if (!read_phys(r, x.gpa, ref + n, 1)) {
			ref_rc = GW_ERR_READ;
			break;
		}
	}
	FUZZ_CHECK(done <= len);
	FUZZ_CHECK(rc == ref_rc);
	/* A chunk read stops at the first page that fails, so it cannot get further than byte-wise reading. */
	FUZZ_CHECK(rc ? done <= n : done == len);
	FUZZ_CHECK(memcmp(buf, ref, done) == 0);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static struct fake_ram ram;
	struct fuzz_in in = fuzz_in(data, size);
	u8 f = fuzz_u8(&in);
	struct guest_paging p = {
		.cr0 = (f & F_PG) ? BIT(31) | BIT(0) : BIT(0),
		.cr4 = ((f & F_PSE) ? BIT(4) : 0) | ((f & F_PAE) ? BIT(5) : 0) | ((f & F_LA57) ? BIT(12) : 0),
		.efer = ((f & F_LMA) ? BIT(10) | BIT(8) : 0) | ((f & F_NXE) ? BIT(11) : 0),
		.read_phys = read_phys,
		.ctx = &ram,
	};
	p.cr3 = fuzz_u64(&in);
	p.maxphyaddr = fuzz_u8(&in);
	u64 linear = fuzz_u64(&in);
	u32 len = fuzz_u8(&in) % (MAX_READ + 1);
	u64 other = fuzz_u64(&in);
	const u8 *mem;
	size_t got = fuzz_take(&in, RAM_SIZE, &mem);

	memset(&ram, 0, sizeof(ram));
	memcpy(ram.bytes, mem, got);
	check_translation(&p, &ram, linear, other);
	check_read(&p, &ram, linear, len);
	return 0;
}
