/* Guest CPUID policy (docs/cpuid.md). Host features are passed only where microhv either virtualizes them
 * or they execute natively without harm; everything else is hidden. */
#include "cpuid_policy.h"
#include "guest_abi.h"

#define LEAF_BASIC_MAX 0x1Fu
#define LEAF_FEATURES 0x1u
#define LEAF_CACHE_DESCRIPTORS 0x2u
#define LEAF_CACHE_PARAMS 0x4u
#define LEAF_STRUCTURED_FEATURES 0x7u
#define LEAF_TOPOLOGY 0xBu
#define LEAF_XSAVE 0xDu
#define LEAF_TSC_FREQ 0x15u
#define LEAF_CPU_FREQ 0x16u
#define LEAF_TOPOLOGY_V2 0x1Fu
#define LEAF_EXT_BASE 0x80000000u
#define LEAF_EXT_FEATURES 0x80000001u
#define LEAF_EXT_BRAND_LAST 0x80000004u
#define LEAF_EXT_L1_CACHE 0x80000005u
#define LEAF_EXT_L2_CACHE 0x80000006u
#define LEAF_EXT_POWER 0x80000007u
#define LEAF_EXT_ADDRESS_SIZES 0x80000008u
#define CACHE_PARAMS_SUBLEAVES 8
#define TOPOLOGY_LEVELS 2
#define TOPOLOGY_TYPE_SMT 1
#define TOPOLOGY_TYPE_CORE 2
#define DEFAULT_MAXPHYADDR 36 /* SDM: when leaf 0x80000008 is absent */

/* Leaf 1 ECX/EDX. Kept: plain ISA extensions that run natively. Hidden: VMX/SMX (no nesting), monitoring,
 * power management, MCE/MCA (no machine-check MSRs), the APIC bits until the virtual APIC exists, and
 * XSAVE with everything that needs XCR0 (FMA, AVX, F16C): XSETBV always exits on VMX and is not
 * emulated yet, so a guest that believed in XSAVE would stop. */
#define L1_ECX_KEEP (BIT(0) | BIT(1) | BIT(9) | BIT(13) | BIT(17) | BIT(19) | BIT(20) | BIT(22) | BIT(23) | \
		     BIT(25) | BIT(30))
#define L1_ECX_X2APIC BIT(21)
#define L1_ECX_TSC_DEADLINE BIT(24)
#define L1_EDX_APIC BIT(9)
#define L1_ECX_HYPERVISOR BIT(31) /* "running under a hypervisor" */
#define L1_EDX_KEEP (BIT(0) | BIT(1) | BIT(2) | BIT(3) | BIT(4) | BIT(5) | BIT(6) | BIT(8) | BIT(11) | \
		     BIT(13) | BIT(15) | BIT(16) | BIT(17) | BIT(19) | BIT(23) | BIT(24) | BIT(25) | BIT(26) | BIT(27))
#define L1_EDX_MTRR BIT(12) /* R3.6: always set; the MTRR MSRs are emulated (hv/mtrr.c) whatever the host says */
#define L1_EDX_HTT BIT(28)
#define L1_EBX_ID_MASK 0x0000FFFFu /* brand index, CLFLUSH line size */
#define L1_EBX_LOGICAL_SHIFT 16
#define L1_EBX_APIC_ID_SHIFT 24
/* Leaf 7.0 EBX: FSGSBASE, BMI1, HLE, SMEP, BMI2, ERMS, RTM, RDSEED, ADX, SMAP, CLFLUSHOPT, CLWB, SHA.
 * ECX: UMIP, PKU, GFNI. EDX: FSRM, MD_CLEAR. Hidden besides the XSAVE-state families (AVX2, AVX-512,
 * VAES, VPCLMULQDQ): INVPCID (needs the VMX "enable INVPCID" control, else #UD) and RDPID (reads
 * IA32_TSC_AUX, which is not virtualized, and needs "enable RDTSCP" on VMX). */
#define L7_EBX_KEEP (BIT(0) | BIT(3) | BIT(4) | BIT(7) | BIT(8) | BIT(9) | BIT(11) | BIT(18) | BIT(19) | \
		     BIT(20) | BIT(23) | BIT(24) | BIT(29))
#define L7_ECX_KEEP (BIT(2) | BIT(3) | BIT(8))
#define L7_EDX_KEEP (BIT(4) | BIT(10))
/* Leaf 0x80000001: LAHF, ABM, SSE4A, PREFETCHW / SYSCALL, NX, 1 GiB pages, LM. RDTSCP is hidden because
 * IA32_TSC_AUX is not virtualized; SVM is hidden (no nesting). */
#define E1_ECX_KEEP (BIT(0) | BIT(5) | BIT(6) | BIT(8))
#define E1_EDX_KEEP (BIT(11) | BIT(20) | BIT(26) | BIT(29))
#define E7_EDX_INVARIANT_TSC BIT(8)
#define E8_EAX_ADDRESS_SIZES 0xFFFFu

static struct cpuid_leaf *add(struct cpuid_policy *p, u32 leaf, u32 subleaf, const u32 regs[4])
{
	if (p->count == CPUID_POLICY_MAX_LEAVES)
		return NULL;
	struct cpuid_leaf *l = &p->leaves[p->count++];
	l->leaf = leaf;
	l->subleaf = subleaf;
	for (int i = 0; i < 4; i++)
		l->regs[i] = regs ? regs[i] : 0;
	return l;
}

static void add_masked(struct cpuid_policy *p, cpuid_source host, u32 leaf, const u32 keep[4])
{
	u32 r[4];
	host(leaf, 0, r);
	for (int i = 0; i < 4; i++)
		r[i] &= keep[i];
	add(p, leaf, 0, r);
}

static void add_host(struct cpuid_policy *p, cpuid_source host, u32 leaf, u32 subleaf)
{
	u32 r[4];
	host(leaf, subleaf, r);
	add(p, leaf, subleaf, r);
}

static u32 bits_for(u32 count)
{
	u32 b = 0;
	while ((1u << b) < count)
		b++;
	return b;
}

static void build_basic(struct cpuid_policy *p, cpuid_source host, const struct cpuid_vm_config *cfg)
{
	u32 r[4];
	host(0, 0, r);
	p->max_basic = MAX(MIN(r[CPUID_EAX], LEAF_BASIC_MAX), LEAF_TOPOLOGY);
	r[CPUID_EAX] = p->max_basic;
	add(p, 0, 0, r);

	host(LEAF_FEATURES, 0, r);
	r[CPUID_EBX] = (r[CPUID_EBX] & L1_EBX_ID_MASK) | (MIN(cfg->vcpu_count, 255u) << L1_EBX_LOGICAL_SHIFT);
	r[CPUID_ECX] = (r[CPUID_ECX] & L1_ECX_KEEP) | L1_ECX_HYPERVISOR;
	r[CPUID_EDX] = (r[CPUID_EDX] & L1_EDX_KEEP) | L1_EDX_MTRR | (cfg->vcpu_count > 1 ? L1_EDX_HTT : 0);
	/* The virtual APIC is software (hv/apic/): xAPIC, x2APIC and the TSC-deadline timer exist whatever
	 * the host has, as with KVM. */
	if (cfg->x2apic) {
		r[CPUID_ECX] |= L1_ECX_X2APIC | L1_ECX_TSC_DEADLINE;
		r[CPUID_EDX] |= L1_EDX_APIC;
	}
	add(p, LEAF_FEATURES, 0, r);

	if (p->max_basic >= LEAF_CACHE_DESCRIPTORS)
		add_host(p, host, LEAF_CACHE_DESCRIPTORS, 0);
	for (u32 s = 0; p->max_basic >= LEAF_CACHE_PARAMS && s < CACHE_PARAMS_SUBLEAVES; s++)
		add_host(p, host, LEAF_CACHE_PARAMS, s);

	host(LEAF_STRUCTURED_FEATURES, 0, r);
	const u32 keep7[4] = { 0, L7_EBX_KEEP, L7_ECX_KEEP, L7_EDX_KEEP };
	for (int i = 0; i < 4; i++)
		r[i] &= keep7[i];
	r[CPUID_EBX] |= CPUID_7_EBX_FDP_EXCPTN_ONLY | CPUID_7_EBX_ZERO_FCS_FDS; /* R1.1: whatever the host says */
	add(p, LEAF_STRUCTURED_FEATURES, 0, r);

	/* Leaf 0xD (XSAVE state) reads as zero while XSAVE is hidden (see L1_ECX_KEEP). */
	if (p->max_basic >= LEAF_TSC_FREQ)
		add_host(p, host, LEAF_TSC_FREQ, 0);
	if (p->max_basic >= LEAF_CPU_FREQ)
		add_host(p, host, LEAF_CPU_FREQ, 0);
}

/* Leaves 0xB and 0x1F: one thread per core, vcpu_count cores; EDX (the x2APIC ID) is filled per vCPU. */
static void build_topology(struct cpuid_policy *p, u32 leaf, const struct cpuid_vm_config *cfg)
{
	for (u32 level = 0; level <= TOPOLOGY_LEVELS; level++) {
		u32 r[4] = { 0, 0, level, 0 };
		if (level == 0) {
			r[CPUID_EBX] = 1;
			r[CPUID_ECX] |= TOPOLOGY_TYPE_SMT << 8;
		} else if (level == 1) {
			r[CPUID_EAX] = bits_for(cfg->vcpu_count);
			r[CPUID_EBX] = cfg->vcpu_count;
			r[CPUID_ECX] |= TOPOLOGY_TYPE_CORE << 8;
		}
		add(p, leaf, level, r);
	}
}

static void build_hypervisor(struct cpuid_policy *p, const struct cpuid_vm_config *cfg)
{
	const u32 base[4] = { MICROHV_CPUID_INFO, MICROHV_SIG_EBX, MICROHV_SIG_ECX, MICROHV_SIG_EDX };
	const u32 info[4] = { MICROHV_ABI_VERSION, cfg->backend_kind, cfg->tsc_khz, 0 };
	add(p, MICROHV_CPUID_BASE, 0, base);
	add(p, MICROHV_CPUID_INFO, 0, info);
}

static void build_extended(struct cpuid_policy *p, cpuid_source host)
{
	u32 r[4];
	host(LEAF_EXT_BASE, 0, r);
	p->max_extended = r[CPUID_EAX] >= LEAF_EXT_BASE ? MIN(r[CPUID_EAX], LEAF_EXT_ADDRESS_SIZES) : 0;
	if (!p->max_extended)
		return;
	r[CPUID_EAX] = p->max_extended;
	add(p, LEAF_EXT_BASE, 0, r);
	const u32 keep_e1[4] = { 0xFFFFFFFFu, 0, E1_ECX_KEEP, E1_EDX_KEEP };
	const u32 keep_e7[4] = { 0, 0, 0, E7_EDX_INVARIANT_TSC };
	for (u32 leaf = LEAF_EXT_FEATURES; leaf <= p->max_extended; leaf++) {
		if (leaf == LEAF_EXT_FEATURES)
			add_masked(p, host, leaf, keep_e1);
		else if (leaf <= LEAF_EXT_L2_CACHE)
			add_host(p, host, leaf, 0); /* brand string and cache descriptions */
		else if (leaf == LEAF_EXT_POWER)
			add_masked(p, host, leaf, keep_e7);
		else if (leaf == LEAF_EXT_ADDRESS_SIZES) {
			host(leaf, 0, r);
			u32 sizes[4] = { r[CPUID_EAX] & E8_EAX_ADDRESS_SIZES, 0, 0, 0 };
			add(p, leaf, 0, sizes);
			p->maxphyaddr = (u8)r[CPUID_EAX];
		}
	}
}

void cpuid_policy_build(struct cpuid_policy *p, cpuid_source host, const struct cpuid_vm_config *cfg)
{
	p->count = 0;
	p->maxphyaddr = DEFAULT_MAXPHYADDR;
	build_basic(p, host, cfg);
	build_topology(p, LEAF_TOPOLOGY, cfg);
	if (p->max_basic >= LEAF_TOPOLOGY_V2)
		build_topology(p, LEAF_TOPOLOGY_V2, cfg);
	build_hypervisor(p, cfg);
	build_extended(p, host);
}

static bool has_subleaves(u32 leaf)
{
	return leaf == LEAF_CACHE_PARAMS || leaf == LEAF_STRUCTURED_FEATURES || leaf == LEAF_TOPOLOGY ||
	       leaf == LEAF_XSAVE || leaf == LEAF_TOPOLOGY_V2;
}

void cpuid_policy_lookup(const struct cpuid_policy *p, u32 leaf, u32 subleaf, u32 vcpu_id, u32 out[4])
{
	if (!has_subleaves(leaf))
		subleaf = 0;
	out[0] = out[1] = out[2] = out[3] = 0;
	for (u32 i = 0; i < p->count; i++) {
		const struct cpuid_leaf *l = &p->leaves[i];
		if (l->leaf == leaf && l->subleaf == subleaf) {
			for (int r = 0; r < 4; r++)
				out[r] = l->regs[r];
			break;
		}
	}
	if (leaf == LEAF_FEATURES)
		out[CPUID_EBX] |= (vcpu_id & 0xFFu) << L1_EBX_APIC_ID_SHIFT;
	else if ((leaf == LEAF_TOPOLOGY || leaf == LEAF_TOPOLOGY_V2) && leaf <= p->max_basic) {
		/* 0x1F exists only when max_basic reaches it; otherwise it reads as zero like any unknown leaf */
		out[CPUID_EDX] = vcpu_id;
		if (subleaf > TOPOLOGY_LEVELS) /* levels past the last one echo the subleaf in ECX[7:0] */
			out[CPUID_ECX] = subleaf & 0xFFu;
	}
}
