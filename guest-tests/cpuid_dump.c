/* Manual guest (suite.txt: `cpuid_dump pass manual`): dumps the host's raw CPUID through HC_HOST_CPUID and,
 * for comparison, the CPUID microhv presents to this guest. Used to capture the host profiles of
 * tests/unit/cpuid_profiles.h:
 *
 *   make run TEST=cpuid_dump                                 (QEMU TCG -cpu max, SVM back end)
 *   sh scripts/run-platform.sh bochs-vmx-tigerlake cpuid_dump (and bochs-vmx-skylake, bochs-svm-ryzen)
 *
 * Output, one TAP diagnostic per leaf/subleaf, all values hex without 0x (microhv prefixes each guest
 * line with "# cpuid_dump| "):
 *
 *   # cpuid LEAF SUBLEAF EAX EBX ECX EDX      raw host CPUID (HC_HOST_CPUID)
 *   # guest LEAF SUBLEAF EAX EBX ECX EDX      CPUID executed by this guest (microhv's policy, vCPU 0)
 *
 * Leaves: 0..max basic, 0x80000000..max extended (each range capped), and for the guest lines also
 * 0x40000000..0x40000001; after each range, subleaf 0 of the first leaf past its end. Subleaves: leaf 4 up to the first null cache type; 7 up to 7.0:EAX; 0xB and
 * 0x1F up to and including the first invalid level; 0xD every subleaf 0..63 that is not all zero; any
 * other leaf subleaf 0, plus subleaves 1..SCAN_SUBLEAVES-1 whose value is nonzero and differs from
 * subleaf 0 (that catches indexed leaves like 0xF, 0x10, 0x12, 0x14, 0x17, 0x18, 0x8000001D, 0x80000020
 * without listing them, and prints nothing extra for leaves that ignore ECX). Leaves are printed even
 * when all zero, so a missing line means "not enumerated", never "zero". */
#include "guest.h"

#define LEAF_CACHE_PARAMS 0x4u
#define LEAF_STRUCTURED_FEATURES 0x7u
#define LEAF_TOPOLOGY 0xBu
#define LEAF_XSAVE 0xDu
#define LEAF_TOPOLOGY_V2 0x1Fu
#define LEAF_EXT_BASE 0x80000000u
#define MAX_LEAVES_PER_RANGE 0x40u /* a bogus max leaf must not make the dump endless */
#define SUBLEAF_LIMIT 64          /* leaf 0xD has 64 subleaves (one per state component) */
#define MAX_INDEXED_SUBLEAVES 16
#define SCAN_SUBLEAVES 32
#define CACHE_TYPE_MASK 0x1Fu      /* leaf 4 EAX[4:0]: 0 = no more caches */
#define TOPOLOGY_TYPE(ecx) (((ecx) >> 8) & 0xFFu) /* leaves 0xB/0x1F ECX[15:8]: 0 = invalid level */

typedef struct cpuid_regs (*cpuid_fn)(u32 leaf, u32 subleaf);

static struct cpuid_regs guest_cpuid(u32 leaf, u32 subleaf)
{
	return cpuid(leaf, subleaf);
}

static bool is_zero(struct cpuid_regs r)
{
	return !(r.eax | r.ebx | r.ecx | r.edx);
}

static bool same(struct cpuid_regs a, struct cpuid_regs b)
{
	return a.eax == b.eax && a.ebx == b.ebx && a.ecx == b.ecx && a.edx == b.edx;
}

static void print(const char *tag, u32 leaf, u32 subleaf, struct cpuid_regs r)
{
	tap_diag("%s %08x %08x %08x %08x %08x %08x", tag, leaf, subleaf, r.eax, r.ebx, r.ecx, r.edx);
}

static void dump_leaf(const char *tag, cpuid_fn fn, u32 leaf)
{
	struct cpuid_regs r0 = fn(leaf, 0);

	print(tag, leaf, 0, r0);
	for (u32 s = 1; s < SUBLEAF_LIMIT; s++) {
		struct cpuid_regs r = fn(leaf, s);
		bool more = true, shown;
		switch (leaf) {
		case LEAF_CACHE_PARAMS: /* up to the first null cache type, which is not printed */
			more = shown = (r.eax & CACHE_TYPE_MASK) && s < MAX_INDEXED_SUBLEAVES;
			break;
		case LEAF_STRUCTURED_FEATURES: /* 7.0:EAX = the highest subleaf */
			more = shown = s <= r0.eax && s < MAX_INDEXED_SUBLEAVES;
			break;
		case LEAF_TOPOLOGY: /* up to and including the first invalid level */
		case LEAF_TOPOLOGY_V2:
			shown = TOPOLOGY_TYPE(r0.ecx) && s < MAX_INDEXED_SUBLEAVES;
			more = shown && TOPOLOGY_TYPE(r.ecx);
			break;
		case LEAF_XSAVE: /* all 64 components, the nonzero ones */
			shown = !is_zero(r);
			break;
		default:
			shown = !is_zero(r) && !same(r, r0);
			more = s + 1 < SCAN_SUBLEAVES;
			break;
		}
		if (shown)
			print(tag, leaf, s, r);
		if (!more)
			break;
	}
}

/* Leaves base..max, then max + 1: what a leaf past the range returns (Intel: the highest basic leaf's data,
 * AMD: zeros) is part of the profile. */
static u32 dump_range(const char *tag, cpuid_fn fn, u32 base)
{
	u32 max = fn(base, 0).eax;
	if (max < base || max - base >= MAX_LEAVES_PER_RANGE) { /* range absent or implausible */
		print(tag, base, 0, fn(base, 0));
		return 1;
	}
	for (u32 leaf = base; leaf <= max; leaf++)
		dump_leaf(tag, fn, leaf);
	print(tag, max + 1, 0, fn(max + 1, 0));
	return max - base + 1;
}

void test_main(void)
{
	if (!require_microhv("cpuid_dump"))
		return;
	tap_diag("cpuid-dump v1: backend %u; format: TAG LEAF SUBLEAF EAX EBX ECX EDX (hex)", microhv_backend());
	u32 host = dump_range("cpuid", hc_host_cpuid, 0) + dump_range("cpuid", hc_host_cpuid, LEAF_EXT_BASE);
	u32 guest = dump_range("guest", guest_cpuid, 0) + dump_range("guest", guest_cpuid, MICROHV_CPUID_BASE) +
		    dump_range("guest", guest_cpuid, LEAF_EXT_BASE);
	tap_diag("cpuid-dump end: %u host leaves, %u guest leaves", host, guest);
	CHECK(host > 1 && guest > 1, "cpuid_dump");
}
