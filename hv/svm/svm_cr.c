/* CR0 on SVM (spec §4.3, R4.2). KVM's default: CD and NW are cleared in the VMCB's CR0 so the guest
 * never runs uncached, and while the guest's CR0 differs from the VMCB's, CR0 reads and writes are
 * intercepted so the guest still reads back what it wrote. The selective CR0 write intercept is always
 * on, so every write that touches more than TS/MP is validated by the core. With the VM option
 * cd_nw_passthrough, CD/NW reach the VMCB ("no-fill" caching, as hardware does).
 * The intercepted instruction itself is decoded by the core (hv/cr_insn.c). */
#include "svm.h"
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
