/* See unassigned_mem.h. */
#include "unassigned_mem.h"
#include "events.h"
#include "guest_insn.h"
#include "log.h"
#include "vm.h"

#define ALL_ONES (~0ull)

bool unassigned_mem_access(struct vcpu *v, const struct exit_mem *m)
{
	struct insn in;
	if (m->fetch || guest_fetch_insn(v, &in) || !in.rm_is_mem)
		return false;
	switch (in.kind) {
	case INSN_MOV_LOAD:
	case INSN_MOVZX:
	case INSN_MOVSX:
		insn_reg_write(v->gpr, in.reg, in.op_size, insn_load_value(&in, ALL_ONES));
		break;
	case INSN_MOV_STORE:
	case INSN_MOV_IMM:
		break;
	default:
		return false;
	}
	if (!v->vm->unassigned_seen++) /* once per VM: a guest probing many addresses must not flood the log */
		log_info("%s: %s of unassigned guest-physical 0x%llx (reads all ones, writes dropped)", v->vm->name,
			 m->write ? "write" : "read", m->gpa);
	vcpu_skip_emulated(v, in.len);
	return true;
}
