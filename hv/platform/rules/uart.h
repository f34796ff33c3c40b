/* The guest's 16550 UART at 0x3F8: transmit only. Output is collected into lines for the runner. */
#ifndef HV_PLATFORM_UART_H
#define HV_PLATFORM_UART_H

#include "../../lib/types.h"

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
/* A THR write of a byte that only joins the current line (printable, room left, DLAB clear): done, true.
 * Anything else (end of line, a byte shown escaped, a full line): false, nothing changed; uart_access()
 * does it. The fast path's share of the UART (hv/fast_path.c). */
bool uart_put_plain(struct uart *u, u8 byte);
/* Delivers a partial last line (a guest that stopped mid-line loses nothing). */
void uart_flush(struct uart *u);

#endif
