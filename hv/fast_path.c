/* The fast path's answers (see fast_path.h). Each is the same function the full path uses, so an exit
 * answered here and one dispatched give the guest the same result. */
#include "fast_path.h"
#include "rules/guest_abi.h"
#include "guest_insn.h"
#include "hypercall.h"
#include "msr.h"

bool fast_path_msr(struct vcpu *v, bool write)
{
	u64 value = write ? (v->gpr[GPR_RAX] & 0xFFFFFFFFu) | (v->gpr[GPR_RDX] << 32) : 0;
	if (msr_stored_in_vcpu(v, (u32)v->gpr[GPR_RCX], write, &value) <= 0)
		return false; /* another MSR, or a #GP the full path raises */
	if (!write) {
		v->gpr[GPR_RAX] = (u32)value;
		v->gpr[GPR_RDX] = value >> 32;
	}
	v->stats.exits++;
	return true;
}

bool fast_path_hypercall(struct vcpu *v, u8 cpl)
{
	v->stats.exits++; /* first: HC_STAT_EXITS counts the exit it is asked in, as on the full path */
	if (hypercall_read_only(v, cpl))
		return true;
	v->stats.exits--;
	return false;
}

/* The UART is the VM's, not the vCPU's, but a VM runs on one pCPU at a time (hv/run_loop.c), as on the
 * full path. */
bool fast_path_out(struct vcpu *v, const struct exit_io *io)
{
	if (io->in || io->string || io->size != 1 || io->port != GUEST_UART_PORT)
		return false;
	if (!uart_put_plain(&v->vm->uart, (u8)v->gpr[GPR_RAX]))
		return false;
	v->stats.exits++;
	return true;
}

bool fast_path_apic_eoi(struct vcpu *v, u64 gpa, u8 *len)
{
	struct vlapic *a = &v->apic;
	/* The xAPIC page exists (KVM's MMIO-hole quirk: not while disabled or in x2APIC mode, vlapic_regs.c). */
	if (!vlapic_hw_enabled(a) || vlapic_x2apic_mode(a) || gpa != vlapic_base_address(a) + VLAPIC_REG_EOI)
		return false;
	const struct insn *in = guest_cached_insn(v);
	if (!in || (in->kind != INSN_MOV_STORE && in->kind != INSN_MOV_IMM) || !in->rm_is_mem || in->rm_size != 4)
		return false; /* the full path decodes it (and fills the cache), or handles another size */
	/* The value written does not matter in xAPIC mode (vlapic_mmio_write()). */
	if (!vlapic_eoi_if_local(a))
		return false;
	*len = in->len;
	v->stats.exits++;
	return true;
}

int fast_path_ipi_to_self(struct vcpu *v, u32 offset, u32 value)
{
	struct vm *vm = v->vm;
	struct apic_irq irq;
	if (offset != VLAPIC_REG_ICR_LOW || !vlapic_icr_plain_fixed(&v->apic, value, &irq))
		return -1;
	u16 receivers[VM_MAX_VCPUS];
	u32 n = apic_route(&vm->apic_map, vm->apic_targets, vm->nvcpus, &vm->apic_targets[v->id], &irq,
			   &vm->apic_flags, receivers);
	if (n != 1 || receivers[0] != v->id)
		return -1;
	struct vlapic_effects fx;
	vlapic_mmio_write(&v->apic, 0, VLAPIC_REG_ICR_LOW, sizeof(u32), value, &fx); /* the register; the IPI is ours */
	v->stats.exits++;
	return irq.vector;
}
