/* Back-end detection and the hypercall wrappers (see hypercall.h). */
#include "hypercall.h"
#include "tap.h"

void hc_vmmcall_regs(struct hc_regs *r);
void hc_vmcall_regs(struct hc_regs *r);
extern const char hc_vmmcall_next[], hc_vmcall_next[];

#define BACKEND_UNKNOWN 0xFFFFFFFFu

static u32 backend = BACKEND_UNKNOWN; /* detected once: every CPUID is a VM exit under microhv */

static u32 detect_backend(void)
{
	if (!(cpuid(1, 0).ecx & CPUID_1_ECX_HYPERVISOR))
		return 0;
	struct cpuid_regs base = cpuid(MICROHV_CPUID_BASE, 0);
	if (base.ebx != MICROHV_SIG_EBX || base.ecx != MICROHV_SIG_ECX || base.edx != MICROHV_SIG_EDX ||
	    base.eax < MICROHV_CPUID_INFO)
		return 0;
	u32 b = cpuid(MICROHV_CPUID_INFO, 0).ebx;
	return b == MICROHV_BACKEND_SVM || b == MICROHV_BACKEND_VMX ? b : 0;
}

u32 microhv_backend(void)
{
	if (backend == BACKEND_UNKNOWN)
		backend = detect_backend();
	return backend;
}

bool under_microhv(void)
{
	return microhv_backend() != 0;
}

bool require_microhv(const char *name)
{
	if (under_microhv())
		return true;
	SKIP(name, SKIP_NO_MICROHV);
	return false;
}

void hc_raw(struct hc_regs *r)
{
	switch (microhv_backend()) {
	case MICROHV_BACKEND_SVM:
		hc_vmmcall_regs(r);
		break;
	case MICROHV_BACKEND_VMX:
		hc_vmcall_regs(r);
		break;
	default: /* the instruction would #UD on bare hardware / plain QEMU */
		r->rax = (u64)-ENOSYS;
		break;
	}
}

u64 hc_next_rip(void)
{
	switch (microhv_backend()) {
	case MICROHV_BACKEND_SVM:
		return (u64)hc_vmmcall_next;
	case MICROHV_BACKEND_VMX:
		return (u64)hc_vmcall_next;
	default:
		return 0;
	}
}

s64 hc_call(u64 fn, u64 a1, u64 a2, u64 a3, u64 a4)
{
	struct hc_regs r = { .rax = fn, .rbx = a1, .rcx = a2, .rdx = a3, .rsi = a4 };
	hc_raw(&r);
	return (s64)r.rax;
}

struct cpuid_regs hc_host_cpuid(u32 leaf, u32 subleaf)
{
	struct hc_regs r = { .rax = HC_HOST_CPUID, .rbx = leaf, .rcx = subleaf };
	if (!under_microhv())
		return (struct cpuid_regs){ 0 };
	hc_raw(&r);
	return (struct cpuid_regs){ .eax = (u32)r.rax, .ebx = (u32)r.rbx, .ecx = (u32)r.rcx, .edx = (u32)r.rdx };
}
