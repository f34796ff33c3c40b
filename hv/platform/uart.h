/* The guest's 16550 UART at 0x3F8: transmit only. Output is collected into lines for the runner. */
#ifndef HV_PLATFORM_UART_H
#define HV_PLATFORM_UART_H

#include "../types.h"

#define UART_LINE_MAX 240

struct uart {
	char line[UART_LINE_MAX + 1];
	u32 len;
	u8 ier, lcr, mcr, scratch, dll, dlm;
	void (*on_line)(void *ctx, const char *line);
	void *ctx;
};

/* Handles an access to the UART's eight ports; `value` is read or written. */
void uart_access(struct uart *u, u16 offset, bool in, u32 *value);
/* Delivers a partial last line (a guest that stopped mid-line loses nothing). */
void uart_flush(struct uart *u);

#endif
