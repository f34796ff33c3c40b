/* Host unit tests for microhv's own formatter (hv/lib/fmt.h: vsnprintf, snprintf).
 * Under HOST_UNIT_TEST hv/lib/fmt.c still defines vsnprintf and snprintf, and those definitions win over
 * libc's in this binary, so these calls reach our implementation (test_ours_not_libc proves it: glibc
 * prints a null %p as "(nil)", ours as "0x0"). Calls go through volatile function pointers so the compiler
 * cannot fold a constant snprintf into a builtin. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <limits.h>

#include <cmocka.h>

#include "hv/lib/fmt.h"

static int (*volatile vsn)(char *, size_t, const char *, va_list) = vsnprintf;
static int (*volatile sn)(char *, size_t, const char *, ...) = snprintf;

static char buf[256];
static const char *volatile null_str; /* NULL, hidden from the compiler's format checks */

static int vfmt(const char *f, va_list ap)
{
	memset(buf, 'Z', sizeof(buf));
	return vsn(buf, sizeof(buf), f, ap);
}

/* Checked by the compiler like printf. */
__attribute__((format(printf, 1, 2))) static int fmt(const char *f, ...)
{
	va_list ap;
	va_start(ap, f);
	int r = vfmt(f, ap);
	va_end(ap);
	return r;
}

/* For the few formats the compiler would (rightly) warn about, e.g. "%-05d". */
static int fmt_unchecked(const char *f, ...)
{
	va_list ap;
	va_start(ap, f);
	int r = vfmt(f, ap);
	va_end(ap);
	return r;
}

#define CHECK_WITH(fn, want, ...)                                                                   \
	do {                                                                                        \
		int r_ = fn(__VA_ARGS__);                                                           \
		if (strcmp(buf, (want)) != 0 || r_ != (int)strlen(want))                          \
			fail_msg("format \"%s\": got \"%s\" (%d), want \"%s\" (%d)", #__VA_ARGS__, buf, r_, \
				 (want), (int)strlen(want));                                       \
	} while (0)
#define CHECK(want, ...) CHECK_WITH(fmt, want, __VA_ARGS__)
#define CHECK_U(want, ...) CHECK_WITH(fmt_unchecked, want, __VA_ARGS__)

static void test_ours_not_libc(void **state)
{
	CHECK("0x0", "%p", (void *)0);
	char b[8];
	assert_int_equal(sn(b, sizeof(b), "%p", (void *)0), 3);
	assert_string_equal(b, "0x0");
}

static void test_signed(void **state)
{
	CHECK("0", "%d", 0);
	CHECK("42", "%d", 42);
	CHECK("-42", "%d", -42);
	CHECK("2147483647", "%d", INT_MAX);
	CHECK("-2147483648", "%d", INT_MIN);
	CHECK("-7", "%i", -7);
	CHECK("13", "%i", 13);
	CHECK("-1 0 1", "%d %d %d", -1, 0, 1);
}

static void test_unsigned_and_hex(void **state)
{
	CHECK("0", "%u", 0u);
	CHECK("4294967295", "%u", UINT_MAX);
	CHECK("4294967295", "%u", (unsigned)-1);
	CHECK("deadbeef", "%x", 0xdeadbeefu);
	CHECK("DEADBEEF", "%X", 0xdeadbeefu);
	CHECK("0", "%x", 0u);
	CHECK("a", "%x", 10u);
	CHECK("ABCDEF", "%X", 0xabcdefu);
	CHECK("ffffffff", "%x", UINT_MAX);
}

static void test_length_modifiers(void **state)
{
	CHECK("-1", "%ld", -1L);
	CHECK("18446744073709551615", "%lu", ULONG_MAX);
	CHECK("123456789abcdef0", "%lx", 0x123456789abcdef0UL);
	CHECK("123456789ABCDEF0", "%lX", 0x123456789abcdef0UL);
	CHECK("-9223372036854775807", "%lld", -LLONG_MAX);
	CHECK("18446744073709551615", "%llu", ULLONG_MAX);
	CHECK("fedcba9876543210", "%llx", 0xfedcba9876543210ULL);
	CHECK("12345", "%zu", (size_t)12345);
	CHECK("ffffffffffffffff", "%zx", SIZE_MAX);
	/* Arguments of different sizes are consumed in order. */
	CHECK("-9223372036854775808 -5 ff 7 100000000", "%lld %d %llx %u %lx", LLONG_MIN, -5, 0xffULL, 7u,
	      0x100000000UL);
	/* A plain %u/%x reads 32 bits. */
	CHECK("1 2", "%u %x", 1u, 2u);
}

static void test_pointer(void **state)
{
	CHECK("0x1000", "%p", (void *)0x1000);
	CHECK("0xffff800000001000", "%p", (void *)0xffff800000001000ULL);
	CHECK("[0xabc]", "[%p]", (void *)0xabc);
}

static void test_string_char_percent(void **state)
{
	CHECK("hello", "%s", "hello");
	CHECK("", "%s", "");
	CHECK("key=value", "%s=%s", "key", "value");
	CHECK("A", "%c", 'A');
	CHECK("abc", "%c%c%c", 'a', 'b', 'c');
	CHECK("%", "%%");
	CHECK("100% 5%", "100%% %d%%", 5);
	CHECK("plain text", "plain text");
	CHECK_U("", "");
}

static void test_null_string(void **state)
{
	CHECK("(null)", "%s", null_str);
	CHECK("[(null)]", "[%s]", null_str);
	CHECK("  (null)", "%8s", null_str);
}

static void test_width_and_flags(void **state)
{
	CHECK("   42", "%5d", 42);
	CHECK("42   |", "%-5d|", 42);
	CHECK("00042", "%05d", 42);
	CHECK("123", "%1d", 123); /* never truncated by the width */
	CHECK("12345", "%2d", 12345);
	CHECK("       abc", "%10s", "abc");
	CHECK("abc       |", "%-10s|", "abc");
	CHECK("  x", "%3c", 'x');
	CHECK("x  |", "%-3c|", 'x');
	CHECK("0000beef", "%08x", 0xbeefu);
	CHECK("0000BEEF", "%08X", 0xbeefu);
	CHECK("ab      |", "%-8x|", 0xabu);
	CHECK("0000000000001234", "%016llx", 0x1234ULL);
	CHECK("   0", "%4u", 0u);
	CHECK("0000", "%04u", 0u);
	CHECK("      1000", "%10zu", (size_t)1000);
	CHECK_U("42   |", "%-05d|", 42); /* '-' wins over '0' */
}

static void test_negative_zero_padding(void **state)
{
	CHECK("-0042", "%05d", -42);
	CHECK("  -42", "%5d", -42);
	CHECK("-42  |", "%-5d|", -42);
	CHECK("-12345", "%03d", -12345);
	CHECK("-01", "%03d", -1);
	CHECK("-1", "%02d", -1);
	CHECK("-02147483648", "%012d", INT_MIN);
	CHECK("-000009223372036854775808", "%025lld", LLONG_MIN);
	CHECK("-0000000001", "%011ld", -1L);
}

static void test_string_precision(void **state)
{
	static const char unterminated[3] = { 'x', 'y', 'z' };

	CHECK("abc", "%.3s", "abcdef");
	CHECK("ab", "%.*s", 2, "abcdef");
	CHECK("abc", "%.*s", 10, "abc");
	CHECK("", "%.0s", "abc");
	CHECK("", "%.*s", 0, "abc");
	CHECK("abc", "%.*s", -1, "abc"); /* a negative precision is as if omitted */
	CHECK("   ab|", "%5.2s|", "abc");
	CHECK("ab   |", "%-5.2s|", "abc");
	CHECK("xyz", "%.3s", unterminated); /* never reads past the precision */
	CHECK("ab7", "%.*s%d", 2, "abc", 7);
	CHECK("(nu", "%.3s", null_str);
	CHECK("'bad wo'", "'%.*s'", 6, "bad word here"); /* the form cmdline.c uses */
}

static void test_truncation(void **state)
{
	char b[16];

	memset(b, 'Z', sizeof(b));
	assert_int_equal(sn(b, 4, "abcdef"), 6); /* the full length */
	assert_string_equal(b, "abc");
	assert_int_equal(b[4], 'Z'); /* nothing past n */

	memset(b, 'Z', sizeof(b));
	assert_int_equal(sn(b, 1, "abcdef"), 6);
	assert_int_equal(b[0], '\0');
	assert_int_equal(b[1], 'Z');

	memset(b, 'Z', sizeof(b));
	assert_int_equal(sn(b, 0, "abcdef"), 6); /* n = 0 writes nothing */
	assert_int_equal(b[0], 'Z');
	assert_int_equal(sn(NULL, 0, "%d-%s", 12345, "xy"), 8);

	memset(b, 'Z', sizeof(b));
	assert_int_equal(sn(b, 7, "abcdef"), 6); /* exactly fits */
	assert_string_equal(b, "abcdef");
	assert_int_equal(b[7], 'Z');
	assert_int_equal(sn(b, 6, "abcdef"), 6); /* one short */
	assert_string_equal(b, "abcde");

	memset(b, 'Z', sizeof(b));
	assert_int_equal(sn(b, 3, "%d", 12345), 5);
	assert_string_equal(b, "12");
	assert_int_equal(sn(b, 4, "%8d", 1), 8);
	assert_string_equal(b, "   ");
	assert_int_equal(sn(b, 5, "%s|%s", "left", "right"), 10);
	assert_string_equal(b, "left");
	assert_int_equal(sn(b, 2, "%lld", LLONG_MIN), 20);
	assert_string_equal(b, "-");
	assert_int_equal(sn(b, sizeof(b), ""), 0);
	assert_string_equal(b, "");
}

static void test_int64_min(void **state)
{
	CHECK("-9223372036854775808", "%lld", LLONG_MIN);
	CHECK("-9223372036854775808", "%ld", LONG_MIN);
	CHECK("-9223372036854775808", "%lli", (long long)INT64_MIN);
	CHECK("9223372036854775808", "%llu", (unsigned long long)INT64_MIN);
	CHECK("8000000000000000", "%llx", (unsigned long long)INT64_MIN);
	CHECK("9223372036854775807", "%lld", LLONG_MAX);
	CHECK("-2147483648", "%d", INT_MIN);
}

static void test_combined(void **state)
{
	CHECK("[qemu-svm] 3/4 0x0000002a x 50%", "[%s] %d/%u 0x%08x %c %d%%", "qemu-svm", 3, 4u, 42u, 'x', 50);
	CHECK("ok 12 - cpuid/leaf 7   |", "ok %u - %-15s|", 12u, "cpuid/leaf 7");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ours_not_libc),
		cmocka_unit_test(test_signed),
		cmocka_unit_test(test_unsigned_and_hex),
		cmocka_unit_test(test_length_modifiers),
		cmocka_unit_test(test_pointer),
		cmocka_unit_test(test_string_char_percent),
		cmocka_unit_test(test_null_string),
		cmocka_unit_test(test_width_and_flags),
		cmocka_unit_test(test_negative_zero_padding),
		cmocka_unit_test(test_string_precision),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_int64_min),
		cmocka_unit_test(test_combined),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
