/* Instruction fetch through the guest's own page tables (hv/guest_walk.c), then decode (hv/decode.c). */
#include "guest_insn.h"
#include "events.h"
#include "fmt.h"
#include "guest_walk.h"
#include "vm.h"
#include "x86.h"

#define RFLAGS_VM BIT(17)

static bool read_guest_ram(void *ctx, u64 gpa, void *buf, u32 len)
{
	const struct vm *vm = ctx;
	if (gpa >= vm->ram_size || len > vm->ram_size - gpa)
		return false;
	memcpy(buf, vm->ram + gpa, len);
	return true;
}

void guest_paging_of(struct vcpu *v, struct guest_paging *gp)
{
	const struct backend *be = v->vm->be;
	*gp = (struct guest_paging){ be->get_reg(v, VREG_CR0), be->get_reg(v, VREG_CR3), be->get_reg(v, VREG_CR4),
				     be->get_reg(v, VREG_EFER), v->vm->cpuid.maxphyaddr, read_guest_ram, v->vm };
}

static u32 fetch(struct vcpu *v, u8 bytes[INSN_MAX_LEN], enum cpu_mode *mode)
{
	const struct backend *be = v->vm->be;
	struct guest_paging gp;
	guest_paging_of(v, &gp);
	*mode = decode_cpu_mode(gp.cr0 & CR0_PE, v->rflags & RFLAGS_VM, gp.efer & EFER_LMA, be->get_reg(v, VREG_CS_L),
				be->get_reg(v, VREG_CS_D));
	u32 got = 0;
	int walk = guest_read_linear(&gp, insn_fetch_linear(*mode, be->get_reg(v, VREG_CS_BASE), v->rip), bytes,
				     INSN_MAX_LEN, &got);
	return walk ? got : INSN_MAX_LEN;
}

int guest_fetch_insn(struct vcpu *v, struct insn *in)
{
	u8 bytes[INSN_MAX_LEN];
	enum cpu_mode mode;
	u32 got = fetch(v, bytes, &mode);
	return insn_decode(bytes, got, mode, in);
}

u32 guest_fetch_bytes(struct vcpu *v, u8 bytes[INSN_MAX_LEN])
{
	enum cpu_mode mode;
	return fetch(v, bytes, &mode);
}

bool guest_inject_walk_fault(struct vcpu *v, int walk_err, u64 linear, bool write)
{
	const struct backend *be = v->vm->be;
	if (walk_err == GW_ERR_NONCANONICAL) {
		hv_inject_exception(v, VEC_GP, true, 0, 0);
		return true;
	}
	if (walk_err != GW_ERR_NOT_PRESENT && walk_err != GW_ERR_RESERVED)
		return false;
	be->set_reg(v, VREG_CR2, linear);
	hv_inject_exception(v, VEC_PF, true, guest_walk_pf_error_code(walk_err, write, be->get_reg(v, VREG_CPL) == 3), 0);
	return true;
}

void guest_segment_bases(struct vcpu *v, u64 seg_base[NUM_SEGS])
{
	static const enum vreg regs[NUM_SEGS] = { [SEG_ES] = VREG_ES_BASE, [SEG_CS] = VREG_CS_BASE,
						  [SEG_SS] = VREG_SS_BASE, [SEG_DS] = VREG_DS_BASE,
						  [SEG_FS] = VREG_FS_BASE, [SEG_GS] = VREG_GS_BASE };
	for (u32 s = 0; s < NUM_SEGS; s++)
		seg_base[s] = v->vm->be->get_reg(v, regs[s]);
}
