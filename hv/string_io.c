/* See string_io.h. A REP run is done in chunks: after STRING_IO_CHUNK elements the instruction is
 * re-entered with RCX/RSI/RDI updated, as hardware may pause a REP string instruction, so a huge RCX
 * never holds the CPU and pending interrupts are taken in between. */
#include "string_io.h"
#include "guest_insn.h"
#include "rules/guest_walk.h"
#include "io.h"
#include "log.h"
#include "vm.h"
#include "x86.h"

#define STRING_IO_CHUNK 1024
#define RFLAGS_DF BIT(10)
#define ALL_ONES 0xFFFFFFFFu

static const enum vreg segment_base[NUM_SEGS] = {
	[SEG_ES] = VREG_ES_BASE, [SEG_CS] = VREG_CS_BASE, [SEG_SS] = VREG_SS_BASE,
	[SEG_DS] = VREG_DS_BASE, [SEG_FS] = VREG_FS_BASE, [SEG_GS] = VREG_GS_BASE,
};

static u64 addr_mask(u8 addr_size)
{
	return addr_size == 8 ? ~0ull : (1ull << (addr_size * 8)) - 1;
}

/* The linear address of reg (RSI or RDI) in `seg`, as the CPU forms it (SDM Vol. 3A §3.4.4). */
static u64 linear_of(struct vcpu *v, const struct insn *in, enum seg seg, enum gpr reg)
{
	u64 ea = v->gpr[reg] & addr_mask(in->addr_size);
	if (in->mode == CPU_MODE_64)
		return (seg == SEG_FS || seg == SEG_GS) ? ea + v->vm->be->get_reg(v, segment_base[seg]) : ea;
	return (ea + v->vm->be->get_reg(v, segment_base[seg])) & 0xFFFFFFFFull;
}

/* rSI, rDI and rCX change only in their address-size part (a 32-bit update zero-extends in 64-bit mode). */
static void set_index(struct vcpu *v, const struct insn *in, enum gpr reg, u64 value)
{
	u64 mask = addr_mask(in->addr_size);
	v->gpr[reg] = in->addr_size == 2 ? (v->gpr[reg] & ~mask) | (value & mask) : value & mask;
}

/* The fault the guest's CPU raises for an element its page tables refuse; #GP(0) for any other failed walk. */
static struct verdict walk_fault(struct vcpu *v, int err, u64 linear, bool write)
{
	return guest_inject_walk_fault(v, err, linear, write) ? verdict_resume() : verdict_fault(VEC_GP, true, 0);
}

/* One element between guest memory and the port. Outside RAM reads give all ones and writes are
 * dropped (hv/unassigned_mem.h). Returns 0 or the failing walk error; *at = the failing address. */
static int transfer(struct vcpu *v, const struct guest_paging *gp, const struct exit_io *io, u64 linear, u64 *at,
		    struct verdict *vd)
{
	u8 bytes[4];
	u64 gpa[4];
	for (u32 i = 0; i < io->size; i++) { /* byte by byte: an element may straddle a page */
		struct guest_xlate x;
		*at = linear + i;
		int err = guest_translate(gp, linear + i, &x);
		if (err)
			return err;
		gpa[i] = x.gpa;
	}
	struct vm *vm = v->vm;
	if (io->in) {
		u32 value = io_port_access(v, io, 0, vd);
		for (u32 i = 0; i < io->size; i++)
			if (gpa[i] < vm->ram_size)
				vm->ram[gpa[i]] = (u8)(value >> (8 * i));
		return 0;
	}
	u32 value = 0;
	for (u32 i = 0; i < io->size; i++)
		bytes[i] = gpa[i] < vm->ram_size ? vm->ram[gpa[i]] : (u8)ALL_ONES;
	for (u32 i = 0; i < io->size; i++)
		value |= (u32)bytes[i] << (8 * i);
	io_port_access(v, io, value, vd);
	return 0;
}

static bool decoded(struct vcpu *v, const struct exit_io *io, struct insn *in, struct verdict *vd)
{
	int err = guest_fetch_insn(v, in);
	enum insn_kind want = io->in ? INSN_INS : INSN_OUTS;
	if (!err && in->kind == want && in->op_size == io->size)
		return true;
	*vd = verdict_stop(v, VM_UNHANDLED_EXIT, "string I/O exit at port 0x%x: the instruction at RIP is not %s (%s)",
			   io->port, io->in ? "INS" : "OUTS",
			   err ? (in->reason ? in->reason : decode_error_name(err)) : "another");
	return false;
}

struct verdict string_io_emulate(struct vcpu *v, const struct exit_io *io)
{
	struct insn in;
	struct verdict vd = verdict_resume(); /* a REP chunk that leaves elements to do runs it again */
	if (!decoded(v, io, &in, &vd))
		return vd;
	struct guest_paging gp;
	guest_paging_of(v, &gp);
	bool rep = in.prefixes & (INSN_PFX_REP | INSN_PFX_REPNE); /* F2 acts as REP here too */
	enum gpr index = io->in ? GPR_RDI : GPR_RSI;
	enum seg seg = io->in ? SEG_ES : (enum seg)in.mem.seg;
	u64 count = rep ? v->gpr[GPR_RCX] & addr_mask(in.addr_size) : 1;
	s64 step = (v->rflags & RFLAGS_DF) ? -(s64)io->size : (s64)io->size;
	for (u32 done = 0; count && done < STRING_IO_CHUNK; done++) {
		u64 at, linear = linear_of(v, &in, seg, index);
		int err = transfer(v, &gp, io, linear, &at, &vd);
		if (err) /* a fault leaves the registers of the elements done so far, as on hardware */
			return walk_fault(v, err, at, io->in);
		set_index(v, &in, index, v->gpr[index] + (u64)step);
		count--;
		if (rep)
			set_index(v, &in, GPR_RCX, count);
		if (vd.kind == VERDICT_STOP)
			return vd; /* the exit port ended the guest */
	}
	return count ? vd : verdict_advance_by(in.len);
}
