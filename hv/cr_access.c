/* MOV to/from CR0 and CR4, CLTS and LMSW: validated by the rules in cr0.c, applied through the back end,
 * which keeps the guest-visible value apart from what the hardware holds (CD/NW never reach it). */
#include "cr_access.h"
#include "apic/vapic.h"
#include "rules/cr0.h"
#include "log.h"
#include "vm.h"
#include "x86.h"

#define LMSW_BITS (CR0_PE | CR0_MP | CR0_EM | CR0_TS)
#define SMSW_WORD 2
#define CR8_TPR_MASK 0xFull
/* CR4 bits a guest may set: those the CPUID policy lets it discover, never VMXE/SMXE (no nesting);
 * OSXSAVE only where the policy offers XSAVE (else the bit is reserved, SDM Vol. 3A §2.5). */
#define CR4_GUEST_ALLOWED (BIT(0) | BIT(1) | BIT(2) | BIT(3) | BIT(4) | BIT(5) | BIT(6) | BIT(7) | BIT(8) | \
			   BIT(9) | BIT(10) | BIT(11) | BIT(16) | BIT(17) | BIT(20) | BIT(21) | BIT(22))

/* Past the instruction: the back end knows its length, or the core decoded it (cr_insn.c). */
static struct verdict complete(const struct exit_cr *cr)
{
	return cr->insn_len ? verdict_advance_by(cr->insn_len) : verdict_advance();
}

static struct cr_context context_of(struct vcpu *v)
{
	const struct backend *be = v->vm->be;
	struct cr_context c = { .cr0 = be->get_reg(v, VREG_CR0), .cr3 = be->get_reg(v, VREG_CR3),
				.cr4 = be->get_reg(v, VREG_CR4), .efer = be->get_reg(v, VREG_EFER) };
	c.in_64bit_mode = (c.efer & EFER_LMA) && be->get_reg(v, VREG_CS_L);
	return c;
}

static u64 *gpr_of(struct vcpu *v, u8 index)
{
	return &v->gpr[index & (NUM_GPRS - 1)];
}

static u64 requested_cr0(struct vcpu *v, const struct exit_cr *cr, u64 old)
{
	switch (cr->type) {
	case CR_CLTS:
		return old & ~CR0_TS;
	case CR_LMSW: /* LMSW loads bits 3:0 but can never clear PE */
		return (old & ~(LMSW_BITS & ~CR0_PE)) | (cr->lmsw_source & LMSW_BITS);
	default:
		return *gpr_of(v, cr->gpr);
	}
}

struct verdict cr_access_emulate(struct vcpu *v, const struct exit_cr *cr)
{
	const struct backend *be = v->vm->be;
	struct cr_context c = context_of(v);
	enum vreg reg = cr->cr == 0 ? VREG_CR0 : VREG_CR4;
	u64 result;
	int err;

	if (cr->cr == 8) { /* the TPR through CR8 (64-bit mode): the virtual APIC's, never the host's */
		if (cr->type == CR_READ) {
			*gpr_of(v, cr->gpr) = vapic_get_cr8(v);
		} else if (*gpr_of(v, cr->gpr) & ~CR8_TPR_MASK) { /* bits 63:4 reserved (SDM Vol. 3A §2.5) */
			return verdict_fault(VEC_GP, true, 0);
		} else {
			vapic_set_cr8(v, *gpr_of(v, cr->gpr));
		}
		return complete(cr);
	}
	if (cr->cr != 0 && cr->cr != 4)
		return verdict_stop(v, VM_UNHANDLED_EXIT, "intercepted access to CR%u", cr->cr);
	if (cr->type == CR_READ) {
		*gpr_of(v, cr->gpr) = be->get_reg(v, reg);
		return complete(cr);
	}
	if (cr->type == CR_SMSW) { /* a 16-bit destination keeps its upper bits; wider ones get CR0[31:0] */
		u64 *dst = gpr_of(v, cr->gpr);
		u64 cr0 = be->get_reg(v, VREG_CR0);
		*dst = cr->size == SMSW_WORD ? (*dst & ~0xFFFFull) | (cr0 & 0xFFFF) : (u32)cr0;
		return complete(cr);
	}
	if (cr->cr == 0)
		err = cr0_check_write(&c, requested_cr0(v, cr, c.cr0), &result);
	else
		err = cr4_check_write(&c, *gpr_of(v, cr->gpr),
				      CR4_GUEST_ALLOWED | (v->vm->cpuid.xcr0_supported ? CR4_OSXSAVE : 0), &result);
	if (err) {
		log_debug("%s: write to CR%u refused: #GP(0)", v->vm->name, cr->cr);
		return verdict_fault(VEC_GP, true, 0);
	}
	log_debug("%s: CR%u <- 0x%llx at rip 0x%llx", v->vm->name, cr->cr, result, v->rip);
	be->set_reg(v, reg, result);
	return complete(cr);
}
