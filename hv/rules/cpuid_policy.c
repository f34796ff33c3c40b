/* Guest CPUID policy (docs/cpuid.md). Host features are passed only where microhv either virtualizes them
 * or they execute natively without harm; everything else is hidden. */
#include "cpuid_policy.h"
#include "guest_abi.h"
#include "xcr0.h"

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
 * power management, MCE/MCA (no machine-check MSRs), the APIC bits until the virtual APIC exists. XSAVE
 * and what needs XCR0 (FMA, AVX, F16C) follow the XCR0 the guest may set (xcr0.h; XSETBV is emulated). */
#define L1_ECX_KEEP (BIT(0) | BIT(1) | BIT(9) | BIT(13) | BIT(17) | BIT(19) | BIT(20) | BIT(22) | BIT(23) | \
		     BIT(25) | BIT(30))
#define L1_ECX_X2APIC BIT(21)
#define L1_ECX_XSAVE BIT(26)
#define L1_ECX_OSXSAVE BIT(27) /* follows the vCPU's CR4.OSXSAVE */
#define L1_ECX_AVX_FAMILY (BIT(12) | BIT(28) | BIT(29)) /* FMA, AVX, F16C */
#define L1_ECX_TSC_DEADLINE BIT(24)
#define L1_EDX_APIC BIT(9)
#define L1_ECX_HYPERVISOR BIT(31) /* "running under a hypervisor" */
#define L1_EDX_KEEP (BIT(0) | BIT(1) | BIT(2) | BIT(3) | BIT(4) | BIT(5) | BIT(6) | BIT(8) | BIT(11) | \
		     BIT(13) | BIT(15) | BIT(16) | BIT(17) | BIT(19) | BIT(23) | BIT(24) | BIT(25) | BIT(26) | BIT(27))
#define L1_EDX_MTRR BIT(12) /* R3.6: always set; the MTRR MSRs are emulated (hv/rules/mtrr.c) whatever the host says */
#define L1_EDX_HTT BIT(28)
#define L1_EBX_ID_MASK 0x0000FFFFu /* brand index, CLFLUSH line size */
#define L1_EBX_LOGICAL_SHIFT 16
#define L1_EBX_APIC_ID_SHIFT 24
/* Leaf 7.0 EBX: FSGSBASE, BMI1, HLE, SMEP, BMI2, ERMS, RTM, RDSEED, ADX, SMAP, CLFLUSHOPT, CLWB, SHA.
 * ECX: UMIP, PKU, GFNI. EDX: FSRM, MD_CLEAR. The XSAVE-state families (AVX2, AVX-512, VAES, VPCLMULQDQ)
 * follow XCR0's policy; INVPCID and RDPID (IA32_TSC_AUX) are kept where the back end runs them (VMX:
 * "enable INVPCID", "enable RDTSCP"; else they would be #UD). */
#define L7_EBX_KEEP (BIT(0) | BIT(3) | BIT(4) | BIT(7) | BIT(8) | BIT(9) | BIT(11) | BIT(18) | BIT(19) | \
		     BIT(20) | BIT(23) | BIT(24) | BIT(29))
#define L7_ECX_KEEP (BIT(2) | BIT(3) | BIT(8))
#define L7_EDX_KEEP (BIT(4) | BIT(10))
#define L7_EBX_AVX2 BIT(5)
#define L7_EBX_TSC_ADJUST BIT(1)
#define L7_EBX_INVPCID BIT(10)
#define L7_ECX_RDPID BIT(22)
#define E1_EDX_RDTSCP BIT(27)
#define L7_ECX_AVX (BIT(9) | BIT(10)) /* VAES, VPCLMULQDQ (VEX forms need only AVX) */
/* AVX-512: EBX F, DQ, IFMA, PF, ER, CD, BW, VL; ECX VBMI, VBMI2, VNNI, BITALG, VPOPCNTDQ; EDX 4VNNIW,
 * 4FMAPS, VP2INTERSECT, FP16. */
#define L7_EBX_AVX512 (BIT(16) | BIT(17) | BIT(21) | BIT(26) | BIT(27) | BIT(28) | BIT(30) | BIT(31))
#define L7_ECX_AVX512 (BIT(1) | BIT(6) | BIT(11) | BIT(12) | BIT(14))
#define L7_EDX_AVX512 (BIT(2) | BIT(3) | BIT(8) | BIT(23))
#define L7_ECX_PKU BIT(3)
#define L7_ECX_OSPKE BIT(4) /* follows the vCPU's CR4.PKE */
/* Leaf 0xD.1 EAX: XSAVEOPT, XSAVEC and XGETBV with ECX = 1 run natively. XSAVES/XRSTORS need IA32_XSS
 * (not emulated) and, on VMX, the "enable XSAVES/XRSTORS" control: hidden, as XFD. */
#define XSAVE_1_EAX_KEEP (BIT(0) | BIT(1) | BIT(2))
#define XSAVE_1_EAX_XSAVEC BIT(1)
#define XSAVE_FIRST_EXTENDED 2   /* subleaves 2..: one per state component */
#define XSAVE_LAST_COMPONENT 31  /* XCR0_GUEST_POLICY has nothing above */
#define XSAVE_ECX_ALIGNED BIT(1) /* subleaf i ECX[1]: 64-byte aligned in the compacted format */
#define XSAVE_LEGACY_AND_HEADER 576u /* 512-byte legacy region + 64-byte header (SDM Vol. 1 §13.4) */
#define XSAVE_COMPACT_ALIGN 64u
#define CR4_OSXSAVE_BIT BIT(18)
#define CR4_PKE_BIT BIT(22)
/* Leaf 0x80000001: LAHF, ABM, SSE4A, PREFETCHW / SYSCALL, NX, 1 GiB pages, LM; RDTSCP where the back end
 * runs it (IA32_TSC_AUX is per vCPU). SVM is hidden (no nesting). */
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

/* Bytes of an XSAVE image holding the components of `xcr0`: the standard format (the highest component's
 * offset + size), or the compacted one (each component after the previous, 64-byte aligned where its
 * subleaf says so; SDM Vol. 1 §13.4.3). Reads the per-component subleaves the policy holds. */
static u32 xsave_size(const struct cpuid_policy *p, u64 xcr0, bool compacted)
{
	u32 size = XSAVE_LEGACY_AND_HEADER;
	for (u32 i = XSAVE_FIRST_EXTENDED; i <= XSAVE_LAST_COMPONENT; i++) {
		if (!(xcr0 & BIT(i)))
			continue;
		u32 r[4];
		cpuid_policy_lookup(p, LEAF_XSAVE, i, 0, r);
		if (compacted)
			size = (r[CPUID_ECX] & XSAVE_ECX_ALIGNED ? ALIGN_UP(size, XSAVE_COMPACT_ALIGN) : size) + r[CPUID_EAX];
		else
			size = MAX(size, r[CPUID_EBX] + r[CPUID_EAX]);
	}
	return size;
}

/* Leaf 0xD within XCR0's policy: subleaf 0 the supported mask and sizes (EBX, which depends on the
 * vCPU's XCR0, is filled at lookup), subleaf 1 the XSAVE extensions that run natively, and one subleaf
 * per supported component with the host's size, offset and alignment. */
static void build_xsave(struct cpuid_policy *p, cpuid_source host)
{
	u32 r[4];
	for (u32 i = XSAVE_FIRST_EXTENDED; i <= XSAVE_LAST_COMPONENT; i++) {
		if (!(p->xcr0_supported & BIT(i)))
			continue;
		host(LEAF_XSAVE, i, r);
		const u32 comp[4] = { r[CPUID_EAX], r[CPUID_EBX], r[CPUID_ECX] & XSAVE_ECX_ALIGNED, 0 };
		add(p, LEAF_XSAVE, i, comp);
	}
	const u32 sub0[4] = { (u32)p->xcr0_supported, 0, xsave_size(p, p->xcr0_supported, false),
			      (u32)(p->xcr0_supported >> 32) };
	add(p, LEAF_XSAVE, 0, sub0);
	host(LEAF_XSAVE, 1, r);
	const u32 sub1[4] = { r[CPUID_EAX] & XSAVE_1_EAX_KEEP, 0, 0, 0 };
	add(p, LEAF_XSAVE, 1, sub1);
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
	u32 l1_ecx_host = r[CPUID_ECX];
	r[CPUID_ECX] = (r[CPUID_ECX] & L1_ECX_KEEP) | L1_ECX_HYPERVISOR;
	if (p->xcr0_supported)
		r[CPUID_ECX] |= L1_ECX_XSAVE;
	if (p->xcr0_supported & XCR0_AVX)
		r[CPUID_ECX] |= l1_ecx_host & L1_ECX_AVX_FAMILY;
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
	u32 keep7[4] = { 0, L7_EBX_KEEP | (cfg->invpcid ? L7_EBX_INVPCID : 0),
			 L7_ECX_KEEP | (cfg->rdtscp ? L7_ECX_RDPID : 0), L7_EDX_KEEP };
	if (p->xcr0_supported & XCR0_AVX) {
		keep7[CPUID_EBX] |= L7_EBX_AVX2;
		keep7[CPUID_ECX] |= L7_ECX_AVX;
	}
	if (p->xcr0_supported & XCR0_AVX512) {
		keep7[CPUID_EBX] |= L7_EBX_AVX512;
		keep7[CPUID_ECX] |= L7_ECX_AVX512;
		keep7[CPUID_EDX] |= L7_EDX_AVX512;
	}
	for (int i = 0; i < 4; i++)
		r[i] &= keep7[i];
	r[CPUID_EBX] |= CPUID_7_EBX_FDP_EXCPTN_ONLY | CPUID_7_EBX_ZERO_FCS_FDS; /* R1.1: whatever the host says */
	r[CPUID_EBX] |= L7_EBX_TSC_ADJUST; /* emulated (hv/rules/tsc.h) whatever the host has, as KVM does */
	add(p, LEAF_STRUCTURED_FEATURES, 0, r);

	if (p->xcr0_supported && p->max_basic >= LEAF_XSAVE)
		build_xsave(p, host);
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

static void build_extended(struct cpuid_policy *p, cpuid_source host, const struct cpuid_vm_config *cfg)
{
	u32 r[4];
	host(LEAF_EXT_BASE, 0, r);
	p->max_extended = r[CPUID_EAX] >= LEAF_EXT_BASE ? MIN(r[CPUID_EAX], LEAF_EXT_ADDRESS_SIZES) : 0;
	if (!p->max_extended)
		return;
	r[CPUID_EAX] = p->max_extended;
	add(p, LEAF_EXT_BASE, 0, r);
	const u32 keep_e1[4] = { 0xFFFFFFFFu, 0, E1_ECX_KEEP, E1_EDX_KEEP | (cfg->rdtscp ? E1_EDX_RDTSCP : 0) };
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
	u32 r[4];
	p->count = 0;
	p->maxphyaddr = DEFAULT_MAXPHYADDR;
	p->xcr0_supported = 0;
	host(0, 0, r);
	if (cfg->host_xcr0 && r[CPUID_EAX] >= LEAF_XSAVE) {
		host(LEAF_FEATURES, 0, r);
		if (r[CPUID_ECX] & L1_ECX_XSAVE) {
			host(LEAF_XSAVE, 0, r);
			p->xcr0_supported = xcr0_guest_supported(r[CPUID_EAX] | (u64)r[CPUID_EDX] << 32, cfg->host_xcr0);
		}
	}
	build_basic(p, host, cfg);
	build_topology(p, LEAF_TOPOLOGY, cfg);
	if (p->max_basic >= LEAF_TOPOLOGY_V2)
		build_topology(p, LEAF_TOPOLOGY_V2, cfg);
	build_hypervisor(p, cfg);
	build_extended(p, host, cfg);
}

bool cpuid_leaf_has_subleaves(u32 leaf)
{
	return leaf == LEAF_CACHE_PARAMS || leaf == LEAF_STRUCTURED_FEATURES || leaf == LEAF_TOPOLOGY ||
	       leaf == LEAF_XSAVE || leaf == LEAF_TOPOLOGY_V2;
}

/* Keep in step with the vCPU-dependent fields below: leaf 1 (APIC ID, APIC, OSXSAVE) and the leaves with
 * subleaves (7: OSPKE, 0xB/0x1F: x2APIC ID, 0xD: XSAVE sizes) differ per vCPU or per state. */
bool cpuid_leaf_same_for_every_vcpu(u32 leaf)
{
	return leaf != LEAF_FEATURES && !cpuid_leaf_has_subleaves(leaf);
}

void cpuid_policy_lookup(const struct cpuid_policy *p, u32 leaf, u32 subleaf, u32 vcpu_id, u32 out[4])
{
	if (!cpuid_leaf_has_subleaves(leaf))
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

void cpuid_policy_vcpu(const struct cpuid_policy *p, u32 leaf, u32 subleaf, u32 vcpu_id,
		       const struct cpuid_vcpu_state *s, u32 out[4])
{
	cpuid_policy_lookup(p, leaf, subleaf, vcpu_id, out);
	if (leaf == LEAF_FEATURES) {
		/* CPUID.1:EDX[9] reports whether the APIC is enabled: IA32_APIC_BASE[11] (SDM Vol. 3A §11.4.3). */
		if (!s->apic_enabled)
			out[CPUID_EDX] &= ~L1_EDX_APIC;
		if ((out[CPUID_ECX] & L1_ECX_XSAVE) && (s->cr4 & CR4_OSXSAVE_BIT))
			out[CPUID_ECX] |= L1_ECX_OSXSAVE;
	} else if (leaf == LEAF_STRUCTURED_FEATURES && subleaf == 0) {
		if ((out[CPUID_ECX] & L7_ECX_PKU) && (s->cr4 & CR4_PKE_BIT))
			out[CPUID_ECX] |= L7_ECX_OSPKE;
	} else if (leaf == LEAF_XSAVE && p->xcr0_supported && leaf <= p->max_basic) {
		/* EBX: the size for what XCR0 enables now (subleaf 1: compacted, with IA32_XSS = 0). */
		if (subleaf == 0)
			out[CPUID_EBX] = xsave_size(p, s->xcr0, false);
		else if (subleaf == 1 && (out[CPUID_EAX] & XSAVE_1_EAX_XSAVEC))
			out[CPUID_EBX] = xsave_size(p, s->xcr0, true);
	}
}
