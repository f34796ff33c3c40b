/* Console output of the test guests: the 16550 UART at GUEST_UART_PORT, transmit only. */
#ifndef GUEST_SERIAL_H
#define GUEST_SERIAL_H

#include "hv/lib/types.h"

void serial_putc(char c);
void serial_write(const char *s, size_t n);
void serial_puts(const char *s); /* no newline added */

/* Wait until the transmitter is idle, so nothing is lost when the guest exits right after. */
void serial_flush(void);

/* Formatted output through hv/lib/fmt.c; lines longer than PRINTF_MAX are cut (and end in "..."). */
#define PRINTF_MAX 512
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
