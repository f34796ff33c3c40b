/* Host unit tests for the guest's ACPI tables (hv/platform/rules/acpi.h). The tables are read back the way a
 * guest does (search 0xE0000-0xFFFFF for the RSDP, follow the RSDT to the FADT and MADT, walk the MADT's
 * entries, follow the FADT to the FACS and DSDT), with offsets restated from the ACPI specification
 * (5.2.5.3, 5.2.6, 5.2.7, 5.2.9, 5.2.10, 5.2.12) and values from QEMU 7.2's q35 tables
 * (tests/data/acpi/q35/FACP in QEMU) rather than taken from the builder. The same tables also pass
 * iasl -d (acpica-tools) without a complaint. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hv/platform/rules/acpi.h"

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

static uint64_t le64(const uint8_t *p)
{
	return le32(p) | (uint64_t)le32(p + 4) << 32;
}

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
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

/* A Generic Address Structure in system I/O with this port and bit width (5.2.3.2). */
static void expect_gas_io(const uint8_t *g, uint64_t port, uint8_t bits)
{
	assert_int_equal(g[0], 1);
	assert_int_equal(g[1], bits);
	assert_int_equal(g[2] | g[3], 0);
	assert_int_equal(le64(g + 4), port);
}

/* QEMU q35's FADT, field by field (5.2.9 Table 5.9), and the FACS and DSDT it points to. */
static void check_fadt(const uint8_t *fadt, uint32_t n)
{
	expect_header(fadt, "FACP", 3);
	assert_int_equal(le32(fadt + 4), 244);
	const uint8_t *facs = ram + le32(fadt + 36), *dsdt = ram + le32(fadt + 40);
	assert_int_equal(le64(fadt + 140), le32(fadt + 40)); /* X_DSDT */
	assert_int_equal(le64(fadt + 132), 0);               /* X_FIRMWARE_CTRL: FIRMWARE_CTRL is used */
	assert_int_equal(fadt[44], 1);                       /* INT_MODEL: multiple APIC */
	assert_int_equal(le16(fadt + 46), 9);                /* SCI_INT */
	assert_int_equal(le32(fadt + 48), 0xB2);             /* SMI_CMD */
	assert_int_equal(fadt[52], 2);
	assert_int_equal(fadt[53], 3);
	assert_int_equal(le32(fadt + 56), 0x600); /* PM1a_EVT_BLK */
	assert_int_equal(le32(fadt + 60), 0);
	assert_int_equal(le32(fadt + 64), 0x604); /* PM1a_CNT_BLK */
	assert_int_equal(le32(fadt + 76), 0x608); /* PM_TMR_BLK */
	assert_int_equal(le32(fadt + 80), 0x620); /* GPE0_BLK */
	assert_int_equal(fadt[88], 4);
	assert_int_equal(fadt[89], 2);
	assert_int_equal(fadt[90], 0);
	assert_int_equal(fadt[91], 4);
	assert_int_equal(fadt[92], 16);
	assert_int_equal(le16(fadt + 96), 0xFFF);
	assert_int_equal(le16(fadt + 98), 0xFFF);
	assert_int_equal(fadt[108], 0x32); /* CENTURY */
	uint32_t flags = le32(fadt + 112);
	assert_int_equal(flags & ~(1u << 19), 0x84A5);
	assert_int_equal(!!(flags & (1u << 19)), n > 8); /* FORCE_APIC_PHYSICAL_DESTINATION_MODE */
	assert_int_equal(flags & (1u << 8), 0);          /* TMR_VAL_EXT: a 24-bit timer */
	expect_gas_io(fadt + 116, 0xCF9, 8);
	assert_int_equal(fadt[128], 0x0F);
	expect_gas_io(fadt + 148, 0x600, 32);
	expect_gas_io(fadt + 172, 0x604, 16);
	expect_gas_io(fadt + 208, 0x608, 32);
	expect_gas_io(fadt + 220, 0x620, 128);
	for (unsigned off = 160; off < 172; off++) /* X_PM1b_EVT_BLK */
		assert_int_equal(fadt[off], 0);

	assert_int_equal((facs - ram) % 64, 0); /* 5.2.10: 64-byte aligned */
	assert_memory_equal(facs, "FACS", 4);
	assert_int_equal(le32(facs + 4), 64);
	for (unsigned off = 8; off < 64; off++)
		assert_int_equal(facs[off], 0);

	static const uint8_t s5[] = { 0x08, '\\', '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0, 0, 0, 0 };
	expect_header(dsdt, "DSDT", 1);
	assert_int_equal(le32(dsdt + 4), 36 + sizeof(s5));
	assert_memory_equal(dsdt + 36, s5, sizeof(s5));
}

/* After the CPUs: the I/O APIC, QEMU's five overrides, the NMI structure. Returns the offset past them. */
static uint32_t check_interrupt_entries(const uint8_t *madt, uint32_t off, uint32_t n)
{
	static const uint8_t iso_irq[] = { 0, 5, 9, 10, 11 };
	const uint8_t *e = madt + off;
	assert_int_equal(e[0], 1); /* I/O APIC */
	assert_int_equal(e[1], 12);
	assert_int_equal(e[2], 0);
	assert_int_equal(le32(e + 4), 0xFEC00000u);
	assert_int_equal(le32(e + 8), 0);
	off += 12;
	for (unsigned i = 0; i < sizeof(iso_irq); i++, off += 10) {
		e = madt + off;
		assert_int_equal(e[0], 2);
		assert_int_equal(e[1], 10);
		assert_int_equal(e[2], 0); /* ISA */
		assert_int_equal(e[3], iso_irq[i]);
		assert_int_equal(le32(e + 4), iso_irq[i] ? iso_irq[i] : 2); /* IRQ0 -> GSI 2 */
		assert_int_equal(le16(e + 8), iso_irq[i] ? 0xD : 0);
	}
	e = madt + off;
	if (n > 255) { /* the highest APIC ID is above 254: the x2APIC form (5.2.12.13) */
		assert_int_equal(e[0], 10);
		assert_int_equal(e[1], 12);
		assert_int_equal(le16(e + 2), 0);
		assert_int_equal(le32(e + 4), 0xFFFFFFFFu);
		assert_int_equal(e[8], 1);
		return off + 12;
	}
	assert_int_equal(e[0], 4);
	assert_int_equal(e[1], 6);
	assert_int_equal(e[2], 0xFF);
	assert_int_equal(le16(e + 3), 0);
	assert_int_equal(e[5], 1); /* LINT1 */
	return off + 6;
}

static uint32_t interrupt_entries_length(uint32_t n)
{
	return 12 + 5 * 10 + (n > 255 ? 12 : 6);
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
	assert_int_equal(le32(rsdt + 4), 36 + 2 * 4);
	check_fadt(ram + le32(rsdt + 36), n);
	const uint8_t *madt = ram + le32(rsdt + 40);
	expect_header(madt, "APIC", 1);
	assert_int_equal(le32(madt + 36), 0xFEE00000u);
	assert_int_equal(le32(madt + 40), 1); /* PCAT_COMPAT, as QEMU: there is a dual 8259 */

	uint32_t len = le32(madt + 4), cpu = 0, off = 44;
	uint32_t xapic = n < 255 ? n : 255;
	assert_int_equal(len, 44 + xapic * 8 + (n - xapic) * 16 + interrupt_entries_length(n));
	assert_true(madt - ram + len <= F_SEG_END);
	assert_int_equal(acpi_tables_size(n), madt - ram + len - F_SEG);
	while (cpu < n) {
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
	off = check_interrupt_entries(madt, off, n);
	assert_int_equal(off, len);
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
	/* RSDP 20 -> 32, RSDT 44 -> 96 (the FACS is 64-byte aligned), FACS 64, DSDT 49 -> 64, FADT 244 -> 256,
	 * then the MADT: CPUs, I/O APIC 12, five overrides of 10, NMI 6 (x2APIC NMI 12 beyond 255 CPUs). */
	const uint32_t before_madt = 32 + 96 + 64 + 64 + 256, irq = 12 + 50 + 6, irq_x2 = 12 + 50 + 12;
	assert_int_equal(acpi_tables_size(1), before_madt + 44 + 8 + irq);
	assert_int_equal(acpi_tables_size(254), before_madt + 44 + 254 * 8 + irq);
	assert_int_equal(acpi_tables_size(255), before_madt + 44 + 255 * 8 + irq);
	assert_int_equal(acpi_tables_size(256), before_madt + 44 + 255 * 8 + 16 + irq_x2);
	assert_int_equal(acpi_tables_size(1024), before_madt + 44 + 255 * 8 + 769 * 16 + irq_x2);
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
	/* The FACS on the next 64-byte boundary of the address after the RSDT (0xE0010 + 76), then the DSDT
	 * (49 bytes), the FADT and the MADT, each 16-byte aligned. */
	assert_int_equal(le32(ram + 0xE0010 + 32 + 36), 0xE0100); /* the FADT */
	assert_int_equal(le32(ram + 0xE0100 + 36), 0xE0080);      /* its FACS */
	assert_int_equal(le32(ram + 0xE0100 + 40), 0xE00C0);      /* its DSDT */
	assert_int_equal(le32(ram + 0xE0010 + 32 + 40), 0xE0200); /* the MADT */
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
	expect_refused(F_SEG, F_SEG + 0x1000, 1024, RAM_SIZE, "ACPI tables for 1024 vCPUs need 14974 bytes");
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
