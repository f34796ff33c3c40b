/* The hypervisor console: COM1, polled. */
#ifndef HV_CONSOLE_H
#define HV_CONSOLE_H

#include <stdarg.h>
#include "types.h"

void console_init(void);
void console_write(const char *s, size_t n);
void console_vprintf(const char *fmt, va_list ap);
void console_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Waits until the UART has shifted out every byte (before powering off). */
void console_drain(void);

#endif
