/* Basic types shared by the hypervisor, its host unit tests and the test guests.
 * Only freestanding compiler headers are used, so this builds everywhere. */
#ifndef HV_TYPES_H
#define HV_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef unsigned long long u64; /* so "%llx" fits on every target */
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef long long s64;

#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x) /* a macro's value as a string literal */
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define BIT(n) (1ull << (n))
#define ALIGN_UP(x, a) (((x) + (a) - 1) & ~((u64)(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((u64)(a) - 1))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

/* A 48-bit linear address is canonical when bits 63:47 are all equal (SDM Vol. 1 §3.3.7.1). */
static inline bool is_canonical48(u64 linear)
{
	return (u64)((s64)(linear << 16) >> 16) == linear;
}

#define PAGE_SIZE 4096ull
#define LARGE_PAGE_SIZE (2ull << 20)

/* Linux errno values: hypercalls and internal APIs return their negatives. */
#define EPERM 1
#define EBUSY 16
#define EEXIST 17
#define EINVAL 22
#define ENOMEM 12
#define ENOSYS 38
#define ENOENT 2

#endif
