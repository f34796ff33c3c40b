/* Hardware APIC virtualization for the VMX back end, used when the CPU offers all of it (SDM Vol. 3C
 * ch. 30): TPR shadow, APIC-register virtualization, virtual-interrupt delivery, and per APIC mode either
 * "virtualize APIC accesses" (xAPIC at the default base) or "virtualize x2APIC mode" with an MSR bitmap
 * that lets the exit-free accesses through. Guest EOI, TPR (MMIO, MSR, CR8) and self-IPI writes, most
 * register reads and the delivery of pending interrupts then need no VM exit.
 *
 * The vlapic model (hv/apic/rules/vlapic.h) stays the one source of truth while the core runs:
 *  - before an entry, if the core changed it (backend apic_changed()), the model is published to the
 *    virtual-APIC page (all of it, or only the interrupt state if that is all that changed), RVI/SVI and
 *    the EOI-exit bitmap (apicv_page.c), and the VMCS is switched to the controls, MSR bitmap and EPT
 *    tree of the APIC's mode;
 *  - after every exit, what the guest can change in the page without an exit (TPR, IRR, ISR, ICR high)
 *    is pulled back into the model, unless the guest interrupt status shows nothing moved;
 *  - writes the hardware leaves to software come back as APIC-write exits (EXIT_APIC_WRITE), EOIs of
 *    level-triggered vectors as virtualized-EOI exits (EXIT_APIC_EOI), other accesses as APIC-access exits,
 *    which the core decodes like any MMIO access (EXIT_MEM_FAULT). */
#include "vmx.h"
#include "vmx_ops.h"
#include "../fast_path.h"
#include "../spinlock.h"
#include "../lib/fmt.h"
#include "../log.h"
#include "../mm.h"
#include "../vm.h"
#include "../x86.h"

#define PROC_CR8_EXITING (PROC_CR8_LOAD_EXITING | PROC_CR8_STORE_EXITING)
#define PROC2_APICV_ALWAYS (PROC2_APIC_REGISTER_VIRTUALIZATION | PROC2_VIRTUAL_INTERRUPT_DELIVERY)
#define PROC2_APICV_MODES (PROC2_VIRTUALIZE_APIC_ACCESSES | PROC2_VIRTUALIZE_X2APIC_MODE)
#define VMX_ALLOWED_1(cap) ((u32)((cap) >> 32))
#define VMX_REQUIRED_1(cap) ((u32)(cap))

static u8 *x2apic_msr_bitmap; /* every MSR intercepted but the x2APIC ones that need no exit */
static struct spinlock x2apic_bitmap_lock;

bool vmx_apicv_probe(u64 primary_cap, u64 secondary_cap)
{
	u32 secondary_wanted = PROC2_APICV_ALWAYS | PROC2_APICV_MODES;
	vmx_caps.apicv = (VMX_ALLOWED_1(primary_cap) & PROC_USE_TPR_SHADOW) &&
			 !(VMX_REQUIRED_1(primary_cap) & PROC_CR8_EXITING) &&
			 (VMX_ALLOWED_1(secondary_cap) & secondary_wanted) == secondary_wanted;
	return vmx_caps.apicv;
}

static struct vmx_apicv *apicv_of(struct vcpu *v)
{
	return &((struct vmx_vcpu *)v->arch)->apicv;
}

/* The suite option no-apicv keeps the software path covered on CPUs that have APICv. */
static bool apicv_used(const struct vm *vm)
{
	return vmx_caps.apicv && !vm->config.no_apicv;
}

int vmx_apicv_vm_init(struct vm *vm)
{
	struct vmx_vm *x = vm->arch;
	if (!apicv_used(vm))
		return 0;
	if (!__atomic_load_n(&x2apic_msr_bitmap, __ATOMIC_ACQUIRE)) {
		spin_lock(&x2apic_bitmap_lock); /* the first VMs of two pCPUs may be made at once */
		u8 *bitmap = x2apic_msr_bitmap ? x2apic_msr_bitmap : mm_alloc_pages(1, PAGE_SIZE);
		if (bitmap && !x2apic_msr_bitmap) {
			memset(bitmap, 0xFF, APICV_MSR_BITMAP_SIZE);
			apicv_x2apic_msr_bitmap(bitmap);
			__atomic_store_n(&x2apic_msr_bitmap, bitmap, __ATOMIC_RELEASE);
		}
		spin_unlock(&x2apic_bitmap_lock);
		if (!bitmap)
			return -ENOMEM;
	}
	x->apic_access_page = mm_alloc_pages(1, PAGE_SIZE);
	if (!x->apic_access_page)
		return -ENOMEM;
	int err = ept_build_apic_tree(&x->apic_tree, &x->ept, VLAPIC_DEFAULT_BASE, virt_to_phys(x->apic_access_page));
	if (err == -EEXIST) {
		log_info("%s: guest RAM covers the xAPIC page: its accesses are emulated", vm->name);
		return 0;
	}
	if (err)
		return err;
	x->apic_tree_ready = true;
	/* The tables may sit where an earlier VM's did: drop any cached translation. */
	invept(INVEPT_SINGLE_CONTEXT, ept_apic_tree_pointer(&x->apic_tree));
	return 0;
}

void vmx_apicv_vm_destroy(struct vm *vm)
{
	struct vmx_vm *x = vm->arch;
	if (x->apic_tree_ready)
		ept_free_apic_tree(&x->apic_tree);
	mm_free_pages(x->apic_access_page, 1);
	x->apic_access_page = NULL;
	x->apic_tree_ready = false;
}

/* The controls common to every APIC mode; the mode's own come with the first publish (mode TRAP here
 * matches a VMCS without either "virtualize" control, the default MSR bitmap and the RAM EPT tree). */
int vmx_apicv_vcpu_init(struct vcpu *v)
{
	struct vmx_apicv *p = apicv_of(v);
	struct vmx_vm *xvm = v->vm->arch;
	if (!apicv_used(v->vm))
		return 0;
	p->page = mm_alloc_pages(1, PAGE_SIZE);
	if (!p->page)
		return -ENOMEM;
	/* With the TPR shadow, MOV CR8 reaches the virtual TPR, never the host's (SDM §30.3). */
	vmcs_write(VMCS_PRIMARY_CONTROLS, (vmread(VMCS_PRIMARY_CONTROLS) | PROC_USE_TPR_SHADOW) & ~PROC_CR8_EXITING);
	p->secondary = (u32)vmread(VMCS_SECONDARY_CONTROLS) | PROC2_APICV_ALWAYS;
	vmcs_write(VMCS_SECONDARY_CONTROLS, p->secondary);
	vmcs_write(VMCS_VIRTUAL_APIC_PAGE_ADDR, virt_to_phys(p->page));
	if (xvm->apic_access_page)
		vmcs_write(VMCS_APIC_ACCESS_ADDR, virt_to_phys(xvm->apic_access_page));
	vmcs_write(VMCS_TPR_THRESHOLD, 0);
	for (u32 i = 0; i < APICV_EOI_EXIT_WORDS; i++) {
		vmcs_write(VMCS_EOI_EXIT_BITMAP0 + i * VMCS_EOI_EXIT_BITMAP_STRIDE, 0);
		p->eoi_exit[i] = 0;
	}
	p->default_msr_bitmap = vmread(VMCS_MSR_BITMAP);
	p->ram_eptp = vmread(VMCS_EPT_POINTER);
	p->mode = APICV_MODE_TRAP;
	p->on = true;
	p->dirty = APICV_DIRTY_REGISTERS;
	return 0;
}

void vmx_apicv_vcpu_destroy(struct vmx_vcpu *x)
{
	mm_free_pages(x->apicv.page, 1);
	x->apicv = (struct vmx_apicv){ 0 };
}

/* What is virtualized follows the APIC's mode; "virtualize x2APIC mode" and "virtualize APIC accesses"
 * exclude each other (SDM Vol. 3C §27.2.1.1). */
static void set_mode(struct vcpu *v, struct vmx_apicv *p, enum apicv_mode mode)
{
	struct vmx_vm *xvm = v->vm->arch;
	p->secondary &= ~PROC2_APICV_MODES;
	if (mode == APICV_MODE_XAPIC)
		p->secondary |= PROC2_VIRTUALIZE_APIC_ACCESSES;
	else if (mode == APICV_MODE_X2APIC)
		p->secondary |= PROC2_VIRTUALIZE_X2APIC_MODE;
	vmcs_write(VMCS_SECONDARY_CONTROLS, p->secondary);
	vmcs_write(VMCS_MSR_BITMAP, mode == APICV_MODE_X2APIC ? virt_to_phys(x2apic_msr_bitmap) : p->default_msr_bitmap);
	/* Both trees stay as built, so switching needs no INVEPT: cached translations are per EPTP. */
	vmcs_write(VMCS_EPT_POINTER, mode == APICV_MODE_XAPIC ? ept_apic_tree_pointer(&xvm->apic_tree) : p->ram_eptp);
	p->mode = mode;
}

static void write_eoi_exit_bitmap(struct vmx_apicv *p, const struct vlapic *a)
{
	u64 bitmap[APICV_EOI_EXIT_WORDS];
	apicv_eoi_exit_bitmap(a, bitmap);
	for (u32 i = 0; i < APICV_EOI_EXIT_WORDS; i++)
		if (bitmap[i] != p->eoi_exit[i]) {
			vmcs_write(VMCS_EOI_EXIT_BITMAP0 + i * VMCS_EOI_EXIT_BITMAP_STRIDE, bitmap[i]);
			p->eoi_exit[i] = bitmap[i];
		}
}

void vmx_apicv_publish(struct vcpu *v)
{
	struct vmx_apicv *p = apicv_of(v);
	if ((p->dirty & APICV_DIRTY_REGISTERS) && p->dirty_regs != VLAPIC_REGS_ALL) {
		apicv_page_publish_regs(p->page, &v->apic, p->mode, p->dirty_regs); /* a write: mode unchanged */
	} else if (p->dirty & APICV_DIRTY_REGISTERS) {
		enum apicv_mode mode = apicv_mode_of(&v->apic, v->vm->ram_size);
		if (mode == APICV_MODE_XAPIC && !((struct vmx_vm *)v->vm->arch)->apic_tree_ready)
			mode = APICV_MODE_TRAP;
		if (mode != p->mode)
			set_mode(v, p, mode);
		apicv_page_publish(p->page, &v->apic, mode);
	} else {
		apicv_page_publish_interrupts(p->page, &v->apic);
	}
	p->dirty = 0;
	p->dirty_regs = VLAPIC_REGS_NONE;
	/* VM entry loads RVI/SVI from here, then virtualizes PPR and evaluates pending virtual interrupts:
	 * whatever the core accepted into IRR is delivered when the guest can take it (SDM §27.3.2.5). */
	vmcs_write(VMCS_GUEST_INTR_STATUS, apicv_intr_status(&v->apic));
	write_eoi_exit_bitmap(p, &v->apic);
	p->idle = apicv_intr_idle(&v->apic);
}

void vmx_apicv_pull_all(struct vcpu *v)
{
	struct vmx_apicv *p = apicv_of(v);
	apicv_page_pull(&v->apic, p->page, p->mode);
	p->idle = apicv_intr_idle(&v->apic);
}

/* The fast path's share of APIC-write exits (hv/fast_path.h): an IPI to the vCPU itself through the
 * ICR destination is requested in the page, where the hardware delivers it after the entry. */
bool vmx_apicv_fast_ipi_to_self(struct vcpu *v)
{
	struct vmx_apicv *p = apicv_of(v);
	if (p->mode != APICV_MODE_XAPIC || (vmread(VMCS_IDT_VECTORING_INFO) & INTR_INFO_VALID))
		return false;
	u32 offset = (u32)(vmread(VMCS_EXIT_QUALIFICATION) & APIC_WRITE_QUAL_OFFSET_MASK);
	apicv_page_pull_icr_high(&v->apic, p->page, p->mode);
	int vector = fast_path_ipi_to_self(v, offset, apicv_page_read(p->page, offset));
	if (vector < 0)
		return false;
	/* VM entry evaluates pending virtual interrupts from RVI (SDM Vol. 3C §27.3.2.5). */
	vmcs_write(VMCS_GUEST_INTR_STATUS, apicv_page_request(p->page, (u16)vmread(VMCS_GUEST_INTR_STATUS), (u8)vector));
	p->idle = false;
	return true;
}

static void decode_apic_access(struct vcpu *v, u64 qual, struct exit_info *e)
{
	u32 type = (qual >> APIC_ACCESS_QUAL_TYPE_SHIFT) & APIC_ACCESS_QUAL_TYPE_MASK;
	if (type > APIC_ACCESS_LINEAR_FETCH) { /* during event delivery, or a guest-physical access */
		e->reason = EXIT_UNHANDLED;
		snprintf(e->detail, sizeof(e->detail), "APIC-access VM exit of type %u at offset 0x%llx", type,
			 qual & APIC_ACCESS_QUAL_OFFSET_MASK);
		return;
	}
	/* A fault-like exit: the core decodes the instruction as for an access that missed EPT. */
	e->reason = EXIT_MEM_FAULT;
	e->mem.gpa = vlapic_base_address(&v->apic) + (qual & APIC_ACCESS_QUAL_OFFSET_MASK);
	e->mem.write = type == APIC_ACCESS_LINEAR_WRITE;
	e->mem.fetch = type == APIC_ACCESS_LINEAR_FETCH;
}

void vmx_apicv_decode_exit(struct vcpu *v, u32 basic, u64 qual, struct exit_info *e)
{
	switch (basic) {
	case VMX_EXIT_APIC_ACCESS:
		decode_apic_access(v, qual, e);
		break;
	case VMX_EXIT_APIC_WRITE: /* trap-like: the value is in the page, RIP is past the instruction */
		e->reason = EXIT_APIC_WRITE;
		e->apic.offset = (u32)(qual & APIC_WRITE_QUAL_OFFSET_MASK);
		e->apic.value = apicv_page_read(apicv_of(v)->page, e->apic.offset);
		break;
	default: /* VMX_EXIT_VIRTUALIZED_EOI, trap-like: VISR, SVI and VPPR are already updated */
		e->reason = EXIT_APIC_EOI;
		e->apic.vector = (u8)(qual & VIRTUALIZED_EOI_QUAL_VECTOR_MASK);
		break;
	}
}

void vmx_apic_changed(struct vcpu *v, u64 regs)
{
	struct vmx_apicv *p = apicv_of(v);
	if (!p->on)
		return;
	p->dirty |= regs ? APICV_DIRTY_REGISTERS : APICV_DIRTY_INTERRUPTS;
	p->dirty_regs |= regs;
}

bool vmx_apic_delivers(struct vcpu *v)
{
	return apicv_of(v)->on;
}
