/* Intel VMX back end: enabling VMX, the VMCS, the run loop and guest state access. */
#include "vmx.h"
#include "rules/controls.h"
#include "vmx_ops.h"
#include "../cpu.h"
#include "../lib/fmt.h"
#include "../rules/guest_abi.h"
#include "../log.h"
#include "../mm.h"
#include "../pcpu.h"
#include "../time.h"
#include "../vm.h"
#include "../x86.h"

#define CPUID_1_ECX_VMX BIT(5)
#define FEATURE_CONTROL_LOCKED BIT(0)
#define FEATURE_CONTROL_VMX_OUTSIDE_SMX BIT(2)
#define MSR_IA32_VMX_BASIC 0x480
#define MSR_IA32_VMX_PINBASED_CTLS 0x481
#define MSR_IA32_VMX_PROCBASED_CTLS 0x482
#define MSR_IA32_VMX_EXIT_CTLS 0x483
#define MSR_IA32_VMX_ENTRY_CTLS 0x484
#define MSR_IA32_VMX_MISC 0x485
#define MSR_IA32_VMX_CR0_FIXED0 0x486
#define MSR_IA32_VMX_CR0_FIXED1 0x487
#define MSR_IA32_VMX_CR4_FIXED0 0x488
#define MSR_IA32_VMX_CR4_FIXED1 0x489
#define MSR_IA32_VMX_PROCBASED_CTLS2 0x48B
#define MSR_IA32_VMX_EPT_VPID_CAP 0x48C
#define MSR_IA32_VMX_TRUE_PINBASED_CTLS 0x48D
#define MSR_IA32_VMX_TRUE_PROCBASED_CTLS 0x48E
#define MSR_IA32_VMX_TRUE_EXIT_CTLS 0x48F
#define MSR_IA32_VMX_TRUE_ENTRY_CTLS 0x490
#define EPT_CAP_WB BIT(14)
#define EPT_CAP_2MB_PAGES BIT(16)
#define EPT_CAP_INVEPT_ALL BIT(26)
#define VPID_CAP_INVVPID_SINGLE BIT(41)

struct vmx_caps vmx_caps;
struct inject_caps vmx_inject_caps = { .vmx = true };
struct guest_insn_caps vmx_insn_caps;

/* Controls microhv needs (required) and would like (optional); the rest follow the capability MSRs. */
/* Virtual NMIs: the CPU tracks the guest's NMI blocking, and NMI-window exiting needs them. */
#define PIN_REQUIRED (PIN_EXTERNAL_INTERRUPT_EXITING | PIN_NMI_EXITING | PIN_VIRTUAL_NMIS)
/* CR8 exits: without a TPR shadow, a guest MOV to CR8 would otherwise change the host's own TPR. */
#define PRIMARY_REQUIRED (PROC_HLT_EXITING | PROC_USE_IO_BITMAPS | PROC_USE_MSR_BITMAPS | PROC_ACTIVATE_SECONDARY | \
			  PROC_CR8_LOAD_EXITING | PROC_CR8_STORE_EXITING | PROC_MWAIT_EXITING | PROC_MONITOR_EXITING | \
			  PROC_RDPMC_EXITING | PROC_USE_TSC_OFFSETTING) /* the guest's IA32_TSC writes (hv/rules/tsc.h) */
#define PRIMARY_ON_DEMAND (PROC_INTERRUPT_WINDOW_EXITING | PROC_NMI_WINDOW_EXITING | PROC_PAUSE_EXITING)
#define SECONDARY_REQUIRED (PROC2_ENABLE_EPT | PROC2_UNRESTRICTED_GUEST)
/* RDTSCP/RDPID and INVPCID are #UD in VMX non-root operation without their controls (SDM Vol. 3C §26.3). */
#define SECONDARY_OPTIONAL (PROC2_ENABLE_VPID | PROC2_ENABLE_RDTSCP | PROC2_ENABLE_INVPCID)
#define EXIT_REQUIRED (EXIT_HOST_ADDRESS_SPACE_SIZE | EXIT_SAVE_EFER | EXIT_LOAD_EFER | EXIT_SAVE_PAT | EXIT_LOAD_PAT)
#define ENTRY_REQUIRED (ENTRY_LOAD_EFER | ENTRY_LOAD_PAT)

/* For reports and unit-test data: every capability MSR, raw. */
static void log_capabilities(bool true_ctls)
{
	for (u32 msr = MSR_IA32_VMX_BASIC; msr <= MSR_IA32_VMX_TRUE_ENTRY_CTLS; msr++) {
		if (msr >= MSR_IA32_VMX_TRUE_PINBASED_CTLS && !true_ctls)
			break;
		log_debug("VMX capability MSR 0x%x = 0x%llx", msr, rdmsr(msr));
	}
}

static bool adjust(const char *what, u64 cap, u32 required, u32 optional, u32 *out)
{
	u32 missing;
	*out = vmx_adjust_controls(cap, required, optional, &missing);
	if (missing)
		log_warn("VMX: the CPU lacks required %s controls 0x%x", what, missing);
	return !missing;
}

bool vmx_probe(void)
{
	u32 r[4];
	cpuid_count(1, 0, r);
	if (!(r[2] & CPUID_1_ECX_VMX))
		return false;
	struct vmx_caps *c = &vmx_caps;
	c->basic = rdmsr(MSR_IA32_VMX_BASIC);
	vmx_inject_caps.vmx_no_ec_check = c->basic & VMX_BASIC_NO_HW_ERROR_CODE_CHECK;
	bool true_ctls = c->basic & VMX_BASIC_TRUE_CONTROLS;
	log_capabilities(true_ctls);
	c->misc = rdmsr(MSR_IA32_VMX_MISC);
	c->cr0_fixed0 = rdmsr(MSR_IA32_VMX_CR0_FIXED0);
	c->cr0_fixed1 = rdmsr(MSR_IA32_VMX_CR0_FIXED1);
	c->cr4_fixed0 = rdmsr(MSR_IA32_VMX_CR4_FIXED0);
	c->cr4_fixed1 = rdmsr(MSR_IA32_VMX_CR4_FIXED1);
	u64 primary_cap = rdmsr(true_ctls ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS : MSR_IA32_VMX_PROCBASED_CTLS);
	/* The preemption timer ends a guest's slice whatever its interrupt masking: the watchdog's tick. */
	bool ok = adjust("pin-based", rdmsr(true_ctls ? MSR_IA32_VMX_TRUE_PINBASED_CTLS : MSR_IA32_VMX_PINBASED_CTLS),
			 PIN_REQUIRED, PIN_PREEMPTION_TIMER, &c->pin) &
		  adjust("primary", primary_cap, PRIMARY_REQUIRED, 0, &c->primary) &
		  adjust("VM-exit", rdmsr(true_ctls ? MSR_IA32_VMX_TRUE_EXIT_CTLS : MSR_IA32_VMX_EXIT_CTLS),
			 EXIT_REQUIRED, 0, &c->exit) &
		  adjust("VM-entry", rdmsr(true_ctls ? MSR_IA32_VMX_TRUE_ENTRY_CTLS : MSR_IA32_VMX_ENTRY_CTLS),
			 ENTRY_REQUIRED, 0, &c->entry);
	/* Switched on per vCPU when needed, so only required to be allowed. */
	if (((primary_cap >> 32) & PRIMARY_ON_DEMAND) != PRIMARY_ON_DEMAND) {
		log_warn("VMX: the CPU lacks NMI-window or PAUSE exiting");
		ok = false;
	}
	u64 secondary_cap = rdmsr(MSR_IA32_VMX_PROCBASED_CTLS2);
	if (ok && (c->primary & PROC_ACTIVATE_SECONDARY))
		ok = adjust("secondary", secondary_cap, SECONDARY_REQUIRED, SECONDARY_OPTIONAL, &c->secondary);
	if (!ok)
		return false;
	c->ept_vpid = rdmsr(MSR_IA32_VMX_EPT_VPID_CAP);
	if (!(c->ept_vpid & EPT_CAP_WB) || !(c->ept_vpid & EPT_CAP_2MB_PAGES)) {
		log_warn("VMX: EPT without write-back paging structures or 2 MiB pages is not supported");
		return false;
	}
	if ((c->secondary & PROC2_ENABLE_VPID) && !(c->ept_vpid & VPID_CAP_INVVPID_SINGLE))
		c->secondary &= ~PROC2_ENABLE_VPID;
	vmx_insn_caps.rdtscp = c->secondary & PROC2_ENABLE_RDTSCP;
	/* With INVLPG exiting forced on, INVPCID would exit too (SDM Vol. 3C §26.1.3): not offered then. */
	vmx_insn_caps.invpcid = (c->secondary & PROC2_ENABLE_INVPCID) && !(c->primary & PROC_INVLPG_EXITING);
	vmx_apicv_probe(primary_cap, secondary_cap);
	return true;
}

/* Each pCPU has its own IA32_FEATURE_CONTROL (SDM Vol. 3C §24.7). */
static bool enable_feature_control(void)
{
	u64 fc = rdmsr(MSR_IA32_FEATURE_CONTROL);
	if (!(fc & FEATURE_CONTROL_LOCKED)) {
		/* Firmware (e.g. OVMF) left it unlocked: allow VMX outside SMX and lock it. */
		wrmsr(MSR_IA32_FEATURE_CONTROL, fc | FEATURE_CONTROL_VMX_OUTSIDE_SMX | FEATURE_CONTROL_LOCKED);
		return true;
	}
	return fc & FEATURE_CONTROL_VMX_OUTSIDE_SMX;
}

int vmx_cpu_init(struct pcpu *self)
{
	const struct vmx_caps *c = &vmx_caps;
	u32 r[4];
	cpuid_count(1, 0, r);
	if (!(r[2] & CPUID_1_ECX_VMX))
		return pcpu_setup_failed(self, -ENOSYS, "no VMX (CPUID.1:ECX[5] is 0)");
	if (!enable_feature_control())
		return pcpu_setup_failed(self, -ENOSYS, "VMX is disabled and locked by the firmware "
				       "(IA32_FEATURE_CONTROL); enable VT-x in the firmware setup");
	write_cr0(vmx_fixed_cr0(read_cr0(), c->cr0_fixed0, c->cr0_fixed1, false));
	write_cr4(vmx_fixed_cr4(read_cr4() | CR4_VMXE, c->cr4_fixed0, c->cr4_fixed1));
	u32 *vmxon_region = mm_alloc_pages(1, PAGE_SIZE);
	if (!vmxon_region)
		return pcpu_setup_failed(self, -ENOMEM, "no memory for the VMXON region");
	*vmxon_region = (u32)(c->basic & VMX_BASIC_REVISION_MASK);
	self->virt_area = vmxon_region;
	if (!vmxon(virt_to_phys(vmxon_region)))
		return pcpu_setup_failed(self, -ENOSYS, "VMXON failed");
	invept(INVEPT_ALL_CONTEXTS, 0);
	if (self->index) /* the capabilities are the boot CPU's, reported once */
		return 0;
	vmx_caps.preemption_rate = c->misc & VMX_MISC_PREEMPTION_TIMER_RATE_MASK;
	if (c->pin & PIN_PREEMPTION_TIMER)
		vmx_caps.preemption_ticks = (u32)MIN(ms_to_tsc(HOST_TICK_MS) >> vmx_caps.preemption_rate, 0xFFFFFFFFull);
	log_info("VMX: EPT, unrestricted guest, VPID %s, preemption timer %s, APIC virtualization %s, IA32_VMX_BASIC "
		 "0x%llx (bit 56 %s)",
		 c->secondary & PROC2_ENABLE_VPID ? "yes" : "no", c->pin & PIN_PREEMPTION_TIMER ? "yes" : "no",
		 c->apicv ? "yes" : "no", c->basic, c->basic & VMX_BASIC_NO_HW_ERROR_CODE_CHECK ? "set" : "clear");
	log_debug("VMX controls: pin 0x%x primary 0x%x secondary 0x%x exit 0x%x entry 0x%x", c->pin, c->primary,
		  c->secondary, c->exit, c->entry);
	return 0;
}

int vmx_vm_init(struct vm *vm)
{
	struct vmx_vm *x = mm_alloc_pages(1, PAGE_SIZE);
	if (!x)
		return -ENOMEM;
	vm->arch = x;
	int err = stage2_build(&x->ept, &ept_format, vm);
	if (err)
		return err;
	invept(INVEPT_SINGLE_CONTEXT, ept_pointer(&x->ept)); /* the tables may sit where an earlier VM's did */
	return vmx_apicv_vm_init(vm);
}

void vmx_vm_destroy(struct vm *vm)
{
	struct vmx_vm *x = vm->arch;
	vmx_apicv_vm_destroy(vm);
	stage2_free(&x->ept);
	mm_free_pages(x, 1);
	vm->arch = NULL;
}

void vmcs_write_failed(u64 field)
{
	log_error("VMWRITE of field 0x%llx failed (VM-instruction error %llu)", field, vmread(VMCS_VM_INSTRUCTION_ERROR));
}
