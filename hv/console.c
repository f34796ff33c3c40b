/* COM1 16550 console. Polls LSR so no byte is lost; never uses interrupts. */
#include "console.h"
#include "fmt.h"
#include "x86.h"

#define COM1_BASE 0x3F8
#define UART_THR 0  /* transmit holding register (DLAB=0) */
#define UART_DLL 0  /* divisor latch low (DLAB=1) */
#define UART_IER 1  /* interrupt enable (DLAB=0) */
#define UART_DLM 1  /* divisor latch high (DLAB=1) */
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define LCR_8N1 0x03
#define LCR_DLAB 0x80
#define FCR_ENABLE_CLEAR 0x07
#define MCR_DTR_RTS 0x03
#define LSR_THRE 0x20 /* transmit holding register empty */
#define LSR_TEMT 0x40 /* transmitter completely idle */
#define BAUD_DIVISOR_115200 1
/* A UART that never reports ready (absent on this machine) must not hang the hypervisor. */
#define UART_SPIN_LIMIT 1000000

static bool uart_present = true;

void console_init(void)
{
	outb(COM1_BASE + UART_IER, 0);
	outb(COM1_BASE + UART_LCR, LCR_DLAB);
	outb(COM1_BASE + UART_DLL, BAUD_DIVISOR_115200);
	outb(COM1_BASE + UART_DLM, 0);
	outb(COM1_BASE + UART_LCR, LCR_8N1);
	outb(COM1_BASE + UART_FCR, FCR_ENABLE_CLEAR);
	outb(COM1_BASE + UART_MCR, MCR_DTR_RTS);
	/* An absent UART floats the bus: LSR reads all ones. */
	uart_present = inb(COM1_BASE + UART_LSR) != 0xFF;
}

static bool wait_lsr(u8 bit)
{
	for (u32 i = 0; i < UART_SPIN_LIMIT; i++)
		if (inb(COM1_BASE + UART_LSR) & bit)
			return true;
	return false;
}

static void put_byte(char c)
{
	if (!uart_present)
		return;
	if (!wait_lsr(LSR_THRE))
		uart_present = false;
	else
		outb(COM1_BASE + UART_THR, (u8)c);
}

void console_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			put_byte('\r');
		put_byte(s[i]);
	}
}

void console_vprintf(const char *fmt, va_list ap)
{
	char buf[512];
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	console_write(buf, MIN((size_t)n, sizeof(buf) - 1));
}

void console_printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	console_vprintf(fmt, ap);
	va_end(ap);
}

void console_drain(void)
{
	if (uart_present)
		wait_lsr(LSR_TEMT);
}
