/* Per-vCPU x87/SSE/AVX, debug-register and CR2 state (see guest_xstate.h). */
#include "guest_xstate.h"
#include "pcpu.h"
#include "events.h"
#include "log.h"
#include "mm.h"
#include "vm.h"
#include "x86.h"
#include "rules/xcr0.h"

#define CPUID_1_ECX_XSAVE BIT(26)
#define CPUID_LEAF_XSAVE 0xDu
#define RFLAGS_VM BIT(17)
#define FXSAVE_BYTES 512u
#define LEGACY_FCW 0          /* offsets in the FXSAVE / XSAVE legacy region (SDM Vol. 1 Table 10-2) */
#define LEGACY_MXCSR 24
#define FCW_INIT 0x037Fu      /* after FNINIT (SDM Vol. 1 §8.1.5) */
#define MXCSR_INIT 0x1F80u    /* all exceptions masked (SDM Vol. 1 §10.2.3.1) */
#define DR6_INIT 0xFFFF0FF0ull /* SDM Vol. 3A Table 10-1 */

static bool use_xsave;
static u64 xsave_mask;        /* the host's XCR0: every component a guest can enable */
static bool have_tsc_aux;     /* the CPU has IA32_TSC_AUX (RDTSCP or RDPID) */
static u32 area_bytes = FXSAVE_BYTES;

#define CPUID_E1_EDX_RDTSCP BIT(27)
#define CPUID_7_ECX_RDPID BIT(22)

void guest_xstate_probe(void)
{
	u32 r[4];
	cpuid_count(0x80000001u, 0, r);
	have_tsc_aux = r[3] & CPUID_E1_EDX_RDTSCP;
	cpuid_count(7, 0, r);
	have_tsc_aux |= (r[2] & CPUID_7_ECX_RDPID) != 0;
	if (have_tsc_aux)
		wrmsr(MSR_TSC_AUX, this_pcpu()->hw_tsc_aux); /* 0: a known value, whatever the firmware left */
	cpuid_count(1, 0, r);
	/* XSAVE, where the CPU has it, with every component a guest may enable (x87, SSE, AVX, AVX-512 as
	 * the host has them). A guest's XCR0 (emulated XSETBV) is a subset of it, so saving with this mask
	 * covers all of a guest's state; the hardware holds the guest's XCR0 only while the guest runs. */
	if (r[2] & CPUID_1_ECX_XSAVE) {
		cpuid_count(CPUID_LEAF_XSAVE, 0, r);
		u64 host = r[0] | (u64)r[3] << 32;
		/* PKRU too: a guest with CR4.PKE uses it without XCR0, so it is switched per vCPU like the rest. */
		u64 mask = xcr0_guest_supported(host, ~0ull);
		if (mask)
			mask |= host & XCR0_PKRU;
		write_cr4(read_cr4() | CR4_OSXSAVE);
		if (mask)
			xsetbv(XCR_XFEATURE_ENABLED, mask);
		use_xsave = true;
		xsave_mask = this_pcpu()->hw_xcr0 = xgetbv(XCR_XFEATURE_ENABLED);
		cpuid_count(CPUID_LEAF_XSAVE, 0, r);
		area_bytes = MAX(r[1], FXSAVE_BYTES + 64); /* EBX: size for the enabled components */
	}
	log_info("guest FPU state: %s, %u bytes per vCPU (XCR0 0x%llx)", use_xsave ? "XSAVE" : "FXSAVE",
		 area_bytes, xsave_mask);
}

/* An AP, before it runs guests: the boot CPU's probe decided what every pCPU enables (one CPU model). */
void guest_xstate_cpu_init(void)
{
	if (have_tsc_aux)
		wrmsr(MSR_TSC_AUX, this_pcpu()->hw_tsc_aux);
	if (!use_xsave)
		return;
	write_cr4(read_cr4() | CR4_OSXSAVE);
	xsetbv(XCR_XFEATURE_ENABLED, xsave_mask);
	this_pcpu()->hw_xcr0 = xsave_mask;
}

static u64 area_pages(void)
{
	return ALIGN_UP(area_bytes, PAGE_SIZE) / PAGE_SIZE;
}

static void reset_debug_and_cr2(struct guest_xstate *x)
{
	for (int i = 0; i < 4; i++)
		x->dr[i] = 0;
	x->dr6 = DR6_INIT;
	x->cr2 = 0;
}

int guest_xstate_init(struct vcpu *v)
{
	struct guest_xstate *x = &v->xstate;
	/* Zeroed pages: an XSAVE header with XSTATE_BV = 0 makes XRSTOR load every component's init state. */
	x->area = mm_alloc_pages(area_pages(), PAGE_SIZE);
	if (!x->area)
		return -ENOMEM;
	*(u16 *)((u8 *)x->area + LEGACY_FCW) = FCW_INIT;
	*(u32 *)((u8 *)x->area + LEGACY_MXCSR) = MXCSR_INIT; /* XRSTOR loads MXCSR from memory regardless */
	reset_debug_and_cr2(x);
	x->xcr0 = XCR0_RESET;
	return 0;
}

u64 guest_xstate_host_xcr0(void)
{
	return use_xsave ? xsave_mask : 0;
}

void guest_xstate_enter(struct vcpu *v, u64 guest_cr4)
{
	/* With CR4.OSXSAVE clear the guest cannot see XCR0 (XGETBV/XSAVE/AVX are #UD): keep the host's. */
	if (have_tsc_aux && v->xstate.tsc_aux != this_pcpu()->hw_tsc_aux) {
		wrmsr(MSR_TSC_AUX, v->xstate.tsc_aux);
		this_pcpu()->hw_tsc_aux = v->xstate.tsc_aux;
	}
	u64 want = (guest_cr4 & CR4_OSXSAVE) ? v->xstate.xcr0 : xsave_mask;
	if (use_xsave && want != this_pcpu()->hw_xcr0) {
		xsetbv(XCR_XFEATURE_ENABLED, want);
		this_pcpu()->hw_xcr0 = want;
	}
}

void guest_xstate_leave(struct vcpu *v, u64 guest_cr4)
{
	/* QEMU TCG ignores the SVM XSETBV intercept (helper_xsetbv() has no intercept check), so there the
	 * guest's XSETBV changes the hardware's XCR0 itself: what the hardware holds is the guest's. Where
	 * XSETBV exits, this reads back the value loaded at entry. */
	if (use_xsave && (guest_cr4 & CR4_OSXSAVE))
		v->xstate.xcr0 = this_pcpu()->hw_xcr0 = xgetbv(XCR_XFEATURE_ENABLED);
	if (use_xsave && this_pcpu()->hw_xcr0 != xsave_mask) {
		xsetbv(XCR_XFEATURE_ENABLED, xsave_mask);
		this_pcpu()->hw_xcr0 = xsave_mask;
	}
}

/* XSETBV (it always exits on VMX, and is intercepted on SVM): the checks of SDM Vol. 2C XSETBV, then the
 * new XCR0 is the vCPU's, loaded at the next entry. */
struct verdict guest_xstate_xsetbv(struct vcpu *v)
{
	const struct backend *be = v->vm->be;
	const struct xsetbv_context c = {
		.osxsave = be->get_reg(v, VREG_CR4) & CR4_OSXSAVE,
		.cpl = (u8)be->get_reg(v, VREG_CPL),
		.v8086 = (v->rflags & RFLAGS_VM) && (be->get_reg(v, VREG_CR0) & CR0_PE),
		.supported = v->vm->cpuid.xcr0_supported,
	};
	u64 value = (u32)v->gpr[GPR_RAX] | (v->gpr[GPR_RDX] << 32);
	switch (xsetbv_check(&c, (u32)v->gpr[GPR_RCX], value)) {
	case XSETBV_UD:
		return verdict_fault(VEC_UD, false, 0);
	case XSETBV_GP:
		log_debug("%s: XSETBV ecx 0x%llx value 0x%llx: #GP(0)", v->vm->name, v->gpr[GPR_RCX] & 0xFFFFFFFFull,
			  value);
		return verdict_fault(VEC_GP, true, 0);
	case XSETBV_OK:
		break;
	}
	v->xstate.xcr0 = value;
	return verdict_advance();
}

static void save_hardware(struct guest_xstate *x)
{
	if (use_xsave)
		xsave(x->area, xsave_mask);
	else
		fxsave(x->area);
	x->dr[0] = read_dr0();
	x->dr[1] = read_dr1();
	x->dr[2] = read_dr2();
	x->dr[3] = read_dr3();
	x->dr6 = read_dr6();
	x->cr2 = read_cr2();
}

static void load_hardware(const struct guest_xstate *x)
{
	if (use_xsave)
		xrstor(x->area, xsave_mask);
	else
		fxrstor(x->area);
	write_dr0(x->dr[0]);
	write_dr1(x->dr[1]);
	write_dr2(x->dr[2]);
	write_dr3(x->dr[3]);
	write_dr6(x->dr6);
	write_cr2(x->cr2);
}

void guest_xstate_switch_to(struct vcpu *v)
{
	struct vcpu **owner = &this_pcpu()->xstate_owner;
	if (*owner == v)
		return;
	if (*owner)
		save_hardware(&(*owner)->xstate);
	load_hardware(&v->xstate);
	*owner = v;
}

void guest_xstate_init_signal(struct vcpu *v)
{
	struct vcpu **owner = &this_pcpu()->xstate_owner;
	if (*owner == v) { /* the hardware holds v's registers: keep its FPU state, reload the rest */
		save_hardware(&v->xstate);
		*owner = NULL;
	}
	reset_debug_and_cr2(&v->xstate);
}

void guest_xstate_release(struct vcpu *v)
{
	struct vcpu **owner = &this_pcpu()->xstate_owner;
	if (*owner == v)
		*owner = NULL;
	if (v->xstate.area)
		mm_free_pages(v->xstate.area, area_pages());
	v->xstate.area = NULL;
}
