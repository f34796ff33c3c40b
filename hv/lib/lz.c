/* LZ unpacking for the built-in guest images (lz.h): every length and distance is checked first. */
#include "lz.h"

/* A count that started as a nibble: 15 means bytes follow, added up until one is below 255. */
static bool read_count(const u8 *in, u64 in_len, u64 *pos, u64 *count)
{
	if (*count != LZ_RUN_MORE)
		return true;
	for (;;) {
		if (*pos >= in_len)
			return false;
		u8 b = in[(*pos)++];
		*count += b;
		if (b != 255)
			return true;
	}
}

int lz_unpack(const u8 *in, u64 in_len, u8 *out, u64 out_len)
{
	u64 ip = 0, op = 0;
	while (ip < in_len) {
		u8 token = in[ip++];
		u64 lit = token >> 4, match = token & 0xF;
		if (!read_count(in, in_len, &ip, &lit) || lit > in_len - ip || lit > out_len - op)
			return -1;
		for (u64 i = 0; i < lit; i++)
			out[op++] = in[ip++];
		if (ip == in_len)
			break; /* the last sequence: literals only */
		if (in_len - ip < 3)
			return -1;
		u64 dist = (u64)in[ip] | (u64)in[ip + 1] << 8 | (u64)in[ip + 2] << 16;
		ip += 3;
		if (!read_count(in, in_len, &ip, &match))
			return -1;
		match += LZ_MIN_MATCH;
		if (dist == 0 || dist > op || match > out_len - op)
			return -1;
		for (u64 i = 0; i < match; i++, op++) /* byte by byte: a match may overlap what it writes */
			out[op] = out[op - dist];
	}
	return op == out_len ? 0 : -1;
}
