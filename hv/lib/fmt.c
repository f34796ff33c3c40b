/* Freestanding string formatting and the few string helpers C code expects. */
#include "fmt.h"

#ifndef HOST_UNIT_TEST /* the host's libc provides these */
/* String instructions, 8 bytes at a time (the exit path copies and clears guest bytes and structures).
 * gnu-efi's libefi has byte-loop memset/memcpy of its own in init.o, which InitializeLib pulls in: the
 * build links a copy with those two weakened (Makefile, build/efilib/libefi.a), so these are the ones.
 * DF is clear at every call (the ABI; VM exits load the host's RFLAGS). */
void *memset(void *dst, int c, size_t n)
{
	void *d = dst;
	size_t qwords = n / 8, rest = n % 8;
	u64 pattern = 0x0101010101010101ull * (u8)c;
	__asm__ volatile("rep stosq" : "+D"(d), "+c"(qwords) : "a"(pattern) : "memory");
	__asm__ volatile("rep stosb" : "+D"(d), "+c"(rest) : "a"(pattern) : "memory");
	return dst;
}

void *memcpy(void *dst, const void *src, size_t n)
{
	void *d = dst;
	const void *s = src;
	size_t qwords = n / 8, rest = n % 8;
	__asm__ volatile("rep movsq" : "+D"(d), "+S"(s), "+c"(qwords) : : "memory");
	__asm__ volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(rest) : : "memory");
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const u8 *x = a, *y = b;
	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (u8)*a - (u8)*b;
		if (!*a)
			return 0;
	}
	return 0;
}

int strcmp(const char *a, const char *b)
{
	return strncmp(a, b, (size_t)-1);
}
#endif

struct out {
	char *buf;
	size_t cap;
	size_t len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->cap)
		o->buf[o->len] = c;
	o->len++;
}

struct spec {
	int width;
	int precision; /* for %s: the most characters to print; -1 = all */
	bool zero_pad;
	bool left;
};

static void put_padded(struct out *o, const char *s, size_t n, const struct spec *sp)
{
	int pad = sp->width > (int)n ? sp->width - (int)n : 0;
	if (!sp->left)
		while (pad-- > 0)
			put(o, sp->zero_pad ? '0' : ' ');
	for (size_t i = 0; i < n; i++)
		put(o, s[i]);
	if (sp->left)
		while (pad-- > 0)
			put(o, ' ');
}

static void put_number(struct out *o, u64 v, bool negative, unsigned base, bool upper, const struct spec *sp)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	size_t n = 0;

	do {
		tmp[sizeof(tmp) - 1 - n++] = digits[v % base];
		v /= base;
	} while (v);
	if (negative) {
		if (sp->zero_pad && sp->width > 0) {
			struct spec rest = *sp;
			put(o, '-');
			rest.width--;
			put_padded(o, tmp + sizeof(tmp) - n, n, &rest);
			return;
		}
		tmp[sizeof(tmp) - 1 - n++] = '-';
	}
	put_padded(o, tmp + sizeof(tmp) - n, n, sp);
}

/* Reads the argument for an integer conversion with `longs` l's (z counts as two). */
static u64 take_unsigned(va_list *ap, int longs)
{
	return longs ? va_arg(*ap, u64) : va_arg(*ap, unsigned int);
}

static s64 take_signed(va_list *ap, int longs)
{
	return longs ? va_arg(*ap, s64) : va_arg(*ap, int);
}

static const char *parse_spec(const char *f, struct spec *sp, int *longs, va_list *ap)
{
	*sp = (struct spec){ .precision = -1 };
	for (;; f++) {
		if (*f == '0')
			sp->zero_pad = true;
		else if (*f == '-')
			sp->left = true;
		else
			break;
	}
	while (*f >= '0' && *f <= '9')
		sp->width = sp->width * 10 + (*f++ - '0');
	if (*f == '.') {
		f++;
		sp->precision = 0;
		if (*f == '*') {
			sp->precision = va_arg(*ap, int);
			f++;
		}
		while (*f >= '0' && *f <= '9')
			sp->precision = sp->precision * 10 + (*f++ - '0');
	}
	*longs = 0;
	while (*f == 'l' || *f == 'z') {
		*longs += *f == 'z' ? 2 : 1;
		f++;
	}
	return f;
}

int vsnprintf(char *buf, size_t n, const char *fmt, va_list ap_in)
{
	struct out o = { buf, n, 0 };
	va_list ap;

	va_copy(ap, ap_in);
	for (const char *f = fmt; *f; f++) {
		if (*f != '%') {
			put(&o, *f);
			continue;
		}
		struct spec sp;
		int longs;
		f = parse_spec(f + 1, &sp, &longs, &ap);
		switch (*f) {
		case 'd':
		case 'i': {
			s64 v = take_signed(&ap, longs);
			put_number(&o, v < 0 ? -(u64)v : (u64)v, v < 0, 10, false, &sp);
			break;
		}
		case 'u':
			put_number(&o, take_unsigned(&ap, longs), false, 10, false, &sp);
			break;
		case 'x':
		case 'X':
			put_number(&o, take_unsigned(&ap, longs), false, 16, *f == 'X', &sp);
			break;
		case 'p':
			put(&o, '0');
			put(&o, 'x');
			put_number(&o, (u64)(uintptr_t)va_arg(ap, void *), false, 16, false, &sp);
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);
			if (!s)
				s = "(null)";
			size_t len = 0;
			while (s[len] && (sp.precision < 0 || len < (size_t)sp.precision))
				len++;
			put_padded(&o, s, len, &sp);
			break;
		}
		case 'c': {
			char c = (char)va_arg(ap, int);
			put_padded(&o, &c, 1, &sp);
			break;
		}
		case '\0':
			f--; /* a lone '%' at the end: stop cleanly */
			break;
		default:
			put(&o, *f);
			break;
		}
	}
	va_end(ap);
	if (n)
		buf[o.len < n ? o.len : n - 1] = '\0';
	return (int)o.len;
}

int snprintf(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = vsnprintf(buf, n, fmt, ap);
	va_end(ap);
	return r;
}
