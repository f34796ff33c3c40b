/* Host unit tests for the W^X host identity map (hv/rules/host_map.h, hv/rules/paging.h).
 *
 * A layout shaped like a real boot (code and read-only data at 4 KiB boundaries inside 2 MiB pages, guard
 * pages below two stacks, firmware runtime code both as a whole 2 MiB page and across a 2 MiB boundary,
 * RAM above 4 GiB) is turned into page tables, which are then read back by a walker written from the
 * SDM (Vol. 3A §4.5 4-level paging, §4.6 access rights: writable only if R/W = 1 at every level,
 * executable only if XD = 0 at every level) and compared, page by page, with the expected access. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hv/rules/host_map.h"
#include "hv/rules/paging.h"

#define KIB 1024ull
#define MIB (1024 * KIB)
#define GIB (1024 * MIB)
#define P BIT(0)
#define RW BIT(1)
#define PS BIT(7)
#define XD BIT(63)
#define ADDR_MASK 0x000FFFFFFFFFF000ull
#define MAX_TABLES 4096

/* ---- The layout, and the access each page of it should get ---- */

struct span {
	u64 base, end;
	enum host_access access;
	const char *name;
};

static const struct span layout[] = {
	{ 0x3ded8000, 0x3def0000, HOST_RX, "code" },
	{ 0x3def1000, 0x3e094000, HOST_RO_NX, "rodata" }, /* crosses the 2 MiB boundary at 0x3e000000 */
	{ 0x3e2e0000, 0x3e2e1000, HOST_GUARD, "hypervisor" },
	{ 0x2be06000, 0x2be07000, HOST_GUARD, "IST" },
	{ 0x3f000000, 0x3f200000, HOST_RX, "firmware" }, /* exactly one 2 MiB page */
	{ 0x3f3ff000, 0x3f401000, HOST_RX, "firmware" }, /* across a 2 MiB boundary */
	{ 0x140000000, 0x140001000, HOST_RO_NX, "high" },  /* above 4 GiB */
};

#define TOP (8 * GIB)

struct access_bits {
	bool present, writable, executable;
};

static struct access_bits expected(u64 pa, bool nx)
{
	enum host_access a = HOST_RW_NX;
	for (size_t i = 0; i < ARRAY_SIZE(layout); i++)
		if (layout[i].base <= pa && pa < layout[i].end)
			a = layout[i].access;
	if (pa >= TOP || a == HOST_GUARD)
		return (struct access_bits){ false, false, false };
	return (struct access_bits){ true, a == HOST_RW_NX, a == HOST_RX || !nx };
}

static void describe(struct host_map *m)
{
	host_map_init(m);
	for (size_t i = 0; i < ARRAY_SIZE(layout); i++)
		assert_int_equal(host_map_add(m, layout[i].base, layout[i].end, layout[i].access, layout[i].name), 0);
}

/* ---- A page allocator for the builder, with a limit to test running out ---- */

static void *tables[MAX_TABLES];
static unsigned ntables, table_limit;

static void *alloc_page(void)
{
	if (ntables == table_limit)
		return NULL;
	void *p = aligned_alloc(PAGE_SIZE, PAGE_SIZE);
	assert_non_null(p);
	memset(p, 0, PAGE_SIZE);
	tables[ntables++] = p;
	return p;
}

static int teardown(void **state)
{
	while (ntables)
		free(tables[--ntables]);
	return 0;
}

static int setup(void **state)
{
	table_limit = MAX_TABLES;
	return 0;
}

/* ---- The walker: SDM Vol. 3A §4.5, Table 4-15 to 4-20 ---- */

struct walk {
	struct access_bits access;
	u64 pa;
	u64 leaf_size;
};

static struct walk walk(u64 cr3, u64 va)
{
	struct walk w = { { true, true, true }, 0, 0 };
	const u64 *table = (const u64 *)(uintptr_t)(cr3 & ADDR_MASK);
	for (int level = 4; level >= 1; level--) {
		unsigned shift = 12 + 9 * (unsigned)(level - 1);
		u64 e = table[(va >> shift) & 511];
		if (!(e & P)) {
			w.access = (struct access_bits){ false, false, false };
			return w;
		}
		w.access.writable &= (e & RW) != 0;
		w.access.executable &= (e & XD) == 0;
		if (level == 1 || (e & PS)) {
			assert_true(level <= 2); /* no 1 GiB pages: not every CPU has them */
			w.leaf_size = 1ull << shift;
			w.pa = (e & ADDR_MASK & ~(w.leaf_size - 1)) | (va & (w.leaf_size - 1));
			return w;
		}
		table = (const u64 *)(uintptr_t)(e & ADDR_MASK);
	}
	fail_msg("walk fell through");
	return w;
}

/* How many 2 MiB pages the layout splits into 4 KiB pages: those whose pages differ. */
static unsigned mixed_large_pages(bool nx)
{
	unsigned n = 0;
	for (u64 base = 0; base < TOP; base += LARGE_PAGE_SIZE) {
		struct access_bits first = expected(base, nx);
		for (u64 pa = base + PAGE_SIZE; pa < base + LARGE_PAGE_SIZE; pa += PAGE_SIZE) {
			struct access_bits e = expected(pa, nx);
			if (memcmp(&e, &first, sizeof(e))) {
				n++;
				break;
			}
		}
	}
	return n;
}

static void check_every_page(u64 cr3, bool nx)
{
	for (u64 pa = 0; pa < TOP + 4 * MIB; pa += PAGE_SIZE) {
		struct walk w = walk(cr3, pa);
		struct access_bits e = expected(pa, nx);
		if (memcmp(&w.access, &e, sizeof(e)))
			fail_msg("page 0x%llx: present %d writable %d executable %d, expected %d %d %d", (unsigned long long)pa,
				 w.access.present, w.access.writable, w.access.executable, e.present, e.writable,
				 e.executable);
		if (w.access.present)
			assert_int_equal(w.pa, pa); /* an identity map */
	}
}

/* ---- Tests ---- */

static void test_every_page_as_described(void **state)
{
	struct host_map m;
	describe(&m);
	u64 cr3 = paging_build_identity_map(&m, TOP, true, alloc_page);
	assert_true(cr3 != 0);
	check_every_page(cr3, true);
	/* Large pages wherever the access is the same throughout: PML4, PDPT, 8 PDs, one table per mixed 2 MiB. */
	assert_int_equal(ntables, 2 + TOP / GIB + mixed_large_pages(true));
	assert_int_equal(walk(cr3, 0x3f100000).leaf_size, LARGE_PAGE_SIZE);
	assert_int_equal(walk(cr3, 0x3ded8000).leaf_size, PAGE_SIZE);
	assert_int_equal(walk(cr3, 0x80000000).leaf_size, LARGE_PAGE_SIZE);
}

static void test_without_nx_nothing_is_marked_xd(void **state)
{
	struct host_map m;
	describe(&m);
	u64 cr3 = paging_build_identity_map(&m, TOP, false, alloc_page);
	assert_true(cr3 != 0);
	check_every_page(cr3, false); /* read-only stays read-only, guards stay unmapped */
	for (unsigned i = 0; i < ntables; i++)
		for (unsigned j = 0; j < PAGE_SIZE / sizeof(u64); j++)
			assert_false(((u64 *)tables[i])[j] & XD); /* reserved without EFER.NXE */
}

static void test_out_of_memory_and_bad_top(void **state)
{
	struct host_map m;
	describe(&m);
	for (table_limit = 0; table_limit < 2 + TOP / GIB; table_limit++) {
		assert_int_equal(paging_build_identity_map(&m, TOP, true, alloc_page), 0);
		teardown(state);
	}
	table_limit = MAX_TABLES;
	assert_int_equal(paging_build_identity_map(&m, TOP + PAGE_SIZE, true, alloc_page), 0);
	assert_int_equal(paging_build_identity_map(&m, PAGING_MAX_MAPPED + GIB, true, alloc_page), 0);
}

static void test_regions_must_be_aligned_and_disjoint(void **state)
{
	struct host_map m;
	host_map_init(&m);
	assert_int_equal(host_map_add(&m, 0x1000, 0x3000, HOST_RX, "a"), 0);
	assert_int_equal(host_map_add(&m, 0x1001, 0x5000, HOST_RX, "b"), -EINVAL);
	assert_int_equal(host_map_add(&m, 0x4000, 0x4800, HOST_RX, "b"), -EINVAL);
	assert_int_equal(host_map_add(&m, 0x4000, 0x4000, HOST_RX, "b"), -EINVAL);
	assert_int_equal(host_map_add(&m, 0x2000, 0x5000, HOST_RO_NX, "b"), -EINVAL); /* overlaps a */
	assert_int_equal(host_map_add(&m, 0x0000, 0x2000, HOST_GUARD, "b"), -EINVAL);
	assert_int_equal(host_map_add(&m, 0x5000, 0x6000, HOST_MIXED, "b"), -EINVAL);
	assert_int_equal(m.n, 1);
}

static void test_adjacent_regions_merge_until_full(void **state)
{
	struct host_map m;
	host_map_init(&m);
	for (u64 i = 0; i < 100; i++) /* firmware code in many descriptors, back to back: one region */
		assert_int_equal(host_map_add(&m, i * PAGE_SIZE, (i + 1) * PAGE_SIZE, HOST_RX, "fw"), 0);
	assert_int_equal(m.n, 1);
	assert_int_equal(m.r[0].end, 100 * PAGE_SIZE);
	for (u64 i = 1; i < HOST_MAP_MAX_REGIONS; i++) /* with gaps they stay apart */
		assert_int_equal(host_map_add(&m, (200 + 2 * i) * PAGE_SIZE, (201 + 2 * i) * PAGE_SIZE, HOST_RX, "fw"), 0);
	assert_int_equal(host_map_add(&m, 1000 * PAGE_SIZE, 1001 * PAGE_SIZE, HOST_RX, "fw"), -ENOMEM);
}

static void test_access_of_ranges(void **state)
{
	struct host_map m;
	describe(&m);
	assert_int_equal(host_map_access(&m, 0x3ded8000, PAGE_SIZE), HOST_RX);
	assert_int_equal(host_map_access(&m, 0x3ded7000, PAGE_SIZE), HOST_RW_NX); /* the PE header page */
	assert_int_equal(host_map_access(&m, 0x3de00000, LARGE_PAGE_SIZE), HOST_MIXED);
	assert_int_equal(host_map_access(&m, 0x3e000000, LARGE_PAGE_SIZE), HOST_MIXED);
	assert_int_equal(host_map_access(&m, 0x3f000000, LARGE_PAGE_SIZE), HOST_RX);
	assert_int_equal(host_map_access(&m, 0x3f200000, LARGE_PAGE_SIZE), HOST_MIXED);
	assert_int_equal(host_map_access(&m, 0, LARGE_PAGE_SIZE), HOST_RW_NX);
	assert_string_equal(host_map_find(&m, 0x3e2e0ff8)->name, "hypervisor");
	assert_int_equal(host_map_find(&m, 0x3e2e1000), NULL);
}

static void test_pte_bits(void **state)
{
	assert_int_equal(host_access_pte_bits(HOST_RX, true), P);
	assert_int_equal(host_access_pte_bits(HOST_RO_NX, true), P | XD);
	assert_int_equal(host_access_pte_bits(HOST_RW_NX, true), P | RW | XD);
	assert_int_equal(host_access_pte_bits(HOST_GUARD, true), 0);
	assert_int_equal(host_access_pte_bits(HOST_RO_NX, false), P);
	assert_int_equal(host_access_pte_bits(HOST_RW_NX, false), P | RW);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_every_page_as_described, setup, teardown),
		cmocka_unit_test_setup_teardown(test_without_nx_nothing_is_marked_xd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_out_of_memory_and_bad_top, setup, teardown),
		cmocka_unit_test(test_regions_must_be_aligned_and_disjoint),
		cmocka_unit_test(test_adjacent_regions_merge_until_full),
		cmocka_unit_test(test_access_of_ranges),
		cmocka_unit_test(test_pte_bits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
