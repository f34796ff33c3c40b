/* Hypercalls: RAX = function, RBX/RCX/RDX/RSI = arguments, RAX = result (negative errno on error). */
#include "hypercall.h"
#include "events.h"
#include "rules/guest_abi.h"
#include "pcpu.h"
#include "platform/irq_sources.h"
#include "vm.h"
#include "x86.h"

static s64 hc_stat(struct vcpu *v, u64 which)
{
	switch (which) {
	case HC_STAT_EC_DROPPED: return (s64)v->stats.ec_dropped;
	case HC_STAT_EC_ADDED: return (s64)v->stats.ec_added;
	case HC_STAT_EXITS: return (s64)v->stats.exits;
	default: return -EINVAL;
	}
}

static s64 hc_host_cpuid(struct vcpu *v)
{
	u32 out[4];
	cpuid_count((u32)v->gpr[GPR_RBX], (u32)v->gpr[GPR_RCX], out);
	v->gpr[GPR_RBX] = out[1];
	v->gpr[GPR_RCX] = out[2];
	v->gpr[GPR_RDX] = out[3];
	return out[0];
}

static s64 hc_query_memtype(struct vcpu *v, u64 gpa)
{
	u8 type;
	bool ignore_pat;
	if (!v->vm->be->query_memtype)
		return -ENOSYS;
	int err = v->vm->be->query_memtype(v->vm, gpa, &type, &ignore_pat);
	if (err)
		return err;
	return type | (ignore_pat ? HC_MEMTYPE_IGNORE_PAT : 0);
}

/* Per VM, so that the back ends' null path reads one place whichever vCPU exits. */
static s64 hc_bench_mode(struct vcpu *v, u64 kinds, u64 mmio_len)
{
	return bench_null_select(&v->vm->bench_null, kinds, mmio_len);
}

/* The hardware's side of CR0, which a guest cannot see otherwise (spec R4.1, R4.2: CD/NW kept out). */
static s64 hc_query_cr0(struct vcpu *v)
{
	const struct backend *be = v->vm->be;
	v->gpr[GPR_RBX] = be->get_reg(v, VREG_CR0_WRITE_EXITS);
	v->gpr[GPR_RCX] = be->get_reg(v, VREG_CR0_READ_EXITS);
	return (s64)be->get_reg(v, VREG_HW_CR0);
}

bool hypercall_read_only(struct vcpu *v, u8 cpl)
{
	u64 *r = v->gpr;
	if (cpl != 0) /* only the guest kernel may talk to the hypervisor */
		r[GPR_RAX] = (u64)-EPERM;
	else if (r[GPR_RAX] == HC_VERSION)
		r[GPR_RAX] = MICROHV_ABI_VERSION;
	else if (r[GPR_RAX] == HC_STAT)
		r[GPR_RAX] = (u64)hc_stat(v, r[GPR_RBX]);
	else if (r[GPR_RAX] == HC_WHERE) /* answered where the vCPU runs, also on the back end's fast path */
		r[GPR_RAX] = this_pcpu()->index, r[GPR_RBX] = pcpu_online_count();
	else
		return false;
	return true;
}

/* Always completes the hypercall: a fault HC_INJECT queues is delivered after it. */
struct verdict hypercall_handle(struct vcpu *v)
{
	u64 *r = v->gpr;
	s64 ret;

	if (hypercall_read_only(v, (u8)v->vm->be->get_reg(v, VREG_CPL)))
		return verdict_advance();
	switch (r[GPR_RAX]) {
	case HC_INJECT: ret = hv_inject_exception(v, r[GPR_RBX], r[GPR_RCX] != 0, (u32)r[GPR_RDX], r[GPR_RSI]); break;
	case HC_HOST_CPUID: ret = hc_host_cpuid(v); break;
	case HC_QUERY_MEMTYPE: ret = hc_query_memtype(v, r[GPR_RBX]); break;
	case HC_BENCH_MODE: ret = hc_bench_mode(v, r[GPR_RBX], r[GPR_RCX]); break;
	case HC_QUERY_CR0: ret = hc_query_cr0(v); break;
	case HC_IOAPIC_PIN: ret = irq_sources_set_pin(v->vm, r[GPR_RBX], r[GPR_RCX]); break;
	case HC_RAISE_MSI: ret = irq_sources_raise_msi(v->vm, r[GPR_RBX], r[GPR_RCX]); break;
	case HC_DEBUG_BREAK_ENTRY:
		v->vm->be->break_next_entry(v);
		ret = 0;
		break;
	default: ret = -ENOSYS; break;
	}
	r[GPR_RAX] = (u64)ret;
	return verdict_advance();
}
