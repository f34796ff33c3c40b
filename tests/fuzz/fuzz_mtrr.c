/* libFuzzer harness for the guest MTRR MSRs (hv/rules/mtrr.c): RDMSR/WRMSR with any MSR number and value are a
 * guest's to make. IA32_PAT is validated in hv/msr.c, which is not a pure module, so it is not covered here.
 *
 * Input: MAXPHYADDR, then a sequence of operations: read, write, or RESET, each with an MSR (mostly from
 * the MTRR block) and a value.
 * Invariants (SDM Vol. 3A §12.11, spec §3.2 R3.1-R3.3): exactly IA32_MTRRCAP, the 8 variable pairs, the 11
 * fixed-range MSRs and IA32_MTRR_DEF_TYPE exist; MTRRCAP reads 0x508 and cannot be written; a write is
 * accepted iff an independent reading of the SDM's reserved-bit and memory-type rules accepts it; a read
 * returns the last accepted write (0 after RESET); a refused access changes nothing. */
#include <string.h>

#include "hv/rules/mtrr.h"
#include "tests/fuzz/fuzz.h"

#define MAX_OPS 128
#define NMSR 0x100 /* the shadow covers 0x200-0x2FF */

static bool type_ok(u64 t) { return t == 0 || t == 1 || t == 4 || t == 5 || t == 6; }

static bool implemented(u32 msr)
{
	return (msr >= 0x200 && msr <= 0x20F) || msr == 0x250 || msr == 0x258 || msr == 0x259 ||
	       (msr >= 0x268 && msr <= 0x26F) || msr == 0x2FF;
}

static u64 above(u8 maxphyaddr) { return maxphyaddr >= 64 ? 0 : ~0ull << maxphyaddr; }

static bool write_ok(u32 msr, u64 v, u8 maxphyaddr)
{
	if (!implemented(msr))
		return false;
	if (msr == 0x2FF) /* Type 7:0, FE 10, E 11 */
		return (v & ~0xCFFull) == 0 && type_ok(v & 0xFF);
	if (msr >= 0x250) { /* fixed ranges: eight type bytes */
		for (unsigned b = 0; b < 64; b += 8)
			if (!type_ok((v >> b) & 0xFF))
				return false;
		return true;
	}
	if (msr % 2 == 0) /* PHYSBASE: type 7:0, 11:8 reserved, base below MAXPHYADDR */
		return type_ok(v & 0xFF) && !(v & 0xF00) && !(v & above(maxphyaddr));
	return !(v & 0x7FF) && !(v & above(maxphyaddr)); /* PHYSMASK: 10:0 reserved, V is bit 11 */
}

static u32 pick_msr(struct fuzz_in *in)
{
	u8 sel = fuzz_u8(in);
	if (sel < 0xF0)
		return 0x200 + fuzz_u8(in); /* the MTRR/PAT block */
	if (sel < 0xF8)
		return MTRR_MSR_CAP;
	return fuzz_u32(in);
}

static u64 pick_value(struct fuzz_in *in)
{
	u8 shape = fuzz_u8(in);
	u64 v = fuzz_u64(in);
	if (shape & 1) /* valid-looking types in every byte: keep the fixed ranges reachable */
		v &= 0x0707070707070707ull;
	if (shape & 2) /* variable ranges: no high bits */
		v &= 0xFFFFFFFFFull;
	return v;
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct fuzz_in in = fuzz_in(data, size);
	u8 maxphyaddr = fuzz_u8(&in);
	struct mtrr_state s;
	u64 shadow[NMSR] = { 0 };

	mtrr_reset(&s);
	for (int op = 0; op < MAX_OPS && !fuzz_empty(&in); op++) {
		u8 kind = fuzz_u8(&in) % 8;
		u32 msr = pick_msr(&in);
		u64 v = pick_value(&in), got = 0x5A5A5A5A5A5A5A5Aull;
		bool in_block = msr >= 0x200 && msr <= 0x2FF;

		FUZZ_CHECK(mtrr_is_mtrr_msr(msr) == (msr == MTRR_MSR_CAP || (in_block && msr != MTRR_MSR_PAT)));
		if (kind == 0) {
			mtrr_reset(&s);
			memset(shadow, 0, sizeof(shadow));
		} else if (kind < 4) {
			int rc = mtrr_read(&s, msr, &got);
			if (msr == MTRR_MSR_CAP)
				FUZZ_CHECK(rc == 0 && got == 0x508);
			else if (implemented(msr))
				FUZZ_CHECK(rc == 0 && got == shadow[msr - 0x200]);
			else
				FUZZ_CHECK(rc == -EINVAL && got == 0x5A5A5A5A5A5A5A5Aull);
		} else {
			int rc = mtrr_write(&s, msr, v, maxphyaddr);
			FUZZ_CHECK((rc == 0) == write_ok(msr, v, maxphyaddr));
			FUZZ_CHECK(rc == 0 || rc == -EINVAL);
			if (rc == 0)
				shadow[msr - 0x200] = v;
		}
	}
	return 0;
}
