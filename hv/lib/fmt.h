/* A small freestanding formatter, shared by the hypervisor and the test guests. */
#ifndef HV_FMT_H
#define HV_FMT_H

#include <stdarg.h>
#include "types.h"

/* Supports %d %i %u %x %X %p %s %c %%, the l/ll/z length modifiers, a field width and the '0' and '-' flags.
 * Always NUL-terminates when n > 0; returns the length the full output would have had. */
int vsnprintf(char *buf, size_t n, const char *fmt, va_list ap);
int snprintf(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);

#endif
