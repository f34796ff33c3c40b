/* Host unit tests for the built-in guests' LZ unpacker (hv/lib/lz.h): hand-made streams with every length
 * form, and malformed ones, which must fail without a byte outside the buffers touched. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "hv/lib/lz.h"

#define GUARD 0xA5
#define CAP 1200

static u8 out[CAP + 16];

/* Unpacks into out (with guard bytes after out_len); -1 or 0 as lz_unpack, the guard checked. */
static int unpack(const u8 *in, u64 in_len, u64 out_len)
{
	memset(out, GUARD, sizeof(out));
	int r = lz_unpack(in, in_len, out, out_len);
	for (u64 i = out_len; i < sizeof(out); i++)
		assert_int_equal(out[i], GUARD);
	return r;
}

static void test_literals_only(void **state)
{
	static const u8 s[] = { 0x30, 'a', 'b', 'c' };
	assert_int_equal(unpack(s, sizeof(s), 3), 0);
	assert_memory_equal(out, "abc", 3);
	static const u8 empty[] = { 0x00 };
	assert_int_equal(unpack(empty, 1, 0), 0);
	assert_int_equal(unpack(empty, 0, 0), 0); /* no sequence at all: nothing */
}

static void test_match_and_overlap(void **state)
{
	/* "ab", then distance 2 length 6 (overlapping: "ababab"), then "Z". */
	static const u8 s[] = { 0x22, 'a', 'b', 2, 0, 0, 0x10, 'Z' };
	assert_int_equal(unpack(s, sizeof(s), 9), 0);
	assert_memory_equal(out, "abababab" "Z", 9);
	/* A run of one byte: distance 1. */
	static const u8 r[] = { 0x1F, 'x', 1, 0, 0, 0 };                /* 15 + 0 + 4 = 19 copies */
	assert_int_equal(unpack(r, sizeof(r), 20), 0);
	for (int i = 0; i < 20; i++)
		assert_int_equal(out[i], 'x');
}

static void test_long_counts(void **state)
{
	/* 15 + 255 + 30 = 300 literals, then a match of 15 + 4 + 255 + 255 + 1 = 530 at distance 300. */
	static u8 s[1 + 2 + 300 + 3 + 3];
	u64 n = 0;
	s[n++] = 0xFF;
	s[n++] = 255;
	s[n++] = 30;
	for (int i = 0; i < 300; i++)
		s[n++] = (u8)(i * 7);
	s[n++] = 300 & 0xFF;
	s[n++] = 300 >> 8;
	s[n++] = 0;
	s[n++] = 255;
	s[n++] = 255;
	s[n++] = 1;
	assert_int_equal(n, sizeof(s));
	assert_int_equal(unpack(s, n, 830), 0);
	for (int i = 0; i < 830; i++)
		assert_int_equal(out[i], (u8)((i % 300) * 7));
	assert_int_equal(unpack(s, n, 829), -1); /* one byte short of room */
	assert_int_equal(unpack(s, n, 831), -1); /* not filled */
	assert_int_equal(unpack(s, n - 1, 830), -1); /* the count cut off */
}

static void test_malformed(void **state)
{
	static const u8 dist0[] = { 0x10, 'a', 0, 0, 0, 0x00 };
	assert_int_equal(unpack(dist0, sizeof(dist0), 5), -1);
	static const u8 before_start[] = { 0x10, 'a', 2, 0, 0, 0x00 }; /* distance 2 with 1 byte out */
	assert_int_equal(unpack(before_start, sizeof(before_start), 5), -1);
	static const u8 short_lit[] = { 0x40, 'a', 'b' };              /* 4 literals, 2 there */
	assert_int_equal(unpack(short_lit, sizeof(short_lit), 4), -1);
	static const u8 short_dist[] = { 0x10, 'a', 1, 0 };           /* distance cut to 2 bytes */
	assert_int_equal(unpack(short_dist, sizeof(short_dist), 5), -1);
	static const u8 lit_past_out[] = { 0x30, 'a', 'b', 'c' };
	assert_int_equal(unpack(lit_past_out, sizeof(lit_past_out), 2), -1);
	static const u8 match_past_out[] = { 0x10, 'a', 1, 0, 0, 0x00 }; /* 1 + 4 bytes into 4 */
	assert_int_equal(unpack(match_past_out, sizeof(match_past_out), 4), -1);
	static const u8 endless[] = { 0xF0, 255, 255 };                /* a count that never ends */
	assert_int_equal(unpack(endless, sizeof(endless), CAP), -1);
	static const u8 far[] = { 0x10, 'a', 0xFF, 0xFF, 0xFF, 0x00 }; /* the largest distance */
	assert_int_equal(unpack(far, sizeof(far), 5), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_literals_only),
		cmocka_unit_test(test_match_and_overlap),
		cmocka_unit_test(test_long_counts),
		cmocka_unit_test(test_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
