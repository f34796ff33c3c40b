/* Shared by the libFuzzer harnesses in tests/fuzz: a reader that turns the fuzzer's bytes into values, and
 * an assertion that survives -DNDEBUG. Reading past the end yields zeros, so a harness never has to check
 * the length itself and every input, however short, is a valid test case. */
#ifndef TESTS_FUZZ_FUZZ_H
#define TESTS_FUZZ_FUZZ_H

#include <stdio.h>
#include <stdlib.h>

#include "hv/lib/types.h"

/* An invariant of the module under test: a violation is a finding, reported like a crash. */
#define FUZZ_CHECK(cond)                                                                      \
	do {                                                                                  \
		if (!(cond)) {                                                                \
			fprintf(stderr, "fuzz invariant violated: %s (%s:%d)\n", #cond, __FILE__, \
				__LINE__);                                                    \
			abort();                                                              \
		}                                                                             \
	} while (0)

struct fuzz_in {
	const u8 *p;
	size_t n;
};

static inline struct fuzz_in fuzz_in(const u8 *data, size_t size)
{
	return (struct fuzz_in){ data, size };
}

static inline bool fuzz_empty(const struct fuzz_in *in) { return in->n == 0; }

static inline u8 fuzz_u8(struct fuzz_in *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

/* Little-endian, `bytes` bytes (at most 8). */
static inline u64 fuzz_uint(struct fuzz_in *in, unsigned bytes)
{
	u64 v = 0;
	for (unsigned i = 0; i < bytes; i++)
		v |= (u64)fuzz_u8(in) << (8 * i);
	return v;
}

static inline u16 fuzz_u16(struct fuzz_in *in) { return (u16)fuzz_uint(in, 2); }
static inline u32 fuzz_u32(struct fuzz_in *in) { return (u32)fuzz_uint(in, 4); }
static inline u64 fuzz_u64(struct fuzz_in *in) { return fuzz_uint(in, 8); }
static inline bool fuzz_bool(struct fuzz_in *in) { return fuzz_u8(in) & 1; }

/* A value in [0, n); n > 0. */
static inline u32 fuzz_below(struct fuzz_in *in, u32 n) { return fuzz_u32(in) % n; }

/* Takes up to `want` bytes as one block (fewer at the end of the input); returns how many. */
static inline size_t fuzz_take(struct fuzz_in *in, size_t want, const u8 **block)
{
	size_t got = want < in->n ? want : in->n;
	*block = in->p;
	in->p += got;
	in->n -= got;
	return got;
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

#endif
