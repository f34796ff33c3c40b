/* Host unit tests for the instruction-site cache (hv/rules/insn_cache.h): sites are walked through real page
 * tables (hv/rules/guest_walk.c) in a fake guest RAM and decoded by hv/rules/decode.c, as guest_insn.c does, then
 * looked up after changing one thing at a time. Every input of a fresh fetch must make a lookup miss;
 * anything else (a byte past the instruction, the neighbouring 32-bit PTE) must not. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "hv/rules/insn_cache.h"
#include "hv/x86.h"

#define RAM_SIZE (4ull << 20)
#define CR0_PE_BIT BIT(0)
#define CR0_PG_BIT BIT(31)
#define CR4_PAE_BIT BIT(5)
#define EFER_LME_BIT BIT(8)
#define EFER_LMA_BIT BIT(10)
#define P_RW (BIT(0) | BIT(1))
#define PTE_A BIT(5)

#define LM_CR0 (CR0_PE_BIT | CR0_PG_BIT)
#define LM_EFER (EFER_LME_BIT | EFER_LMA_BIT)
#define PML4 0x10000ull
#define PDPT 0x11000ull
#define PD 0x12000ull
#define PT 0x13000ull
#define CODE_LINEAR 0x200123ull /* PML4E 0, PDPTE 0, PDE 1, PTE 0 */
#define CODE_PAGE 0x40000ull
#define OTHER_PAGE 0x41000ull
#define PT32 0x20000ull
#define PD32 0x21000ull

static u8 ram[RAM_SIZE];
static struct insn_cache cache;

/* mov [rax+0xb0], ecx: what an xAPIC EOI through a pointer compiles to */
static const u8 mov_eoi[] = { 0x89, 0x88, 0xb0, 0x00, 0x00, 0x00 };
/* mov [rax+0xb0], dx: a different register and width, same length */
static const u8 mov_eoi_dx[] = { 0x66, 0x89, 0x90, 0xb0, 0x00, 0x00 };

static bool read_phys(void *ctx, u64 gpa, void *buf, u32 len)
{
	if (gpa >= RAM_SIZE || len > RAM_SIZE - gpa)
		return false;
	memcpy(buf, ram + gpa, len);
	return true;
}

static void put64(u64 gpa, u64 v) { memcpy(ram + gpa, &v, 8); }
static void put32(u64 gpa, u32 v) { memcpy(ram + gpa, &v, 4); }

static struct insn_site_key lm_key(u64 linear)
{
	return (struct insn_site_key){ linear, LM_CR0, PML4, CR4_PAE_BIT, LM_EFER, CPU_MODE_64 };
}

/* What guest_insn.c does on a miss: walk (traced), read 15 bytes, decode, fill. */
static int fetch_and_fill(const struct insn_site_key *k, struct insn *in)
{
	struct guest_paging gp = { k->cr0, k->cr3, k->cr4, k->efer, 40, read_phys, NULL };
	struct guest_walk_trace walk;
	struct guest_xlate x;
	u8 bytes[INSN_MAX_LEN] = { 0 };
	u32 got = 0;
	if (guest_translate_traced(&gp, k->linear, &x, &walk))
		return -100;
	guest_read_linear(&gp, k->linear, bytes, INSN_MAX_LEN, &got);
	int rc = insn_decode(bytes, got, k->mode, in);
	if (!rc)
		insn_cache_fill(&cache, k, &walk, x.gpa, in, bytes);
	return rc;
}

static const struct insn *lookup(const struct insn_site_key *k)
{
	return insn_cache_lookup(&cache, k, ram, RAM_SIZE);
}

static int setup(void **state)
{
	memset(ram, 0, sizeof(ram));
	memset(&cache, 0, sizeof(cache));
	put64(PML4, PDPT | P_RW);
	put64(PDPT, PD | P_RW);
	put64(PD + 8, PT | P_RW);
	put64(PT, CODE_PAGE | P_RW);
	memcpy(ram + CODE_PAGE + 0x123, mov_eoi, sizeof(mov_eoi));
	memcpy(ram + OTHER_PAGE + 0x123, mov_eoi_dx, sizeof(mov_eoi_dx));
	return 0;
}

/* Fills the long-mode site and checks that it hits as it is. */
static struct insn_site_key cached_lm_site(void)
{
	struct insn_site_key k = lm_key(CODE_LINEAR);
	struct insn in;
	assert_int_equal(fetch_and_fill(&k, &in), 0);
	const struct insn *hit = lookup(&k);
	assert_non_null(hit);
	assert_memory_equal(hit, &in, sizeof(in));
	return k;
}

static void test_hit_returns_the_decode(void **state)
{
	struct insn_site_key k = cached_lm_site();
	const struct insn *hit = lookup(&k);
	assert_int_equal(hit->kind, INSN_MOV_STORE);
	assert_int_equal(hit->len, sizeof(mov_eoi));
	assert_int_equal(hit->reg.num, 1); /* ecx */
	assert_int_equal(hit->op_size, 4);
	assert_int_equal(hit->mem.disp, 0xb0);
}

static void test_miss_on_each_key_part(void **state)
{
	struct insn_site_key k = cached_lm_site(), m;
	m = k; m.linear += 1;            assert_null(lookup(&m));
	m = k; m.cr0 ^= BIT(16);         assert_null(lookup(&m)); /* WP */
	m = k; m.cr3 ^= BIT(3);          assert_null(lookup(&m)); /* PWT: a different CR3 value */
	m = k; m.cr4 ^= BIT(20);         assert_null(lookup(&m)); /* SMEP */
	m = k; m.efer ^= BIT(11);        assert_null(lookup(&m)); /* NXE */
	m = k; m.mode = CPU_MODE_32;     assert_null(lookup(&m)); /* compatibility mode */
	assert_non_null(lookup(&k));
}

/* Each of the four entries the walk read: any change (a remap, even just the accessed bit) misses. */
static void test_miss_on_each_entry_change(void **state)
{
	static const u64 entry_at[] = { PML4, PDPT, PD + 8, PT };
	struct insn_site_key k = cached_lm_site();
	for (u32 i = 0; i < ARRAY_SIZE(entry_at); i++) {
		u64 old;
		memcpy(&old, ram + entry_at[i], 8);
		put64(entry_at[i], old | PTE_A);
		assert_null(lookup(&k));
		put64(entry_at[i], old);
		assert_non_null(lookup(&k));
	}
}

/* Another address space (CR3) maps the site's linear page elsewhere: a miss, though the old tables are
 * still there unchanged. */
static void test_other_address_space(void **state)
{
	struct insn_site_key k = cached_lm_site(), other = k;
	struct insn in;
	const u64 pml4_b = 0x14000, pdpt_b = 0x15000, pd_b = 0x16000, pt_b = 0x17000;
	put64(pml4_b, pdpt_b | P_RW);
	put64(pdpt_b, pd_b | P_RW);
	put64(pd_b + 8, pt_b | P_RW);
	put64(pt_b, OTHER_PAGE | P_RW);
	other.cr3 = pml4_b;
	assert_null(lookup(&other));
	assert_int_equal(fetch_and_fill(&other, &in), 0);
	assert_int_equal(lookup(&other)->reg.num, 2);
	assert_non_null(lookup(&k)); /* the two spaces' sites share a set, in its two ways */
	assert_int_equal(lookup(&k)->reg.num, 1);
}

/* The PTE now maps another page with different code: the miss, then a fresh fetch sees the new code. */
static void test_remapped_page_decodes_the_new_code(void **state)
{
	struct insn_site_key k = cached_lm_site();
	struct insn in;
	put64(PT, OTHER_PAGE | P_RW);
	assert_null(lookup(&k));
	assert_int_equal(fetch_and_fill(&k, &in), 0);
	const struct insn *hit = lookup(&k);
	assert_non_null(hit);
	assert_int_equal(hit->reg.num, 2); /* dx */
	assert_int_equal(hit->op_size, 2);
}

static void test_miss_on_changed_bytes(void **state)
{
	struct insn_site_key k = cached_lm_site();
	u8 *code = ram + CODE_PAGE + 0x123;
	for (u32 i = 0; i < sizeof(mov_eoi); i++) {
		code[i] ^= 0x01;
		assert_null(lookup(&k));
		code[i] ^= 0x01;
	}
	code[sizeof(mov_eoi)] = 0xCC; /* the next instruction is not part of this one */
	code[15] = 0xCC;
	assert_non_null(lookup(&k));
}

/* Self-modifying code: new bytes, same length, same place. */
static void test_rewritten_instruction_decodes_again(void **state)
{
	struct insn_site_key k = cached_lm_site();
	struct insn in;
	memcpy(ram + CODE_PAGE + 0x123, mov_eoi_dx, sizeof(mov_eoi_dx));
	assert_null(lookup(&k));
	assert_int_equal(fetch_and_fill(&k, &in), 0);
	assert_int_equal(lookup(&k)->reg.num, 2);
}

/* An instruction that ends in the next page is never stored; one that ends at the page's last byte is. */
static void test_page_crossing_not_cached(void **state)
{
	struct insn_site_key k = lm_key(0x200FFCull), fits = lm_key(0x200FFAull);
	struct insn in;
	put64(PT + 8, OTHER_PAGE | P_RW);
	memcpy(ram + CODE_PAGE + 0xFFC, mov_eoi, 4);
	memcpy(ram + OTHER_PAGE, mov_eoi + 4, 2);
	assert_int_equal(fetch_and_fill(&k, &in), 0);
	assert_int_equal(in.len, sizeof(mov_eoi));
	assert_null(lookup(&k));
	memcpy(ram + CODE_PAGE + 0xFFA, mov_eoi, sizeof(mov_eoi));
	assert_int_equal(fetch_and_fill(&fits, &in), 0);
	assert_non_null(lookup(&fits));
}

/* Paging off: no entries to check, the bytes still are. */
static void test_paging_off(void **state)
{
	struct insn_site_key k = { CODE_PAGE + 0x123, CR0_PE_BIT, 0, 0, 0, CPU_MODE_32 };
	struct insn in;
	assert_int_equal(fetch_and_fill(&k, &in), 0);
	assert_non_null(lookup(&k));
	ram[CODE_PAGE + 0x124] ^= 0x10; /* ModRM.reg: ecx -> ebx */
	assert_null(lookup(&k));
	assert_int_equal(fetch_and_fill(&k, &in), 0);
	assert_int_equal(lookup(&k)->reg.num, 3);
}

/* 32-bit paging: 4-byte entries; the neighbour of the PTE shares its 8 bytes but not the walk. */
static void test_32bit_paging_entry_size(void **state)
{
	struct insn_site_key k = { 0x00401123ull, LM_CR0, PD32, 0, 0, CPU_MODE_32 };
	struct insn in;
	put32(PD32 + 4, (u32)PT32 | P_RW);
	put32(PT32 + 4, (u32)CODE_PAGE | P_RW);
	assert_int_equal(fetch_and_fill(&k, &in), 0);
	assert_non_null(lookup(&k));
	put32(PT32 + 8, (u32)OTHER_PAGE | P_RW); /* the next PTE */
	put32(PD32 + 8, (u32)PT32 | P_RW);       /* the next PDE */
	assert_non_null(lookup(&k));
	put32(PT32 + 4, (u32)OTHER_PAGE | P_RW);
	assert_null(lookup(&k));
	put32(PT32 + 4, (u32)CODE_PAGE | P_RW);
	put32(PD32 + 4, (u32)PT32 | P_RW | (u32)PTE_A);
	assert_null(lookup(&k));
}

/* A lookup loads 16 bytes at the instruction (and 8 at each entry): a site in the last 16 bytes of RAM
 * is never a hit, it is fetched and decoded every time; one just before them is. */
static void test_end_of_ram(void **state)
{
	u64 at = RAM_SIZE - sizeof(mov_eoi), before = RAM_SIZE - 16;
	struct insn_site_key k = { at, CR0_PE_BIT, 0, 0, 0, CPU_MODE_32 }, b = k;
	struct insn in;
	memcpy(ram + at, mov_eoi, sizeof(mov_eoi));
	assert_int_equal(insn_decode(ram + at, sizeof(mov_eoi), CPU_MODE_32, &in), 0);
	insn_cache_fill(&cache, &k, &(struct guest_walk_trace){ 0 }, at, &in, ram + at);
	assert_null(lookup(&k));
	b.linear = before;
	memcpy(ram + before, mov_eoi, sizeof(mov_eoi));
	insn_cache_fill(&cache, &b, &(struct guest_walk_trace){ 0 }, before, &in, ram + before);
	assert_non_null(lookup(&b));
	assert_null(insn_cache_lookup(&cache, &b, ram, RAM_SIZE - 1)); /* a smaller RAM: not loaded */
}

/* Sites of different sets, and two of the same set, all stay; a third in a set drops the oldest. */
static void test_slots(void **state)
{
	struct insn_site_key a = cached_lm_site(), b = lm_key(CODE_LINEAR + 0x10), c = a;
	struct insn in;
	memcpy(ram + CODE_PAGE + 0x133, mov_eoi_dx, sizeof(mov_eoi_dx));
	assert_int_equal(fetch_and_fill(&b, &in), 0);
	assert_non_null(lookup(&a));
	assert_non_null(lookup(&b));
	for (u64 d = 1; lookup(&a); d++) { /* fill sites after a until one takes a's slot */
		c.linear = a.linear + d;
		insn_cache_fill(&cache, &c, &(struct guest_walk_trace){ 0 }, OTHER_PAGE + 0x123, &in, mov_eoi_dx);
		assert_true(d < 64);
	}
	assert_int_equal(fetch_and_fill(&b, &in), 0); /* a and b coexisted: b's slot is not c's */
	assert_non_null(lookup(&c));
	assert_non_null(lookup(&b));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_hit_returns_the_decode, setup),
		cmocka_unit_test_setup(test_miss_on_each_key_part, setup),
		cmocka_unit_test_setup(test_miss_on_each_entry_change, setup),
		cmocka_unit_test_setup(test_other_address_space, setup),
		cmocka_unit_test_setup(test_remapped_page_decodes_the_new_code, setup),
		cmocka_unit_test_setup(test_miss_on_changed_bytes, setup),
		cmocka_unit_test_setup(test_rewritten_instruction_decodes_again, setup),
		cmocka_unit_test_setup(test_page_crossing_not_cached, setup),
		cmocka_unit_test_setup(test_paging_off, setup),
		cmocka_unit_test_setup(test_32bit_paging_entry_size, setup),
		cmocka_unit_test_setup(test_end_of_ram, setup),
		cmocka_unit_test_setup(test_slots, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
