/* kl: console, result lines, exit, command line, and (64-bit) the IDT of the QEMU test kernels. */
#include "kl.h"
#include <stdarg.h>

static u32 fails;

void kl_putc(char c)
{
	if (c == '\n')
		kl_putc('\r');
	for (unsigned long i = 0; i < 100000 && !(inb(COM1_LSR) & LSR_THR_EMPTY); i++)
		pause();
	outb(COM1, (u8)c);
}

void kl_puts(const char *s)
{
	while (*s)
		kl_putc(*s++);
}

/* v / base by shift and subtract: a 32-bit kernel has no libgcc for 64-bit division. */
static u64 divmod(u64 v, unsigned base, unsigned *rem)
{
	u64 q = 0, r = 0;
	for (int i = 63; i >= 0; i--) {
		r = (r << 1) | ((v >> i) & 1);
		if (r >= base)
			r -= base, q |= 1ULL << i;
	}
	*rem = (unsigned)r;
	return q;
}

static void put_num(u64 v, unsigned base, int width, char pad)
{
	char buf[24];
	int n = 0;
	do {
		unsigned d;
		v = divmod(v, base, &d);
		buf[n++] = "0123456789abcdef"[d];
	} while (v);
	while (n < width--)
		kl_putc(pad);
	while (n)
		kl_putc(buf[--n]);
}

static void vprint(const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			kl_putc(*fmt);
			continue;
		}
		fmt++;
		char pad = ' ';
		int width = 0, longs = 0;
		if (*fmt == '0')
			pad = '0', fmt++;
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l')
			longs++, fmt++;
		u64 v = 0;
		if (*fmt == 'd' || *fmt == 'u' || *fmt == 'x')
			v = longs ? va_arg(ap, u64) : va_arg(ap, u32);
		switch (*fmt) {
		case 'd':
			if (longs ? (long long)v < 0 : (int)v < 0) {
				kl_putc('-');
				v = longs ? -v : (u32)-(int)v;
			}
			put_num(v, 10, width, pad);
			break;
		case 'u': put_num(v, 10, width, pad); break;
		case 'x': put_num(v, 16, width, pad); break;
		case 's': kl_puts(va_arg(ap, const char *)); break;
		case 'c': kl_putc((char)va_arg(ap, int)); break;
		default: kl_putc(*fmt); break;
		}
	}
}

void kl_printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vprint(fmt, ap);
	va_end(ap);
}

void kl_pass(const char *name) { kl_printf("PASS: %s\n", name); }

void kl_fail(const char *name, const char *fmt, ...)
{
	va_list ap;
	fails++;
	kl_printf("FAIL: %s ", name);
	va_start(ap, fmt);
	vprint(fmt, ap);
	va_end(ap);
	kl_putc('\n');
}

void kl_skip(const char *name, const char *why) { kl_printf("SKIP: %s %s\n", name, why); }

int kl_check(const char *name, int ok, const char *fmt, ...)
{
	va_list ap;
	if (ok) {
		kl_pass(name);
		return 1;
	}
	fails++;
	kl_printf("FAIL: %s ", name);
	va_start(ap, fmt);
	vprint(fmt, ap);
	va_end(ap);
	kl_putc('\n');
	return 0;
}

int kl_check_eq(const char *name, u64 got, u64 want)
{
	return kl_check(name, got == want, "got 0x%llx, want 0x%llx", got, want);
}

void kl_exit(u32 status)
{
	/* Wait until the UART has sent everything (LSR.TEMT), then the isa-debug-exit port. */
	for (unsigned long i = 0; i < 100000 && !(inb(COM1_LSR) & 0x40); i++)
		pause();
	outl(EXIT_PORT, status);
	for (;;)
		__asm__ volatile("cli; hlt");
}

void kl_finish(void) { kl_exit(fails ? 1 : 0); }

const char *kl_cmdline(void)
{
	const struct mb_info *mbi = (const struct mb_info *)(uptr)kl_mb_info;
	if (!(mbi->flags & (1u << 2)) || !mbi->cmdline)
		return "";
	return (const char *)(uptr)mbi->cmdline;
}

int kl_cmdline_num(const char *key, u64 *out)
{
	unsigned long kn = kl_strlen(key);
	for (const char *p = kl_cmdline(); *p; p++) {
		if ((p == kl_cmdline() || p[-1] == ' ') && !__builtin_memcmp(p, key, kn) && p[kn] == '=') {
			const char *q = p + kn + 1;
			unsigned base = 10;
			u64 v = 0;
			if (q[0] == '0' && q[1] == 'x')
				base = 16, q += 2;
			for (;; q++) {
				unsigned d;
				if (*q >= '0' && *q <= '9')
					d = (unsigned)(*q - '0');
				else if (base == 16 && *q >= 'a' && *q <= 'f')
					d = (unsigned)(*q - 'a' + 10);
				else
					break;
				v = v * base + d;
			}
			*out = v;
			return 1;
		}
	}
	return 0;
}

int kl_strcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (u8)*a - (u8)*b;
}

unsigned long kl_strlen(const char *s)
{
	unsigned long n = 0;
	while (s[n])
		n++;
	return n;
}

/* gcc may call memset/memcpy/memcmp for struct copies and loops even when freestanding. */
void *kl_memset(void *d, int c, unsigned long n)
{
	volatile u8 *p = d;
	while (n--)
		*p++ = (u8)c;
	return d;
}
void *kl_memcpy(void *d, const void *s, unsigned long n)
{
	volatile u8 *p = d;
	const u8 *q = s;
	while (n--)
		*p++ = *q++;
	return d;
}
void *memset(void *d, int c, unsigned long n) { return kl_memset(d, c, n); }
void *memcpy(void *d, const void *s, unsigned long n) { return kl_memcpy(d, s, n); }
int memcmp(const void *a, const void *b, unsigned long n)
{
	const u8 *p = a, *q = b;
	for (; n; n--, p++, q++)
		if (*p != *q)
			return *p - *q;
	return 0;
}
