/* Per-vCPU x87/SSE/AVX, debug-register and CR2 state (see guest_xstate.h). */
#include "guest_xstate.h"
#include "log.h"
#include "mm.h"
#include "vcpu.h"
#include "x86.h"

#define CPUID_1_ECX_XSAVE BIT(26)
#define CPUID_LEAF_XSAVE 0xDu
#define XCR_XFEATURE_ENABLED 0
#define XCR0_X87_SSE_AVX 0x7ull
#define FXSAVE_BYTES 512u
#define LEGACY_FCW 0          /* offsets in the FXSAVE / XSAVE legacy region (SDM Vol. 1 Table 10-2) */
#define LEGACY_MXCSR 24
#define FCW_INIT 0x037Fu      /* after FNINIT (SDM Vol. 1 §8.1.5) */
#define MXCSR_INIT 0x1F80u    /* all exceptions masked (SDM Vol. 1 §10.2.3.1) */
#define DR6_INIT 0xFFFF0FF0ull /* SDM Vol. 3A Table 10-1 */

static bool use_xsave;
static u64 xsave_mask;        /* the host's XCR0: every component a guest can touch */
static u32 area_bytes = FXSAVE_BYTES;
static struct vcpu *owner;    /* whose state the hardware holds now */

void guest_xstate_probe(void)
{
	u32 r[4];
	cpuid_count(1, 0, r);
	/* XSAVE, where the CPU has it, with x87/SSE/AVX enabled (firmware often leaves CR4.OSXSAVE clear).
	 * A guest can only use components XCR0 enables and cannot change XCR0 (XSETBV is intercepted), so
	 * saving with that mask covers all of its state. */
	if (r[2] & CPUID_1_ECX_XSAVE) {
		if (!(read_cr4() & CR4_OSXSAVE)) {
			cpuid_count(CPUID_LEAF_XSAVE, 0, r);
			write_cr4(read_cr4() | CR4_OSXSAVE);
			xsetbv(XCR_XFEATURE_ENABLED, r[0] & XCR0_X87_SSE_AVX);
		}
		use_xsave = true;
		xsave_mask = xgetbv(XCR_XFEATURE_ENABLED);
		cpuid_count(CPUID_LEAF_XSAVE, 0, r);
		area_bytes = MAX(r[1], FXSAVE_BYTES + 64); /* EBX: size for the enabled components */
	}
	log_info("guest FPU state: %s, %u bytes per vCPU (XCR0 0x%llx)", use_xsave ? "XSAVE" : "FXSAVE",
		 area_bytes, xsave_mask);
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
	return 0;
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
	if (owner == v)
		return;
	if (owner)
		save_hardware(&owner->xstate);
	load_hardware(&v->xstate);
	owner = v;
}

void guest_xstate_init_signal(struct vcpu *v)
{
	if (owner == v) { /* the hardware holds v's registers: keep its FPU state, reload the rest */
		save_hardware(&v->xstate);
		owner = NULL;
	}
	reset_debug_and_cr2(&v->xstate);
}

void guest_xstate_release(struct vcpu *v)
{
	if (owner == v)
		owner = NULL;
	if (v->xstate.area)
		mm_free_pages(v->xstate.area, area_pages());
	v->xstate.area = NULL;
}
