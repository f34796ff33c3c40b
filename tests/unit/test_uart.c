/* Host unit tests for the guest's 16550 (hv/platform/rules/uart.c): how output becomes lines (ends of line, an
 * over-long line split, control bytes escaped), and that uart_put_plain(), the fast path's share, takes a
 * byte exactly when the full THR write would only have appended it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "hv/platform/rules/uart.h"

#define THR 0
#define LCR 3
#define LCR_DLAB 0x80u

static char lines[8][UART_LINE_MAX + 1];
static unsigned nlines;

static void on_line(void *ctx, const char *line)
{
	(void)ctx;
	assert_true(nlines < 8);
	strcpy(lines[nlines++], line);
}

static struct uart fresh(void)
{
	nlines = 0;
	return (struct uart){ .on_line = on_line };
}

static void out(struct uart *u, u16 reg, u32 value)
{
	uart_access(u, reg, false, &value);
}

static void puts_thr(struct uart *u, const char *s)
{
	while (*s)
		out(u, THR, (u8)*s++);
}

static void test_lines(void **state)
{
	(void)state;
	struct uart u = fresh();
	puts_thr(&u, "ok 1\r\n\nab");
	assert_int_equal(nlines, 2);
	assert_string_equal(lines[0], "ok 1");
	assert_string_equal(lines[1], ""); /* an empty line is a line */
	uart_flush(&u);
	assert_int_equal(nlines, 3);
	assert_string_equal(lines[2], "ab");
}

static void test_escapes(void **state)
{
	(void)state;
	struct uart u = fresh();
	out(&u, THR, 0x1B);
	out(&u, THR, '\t');
	out(&u, THR, 0x00);
	out(&u, THR, 0xFF);
	out(&u, THR, '\n');
	assert_int_equal(nlines, 1);
	assert_string_equal(lines[0], "\\x1b\t\\x00\\xff");
}

/* A line longer than UART_LINE_MAX is split, not cut: every byte arrives, plain or escaped. */
static void test_long_line_split(void **state)
{
	(void)state;
	struct uart u = fresh();
	for (unsigned i = 0; i < UART_LINE_MAX + 3; i++)
		out(&u, THR, 'a' + i % 26);
	out(&u, THR, 0x07);
	out(&u, THR, '\n');
	assert_int_equal(nlines, 2);
	assert_int_equal(strlen(lines[0]), UART_LINE_MAX);
	assert_int_equal(lines[0][UART_LINE_MAX - 1], 'a' + (UART_LINE_MAX - 1) % 26);
	assert_string_equal(lines[1], "ghi\\x07"); /* 240 % 26 = 6 */
	/* An escape that would not fit in the rest of a line starts the next one. */
	u = fresh();
	for (unsigned i = 0; i < UART_LINE_MAX - 2; i++)
		out(&u, THR, 'x');
	out(&u, THR, 0x01);
	uart_flush(&u);
	assert_int_equal(nlines, 2);
	assert_int_equal(strlen(lines[0]), UART_LINE_MAX - 2);
	assert_string_equal(lines[1], "\\x01");
}

/* The fast path takes a byte only where uart_access() would just have appended it, and then the two
 * leave the same state. */
static void test_put_plain_matches_thr_write(void **state)
{
	(void)state;
	static const u8 bytes[] = { 'a', ' ', '~', '\t', 0x7F, 0x1F, '\n', '\r', 0x80, 0 };
	static const u32 fill[] = { 0, 1, UART_LINE_MAX - 1, UART_LINE_MAX };
	for (unsigned dlab = 0; dlab < 2; dlab++)
		for (unsigned f = 0; f < sizeof(fill) / sizeof(fill[0]); f++)
			for (unsigned b = 0; b < sizeof(bytes); b++) {
				struct uart fast = fresh(), full;
				for (u32 i = 0; i < fill[f]; i++)
					out(&fast, THR, 'x');
				out(&fast, LCR, dlab ? LCR_DLAB : 0);
				full = fast;
				bool plain = bytes[b] >= ' ' && bytes[b] < 0x7F;
				bool taken = uart_put_plain(&fast, bytes[b]);
				assert_int_equal(taken, (plain || bytes[b] == '\t') && !dlab && fill[f] < UART_LINE_MAX);
				if (!taken) {
					assert_memory_equal(&fast, &full, sizeof(fast)); /* nothing changed */
					continue;
				}
				unsigned before = nlines;
				out(&full, THR, bytes[b]);
				assert_int_equal(nlines, before);
				assert_memory_equal(&fast, &full, sizeof(fast));
			}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_long_line_split),
		cmocka_unit_test(test_put_plain_matches_thr_write),
	};
	return cmocka_run_group_tests_name("uart", tests, NULL, NULL);
}
