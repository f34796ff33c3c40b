/* Host unit tests for the guest MOV-to-CR0/CR4 rules (hv/rules/cr0.h), walking spec §4.1, §4.2, §4.5 (R4.1, R4.3) and
 * §4.6 (/work/shared/spec/errata-behaviour.md, "CR0.CD and CR0.NW").
 *
 * Expectations are written from the spec and the SDM, not from hv/rules/cr0.c: every bit is spelled as a literal
 * number here (no CR0_* / CR4_* / EFER_* macros from hv/x86.h), so a wrong constant in the module shows up
 * as a failed row. Each row is a guest context (CR0, CR4, EFER, CS.L-with-LMA), a written value, and either
 * the value the guest reads back or #GP(0) (-EINVAL). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "hv/rules/cr0.h"
#include "hv/lib/types.h"

/* SDM Vol. 3A §2.5 bit positions, restated. */
#define PE (1ull << 0)
#define MP (1ull << 1)
#define EM (1ull << 2)
#define TS (1ull << 3)
#define ET (1ull << 4)
#define NE (1ull << 5)
#define WP (1ull << 16)
#define AM (1ull << 18)
#define NW (1ull << 29)
#define CD (1ull << 30)
#define PG (1ull << 31)

#define C4_PAE (1ull << 5)
#define C4_PGE (1ull << 7)
#define C4_OSFXSR (1ull << 9)
#define C4_VMXE (1ull << 13)
#define C4_PCIDE (1ull << 17)
#define C4_CET (1ull << 23)

#define LME (1ull << 8)
#define LMA (1ull << 10)

/* Reserved CR0 bits 31:0 (spec §4.6 item 5): 6-15, 17, 19-28. */
#define CR0_RESERVED_LOW (0x0000FFC0ull | (1ull << 17) | 0x1FF80000ull)

#define GP (-EINVAL)

/* Typical guest states. */
#define PROT_NOPAGING { .cr0 = PE | ET | NE, .cr4 = 0, .efer = 0, .in_64bit_mode = false }
#define REAL_MODE { .cr0 = ET, .cr4 = 0, .efer = 0, .in_64bit_mode = false }
#define LONG64 { .cr0 = PG | PE | ET | NE | WP, .cr4 = C4_PAE, .efer = LME | LMA, .in_64bit_mode = true }
#define COMPAT { .cr0 = PG | PE | ET | NE | WP, .cr4 = C4_PAE, .efer = LME | LMA, .in_64bit_mode = false }
#define COMPAT_PCIDE { .cr0 = PG | PE | ET | NE | WP, .cr4 = C4_PAE | C4_PCIDE, .efer = LME | LMA, .in_64bit_mode = false }
#define LME_NOPAE { .cr0 = PE | ET | NE, .cr4 = 0, .efer = LME, .in_64bit_mode = false }
#define LME_PAE { .cr0 = PE | ET | NE, .cr4 = C4_PAE, .efer = LME, .in_64bit_mode = false }
#define CET_ON { .cr0 = PG | PE | ET | NE | WP, .cr4 = C4_PAE | C4_CET, .efer = LME | LMA, .in_64bit_mode = true }
#define LEGACY_PAGING { .cr0 = PG | PE | ET | NE, .cr4 = 0, .efer = 0, .in_64bit_mode = false }

struct cr_row {
	const char *what;
	struct cr_context ctx;
	u64 value;
	int ret;    /* 0 or GP */
	u64 result; /* read-back when ret == 0 */
};

static const struct cr_row cr0_rows[] = {
	/* §4.1 cache-mode table / §4.6 items 2-4. */
	{ "NW without CD (PE set)", PROT_NOPAGING, PE | ET | NE | NW, GP, 0 },
	{ "NW without CD (real mode)", REAL_MODE, ET | NW, GP, 0 },
	{ "NW without CD in 64-bit mode", LONG64, PG | PE | ET | NE | WP | NW, GP, 0 },
	{ "CD|NW accepted, read back", PROT_NOPAGING, PE | ET | NE | CD | NW, 0, PE | ET | NE | CD | NW },
	{ "CD|NW in 64-bit mode", LONG64, PG | PE | ET | NE | WP | CD | NW, 0, PG | PE | ET | NE | WP | CD | NW },
	{ "CD alone accepted", PROT_NOPAGING, PE | ET | NE | CD, 0, PE | ET | NE | CD },
	{ "CD|NW cleared again", { .cr0 = PE | ET | NE | CD | NW }, PE | ET | NE, 0, PE | ET | NE },
	{ "RESET value written back (real mode)", REAL_MODE, 0x60000010, 0, 0x60000010 },
	/* §4.1: bits 63:32 must be 0. */
	{ "bit 32 set", PROT_NOPAGING, PE | ET | NE | (1ull << 32), GP, 0 },
	{ "bit 63 set", PROT_NOPAGING, PE | ET | NE | (1ull << 63), GP, 0 },
	{ "bit 32 set in 64-bit mode", LONG64, PG | PE | ET | NE | WP | (1ull << 32), GP, 0 },
	{ "bit 63 set with CD|NW", PROT_NOPAGING, PE | ET | CD | NW | (1ull << 63), GP, 0 },
	/* §4.6 item 6: PG without PE. */
	{ "PG without PE from real mode", REAL_MODE, ET | PG, GP, 0 },
	{ "PG without PE from protected mode", PROT_NOPAGING, ET | NE | PG, GP, 0 },
	{ "PG with PE (legacy paging on)", PROT_NOPAGING, PE | ET | NE | PG, 0, PE | ET | NE | PG },
	/* Clearing PG: never in 64-bit mode; from compatibility mode only with PCIDE = 0. */
	{ "clear PG in 64-bit mode", LONG64, PE | ET | NE | WP, GP, 0 },
	{ "clear PG and PE in 64-bit mode", LONG64, ET | NE | WP, GP, 0 },
	{ "clear PG in compatibility mode, PCIDE=0", COMPAT, PE | ET | NE | WP, 0, PE | ET | NE | WP },
	{ "clear PG in compatibility mode, PCIDE=1", COMPAT_PCIDE, PE | ET | NE | WP, GP, 0 },
	{ "clear PG outside long mode", LEGACY_PAGING, PE | ET | NE, 0, PE | ET | NE },
	{ "keep PG in 64-bit mode (other bits change)", LONG64, PG | PE | ET | NE | WP | TS, 0,
	  PG | PE | ET | NE | WP | TS },
	/* Activating IA-32e mode needs PAE. */
	{ "PG on with LME=1, PAE=0", LME_NOPAE, PG | PE | ET | NE, GP, 0 },
	{ "PG on with LME=1, PAE=1", LME_PAE, PG | PE | ET | NE, 0, PG | PE | ET | NE },
	{ "PG stays off with LME=1, PAE=0", LME_NOPAE, PE | ET | NE | MP, 0, PE | ET | NE | MP },
	/* CET needs WP. */
	{ "WP=0 with CR4.CET=1", CET_ON, PG | PE | ET | NE, GP, 0 },
	{ "WP=1 with CR4.CET=1", CET_ON, PG | PE | ET | NE | WP | AM, 0, PG | PE | ET | NE | WP | AM },
	{ "WP=0 with CET=0", LONG64, PG | PE | ET | NE, 0, PG | PE | ET | NE },
	/* §4.6 item 5: reserved bits 31:0 are ignored, ET reads as 1. */
	{ "reserved 6-15,17,19-28 dropped", PROT_NOPAGING, PE | ET | NE | CR0_RESERVED_LOW, 0, PE | ET | NE },
	{ "bit 6 dropped", PROT_NOPAGING, PE | ET | (1ull << 6), 0, PE | ET },
	{ "bit 15 dropped", PROT_NOPAGING, PE | ET | (1ull << 15), 0, PE | ET },
	{ "bit 17 dropped", PROT_NOPAGING, PE | ET | (1ull << 17), 0, PE | ET },
	{ "bit 19 dropped", PROT_NOPAGING, PE | ET | (1ull << 19), 0, PE | ET },
	{ "bit 28 dropped", PROT_NOPAGING, PE | ET | (1ull << 28), 0, PE | ET },
	{ "every bit of 31:0 with CD (NW too)", REAL_MODE, 0xFFFFFFFFull, 0,
	  PE | MP | EM | TS | ET | NE | WP | AM | NW | CD | PG },
	{ "ET written 0 reads 1 (protected)", PROT_NOPAGING, PE | NE, 0, PE | ET | NE },
	{ "ET written 0 reads 1 (zero)", REAL_MODE, 0, 0, ET },
	/* The remaining defined bits pass through. */
	{ "TS passes", PROT_NOPAGING, PE | ET | TS, 0, PE | ET | TS },
	{ "MP passes", PROT_NOPAGING, PE | ET | MP, 0, PE | ET | MP },
	{ "EM passes", PROT_NOPAGING, PE | ET | EM, 0, PE | ET | EM },
	{ "NE passes", PROT_NOPAGING, PE | ET | NE, 0, PE | ET | NE },
	{ "AM passes", PROT_NOPAGING, PE | ET | AM, 0, PE | ET | AM },
	{ "TS|MP|EM|NE|AM|WP together", PROT_NOPAGING, PE | TS | MP | EM | NE | AM | WP, 0,
	  PE | ET | TS | MP | EM | NE | AM | WP },
	{ "TS cleared", { .cr0 = PE | ET | NE | TS }, PE | ET | NE, 0, PE | ET | NE },
};

static const struct cr_row cr4_rows[] = {
	/* `allowed` is a column of its own below; these rows use ALLOWED_ALL unless they say otherwise. */
	{ "PAE|PGE|OSFXSR in protected mode", PROT_NOPAGING, C4_PAE | C4_PGE | C4_OSFXSR, 0,
	  C4_PAE | C4_PGE | C4_OSFXSR },
	{ "zero in protected mode", PROT_NOPAGING, 0, 0, 0 },
	{ "clear PAE while EFER.LMA", LONG64, C4_PGE, GP, 0 },
	{ "clear PAE while EFER.LMA (compat)", COMPAT, 0, GP, 0 },
	{ "keep PAE while EFER.LMA", LONG64, C4_PAE | C4_PGE, 0, C4_PAE | C4_PGE },
	{ "clear PAE with LME but not LMA", LME_PAE, 0, 0, 0 },
	{ "PCIDE 0->1 outside IA-32e mode", LEGACY_PAGING, C4_PCIDE, GP, 0 },
	{ "PCIDE 0->1 with LME but not LMA", LME_PAE, C4_PAE | C4_PCIDE, GP, 0 },
	{ "PCIDE 0->1 in 64-bit mode", LONG64, C4_PAE | C4_PCIDE, 0, C4_PAE | C4_PCIDE },
	{ "PCIDE 0->1 in compatibility mode", COMPAT, C4_PAE | C4_PCIDE, 0, C4_PAE | C4_PCIDE },
	{ "PCIDE 0->1 in 64-bit mode with CR3[11:0] != 0",
	  { .cr0 = PG | PE | ET | NE | WP, .cr3 = 0x1005, .cr4 = C4_PAE, .efer = LME | LMA, .in_64bit_mode = true },
	  C4_PAE | C4_PCIDE, GP, 0 },
	{ "PCIDE 1->1 in 64-bit mode", COMPAT_PCIDE, C4_PAE | C4_PCIDE | C4_PGE, 0, C4_PAE | C4_PCIDE | C4_PGE },
	{ "PCIDE 1->0 in 64-bit mode", COMPAT_PCIDE, C4_PAE, 0, C4_PAE },
	{ "CET with CR0.WP=0", { .cr0 = PG | PE | ET | NE, .cr4 = C4_PAE, .efer = LME | LMA, .in_64bit_mode = true },
	  C4_PAE | C4_CET, GP, 0 },
	{ "CET with CR0.WP=0 (no paging)", PROT_NOPAGING, C4_CET, GP, 0 },
	{ "CET with CR0.WP=1", LONG64, C4_PAE | C4_CET, 0, C4_PAE | C4_CET },
	{ "CET stays with WP=1", CET_ON, C4_PAE | C4_CET | C4_PGE, 0, C4_PAE | C4_CET | C4_PGE },
};

#define ALLOWED_ALL (C4_PAE | C4_PGE | C4_OSFXSR | C4_VMXE | C4_PCIDE | C4_CET | 0x7Full)

static void check_row(const struct cr_row *r, int ret, u64 result, const char *which)
{
	if (ret != r->ret || (r->ret == 0 && result != r->result)) {
		print_error("%s \"%s\": cr0=0x%llx cr4=0x%llx efer=0x%llx 64bit=%d value=0x%llx: "
			    "got ret %d result 0x%llx, expected ret %d result 0x%llx\n",
			    which, r->what, r->ctx.cr0, r->ctx.cr4, r->ctx.efer, r->ctx.in_64bit_mode, r->value, ret,
			    result, r->ret, r->result);
		fail();
	}
}

static void test_cr0_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cr0_rows); i++) {
		const struct cr_row *r = &cr0_rows[i];
		u64 result = 0xDEADBEEFDEADBEEFull;
		int ret = cr0_check_write(&r->ctx, r->value, &result);
		check_row(r, ret, result, "cr0");
	}
}

/* The cache modes (§4.1 table): each CD/NW combination, from each starting combination. */
static void test_cr0_cache_modes(void **state)
{
	(void)state;
	const u64 modes[4] = { 0, CD, NW, CD | NW };
	for (int from = 0; from < 4; from++) {
		if (modes[from] == NW)
			continue; /* not a reachable state */
		for (int to = 0; to < 4; to++) {
			struct cr_context c = { .cr0 = PE | ET | NE | modes[from] };
			u64 result = 0;
			int ret = cr0_check_write(&c, PE | ET | NE | modes[to], &result);
			if (modes[to] == NW) {
				assert_int_equal(ret, GP);
			} else {
				assert_int_equal(ret, 0);
				assert_int_equal(result, PE | ET | NE | modes[to]);
			}
		}
	}
}

/* Every single bit 63:32 #GPs, whatever the low half holds. */
static void test_cr0_upper_half(void **state)
{
	(void)state;
	struct cr_context c = PROT_NOPAGING;
	for (int bit = 32; bit < 64; bit++) {
		u64 result = 0;
		assert_int_equal(cr0_check_write(&c, PE | ET | (1ull << bit), &result), GP);
		assert_int_equal(cr0_check_write(&c, 0, &result), 0); /* sanity: the low half alone is fine */
	}
}

/* Every single bit of 31:0 written alone from real mode: defined bits kept, reserved ones dropped, ET always 1. */
static void test_cr0_single_bits(void **state)
{
	(void)state;
	const u64 defined = PE | MP | EM | TS | ET | NE | WP | AM | NW | CD | PG;
	assert_int_equal(defined | CR0_RESERVED_LOW, 0xFFFFFFFFull); /* the two sets cover 31:0 */
	assert_int_equal(defined & CR0_RESERVED_LOW, 0);
	for (int bit = 0; bit < 32; bit++) {
		struct cr_context c = REAL_MODE;
		u64 v = 1ull << bit, result = 0;
		int ret = cr0_check_write(&c, v, &result);
		if (v == NW || v == PG) { /* NW without CD, PG without PE */
			assert_int_equal(ret, GP);
			continue;
		}
		assert_int_equal(ret, 0);
		assert_int_equal(result, (v & defined) | ET);
	}
}

static void test_cr0_reset_value(void **state)
{
	(void)state;
	assert_int_equal(cr0_reset_value(), 0x60000010ull); /* §4.1, R4.3, §4.6 item 1 */
}

/* §4.1 / R4.3 / §4.6 item 7: INIT keeps exactly CD and NW, sets ET, clears everything else. */
static void test_cr0_init_value(void **state)
{
	(void)state;
	const u64 others[] = {
		0,
		ET,
		PE | ET | NE,
		PG | PE | ET | NE | WP | AM | TS | MP | EM,
		0xFFFFFFFFull & ~(CD | NW),
		0xFFFFFFFF00000000ull, /* cannot happen, but nothing of it may survive */
	};
	const u64 cdnw[4] = { 0, CD, NW, CD | NW };
	for (size_t i = 0; i < ARRAY_SIZE(others); i++) {
		for (int k = 0; k < 4; k++) {
			u64 before = others[i] | cdnw[k];
			u64 got = cr0_init_value(before);
			if (got != (ET | cdnw[k])) {
				print_error("cr0_init_value(0x%llx) = 0x%llx, expected 0x%llx\n", before, got, ET | cdnw[k]);
				fail();
			}
		}
	}
	/* The two literal cases of §4.6 item 7. */
	assert_int_equal(cr0_init_value(PG | PE | ET | NE | WP), 0x00000010ull);
	assert_int_equal(cr0_init_value(PG | PE | ET | NE | WP | CD | NW), 0x60000010ull);
	/* INIT after RESET gives the RESET value back. */
	assert_int_equal(cr0_init_value(cr0_reset_value()), cr0_reset_value());
}

static void test_cr4_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cr4_rows); i++) {
		const struct cr_row *r = &cr4_rows[i];
		u64 result = 0xDEADBEEFDEADBEEFull;
		int ret = cr4_check_write(&r->ctx, r->value, ALLOWED_ALL, &result);
		check_row(r, ret, result, "cr4");
	}
}

/* Bits outside `allowed` #GP; bits inside it pass (when the other rules allow). */
static void test_cr4_allowed(void **state)
{
	(void)state;
	struct cr_context c = PROT_NOPAGING;
	u64 result = 0;
	const u64 allowed = C4_PAE | C4_PGE | C4_OSFXSR;

	assert_int_equal(cr4_check_write(&c, C4_PAE | C4_PGE | C4_OSFXSR, allowed, &result), 0);
	assert_int_equal(result, C4_PAE | C4_PGE | C4_OSFXSR);
	assert_int_equal(cr4_check_write(&c, C4_PAE | C4_VMXE, allowed, &result), GP);
	assert_int_equal(cr4_check_write(&c, 1ull << 32, allowed, &result), GP);
	assert_int_equal(cr4_check_write(&c, 1ull << 63, allowed, &result), GP);

	/* Walk every bit: allowed ones pass on their own (PAE, PGE, OSFXSR need nothing else here), others #GP. */
	for (int bit = 0; bit < 64; bit++) {
		u64 v = 1ull << bit;
		int ret = cr4_check_write(&c, v, allowed, &result);
		if (v & allowed) {
			assert_int_equal(ret, 0);
			assert_int_equal(result, v);
		} else {
			assert_int_equal(ret, GP);
		}
	}

	/* PCIDE and CET must also be in `allowed`, even where the mode rules would accept them. */
	struct cr_context lm = LONG64;
	assert_int_equal(cr4_check_write(&lm, C4_PAE | C4_PCIDE, C4_PAE, &result), GP);
	assert_int_equal(cr4_check_write(&lm, C4_PAE | C4_CET, C4_PAE, &result), GP);
	assert_int_equal(cr4_check_write(&lm, C4_PAE | C4_CET, C4_PAE | C4_CET, &result), 0);
	assert_int_equal(result, C4_PAE | C4_CET);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cr0_table),
		cmocka_unit_test(test_cr0_cache_modes),
		cmocka_unit_test(test_cr0_upper_half),
		cmocka_unit_test(test_cr0_single_bits),
		cmocka_unit_test(test_cr0_reset_value),
		cmocka_unit_test(test_cr0_init_value),
		cmocka_unit_test(test_cr4_table),
		cmocka_unit_test(test_cr4_allowed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
