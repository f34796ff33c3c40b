/* Host unit tests for the start states (hv/rules/start_state.h), checked against the SDM, not the module:
 * every value is a literal from SDM Vol. 3A Table 10-1 "IA-32 and Intel 64 Processor States Following
 * Power-up, Reset, or INIT", §9.4.4.1 (STARTUP: CS = vector << 8, base vector << 12, IP 0) and the
 * Multiboot 0.6.96 machine state (§3.2: EAX magic, EBX info, CS/DS... flat 4 GiB, CR0.PE = 1, PG = 0). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "hv/rules/start_state.h"

static void assert_segment(const struct start_segment *s, unsigned selector, uint64_t base, unsigned limit,
			   unsigned ar)
{
	assert_int_equal(s->selector, selector);
	assert_int_equal(s->base, base);
	assert_int_equal(s->limit, limit);
	assert_int_equal(s->ar, ar);
}

/* After INIT + STARTUP with vector 0x9A (Table 10-1, INIT column; CS from the SIPI). */
static void test_sipi_is_table_10_1(void **state)
{
	(void)state;
	struct start_state s;
	start_state_sipi(&s, 0x60000010, 0x9A, 0x000A0F10);

	assert_segment(&s.cs, 0x9A00, 0x9A000, 0xFFFF, 0x9B); /* present, R/W (code: execute/read), accessed */
	const struct start_segment *data[] = { &s.ds, &s.es, &s.ss, &s.fs, &s.gs };
	for (unsigned i = 0; i < 5; i++)
		assert_segment(data[i], 0, 0, 0xFFFF, 0x93); /* present, R/W, accessed */
	assert_segment(&s.ldtr, 0, 0, 0xFFFF, 0x82);  /* present, R/W (system type 2, LDT) */
	assert_segment(&s.tr, 0, 0, 0xFFFF, 0x8B);    /* present, busy TSS (VM entry requires busy) */
	assert_int_equal(s.gdtr.base, 0);
	assert_int_equal(s.gdtr.limit, 0xFFFF);
	assert_int_equal(s.idtr.base, 0);
	assert_int_equal(s.idtr.limit, 0xFFFF);
	assert_int_equal(s.rip, 0);
	assert_int_equal(s.rflags, 0x2);
	assert_int_equal(s.rdx, 0x000A0F10);  /* EDX: the processor signature */
	assert_int_equal(s.rax, 0);           /* EAX: 0 (no BIST requested) */
	assert_int_equal(s.rbx, 0);
	assert_int_equal(s.cr0, 0x60000010);
	assert_int_equal(s.cr2, 0);
	assert_int_equal(s.cr3, 0);
	assert_int_equal(s.cr4, 0);
	assert_int_equal(s.efer, 0);
	assert_int_equal(s.dr6, 0xFFFF0FF0);
	assert_int_equal(s.dr7, 0x400);
	assert_false(s.reset_msrs); /* INIT keeps PAT, SYSENTER_* and the MTRRs */
}

/* INIT keeps CD/NW: the CR0 given (cr0_init_value()) is taken as it is. */
static void test_sipi_takes_cr0(void **state)
{
	(void)state;
	struct start_state s;
	start_state_sipi(&s, 0x00000010, 0x08, 0);
	assert_int_equal(s.cr0, 0x10);
	assert_segment(&s.cs, 0x0800, 0x8000, 0xFFFF, 0x9B);
}

static void test_multiboot(void **state)
{
	(void)state;
	struct start_state s;
	start_state_multiboot(&s, 0x101000, 0x11, 0x2BADB002, 0x9000);

	assert_segment(&s.cs, 0x08, 0, 0xFFFFFFFF, 0xC09B); /* 32-bit code, 4 GiB, G */
	const struct start_segment *data[] = { &s.ds, &s.es, &s.ss, &s.fs, &s.gs };
	for (unsigned i = 0; i < 5; i++)
		assert_segment(data[i], 0x10, 0, 0xFFFFFFFF, 0xC093);
	assert_int_equal(s.rip, 0x101000);
	assert_int_equal(s.rax, 0x2BADB002);
	assert_int_equal(s.rbx, 0x9000);
	assert_int_equal(s.rdx, 0);
	assert_int_equal(s.rflags, 0x2); /* IF = 0, VM = 0 */
	assert_int_equal(s.cr0, 0x11);
	assert_int_equal(s.cr3, 0);
	assert_int_equal(s.cr4, 0);
	assert_int_equal(s.efer, 0);
	assert_int_equal(s.dr7, 0x400);
	assert_true(s.reset_msrs); /* a fresh vCPU: PAT and SYSENTER_* at their power-up values */
	assert_int_equal(s.pat, 0x0007040600070406ull);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sipi_is_table_10_1),
		cmocka_unit_test(test_sipi_takes_cr0),
		cmocka_unit_test(test_multiboot),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
