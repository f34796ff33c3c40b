/* The hypervisor console: a polled UART (COM1 until configured) and the GOP framebuffer (screen.h). */
#ifndef HV_CONSOLE_H
#define HV_CONSOLE_H

#include <stdarg.h>
#include "../boot/boot_info.h"
#include "rules/cmdline.h"
#include "lib/types.h"

/* COM1 only: the early output, before the command line is parsed. */
void console_init(void);
/* What the command line chose: console= and serial=. The screen is cleared and used if it can be; if it
 * cannot, the serial log says why once. */
void console_configure(enum console_target target, u16 serial_port, const struct boot_framebuffer *fb);
void console_write(const char *s, size_t n);
/* What a capture function does not take (returns false for) is written at once. One capture for all
 * pCPUs; it decides by the pCPU it is called on. console_write_now() bypasses it. */
typedef bool (*console_capture_fn)(const char *s, size_t n);
void console_set_capture(console_capture_fn fn);
void console_write_now(const char *s, size_t n);
void console_vprintf(const char *fmt, va_list ap);
void console_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Waits until the UART has shifted out every byte, the queued ones included (before powering off). */
void console_drain(void);
/* From now on UART output is queued in pool memory (mm.h must be up) and sent by console_poll(). */
void console_buffer(void);
/* The run loop's call: sends what the UART can take now, without waiting. */
extern u64 console_queued;
void console_pump(void);
static inline void console_poll(void)
{
	if (console_queued)
		console_pump();
}

#endif
