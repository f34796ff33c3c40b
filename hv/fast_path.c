/* The fast path's answers (see fast_path.h). Each is the same function the full path uses, so an exit
 * answered here and one dispatched give the guest the same result. */
#include "fast_path.h"
#include "cpuid_fast.h"
#include "guest_abi.h"
#include "hypercall.h"
#include "msr.h"
#include "vm.h"

static bool fast_cpuid(struct vcpu *v)
{
	const u32 *regs = cpuid_fast_find(&v->vm->cpuid_fast, (u32)v->gpr[GPR_RAX]);
	if (!regs)
		return false;
	v->gpr[GPR_RAX] = regs[CPUID_EAX];
	v->gpr[GPR_RBX] = regs[CPUID_EBX];
	v->gpr[GPR_RCX] = regs[CPUID_ECX];
	v->gpr[GPR_RDX] = regs[CPUID_EDX];
	return true;
}

static bool fast_msr(struct vcpu *v, bool write)
{
	u64 value = write ? (v->gpr[GPR_RAX] & 0xFFFFFFFFu) | (v->gpr[GPR_RDX] << 32) : 0;
	if (msr_stored_in_vcpu(v, (u32)v->gpr[GPR_RCX], write, &value) <= 0)
		return false; /* another MSR, or a #GP the full path raises */
	if (!write) {
		v->gpr[GPR_RAX] = (u32)value;
		v->gpr[GPR_RDX] = value >> 32;
	}
	return true;
}

/* A byte of console output that only joins the guest's current line (hv/platform/uart.h). The UART is the
 * VM's, not the vCPU's, but a VM runs on one pCPU at a time (hv/run_loop.c), as on the full path. */
static bool fast_out(struct vcpu *v, const struct exit_io *io)
{
	if (io->in || io->string || io->size != 1 || io->port != GUEST_UART_PORT)
		return false;
	return uart_put_plain(&v->vm->uart, (u8)v->gpr[GPR_RAX]);
}

static bool answer(struct vcpu *v, const struct fast_exit *e)
{
	switch (e->reason) {
	case EXIT_CPUID: return fast_cpuid(v);
	case EXIT_MSR_READ: return fast_msr(v, false);
	case EXIT_MSR_WRITE: return fast_msr(v, true);
	case EXIT_HYPERCALL: return hypercall_read_only(v, e->cpl);
	case EXIT_IO: return fast_out(v, &e->io);
	default: return false;
	}
}

bool fast_path_answer(struct vcpu *v, const struct fast_exit *e)
{
	/* No deadline test: the slice's end (watchdog tick, a guest timer, another vCPU's turn) is the host
	 * timer armed for v->slice_end_tsc, whose interrupt exits to the core, never to this path. */
	v->stats.exits++; /* first: HC_STAT_EXITS counts the exit it is asked in, as on the full path */
	if (answer(v, e))
		return true;
	v->stats.exits--;
	return false;
}
