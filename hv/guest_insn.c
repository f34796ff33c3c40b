/* Instruction fetch through the guest's own page tables (hv/rules/guest_walk.c), then decode (hv/rules/decode.c),
 * both skipped when the vCPU's instruction-site cache (hv/rules/insn_cache.h) still holds the site. */
#include "guest_insn.h"
#include "backend.h"
#include "events.h"
#include "lib/fmt.h"
#include "rules/guest_walk.h"
#include "vm.h"
#include "x86.h"

#define RFLAGS_VM BIT(17)
#define FETCH_PAGE_OFFSET(a) ((a) & (PAGE_SIZE - 1))

static bool read_guest_ram(void *ctx, u64 gpa, void *buf, u32 len)
{
	const struct vm *vm = ctx;
	if (gpa >= vm->ram_size || len > vm->ram_size - gpa)
		return false;
	memcpy(buf, vm->ram + gpa, len);
	return true;
}

static void paging_of_regs(const struct vcpu *v, u64 cr0, u64 cr3, u64 cr4, u64 efer, struct guest_paging *gp)
{
	*gp = (struct guest_paging){ cr0, cr3, cr4, efer, v->vm->cpuid.maxphyaddr, read_guest_ram, v->vm };
}

void guest_paging_of(struct vcpu *v, struct guest_paging *gp)
{
	struct fetch_regs f;
	v->vm->be->get_fetch_regs(v, &f);
	paging_of_regs(v, f.cr0, f.cr3, f.cr4, f.efer, gp);
}

/* The site CS:RIP names now: one back-end call. */
static void site_of(struct vcpu *v, struct insn_site_key *k)
{
	struct fetch_regs f;
	v->vm->be->get_fetch_regs(v, &f);
	enum cpu_mode mode = decode_cpu_mode(f.cr0 & CR0_PE, v->rflags & RFLAGS_VM, f.efer & EFER_LMA, f.cs_l, f.cs_d);
	*k = (struct insn_site_key){ insn_fetch_linear(mode, f.cs_base, v->rip), f.cr0, f.cr3, f.cr4, f.efer, (u8)mode };
}

/* Up to 15 bytes at the site; how many could be read. *walked: the translation of the first byte
 * succeeded, giving *gpa with the entries in *walk (what insn_cache_fill() needs; a hit re-checks the
 * bytes at *gpa, so they are what the cache stores whichever path read them). */
static u32 fetch_site(struct vcpu *v, const struct insn_site_key *k, u8 bytes[INSN_MAX_LEN],
		      struct guest_walk_trace *walk, u64 *gpa, bool *walked)
{
	struct guest_paging gp;
	struct guest_xlate x;
	u32 got = 0;
	paging_of_regs(v, k->cr0, k->cr3, k->cr4, k->efer, &gp);
	*walked = !guest_translate_traced(&gp, k->linear, &x, walk);
	*gpa = x.gpa;
	if (*walked && FETCH_PAGE_OFFSET(k->linear) + INSN_MAX_LEN <= PAGE_SIZE &&
	    read_guest_ram(v->vm, x.gpa, bytes, INSN_MAX_LEN))
		return INSN_MAX_LEN;
	/* The 15 bytes cross a page, or a read fails: page by page, with the walker's errors. */
	int err = guest_read_linear(&gp, k->linear, bytes, INSN_MAX_LEN, &got);
	return err ? got : INSN_MAX_LEN;
}

const struct insn *guest_fetch_decoded(struct vcpu *v, struct insn *scratch, int *err)
{
	struct insn_site_key k;
	site_of(v, &k);
	const struct insn *hit = insn_cache_lookup(&v->insn_cache, &k, v->vm->ram, v->vm->ram_size);
	if (hit) {
		*err = 0;
		return hit;
	}
	u8 bytes[INSN_MAX_LEN];
	struct guest_walk_trace walk;
	u64 gpa;
	bool walked;
	u32 got = fetch_site(v, &k, bytes, &walk, &gpa, &walked);
	*err = insn_decode(bytes, got, k.mode, scratch);
	if (!*err && walked) /* insn_cache_fill() refuses an instruction that leaves the page */
		insn_cache_fill(&v->insn_cache, &k, &walk, gpa, scratch, bytes);
	return scratch;
}

const struct insn *guest_cached_insn(struct vcpu *v)
{
	struct insn_site_key k;
	site_of(v, &k);
	return insn_cache_lookup(&v->insn_cache, &k, v->vm->ram, v->vm->ram_size);
}

int guest_fetch_insn(struct vcpu *v, struct insn *in)
{
	int err;
	const struct insn *got = guest_fetch_decoded(v, in, &err);
	if (got != in)
		*in = *got;
	return err;
}

u32 guest_fetch_bytes(struct vcpu *v, u8 bytes[INSN_MAX_LEN])
{
	struct insn_site_key k;
	struct guest_walk_trace walk;
	u64 gpa;
	bool walked;
	site_of(v, &k);
	return fetch_site(v, &k, bytes, &walk, &gpa, &walked);
}

bool guest_inject_walk_fault(struct vcpu *v, int walk_err, u64 linear, bool write)
{
	const struct backend *be = v->vm->be;
	if (walk_err == GW_ERR_NONCANONICAL) {
		hv_inject_exception(v, VEC_GP, true, 0, 0);
		return true;
	}
	if (walk_err != GW_ERR_NOT_PRESENT && walk_err != GW_ERR_RESERVED)
		return false;
	be->set_reg(v, VREG_CR2, linear);
	hv_inject_exception(v, VEC_PF, true, guest_walk_pf_error_code(walk_err, write, be->get_reg(v, VREG_CPL) == 3), 0);
	return true;
}

void guest_segment_bases(struct vcpu *v, u64 seg_base[NUM_SEGS])
{
	static const enum vreg regs[NUM_SEGS] = { [SEG_ES] = VREG_ES_BASE, [SEG_CS] = VREG_CS_BASE,
						  [SEG_SS] = VREG_SS_BASE, [SEG_DS] = VREG_DS_BASE,
						  [SEG_FS] = VREG_FS_BASE, [SEG_GS] = VREG_GS_BASE };
	for (u32 s = 0; s < NUM_SEGS; s++)
		seg_base[s] = v->vm->be->get_reg(v, regs[s]);
}
