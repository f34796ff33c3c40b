/* Host unit tests for the guest's ACPI tables (hv/platform/acpi.h). The tables are read back the way a
 * guest does (search 0xE0000-0xFFFFF for the RSDP, follow the RSDT to the MADT, walk its entries), with
 * offsets restated from the ACPI specification (5.2.5.3, 5.2.6, 5.2.7, 5.2.12) rather than taken from the
 * builder. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hv/platform/acpi.h"

#define RAM_SIZE (1u << 20)      /* the first MiB is all the tables may touch */
#define F_SEG 0xF0000u
#define F_SEG_END 0x100000u
#define POISON 0x5A
#define MAX_TEST_CPUS 1024

static uint8_t *ram;

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint8_t sum(const uint8_t *p, uint32_t n)
{
	uint8_t s = 0;
	while (n--)
		s += *p++;
	return s;
}

static int setup(void **state)
{
	ram = malloc(RAM_SIZE);
	assert_non_null(ram);
	memset(ram, POISON, RAM_SIZE);
	return 0;
}

static int teardown(void **state)
{
	free(ram);
	return 0;
}

/* The guest's search (ACPI 5.2.5.1): 16-byte boundaries, signature and checksum over the first 20 bytes. */
static const uint8_t *find_rsdp(void)
{
	for (uint32_t a = 0xE0000; a < 0x100000; a += 16)
		if (memcmp(ram + a, "RSD PTR ", 8) == 0 && sum(ram + a, 20) == 0)
			return ram + a;
	return NULL;
}

static void expect_header(const uint8_t *t, const char *sig, uint8_t rev)
{
	assert_memory_equal(t, sig, 4);
	assert_int_equal(t[8], rev);
	assert_memory_equal(t + 10, "MICROH", 6);
	assert_int_equal(sum(t, le32(t + 4)), 0);
}

/* Builds for n vCPUs into the F segment and checks everything a guest would read. */
static void build_and_check(uint32_t n)
{
	const char *why = "untouched";

	memset(ram, POISON, RAM_SIZE);
	assert_int_equal(acpi_build_tables(ram, RAM_SIZE, F_SEG, F_SEG_END, n, &why), 0);
	const uint8_t *rsdp = find_rsdp();
	assert_non_null(rsdp);
	assert_int_equal(rsdp - ram, F_SEG);
	assert_int_equal(rsdp[15], 0); /* ACPI 1.0 RSDP */
	assert_memory_equal(rsdp + 9, "MICROH", 6);

	const uint8_t *rsdt = ram + le32(rsdp + 16);
	expect_header(rsdt, "RSDT", 1);
	assert_int_equal(le32(rsdt + 4), 36 + 4);
	const uint8_t *madt = ram + le32(rsdt + 36);
	expect_header(madt, "APIC", 1);
	assert_int_equal(le32(madt + 36), 0xFEE00000u);
	assert_int_equal(le32(madt + 40), 0); /* no PCAT_COMPAT: there is no 8259 */

	uint32_t len = le32(madt + 4), cpu = 0, off = 44;
	uint32_t xapic = n < 255 ? n : 255;
	assert_int_equal(len, 44 + xapic * 8 + (n - xapic) * 16);
	assert_true(madt - ram + len <= F_SEG_END);
	assert_int_equal(acpi_tables_size(n), madt - ram + len - F_SEG);
	while (off < len) {
		const uint8_t *e = madt + off;
		if (cpu < 255) { /* 5.2.12.2: APIC IDs 0..254 */
			assert_int_equal(e[0], 0);
			assert_int_equal(e[1], 8);
			assert_int_equal(e[2], cpu); /* ACPI processor UID */
			assert_int_equal(e[3], cpu); /* APIC ID */
			assert_int_equal(le32(e + 4), 1); /* enabled */
		} else { /* 5.2.12.12: x2APIC structure from APIC ID 255 up */
			assert_int_equal(e[0], 9);
			assert_int_equal(e[1], 16);
			assert_int_equal(e[2] | e[3], 0);
			assert_int_equal(le32(e + 4), cpu);
			assert_int_equal(le32(e + 8), 1);
			assert_int_equal(le32(e + 12), cpu);
		}
		off += e[1];
		cpu++;
	}
	assert_int_equal(off, len);
	assert_int_equal(cpu, n);
	/* Nothing written outside the tables (the padding between them is not written either). */
	assert_int_equal(ram[F_SEG - 1], POISON);
	assert_int_equal(ram[madt - ram + len], POISON);
	assert_int_equal(ram[F_SEG + 20], POISON);
	assert_string_equal(why, "untouched");
}

static void test_vcpu_counts(void **state)
{
	static const uint32_t counts[] = { 1, 2, 254, 255, 256, 288, 1023, MAX_TEST_CPUS };

	for (unsigned i = 0; i < sizeof(counts) / sizeof(counts[0]); i++)
		build_and_check(counts[i]);
}

static void test_sizes(void **state)
{
	/* RSDP 20 -> 32, RSDT 40 -> 48 (16-byte aligned tables), then the MADT. */
	assert_int_equal(acpi_tables_size(1), 32 + 48 + 44 + 8);
	assert_int_equal(acpi_tables_size(254), 32 + 48 + 44 + 254 * 8);
	assert_int_equal(acpi_tables_size(255), 32 + 48 + 44 + 255 * 8);
	assert_int_equal(acpi_tables_size(256), 32 + 48 + 44 + 255 * 8 + 16);
	assert_int_equal(acpi_tables_size(1024), 32 + 48 + 44 + 255 * 8 + 769 * 16);
	assert_true(acpi_tables_size(1024) <= F_SEG_END - F_SEG);
}

static void test_other_base(void **state)
{
	const char *why;

	memset(ram, POISON, RAM_SIZE);
	assert_int_equal(acpi_build_tables(ram, RAM_SIZE, 0xE0010, 0xE2000, 3, &why), 0);
	const uint8_t *rsdp = find_rsdp();
	assert_non_null(rsdp);
	assert_int_equal(rsdp - ram, 0xE0010);
	assert_int_equal(le32(rsdp + 16), 0xE0010 + 32); /* addresses are guest-physical */
	assert_int_equal(le32(ram + 0xE0010 + 32 + 36), 0xE0010 + 80);
}

static void expect_refused(uint32_t base, uint32_t limit, uint32_t n, uint64_t ram_size, const char *word)
{
	const char *why = NULL;

	memset(ram, POISON, RAM_SIZE);
	assert_int_equal(acpi_build_tables(ram, ram_size, base, limit, n, &why), -EINVAL);
	assert_non_null(why);
	if (!strstr(why, word))
		fail_msg("reason \"%s\" does not mention \"%s\"", why, word);
	for (uint32_t a = 0xE0000; a < 0x100000; a++) /* nothing written */
		if (ram[a] != POISON)
			fail_msg("byte 0x%x written although the build was refused", a);
}

static void test_refusals(void **state)
{
	expect_refused(F_SEG, F_SEG_END, 0, RAM_SIZE, "no vCPU");
	expect_refused(F_SEG + 8, F_SEG_END, 1, RAM_SIZE, "16-byte");
	expect_refused(0xD0000, 0xE0000, 1, RAM_SIZE, "0xE0000-0xFFFFF");
	expect_refused(0xFF000, 0x101000, 1, 2 * RAM_SIZE, "0xE0000-0xFFFFF");
	expect_refused(F_SEG, F_SEG, 1, RAM_SIZE, "0xE0000-0xFFFFF");
	expect_refused(F_SEG, F_SEG_END, 1, 0xF8000, "beyond guest RAM");
	/* Too small: the message says how much is needed and how much there is. */
	expect_refused(F_SEG, F_SEG + 0x1000, 1024, RAM_SIZE, "ACPI tables for 1024 vCPUs need 14468 bytes");
	expect_refused(F_SEG, F_SEG + 0x1000, 1024, RAM_SIZE, "holds 4096");
	/* Exactly enough is enough. */
	const char *why;
	assert_int_equal(acpi_build_tables(ram, RAM_SIZE, F_SEG, F_SEG + acpi_tables_size(300), 300, &why), 0);
	expect_refused(F_SEG, F_SEG + acpi_tables_size(300) - 1, 300, RAM_SIZE, "need");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vcpu_counts),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_other_base),
		cmocka_unit_test(test_refusals),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
