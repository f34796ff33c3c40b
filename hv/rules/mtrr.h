/* Guest MTRR MSR emulation (spec §3.2, §3.4 R3.1-R3.3): the KVM model, i.e. 8 variable ranges, the fixed
 * ranges, WC, no SMRR, and values that are only stored. Pure.
 *
 * Architecture: Intel SDM Vol. 3A §12.11 "Memory Type Range Registers (MTRRs)" (§11.11 in older editions);
 * KVM: arch/x86/kvm/mtrr.c (post-v6.11) find_mtrr(), kvm_mtrr_valid(), kvm_mtrr_{get,set}_msr().
 *
 * Nothing here reaches hardware: the guest's MTRRs are never programmed into the host MTRRs nor used for
 * EPT/NPT memory types (R3.4). Guest RAM stays WB whatever the guest writes here.
 *
 * Lifetime: the state is all zero at RESET (R3.3, as KVM). Architecturally a hardware reset clears E and the
 * variable-range V flags and leaves the rest undefined (SDM §12.11.5 "MTRR Initialization"), so all zero is one
 * valid reset state: MTRRs disabled, everything UC. A vCPU gets it by living in zeroed memory, or explicitly
 * from mtrr_reset(). INIT leaves the MTRRs unchanged (SDM Vol. 3A Table 10-1, Table 9-1 in older editions,
 * "Processor States Following Power-up, Reset, or INIT"), so there is deliberately no INIT function. */
#ifndef HV_MTRR_H
#define HV_MTRR_H

#include "../lib/types.h"

/* MSR numbers (SDM Vol. 4 Table 2-2; SDM Vol. 3A §12.11.1, §12.11.2). */
#define MTRR_MSR_CAP 0xFEu            /* IA32_MTRRCAP, read-only */
#define MTRR_MSR_PHYSBASE0 0x200u     /* IA32_MTRR_PHYSBASEn = 0x200 + 2n, PHYSMASKn = 0x201 + 2n */
#define MTRR_MSR_FIX64K_00000 0x250u  /* 8 x 64 KiB, 0x00000-0x7FFFF */
#define MTRR_MSR_FIX16K_80000 0x258u  /* 8 x 16 KiB, 0x80000-0x9FFFF */
#define MTRR_MSR_FIX16K_A0000 0x259u  /* 8 x 16 KiB, 0xA0000-0xBFFFF */
#define MTRR_MSR_FIX4K_C0000 0x268u   /* IA32_MTRR_FIX4K_C0000 ... _F8000 = 0x268-0x26F, 8 x 4 KiB each */
#define MTRR_MSR_FIX4K_F8000 0x26Fu
#define MTRR_MSR_DEF_TYPE 0x2FFu      /* IA32_MTRR_DEF_TYPE */
#define MTRR_MSR_RANGE_FIRST 0x200u   /* 0x200-0x2FF: the architectural MTRR/PAT MSR block */
#define MTRR_MSR_RANGE_LAST 0x2FFu
#define MTRR_MSR_PAT 0x277u           /* IA32_PAT: inside the block, but not an MTRR (emulated by msr.c) */

#define MTRR_NUM_VAR 8u               /* VCNT: KVM_NR_VAR_MTRR */
#define MTRR_NUM_FIXED_16K 2u
#define MTRR_NUM_FIXED_4K 8u

/* IA32_MTRRCAP (SDM §12.11.1): VCNT 7:0, FIX 8, WC 10, SMRR 11. We report 0x508: VCNT = 8, FIX, WC, no SMRR. */
#define MTRRCAP_FIX BIT(8)
#define MTRRCAP_WC BIT(10)
#define MTRRCAP_VALUE (MTRRCAP_WC | MTRRCAP_FIX | MTRR_NUM_VAR)

/* IA32_MTRR_DEF_TYPE (SDM §12.11.2.1): Type 7:0, FE 10, E 11; bits 9:8 and 63:12 reserved. */
#define MTRR_DEF_TYPE_FE BIT(10)
#define MTRR_DEF_TYPE_E BIT(11)
#define MTRR_TYPE_MASK 0xFFull
#define MTRR_DEF_TYPE_VALID (MTRR_DEF_TYPE_E | MTRR_DEF_TYPE_FE | MTRR_TYPE_MASK) /* 0xCFF */

/* IA32_MTRR_PHYSBASEn / PHYSMASKn (SDM §12.11.2.3); bits >= MAXPHYADDR are reserved in both. */
#define MTRR_PHYSBASE_RSVD 0xF00ull   /* bits 11:8 */
#define MTRR_PHYSMASK_VALID BIT(11)   /* V */
#define MTRR_PHYSMASK_RSVD 0x7FFull   /* bits 10:0 */

/* Memory type encodings (SDM §12.11.4 / Table 12-8 "Memory Types That Can Be Encoded in MTRRs"). */
#define MTRR_TYPE_UC 0u
#define MTRR_TYPE_WC 1u
#define MTRR_TYPE_WT 4u
#define MTRR_TYPE_WP 5u
#define MTRR_TYPE_WB 6u

struct mtrr_state {
	u64 var[2 * MTRR_NUM_VAR];       /* var[2n] = PHYSBASEn (0x200 + 2n), var[2n + 1] = PHYSMASKn */
	u64 fixed_64k;                    /* 0x250 */
	u64 fixed_16k[MTRR_NUM_FIXED_16K]; /* 0x258, 0x259 */
	u64 fixed_4k[MTRR_NUM_FIXED_4K];  /* 0x268-0x26F */
	u64 def_type;                     /* 0x2FF */
};

/* True for the memory types an MTRR may hold: UC, WC, WT, WP, WB (0, 1, 4, 5, 6). 2, 3 and 7-255 are reserved. */
bool mtrr_type_valid(u64 type);

/* True for every MSR msr.c must route here: IA32_MTRRCAP and all of 0x200-0x2FF except IA32_PAT. The ones
 * not implemented (0x210-0x21F, 0x251-0x257, 0x25A-0x267, 0x270-0x2FE) then fail in mtrr_read/mtrr_write,
 * i.e. #GP (R3.1). */
bool mtrr_is_mtrr_msr(u32 msr);

/* RDMSR: 0 with *value set, or -EINVAL (#GP(0)) for an MSR that is not implemented. MTRRCAP reads 0x508; the
 * others read back exactly what was last written. *value is left untouched on failure. */
int mtrr_read(const struct mtrr_state *s, u32 msr, u64 *value);

/* WRMSR: 0 with the value stored verbatim, or -EINVAL (#GP(0), nothing stored) for MTRRCAP, an MSR that is not
 * implemented, a reserved memory type or a reserved bit set. `maxphyaddr` is the guest's MAXPHYADDR (CPUID
 * 0x80000008.EAX[7:0], 36 when absent; R3.2): PHYSBASE/PHYSMASK bits maxphyaddr..63 are reserved. */
int mtrr_write(struct mtrr_state *s, u32 msr, u64 value, u8 maxphyaddr);

/* RESET (and vCPU creation) state: everything 0 (R3.3). */
void mtrr_reset(struct mtrr_state *s);

#endif
