/* CR0 on SVM (spec §4.3, R4.2). KVM's default: CD and NW are cleared in the VMCB's CR0 so the guest
 * never runs uncached, and while the guest's CR0 differs from the VMCB's, CR0 reads and writes are
 * intercepted so the guest still reads back what it wrote. The selective CR0 write intercept is always
 * on, so every write that touches more than TS/MP is validated by the core. With the VM option
 * cd_nw_passthrough, CD/NW reach the VMCB ("no-fill" caching, as hardware does).
 * Without decode assists the intercepted instruction is fetched and decoded here. */
#include "svm.h"
#include "../decode.h"
#include "../fmt.h"
#include "../guest_insn.h"
#include "../guest_walk.h"
#include "../vm.h"
#include "../x86.h"


void svm_set_cr0(struct vcpu *v, u64 cr0)
{
	struct svm_vcpu *s = v->arch;
	struct vmcb *vmcb = s->vmcb;
	u64 hcr0 = v->vm->config.cd_nw_passthrough ? cr0 : cr0 & ~(CR0_CD | CR0_NW);
	if ((vmcb->save.cr0 ^ hcr0) & (CR0_PG | CR0_WP | CR0_PE))
		svm_flush_guest_tlb(v);
	vmcb->save.cr0 = hcr0;
	s->cr0_cd_nw = cr0 & (CR0_CD | CR0_NW);
	/* The MOV to CR0 that turns paging on with LME set is what activates IA-32e mode: emulating it
	 * means setting EFER.LMA ourselves (APM Vol. 2 §14.6.1), and clearing it when paging goes off. */
	if ((cr0 & CR0_PG) && (vmcb->save.efer & EFER_LME))
		vmcb->save.efer |= EFER_LMA;
	else if (!(cr0 & CR0_PG))
		vmcb->save.efer &= ~EFER_LMA;
	if (hcr0 == cr0)
		vmcb->control.intercept_cr &= ~(SVM_INTERCEPT_CR0_READ | SVM_INTERCEPT_CR0_WRITE);
	else
		vmcb->control.intercept_cr |= SVM_INTERCEPT_CR0_READ | SVM_INTERCEPT_CR0_WRITE;
}

/* The hardware's side of CR0 (HC_QUERY_CR0): the VMCB's value and which accesses exit (APM Vol. 2
 * §15.9: a CR0 write intercept catches every write, the selective one those that change bits other
 * than TS and MP; a read intercept every read). */
u64 svm_cr0_view(const struct vcpu *v, enum vreg r)
{
	const struct vmcb *vmcb = ((const struct svm_vcpu *)v->arch)->vmcb;
	u64 cr = vmcb->control.intercept_cr;
	if (r == VREG_HW_CR0)
		return vmcb->save.cr0;
	if (r == VREG_CR0_READ_EXITS)
		return (cr & SVM_INTERCEPT_CR0_READ) ? ~0ull : 0;
	if (cr & SVM_INTERCEPT_CR0_WRITE)
		return ~0ull;
	return (vmcb->control.intercept_misc1 & SVM_INTERCEPT_CR0_SEL_WRITE) ? ~(u64)(CR0_TS | CR0_MP) : 0;
}

/* The guest's view: the VMCB holds every bit but the CD/NW the guest asked for. */
u64 svm_get_cr0(const struct vcpu *v)
{
	const struct svm_vcpu *s = v->arch;
	return s->vmcb->save.cr0 | s->cr0_cd_nw;
}

static void fail(struct exit_info *e, const char *what, const char *why)
{
	e->reason = EXIT_UNHANDLED;
	snprintf(e->detail, sizeof(e->detail), "CR0 intercept: %s: %s", what, why);
}

/* A memory operand the guest's page tables do not map: the #PF (or #GP for a non-canonical address) its
 * CPU would raise (SDM Vol. 3A §4.7 error code: P, W/R, U/S, RSVD). False if the walk failed otherwise. */
static bool operand_fault(struct vcpu *v, int walk_err, u64 linear, bool write, struct exit_info *e)
{
	if (walk_err == GW_ERR_NONCANONICAL) {
		e->reason = EXIT_GUEST_FAULT;
		e->fault = (struct exit_fault){ .vector = VEC_GP };
		return true;
	}
	if (walk_err != GW_ERR_NOT_PRESENT && walk_err != GW_ERR_RESERVED)
		return false;
	u32 ec = guest_walk_pf_error_code(walk_err, write, v->vm->be->get_reg(v, VREG_CPL) == 3);
	e->reason = EXIT_GUEST_FAULT;
	e->fault = (struct exit_fault){ .vector = VEC_PF, .ec = ec, .cr2 = linear };
	return true;
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
	const struct vmcb_save *st = &((struct svm_vcpu *)v->arch)->vmcb->save;
	const u64 seg_base[NUM_SEGS] = { st->es.base, st->cs.base, st->ss.base, st->ds.base, st->fs.base,
					 st->gs.base };
	return insn_linear_addr(in, v->gpr, st->rip, seg_base);
}

static void lmsw_operand(struct vcpu *v, const struct guest_paging *gp, const struct insn *in, struct exit_info *e)
{
	u32 got = 0;
	if (!in->rm_is_mem) {
		e->cr.lmsw_source = (u16)insn_reg_read(v->gpr, in->rm, 2);
		return;
	}
	u64 linear = operand_linear(v, in);
	int err = guest_read_linear(gp, linear, &e->cr.lmsw_source, sizeof(e->cr.lmsw_source), &got);
	if (err && !operand_fault(v, err, linear + got, false, e))
		fail(e, "LMSW", "its memory operand is not in guest RAM");
}

/* SMSW m16 stores CR0[15:0]; done here, since only the back end can reach the guest's memory. */
static void smsw_to_memory(struct vcpu *v, const struct guest_paging *gp, const struct insn *in, struct exit_info *e)
{
	u16 msw = (u16)svm_get_cr0(v);
	u64 at;
	int err = write_guest_ram(v->vm, gp, operand_linear(v, in), &msw, sizeof(msw), &at);
	if (err) {
		if (!operand_fault(v, err, at, true, e))
			fail(e, "SMSW", "its memory destination is not in guest RAM");
		return;
	}
	v->rip = ((struct svm_vcpu *)v->arch)->next_rip;
	e->reason = EXIT_NONE;
}

void svm_decode_cr_access(struct vcpu *v, struct exit_info *e)
{
	struct svm_vcpu *s = v->arch;
	struct guest_paging gp;
	guest_paging_of(v, &gp);
	struct insn in;
	int err = guest_fetch_insn(v, &in);
	if (err == DECODE_ERR_INVALID) {
		e->reason = EXIT_INVALID_OPCODE;
		return;
	}
	if (err) {
		fail(e, "cannot decode the instruction", in.reason ? in.reason : decode_error_name(err));
		return;
	}
	/* LOCK MOV CR0 is AMD's alias of CR8 (AltMovCr8); the CPUID policy hides CR8Legacy, so #UD. */
	if (in.cr == 8 && (in.prefixes & INSN_PFX_LOCK)) {
		e->reason = EXIT_INVALID_OPCODE;
		return;
	}
	e->reason = EXIT_CR_ACCESS;
	e->cr = (struct exit_cr){ .cr = in.cr, .gpr = in.rm.num, .size = in.op_size };
	s->next_rip = v->rip + in.len;
	switch (in.kind) {
	case INSN_MOV_TO_CR: e->cr.type = CR_WRITE; break;
	case INSN_MOV_FROM_CR: e->cr.type = CR_READ; break;
	case INSN_CLTS: e->cr = (struct exit_cr){ .type = CR_CLTS }; break;
	case INSN_LMSW:
		e->cr = (struct exit_cr){ .type = CR_LMSW };
		lmsw_operand(v, &gp, &in, e);
		break;
	case INSN_SMSW:
		e->cr = (struct exit_cr){ .type = CR_SMSW, .gpr = in.rm.num, .size = in.op_size };
		if (in.rm_is_mem)
			smsw_to_memory(v, &gp, &in, e);
		break;
	default:
		fail(e, "unexpected instruction", "not a CR0 access");
		break;
	}
}
