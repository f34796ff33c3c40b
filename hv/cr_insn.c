/* See cr_insn.h. */
#include "cr_insn.h"
#include "cr_access.h"
#include "rules/decode.h"
#include "guest_insn.h"
#include "rules/guest_walk.h"
#include "vm.h"
#include "x86.h"

#define SMSW_BYTES 2

static struct verdict refuse(struct vcpu *v, const char *what, const char *why)
{
	return verdict_stop(v, VM_UNHANDLED_EXIT, "CR intercept: %s: %s", what, why);
}

/* Byte by byte: the store may straddle a page. Returns 0 or the walk error; *at = the failing address. */
static int write_guest_ram(struct vm *vm, const struct guest_paging *gp, u64 linear, const void *src, u32 len,
			   u64 *at)
{
	const u8 *bytes = src;
	for (u32 i = 0; i < len; i++) {
		struct guest_xlate x;
		*at = linear + i;
		int err = guest_translate(gp, linear + i, &x);
		if (err)
			return err;
		if (x.gpa >= vm->ram_size)
			return GW_ERR_READ;
		vm->ram[x.gpa] = bytes[i];
	}
	return 0;
}

static u64 operand_linear(struct vcpu *v, const struct insn *in)
{
	u64 seg_base[NUM_SEGS];
	guest_segment_bases(v, seg_base);
	return insn_linear_addr(in, v->gpr, v->rip, seg_base);
}

/* LMSW's source; false with *failed set if a fault was queued or the VM must stop instead. */
static bool lmsw_source(struct vcpu *v, const struct guest_paging *gp, const struct insn *in, u16 *source,
			struct verdict *failed)
{
	u32 got = 0;
	if (!in->rm_is_mem) {
		*source = (u16)insn_reg_read(v->gpr, in->rm, SMSW_BYTES);
		return true;
	}
	u64 linear = operand_linear(v, in);
	int err = guest_read_linear(gp, linear, source, sizeof(*source), &got);
	if (!err)
		return true;
	*failed = guest_inject_walk_fault(v, err, linear + got, false) ? verdict_resume()
		  : refuse(v, "LMSW", "its memory operand is not in guest RAM");
	return false;
}

/* SMSW m16 stores CR0[15:0] (SDM Vol. 2B SMSW: a memory destination is always 16 bits). */
static struct verdict smsw_to_memory(struct vcpu *v, const struct guest_paging *gp, const struct insn *in)
{
	u16 msw = (u16)v->vm->be->get_reg(v, VREG_CR0);
	u64 at;
	int err = write_guest_ram(v->vm, gp, operand_linear(v, in), &msw, sizeof(msw), &at);
	if (!err)
		return verdict_advance_by(in->len);
	if (guest_inject_walk_fault(v, err, at, true))
		return verdict_resume();
	return refuse(v, "SMSW", "its memory destination is not in guest RAM");
}

struct verdict cr_insn_emulate(struct vcpu *v)
{
	struct guest_paging gp;
	struct insn in;
	guest_paging_of(v, &gp);
	int err = guest_fetch_insn(v, &in);
	if (err == DECODE_ERR_INVALID)
		return verdict_fault(VEC_UD, false, 0);
	if (err)
		return refuse(v, "cannot decode the instruction", in.reason ? in.reason : decode_error_name(err));
	/* LOCK MOV CR0 is AMD's alias of CR8 (AltMovCr8); the CPUID policy hides CR8Legacy, so #UD. */
	if (in.cr == 8 && (in.prefixes & INSN_PFX_LOCK))
		return verdict_fault(VEC_UD, false, 0);
	struct verdict failed;
	struct exit_cr cr = { .cr = in.cr, .gpr = in.rm.num, .size = in.op_size, .insn_len = in.len };
	switch (in.kind) {
	case INSN_MOV_TO_CR: cr.type = CR_WRITE; break;
	case INSN_MOV_FROM_CR: cr.type = CR_READ; break;
	case INSN_CLTS: cr = (struct exit_cr){ .type = CR_CLTS, .insn_len = in.len }; break;
	case INSN_LMSW:
		cr = (struct exit_cr){ .type = CR_LMSW, .insn_len = in.len };
		if (!lmsw_source(v, &gp, &in, &cr.lmsw_source, &failed))
			return failed;
		break;
	case INSN_SMSW:
		if (in.rm_is_mem)
			return smsw_to_memory(v, &gp, &in);
		cr = (struct exit_cr){ .type = CR_SMSW, .gpr = in.rm.num, .size = in.op_size, .insn_len = in.len };
		break;
	default:
		return refuse(v, "unexpected instruction", "not a control-register access");
	}
	return cr_access_emulate(v, &cr);
}
