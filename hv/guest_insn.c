/* Instruction fetch through the guest's own page tables (hv/guest_walk.c), then decode (hv/decode.c). */
#include "guest_insn.h"
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

int guest_fetch_insn(struct vcpu *v, struct insn *in)
{
	const struct backend *be = v->vm->be;
	struct guest_paging gp;
	guest_paging_of(v, &gp);
	u64 cr0 = gp.cr0, efer = gp.efer;
	enum cpu_mode mode = decode_cpu_mode(cr0 & CR0_PE, v->rflags & RFLAGS_VM, efer & EFER_LMA,
					     be->get_reg(v, VREG_CS_L), be->get_reg(v, VREG_CS_D));
	u8 bytes[INSN_MAX_LEN];
	u32 got = 0;
	int walk = guest_read_linear(&gp, insn_fetch_linear(mode, be->get_reg(v, VREG_CS_BASE), v->rip), bytes,
				     INSN_MAX_LEN, &got);
	return insn_decode(bytes, walk ? got : INSN_MAX_LEN, mode, in);
}
