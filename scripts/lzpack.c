/* lzpack OUT.lz FILE...: the built-in guest images for the EFI file. Concatenates the files, each
 * padded to LZPACK_ALIGN bytes (scripts/gen-guest-table.sh computes the same offsets), compresses the
 * whole with the format of hv/lib/lz.h (greedy, hash chains, the whole input as the window), checks the
 * result with hv/lib/lz.c's lz_unpack and writes it. A host tool of the build, not part of microhv. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hv/lib/lz.h"

#define LZPACK_ALIGN 16
#define HASH_BITS 20
#define MAX_CHAIN 512 /* candidates tried per position: enough, the build stays under a second */

static unsigned char *in, *packed;
static size_t in_len, out_len, out_cap;

static void put(unsigned char b)
{
	if (out_len == out_cap) {
		out_cap = out_cap ? 2 * out_cap : 1 << 16;
		packed = realloc(packed, out_cap);
		if (!packed) {
			perror("lzpack");
			exit(1);
		}
	}
	packed[out_len++] = b;
}

static void put_count(size_t rest) /* after a nibble of LZ_RUN_MORE */
{
	for (; rest >= 255; rest -= 255)
		put(255);
	put((unsigned char)rest);
}

static void sequence(size_t lit_start, size_t lit, size_t dist, size_t match)
{
	size_t m = match ? match - LZ_MIN_MATCH : 0;
	put((unsigned char)((lit < LZ_RUN_MORE ? lit : LZ_RUN_MORE) << 4 | (m < LZ_RUN_MORE ? m : LZ_RUN_MORE)));
	if (lit >= LZ_RUN_MORE)
		put_count(lit - LZ_RUN_MORE);
	for (size_t i = 0; i < lit; i++)
		put(in[lit_start + i]);
	if (!match)
		return;
	put(dist & 0xFF);
	put(dist >> 8 & 0xFF);
	put(dist >> 16 & 0xFF);
	if (m >= LZ_RUN_MORE)
		put_count(m - LZ_RUN_MORE);
}

static unsigned hash4(size_t i)
{
	unsigned v = in[i] | in[i + 1] << 8 | in[i + 2] << 16 | (unsigned)in[i + 3] << 24;
	return (v * 2654435761u) >> (32 - HASH_BITS);
}

static void compress(void)
{
	long *head = malloc(sizeof(long) << HASH_BITS), *prev = malloc(sizeof(long) * (in_len + 1));
	if (!head || !prev) {
		perror("lzpack");
		exit(1);
	}
	for (size_t i = 0; i < (size_t)1 << HASH_BITS; i++)
		head[i] = -1;
	size_t i = 0, lit_start = 0;
	while (i + LZ_MIN_MATCH <= in_len) {
		size_t best = 0, best_dist = 0;
		long c = head[hash4(i)];
		for (int n = 0; c >= 0 && n < MAX_CHAIN; n++, c = prev[c]) {
			size_t d = i - (size_t)c, len = 0;
			if (d > LZ_MAX_DISTANCE)
				break;
			while (i + len < in_len && in[c + len] == in[i + len])
				len++;
			if (len > best) {
				best = len;
				best_dist = d;
			}
		}
		/* A match costs a token and 3 bytes of distance: one of LZ_MIN_MATCH is no cheaper than literals. */
		size_t end = best > LZ_MIN_MATCH ? i + best : i + 1;
		if (best > LZ_MIN_MATCH)
			sequence(lit_start, i - lit_start, best_dist, best);
		for (; i < end; i++) {
			if (i + LZ_MIN_MATCH > in_len)
				continue;
			unsigned h = hash4(i);
			prev[i] = head[h];
			head[h] = (long)i;
		}
		if (best > LZ_MIN_MATCH)
			lit_start = i;
	}
	sequence(lit_start, in_len - lit_start, 0, 0);
	free(head);
	free(prev);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: lzpack OUT.lz FILE...\n");
		return 2;
	}
	for (int a = 2; a < argc; a++) {
		FILE *f = fopen(argv[a], "rb");
		if (!f || fseek(f, 0, SEEK_END)) {
			perror(argv[a]);
			return 1;
		}
		long n = ftell(f);
		size_t padded = ((size_t)n + LZPACK_ALIGN - 1) / LZPACK_ALIGN * LZPACK_ALIGN;
		in = realloc(in, in_len + padded + 8);
		rewind(f);
		if (!in || fread(in + in_len, 1, (size_t)n, f) != (size_t)n) {
			perror(argv[a]);
			return 1;
		}
		memset(in + in_len + n, 0, padded - (size_t)n);
		in_len += padded;
		fclose(f);
	}
	compress();
	unsigned char *check = malloc(in_len ? in_len : 1);
	if (!check || lz_unpack(packed, out_len, check, in_len) || memcmp(check, in, in_len)) {
		fprintf(stderr, "lzpack: the packed stream does not unpack to its input\n");
		return 1;
	}
	FILE *o = fopen(argv[1], "wb");
	if (!o || fwrite(packed, 1, out_len, o) != out_len || fclose(o)) {
		perror(argv[1]);
		return 1;
	}
	printf("lzpack: %zu bytes of %d images -> %zu\n", in_len, argc - 2, out_len);
	return 0;
}
