/* The built-in guests' images are stored LZ-compressed in the EFI file (scripts/lzpack.c packs them at
 * build time); lz_unpack() restores them. Pure: no hardware, no globals.
 *
 * The stream is a run of sequences, each: a token byte (high nibble: literal count, low nibble: match
 * length - LZ_MIN_MATCH; 15 in either means more follows as bytes added up until one below 255), the
 * literals, then, unless the input ends there, a 3-byte little-endian distance back into the output
 * (1 .. LZ_MAX_DISTANCE) and the match. No entropy coding: the guests share most of their code (the
 * runtime), and a window as large as the whole output finds it again in every image. */
#ifndef HV_LZ_H
#define HV_LZ_H

#include "types.h"

#define LZ_MIN_MATCH 4
#define LZ_MAX_DISTANCE ((1u << 24) - 1)
#define LZ_RUN_MORE 15 /* a nibble of 15: the count goes on in the next bytes */

/* Unpacks `in` into exactly `out_len` bytes at `out`. 0 on success; -1 if the stream is malformed
 * (reads past its end, a distance before the start, a match or literals past out_len, or a length that
 * does not come out exactly). Never touches memory outside in[0..in_len) and out[0..out_len). */
int lz_unpack(const u8 *in, u64 in_len, u8 *out, u64 out_len);

#endif
