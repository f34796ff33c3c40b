/* Host unit tests for the host's processor list (hv/rules/madt.h): the RSDP -> XSDT/RSDT -> MADT walk with its
 * checksums, and which MADT entries count as processors to take over. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "hv/rules/madt.h"

static u8 rsdp[36], xsdt[36 + 8], rsdt[36 + 4], madt[2048], fadt[36];
static u32 madt_len;

static void fix_checksum(u8 *t, u32 len, u32 at)
{
	u8 sum = 0;
	t[at] = 0;
	for (u32 i = 0; i < len; i++)
		sum = (u8)(sum + t[i]);
	t[at] = (u8)-sum;
}

static void header(u8 *t, const char *sig, u32 len)
{
	memcpy(t, sig, 4);
	memcpy(t + 4, &len, 4);
	fix_checksum(t, len, 9);
}

static void madt_begin(void)
{
	memset(madt, 0, sizeof(madt));
	madt_len = 44;
}

static void madt_lapic(u8 apic_id, u32 flags)
{
	u8 *e = madt + madt_len;
	e[0] = 0, e[1] = 8, e[2] = apic_id, e[3] = apic_id;
	memcpy(e + 4, &flags, 4);
	madt_len += 8;
}

static void madt_x2apic(u32 apic_id, u32 flags)
{
	u8 *e = madt + madt_len;
	e[0] = 9, e[1] = 16;
	memcpy(e + 4, &apic_id, 4);
	memcpy(e + 8, &flags, 4);
	madt_len += 16;
}

static void madt_end(void)
{
	header(madt, "APIC", madt_len);
}

/* An RSDP of revision 2 whose XSDT lists a FADT and the MADT (rev 0: its RSDT lists them). */
static void build_tables(u8 revision)
{
	u64 entries[2] = { (u64)(uintptr_t)fadt, (u64)(uintptr_t)madt };
	header(fadt, "FACP", sizeof(fadt));
	memcpy(xsdt + 36, &entries[1], 8);
	header(xsdt, "XSDT", sizeof(xsdt));
	u32 low = (u32)entries[1];
	memcpy(rsdt + 36, &low, 4);
	header(rsdt, "RSDT", sizeof(rsdt));
	memset(rsdp, 0, sizeof(rsdp));
	memcpy(rsdp, "RSD PTR ", 8);
	rsdp[15] = revision;
	u32 rsdt_addr = (u32)(uintptr_t)rsdt, len = sizeof(rsdp);
	u64 xsdt_addr = (u64)(uintptr_t)xsdt;
	memcpy(rsdp + 16, &rsdt_addr, 4);
	memcpy(rsdp + 20, &len, 4);
	memcpy(rsdp + 24, &xsdt_addr, 8);
	fix_checksum(rsdp, 20, 8);
	fix_checksum(rsdp, 36, 32);
}

static void test_finds_madt_through_xsdt(void **state)
{
	madt_begin();
	madt_end();
	build_tables(2);
	assert_ptr_equal(acpi_find_table((u64)(uintptr_t)rsdp, "APIC"), madt);
	assert_null(acpi_find_table((u64)(uintptr_t)rsdp, "HPET"));
	madt[20] ^= 1; /* a table with a bad checksum is not used */
	assert_null(acpi_find_table((u64)(uintptr_t)rsdp, "APIC"));
	assert_null(acpi_find_table(0, "APIC"));
}

static void test_enabled_processors_only(void **state)
{
	struct madt_cpus cpus;
	madt_begin();
	madt_lapic(0, 1);
	madt_lapic(1, 0); /* not enabled: absent or hot-pluggable */
	madt_lapic(2, 3);
	madt_lapic(3, 2); /* online capable but not enabled */
	madt_x2apic(300, 1);
	madt_x2apic(2, 1); /* the same CPU listed twice */
	madt_end();
	assert_int_equal(madt_enabled_cpus(madt, &cpus), 0);
	assert_int_equal(cpus.n, 3);
	assert_int_equal(cpus.apic_id[0], 0);
	assert_int_equal(cpus.apic_id[1], 2);
	assert_int_equal(cpus.apic_id[2], 300);
	assert_int_equal(cpus.disabled, 2);
	assert_int_equal(cpus.dropped, 0);
}

static void test_more_than_the_maximum(void **state)
{
	struct madt_cpus cpus;
	madt_begin();
	for (u32 i = 0; i < MADT_MAX_CPUS + 3; i++)
		madt_x2apic(i, 1);
	madt_end();
	assert_true(madt_len <= sizeof(madt) || !"the test's table is too small");
	assert_int_equal(madt_enabled_cpus(madt, &cpus), 0);
	assert_int_equal(cpus.n, MADT_MAX_CPUS);
	assert_int_equal(cpus.dropped, 3);
}

static void test_malformed(void **state)
{
	struct madt_cpus cpus;
	madt_begin();
	madt_lapic(0, 1);
	madt[44 + 1] = 40; /* an entry running past the end */
	madt_end();
	assert_int_equal(madt_enabled_cpus(madt, &cpus), -EINVAL);
	madt_begin();
	madt_lapic(0, 1);
	madt[44 + 1] = 0; /* a zero length would loop forever */
	madt_end();
	assert_int_equal(madt_enabled_cpus(madt, &cpus), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_finds_madt_through_xsdt),
		cmocka_unit_test(test_enabled_processors_only),
		cmocka_unit_test(test_more_than_the_maximum),
		cmocka_unit_test(test_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
