/* The console: a 16550 UART (COM1, or COM2 with serial=0x2F8), polled so no byte is lost, never with
 * interrupts; and the screen (screen.c) when the firmware offers a GOP framebuffer (console=).
 * Once the page allocator runs, UART output goes into a ring in pool memory and the run loop drains it
 * (console_poll) a FIFO-full at a time whenever the transmitter is empty: at 115200 baud a byte takes
 * 87 us of line time, and waiting for each in the exit path cost more than the guests themselves (issue
 * 12). Nothing is dropped: a full ring waits for the line, and hv_finish() (every end of the run, panics
 * included) drains it all. */
#include "console.h"
#include "font.h"
#include "lib/fmt.h"
#include "log.h"
#include "mm.h"
#include "screen.h"
#include "spinlock.h"
#include "x86.h"

#define UART_THR 0  /* transmit holding register (DLAB=0) */
#define UART_DLL 0  /* divisor latch low (DLAB=1) */
#define UART_IER 1  /* interrupt enable (DLAB=0) */
#define UART_DLM 1  /* divisor latch high (DLAB=1) */
#define UART_FCR 2
#define UART_IIR 2 /* read: bits 7:6 = 11 when the FIFOs are enabled (a 16550A) */
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define LCR_8N1 0x03
#define LCR_DLAB 0x80
#define FCR_ENABLE_CLEAR 0x07
#define MCR_DTR_RTS 0x03
#define LSR_THRE 0x20 /* transmit holding register empty */
#define LSR_TEMT 0x40 /* transmitter completely idle */
#define IIR_FIFOS_ENABLED 0xC0
#define UART_FIFO_DEPTH 16 /* 16550A transmit FIFO: THRE set means all of it is free */
#define BAUD_DIVISOR_115200 1
#define RING_PAGES 64      /* 256 KiB: the suite's largest burst between two drains is far less */
/* A UART that never reports ready (absent on this machine) must not hang the hypervisor. */
#define UART_SPIN_LIMIT 1000000

static bool uart_present = true;
static u16 uart_base = CMDLINE_COM1;
static bool to_serial = true, to_screen = false; /* until console_configure(): COM1 only */
static u32 tx_burst = 1;                         /* bytes per THRE: the FIFO depth, 1 without FIFO */
static char *ring;                               /* NULL: write through (before console_buffer()) */
static u64 ring_size, ring_tail;                 /* ring_tail: bytes sent; ring_head: bytes queued */
u64 console_queued;                              /* bytes waiting in the ring (console_poll's test) */
static u64 ring_head;
/* The ring, the UART and the screen: every pCPU writes, one line at a time. */
static struct spinlock console_lock;
static console_capture_fn capture; /* hv/suite_jobs.c: a suite job's output, kept in suite order */
/* A panic may find the lock held (by its own pCPU, mid-line): it waits this long, then writes anyway. */
#define PANIC_LOCK_SPINS 100000000ull

static void uart_init(void)
{
	outb(uart_base + UART_IER, 0);
	outb(uart_base + UART_LCR, LCR_DLAB);
	outb(uart_base + UART_DLL, BAUD_DIVISOR_115200);
	outb(uart_base + UART_DLM, 0);
	outb(uart_base + UART_LCR, LCR_8N1);
	outb(uart_base + UART_FCR, FCR_ENABLE_CLEAR);
	outb(uart_base + UART_MCR, MCR_DTR_RTS);
	/* An absent UART floats the bus: LSR reads all ones. */
	uart_present = inb(uart_base + UART_LSR) != 0xFF;
	tx_burst = (inb(uart_base + UART_IIR) & IIR_FIFOS_ENABLED) == IIR_FIFOS_ENABLED ? UART_FIFO_DEPTH : 1;
}

void console_init(void)
{
	uart_init();
}

void console_configure(enum console_target target, u16 serial_port, const struct boot_framebuffer *fb)
{
	if (serial_port != uart_base) {
		uart_base = serial_port;
		uart_init();
	}
	to_serial = target & CONSOLE_SERIAL;
	if (!(target & CONSOLE_SCREEN))
		return;
	const char *why_not = screen_init(fb);
	to_screen = !why_not;
	if (why_not)
		log_info("no screen console: %s", why_not);
	else
		log_info("screen console: %ux%u GOP framebuffer at 0x%llx, %u text columns", fb->width, fb->height,
			 fb->base, fb->width / FONT_WIDTH);
}

static bool wait_lsr(u8 bit)
{
	for (u32 i = 0; i < UART_SPIN_LIMIT; i++)
		if (inb(uart_base + UART_LSR) & bit)
			return true;
	return false;
}

/* Up to one FIFO-full of the ring to the UART; `wait`: until the transmitter is empty, else only if it
 * is. An absent UART (or one that never gets ready) takes everything and sends nothing. */
static void ring_send(bool wait)
{
	if (uart_present && wait && !wait_lsr(LSR_THRE))
		uart_present = false;
	if (!uart_present) {
		ring_tail = ring_head;
	} else if (wait || (inb(uart_base + UART_LSR) & LSR_THRE)) {
		for (u32 i = 0; i < tx_burst && ring_tail != ring_head; i++, ring_tail++)
			outb(uart_base + UART_THR, (u8)ring[ring_tail % ring_size]);
	}
	console_queued = ring_head - ring_tail;
}

static void put_byte(char c)
{
	if (ring) {
		while (ring_head - ring_tail == ring_size) /* full: the line decides, as without the ring */
			ring_send(true);
		ring[ring_head++ % ring_size] = c;
		console_queued = ring_head - ring_tail;
		return;
	}
	if (!uart_present)
		return;
	if (!wait_lsr(LSR_THRE))
		uart_present = false;
	else
		outb(uart_base + UART_THR, (u8)c);
}

void console_buffer(void)
{
	ring = mm_alloc_pages(RING_PAGES, PAGE_SIZE);
	ring_size = ring ? RING_PAGES * PAGE_SIZE : 0; /* without one, write through as before */
}

void console_pump(void)
{
	if (!spin_trylock(&console_lock)) /* another pCPU is writing: it sends too */
		return;
	ring_send(false);
	spin_unlock(&console_lock);
}

void console_set_capture(console_capture_fn fn)
{
	capture = fn;
}

void console_write_now(const char *s, size_t n)
{
	spin_lock(&console_lock);
	if (to_screen)
		screen_write(s, n);
	for (size_t i = 0; to_serial && i < n; i++) {
		if (s[i] == '\n')
			put_byte('\r');
		put_byte(s[i]);
	}
	spin_unlock(&console_lock);
}

void console_write(const char *s, size_t n)
{
	if (!capture || !capture(s, n))
		console_write_now(s, n);
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
	u64 spins = 0;
	while (!spin_trylock(&console_lock) && ++spins < PANIC_LOCK_SPINS)
		cpu_relax();
	while (ring && ring_tail != ring_head)
		ring_send(true);
	if (uart_present)
		wait_lsr(LSR_TEMT);
	spin_unlock(&console_lock);
}
