/* 16550 UART output. Only THR and LSR are touched: microhv captures THR writes and reports LSR as
 * always ready, and QEMU's UART works without programming the baud rate, so no init is needed. */
#include <stdarg.h>
#include "hv/lib/fmt.h"
#include "hv/rules/guest_abi.h"
#include "serial.h"
#include "x86.h"

#define UART_THR 0              /* transmit holding register */
#define UART_LSR 5              /* line status register */
#define LSR_THR_EMPTY BIT(5)    /* THR can take a byte */
#define LSR_TX_IDLE BIT(6)      /* THR and the shift register are both empty */
#define UART_POLL_LIMIT 1000000 /* a UART that never gets ready must not hang the guest: write anyway */

static void wait_lsr(u8 bits)
{
	for (u32 i = 0; i < UART_POLL_LIMIT; i++) {
		if ((inb(GUEST_UART_PORT + UART_LSR) & bits) == bits)
			return;
		cpu_relax();
	}
}

void serial_putc(char c)
{
	wait_lsr(LSR_THR_EMPTY);
	outb(GUEST_UART_PORT + UART_THR, (u8)c);
}

void serial_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		serial_putc(s[i]);
}

void serial_puts(const char *s)
{
	while (*s)
		serial_putc(*s++);
}

void serial_flush(void)
{
	wait_lsr(LSR_THR_EMPTY | LSR_TX_IDLE);
}

int printf(const char *fmt, ...)
{
	static const char cut_marker[] = "...\n";
	char buf[PRINTF_MAX];
	va_list ap;

	va_start(ap, fmt);
	int len = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (len < 0)
		return len;
	if ((size_t)len < sizeof(buf)) {
		serial_write(buf, (size_t)len);
	} else {
		serial_write(buf, sizeof(buf) - 1);
		serial_puts(cut_marker);
	}
	return len;
}
