/* Guest MSRs. Each one is either emulated here or raises #GP(0): nothing reaches hardware by accident. */
#include "msr.h"
#include "apic/vapic.h"
#include "events.h"
#include "log.h"
#include "rules/msr_stored.h"
#include "rules/mtrr.h"
#include "rules/guest_abi.h"
#include "vm.h"
#include "x86.h"

/* EFER bits a guest may set (SCE, LME, NXE); LMA is owned by the CPU (SDM Vol. 3A §2.2.1). */
#define EFER_GUEST_WRITABLE (EFER_SCE | EFER_LME | EFER_NXE)
#define PAT_ENTRIES 8
#define PAT_TYPE_MASK 0x7u

/* What a WRMSR of a state MSR must satisfy, else #GP(0). */
enum msr_check {
	MSR_ANY,       /* every 64-bit value (STAR) */
	MSR_CANONICAL, /* a linear address: canonical (SDM Vol. 4 Table 2-2, "WRMSR ... #GP if not canonical") */
	MSR_LOW32,     /* bits 63:32 reserved (SFMASK, SYSENTER_CS) */
};

/* MSRs that are plain guest state held by the back end. */
static const struct {
	u32 msr;
	enum vreg reg;
	enum msr_check check;
} state_msrs[] = {
	{ MSR_FS_BASE, VREG_FS_BASE, MSR_CANONICAL },
	{ MSR_GS_BASE, VREG_GS_BASE, MSR_CANONICAL },
	{ MSR_KERNEL_GS_BASE, VREG_KERNEL_GS_BASE, MSR_CANONICAL },
	{ MSR_STAR, VREG_STAR, MSR_ANY },
	{ MSR_LSTAR, VREG_LSTAR, MSR_CANONICAL },
	{ MSR_CSTAR, VREG_CSTAR, MSR_CANONICAL },
	{ MSR_SFMASK, VREG_SFMASK, MSR_LOW32 },
	{ MSR_IA32_SYSENTER_CS, VREG_SYSENTER_CS, MSR_LOW32 },
	{ MSR_IA32_SYSENTER_ESP, VREG_SYSENTER_ESP, MSR_CANONICAL },
	{ MSR_IA32_SYSENTER_EIP, VREG_SYSENTER_EIP, MSR_CANONICAL },
};

static bool state_msr_value_ok(enum msr_check check, u64 value)
{
	switch (check) {
	case MSR_CANONICAL:
		return is_canonical48(value); /* no guest sees LA57: CPUID leaf 7 ECX[16] is hidden */
	case MSR_LOW32:
		return (value >> 32) == 0;
	default:
		return true;
	}
}

/* PAT entries must be UC, WC, WT, WP, WB or UC- (0, 1, 4, 5, 6, 7) (SDM Vol. 3A §13.12.2). */
static bool pat_valid(u64 pat)
{
	for (int i = 0; i < PAT_ENTRIES; i++) {
		u8 t = (u8)(pat >> (i * 8));
		if (t > PAT_TYPE_MASK || t == 2 || t == 3)
			return false;
	}
	return true;
}

static bool efer_write_valid(struct vcpu *v, u64 value)
{
	const struct backend *be = v->vm->be;
	u64 old = be->get_reg(v, VREG_EFER);
	if (value & ~(EFER_GUEST_WRITABLE | EFER_LMA))
		return false;
	/* LME may not change while paging is on (SDM Vol. 3A §9.8.5). */
	if ((be->get_reg(v, VREG_CR0) & CR0_PG) && ((old ^ value) & EFER_LME))
		return false;
	return true;
}

/* IA32_TSC and IA32_TSC_ADJUST (SDM Vol. 3B §18.17.3): every value is accepted; the TSC offset the back end
 * applies changes with the guest's TSC, and its APIC timer with it. */
static void tsc_msr_access(struct vcpu *v, u32 msr, bool write, u64 *value)
{
	u64 now = rdtsc();
	if (!write) {
		*value = msr == MSR_IA32_TSC ? tsc_guest_now(&v->tsc, now) : v->tsc.adjust;
		return;
	}
	u64 delta = msr == MSR_IA32_TSC ? tsc_write(&v->tsc, now, *value) : tsc_adjust_write(&v->tsc, *value);
	v->vm->be->set_reg(v, VREG_TSC_OFFSET, v->tsc.offset);
	vapic_tsc_changed(v, delta);
}

#define CPUID_E1_EDX_RDTSCP BIT(27)
#define CPUID_7_ECX_RDPID BIT(22)

/* IA32_TSC_AUX exists where CPUID offers RDTSCP or RDPID; bits 63:32 are reserved (SDM Vol. 4 Table 2-2). */
static bool tsc_aux_access(struct vcpu *v, bool write, u64 *value)
{
	u32 e1[4], l7[4];
	cpuid_policy_lookup(&v->vm->cpuid, 0x80000001u, 0, v->id, e1);
	cpuid_policy_lookup(&v->vm->cpuid, 7, 0, v->id, l7);
	if (!(e1[CPUID_EDX] & CPUID_E1_EDX_RDTSCP) && !(l7[CPUID_ECX] & CPUID_7_ECX_RDPID))
		return false;
	if (!write) {
		*value = v->xstate.tsc_aux;
		return true;
	}
	if (*value >> 32)
		return false;
	v->xstate.tsc_aux = *value; /* in the hardware from the next entry (guest_xstate_enter()) */
	return true;
}

/* Returns true if handled; false means #GP(0). */
static bool msr_access(struct vcpu *v, u32 msr, bool write, u64 *value)
{
	const struct backend *be = v->vm->be;
	int apic = vapic_msr(v, msr, write, value);
	if (apic)
		return apic > 0;
	for (u32 i = 0; i < ARRAY_SIZE(state_msrs); i++) {
		if (state_msrs[i].msr != msr)
			continue;
		if (write && !state_msr_value_ok(state_msrs[i].check, *value))
			return false;
		if (write)
			be->set_reg(v, state_msrs[i].reg, *value);
		else
			*value = be->get_reg(v, state_msrs[i].reg);
		return true;
	}
	switch (msr) {
	case MSR_EFER:
		if (!write) {
			*value = be->get_reg(v, VREG_EFER);
			return true;
		}
		if (!efer_write_valid(v, *value))
			return false;
		be->set_reg(v, VREG_EFER, (*value & EFER_GUEST_WRITABLE) | (be->get_reg(v, VREG_EFER) & EFER_LMA));
		return true;
	case MSR_IA32_PAT:
		if (write && !pat_valid(*value))
			return false;
		if (write)
			be->set_reg(v, VREG_PAT, *value);
		else
			*value = be->get_reg(v, VREG_PAT);
		return true;
	case MSR_TSC_AUX:
		return tsc_aux_access(v, write, value);
	case MSR_IA32_TSC:
	case MSR_IA32_TSC_ADJUST:
		tsc_msr_access(v, msr, write, value);
		return true;
	default:
		return msr_stored_in_vcpu(v, msr, write, value) > 0;
	}
}

int msr_stored_in_vcpu(struct vcpu *v, u32 msr, bool write, u64 *value)
{
	if (stored_msr_access(&v->msrs, v->vm->be->kind == MICROHV_BACKEND_SVM, msr, write, value))
		return 1;
	/* MTRRCAP and 0x200-0x2FF except PAT: the unimplemented ones #GP inside mtrr_read/mtrr_write (R3.1).
	 * The values are only stored, never given to hardware MTRRs or EPT/NPT memory types (R3.4). */
	if (!mtrr_is_mtrr_msr(msr))
		return 0;
	int err = write ? mtrr_write(&v->mtrr, msr, *value, v->vm->cpuid.maxphyaddr) : mtrr_read(&v->mtrr, msr, value);
	return err ? -1 : 1;
}

struct verdict msr_emulate(struct vcpu *v, u32 msr, bool write)
{
	u64 value = write ? (v->gpr[GPR_RAX] & 0xFFFFFFFFu) | (v->gpr[GPR_RDX] << 32) : 0;
	if (!msr_access(v, msr, write, &value)) {
		log_debug("%s: %s of MSR 0x%x: #GP(0)", v->vm->name, write ? "WRMSR" : "RDMSR", msr);
		return verdict_fault(VEC_GP, true, 0);
	}
	if (!write) {
		v->gpr[GPR_RAX] = (u32)value;
		v->gpr[GPR_RDX] = value >> 32;
	}
	return verdict_advance();
}
