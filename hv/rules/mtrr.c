/* Guest MTRR MSRs (spec §3.2, R3.1-R3.3): KVM's find_mtrr() + kvm_mtrr_valid() + kvm_mtrr_{get,set}_msr().
 * SDM Vol. 3A §12.11 "Memory Type Range Registers (MTRRs)" (§11.11 in older editions). */
#include "mtrr.h"

#define MTRR_VALID_TYPES 0x73u /* bit t set for t in {0, 1, 4, 5, 6}: KVM valid_mtrr_type() */
#define MTRR_TYPE_LIMIT 8u     /* types 7-255 are reserved */
#define MTRR_FIXED_BYTES 8     /* a fixed-range MSR holds 8 one-byte types (SDM §12.11.2.2) */
#define MTRR_MSR_VAR_LAST (MTRR_MSR_PHYSBASE0 + 2 * MTRR_NUM_VAR - 1) /* 0x20F: PHYSMASK7 */
#define ADDRESS_BITS 64u

bool mtrr_type_valid(u64 type)
{
	return type < MTRR_TYPE_LIMIT && (MTRR_VALID_TYPES & (1u << type));
}

/* find_mtrr(): the storage behind an implemented MTRR MSR, or NULL (-> #GP). MTRRCAP has no storage. */
static const u64 *find_mtrr(const struct mtrr_state *s, u32 msr)
{
	if (msr >= MTRR_MSR_PHYSBASE0 && msr <= MTRR_MSR_VAR_LAST)
		return &s->var[msr - MTRR_MSR_PHYSBASE0];
	if (msr == MTRR_MSR_FIX64K_00000)
		return &s->fixed_64k;
	if (msr == MTRR_MSR_FIX16K_80000 || msr == MTRR_MSR_FIX16K_A0000)
		return &s->fixed_16k[msr - MTRR_MSR_FIX16K_80000];
	if (msr >= MTRR_MSR_FIX4K_C0000 && msr <= MTRR_MSR_FIX4K_F8000)
		return &s->fixed_4k[msr - MTRR_MSR_FIX4K_C0000];
	if (msr == MTRR_MSR_DEF_TYPE)
		return &s->def_type;
	return NULL;
}

/* kvm_vcpu_reserved_gpa_bits_raw(): bits 63:MAXPHYADDR. */
static u64 reserved_gpa_bits(u8 maxphyaddr)
{
	return maxphyaddr >= ADDRESS_BITS ? 0 : ~0ull << maxphyaddr;
}

/* kvm_mtrr_valid(): `msr` is known to be implemented and writable. */
static bool mtrr_value_valid(u32 msr, u64 value, u8 maxphyaddr)
{
	if (msr == MTRR_MSR_DEF_TYPE) /* SDM §12.11.2.1 */
		return !(value & ~MTRR_DEF_TYPE_VALID) && mtrr_type_valid(value & MTRR_TYPE_MASK);

	if (msr < MTRR_MSR_PHYSBASE0 || msr > MTRR_MSR_VAR_LAST) { /* fixed ranges, SDM §12.11.2.2 */
		for (int i = 0; i < MTRR_FIXED_BYTES; i++)
			if (!mtrr_type_valid((value >> (i * 8)) & MTRR_TYPE_MASK))
				return false;
		return true;
	}

	/* Variable ranges, SDM §12.11.2.3: PHYSBASEn at even MSRs, PHYSMASKn at odd ones. */
	u64 reserved = reserved_gpa_bits(maxphyaddr);
	if ((msr & 1) == 0) {
		if (!mtrr_type_valid(value & MTRR_TYPE_MASK))
			return false;
		reserved |= MTRR_PHYSBASE_RSVD;
	} else {
		reserved |= MTRR_PHYSMASK_RSVD;
	}
	return !(value & reserved);
}

bool mtrr_is_mtrr_msr(u32 msr)
{
	if (msr == MTRR_MSR_CAP)
		return true;
	return msr >= MTRR_MSR_RANGE_FIRST && msr <= MTRR_MSR_RANGE_LAST && msr != MTRR_MSR_PAT;
}

int mtrr_read(const struct mtrr_state *s, u32 msr, u64 *value)
{
	if (msr == MTRR_MSR_CAP) {
		*value = MTRRCAP_VALUE;
		return 0;
	}
	const u64 *reg = find_mtrr(s, msr);
	if (!reg)
		return -EINVAL;
	*value = *reg;
	return 0;
}

int mtrr_write(struct mtrr_state *s, u32 msr, u64 value, u8 maxphyaddr)
{
	/* MTRRCAP is read-only: it has no storage, so it fails here like any unknown MSR. */
	u64 *reg = (u64 *)find_mtrr(s, msr);
	if (!reg || !mtrr_value_valid(msr, value, maxphyaddr))
		return -EINVAL;
	*reg = value;
	return 0;
}

void mtrr_reset(struct mtrr_state *s)
{
	*s = (struct mtrr_state){ 0 };
}
