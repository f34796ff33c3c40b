/* x87 FCS/FDS/FDP de-features: errata spec section 1.5, tests 1-5.
 *
 * CPUID.(7,0):EBX[6] (FDP_EXCPTN_ONLY) and EBX[13] (ZERO_FCS_FDS) say "this CPU does NOT keep these
 * pointers". microhv always sets both (R1.1), but the x87 runs natively, so what the saved images
 * contain is the host CPU's behaviour: the expectations come from the host's raw CPUID
 * (HC_HOST_CPUID). Without microhv the host is unknown, and either behaviour is accepted.
 *
 * The 32-bit layouts need 32-bit protected mode with real selectors: those probes run in
 * compatibility mode (CS = SEL_CODE32, DS = SEL_DATA, see x87_probe.h). CR4.OSFXSR is left as the
 * runtime has it (clear): without it FXSAVE may skip the XMM registers, but always stores the x87
 * fields these tests read. */
#include "guest.h"
#include "hv/lib/fmt.h"
#include "x87_probe.h"

#define CPUID_STRUCTURED_FEATURES 7
#define CPUID7_EBX_FDP_EXCPTN_ONLY BIT(6)
#define CPUID7_EBX_ZERO_FCS_FDS BIT(13)
#define CPUID_EXT_MAX 0x80000000u
#define CPUID_EXT_ADDRESS_SIZES 0x80000008u
#define E8_EBX_XSAVEERPTR BIT(2) /* AMD: FXSAVE always saves the error pointers */
#define VENDOR_INTEL_EBX 0x756E6547u /* "Genu" */
#define VENDOR_INTEL_EDX 0x49656E69u /* "ineI" */
#define VENDOR_INTEL_ECX 0x6C65746Eu /* "ntel" */
#define FLOAT_ONE 0x3F800000u        /* 1.0f: a harmless FLD operand */
#define UNWRITTEN 0xCC               /* pre-fill: a field the CPU never stored cannot read as 0 */
#define FCW_AFTER_FNINIT 0x037F      /* all exceptions masked */
#define FCW_MASK 0xFFFFu             /* the env slot's upper half is reserved (Intel stores 0xFFFF) */
#define SELECTOR_MASK 0xFFFFu        /* FCS/FDS are 16 bits; FOP shares FCS's dword in the env image */

/* What a saved pointer field may hold. */
enum ptr_rule {
	PTR_ZERO,          /* the host deprecates it: stored as 0 */
	PTR_SAVED,         /* the host keeps it: the real value */
	PTR_ZERO_OR_SAVED, /* the host's behaviour is not known */
};

/* What the host CPU does with the pointers (its raw CPUID via HC_HOST_CPUID). */
struct host_x87 {
	bool known;           /* under microhv: the bits below are the host's */
	bool zero_fcs_fds;    /* host CPUID.(7,0):EBX[13] */
	bool fdp_excptn_only; /* host CPUID.(7,0):EBX[6] */
	bool intel;
	bool fxsave_leak;     /* AMD without XSAVEERPTR: FXSAVE may omit FIP/FCS/FDP/FDS (spec 1.1 AMD note) */
};

static const char *rule_name(enum ptr_rule r)
{
	return r == PTR_ZERO ? "0" : r == PTR_SAVED ? "the selector/offset" : "0 or the selector/offset";
}

static bool vendor_is_intel(void)
{
	struct cpuid_regs v = cpuid(0, 0);
	return v.ebx == VENDOR_INTEL_EBX && v.edx == VENDOR_INTEL_EDX && v.ecx == VENDOR_INTEL_ECX;
}

static struct host_x87 host_x87(void)
{
	struct host_x87 h = { .known = under_microhv(), .intel = vendor_is_intel() };
	u32 e8_ebx = 0;

	if (h.known) {
		struct cpuid_regs l7 = hc_host_cpuid(CPUID_STRUCTURED_FEATURES, 0);
		h.zero_fcs_fds = l7.ebx & CPUID7_EBX_ZERO_FCS_FDS;
		h.fdp_excptn_only = l7.ebx & CPUID7_EBX_FDP_EXCPTN_ONLY;
		if (hc_host_cpuid(CPUID_EXT_MAX, 0).eax >= CPUID_EXT_ADDRESS_SIZES)
			e8_ebx = hc_host_cpuid(CPUID_EXT_ADDRESS_SIZES, 0).ebx;
		tap_diag("host CPUID.(7,0).EBX 0x%x: FDP_EXCPTN_ONLY %d, ZERO_FCS_FDS %d", l7.ebx,
			 h.fdp_excptn_only, h.zero_fcs_fds);
	} else if (cpuid(CPUID_EXT_MAX, 0).eax >= CPUID_EXT_ADDRESS_SIZES) {
		e8_ebx = cpuid(CPUID_EXT_ADDRESS_SIZES, 0).ebx;
	}
	h.fxsave_leak = !h.intel && !(e8_ebx & E8_EBX_XSAVEERPTR);
	tap_diag("vendor %s, FXSAVE may omit the pointers (AMD without XSAVEERPTR): %d", h.intel ? "Intel" : "not Intel",
		 h.fxsave_leak);
	return h;
}

static enum ptr_rule fcs_fds_rule(const struct host_x87 *h)
{
	if (!h->known)
		return PTR_ZERO_OR_SAVED;
	return h->zero_fcs_fds ? PTR_ZERO : PTR_SAVED;
}

/* FXSAVE on a leaking AMD part may store 0 (the values FNINIT left) instead of the pointers. */
static enum ptr_rule fxsave_rule(const struct host_x87 *h)
{
	enum ptr_rule r = fcs_fds_rule(h);
	return h->fxsave_leak && r == PTR_SAVED ? PTR_ZERO_OR_SAVED : r;
}

static u32 load_u32(const u8 *image, u32 offset)
{
	u32 v;
	memcpy(&v, image + offset, sizeof(v));
	return v;
}

static void check_ptr(u32 actual, u32 saved, enum ptr_rule rule, const char *name)
{
	bool ok = rule == PTR_ZERO   ? actual == 0
		  : rule == PTR_SAVED ? actual == saved
				      : actual == 0 || actual == saved;
	if (!CHECK(ok, name))
		tap_diag("stored 0x%x, expected %s (0x%x)", actual, rule_name(rule), saved);
}

/* The four pointer fields of one image, for the log (the differences between CPUs are the point). */
static void diag_image(const char *what, const u8 *image, u32 fip, u32 fcs, u32 fdp, u32 fds)
{
	tap_diag("%s: FIP 0x%x FCS 0x%x FDP 0x%x FDS 0x%x", what, load_u32(image, fip),
		 load_u32(image, fcs) & SELECTOR_MASK, load_u32(image, fdp), load_u32(image, fds) & SELECTOR_MASK);
}

static void probe_init(struct x87_probe *p)
{
	memset(p, UNWRITTEN, sizeof(*p));
	p->operand = FLOAT_ONE;
}

static u32 operand_offset(const struct x87_probe *p)
{
	return (u32)(u64)&p->operand; /* DS base is 0: the offset is the linear address */
}

static struct x87_probe probe; /* static: below 4 GiB, 16-byte aligned for FXSAVE */

/* Test 1: microhv reports both de-features, whatever the host says (R1.1). */
static void test_cpuid_bits(void)
{
	u32 ebx = cpuid(CPUID_STRUCTURED_FEATURES, 0).ebx;

	CHECK_EQ(ebx & CPUID7_EBX_FDP_EXCPTN_ONLY, CPUID7_EBX_FDP_EXCPTN_ONLY, "cpuid7_fdp_excptn_only");
	CHECK_EQ(ebx & CPUID7_EBX_ZERO_FCS_FDS, CPUID7_EBX_ZERO_FCS_FDS, "cpuid7_zero_fcs_fds");
}

/* Tests 2 and 4 share one run: FNINIT; FLD m32; FNSTENV in 32-bit protected mode. */
static void test_fnstenv32(const struct host_x87 *h)
{
	probe_init(&probe);
	x87_probe32(x87_fnstenv32, &probe);

	if (!CHECK(probe.cs == SEL_CODE32 && probe.ds == SEL_DATA, "compat32_selectors"))
		tap_diag("probe ran with CS 0x%x, DS 0x%x", probe.cs, probe.ds);
	diag_image("FNSTENV (32-bit)", probe.env, ENV32_FIP, ENV32_FCS, ENV32_FDP, ENV32_FDS);
	if ((load_u32(probe.env, ENV32_FCW) & FCW_MASK) != FCW_AFTER_FNINIT)
		tap_diag("FCW 0x%x, expected 0x%x", load_u32(probe.env, ENV32_FCW) & FCW_MASK, FCW_AFTER_FNINIT);
	check_ptr(load_u32(probe.env, ENV32_FCS) & SELECTOR_MASK, probe.cs, fcs_fds_rule(h), "fnstenv32_fcs");
	check_ptr(load_u32(probe.env, ENV32_FDS) & SELECTOR_MASK, probe.ds, fcs_fds_rule(h), "fnstenv32_fds");

	/* Test 4: with every exception masked the FLD raises none, so an FDP_EXCPTN_ONLY host leaves FDP
	 * as FNINIT set it (0). Intel only: AMD has no such mode, and the spec (1.1, AMD note) asserts no
	 * FIP/FDP value on AMD. */
	if (!h->intel) {
		SKIP("fdp_excptn_only_fdp", "FDP_EXCPTN_ONLY is Intel-only; AMD FIP/FDP values are not asserted");
		return;
	}
	enum ptr_rule fdp_rule = !h->known ? PTR_ZERO_OR_SAVED : h->fdp_excptn_only ? PTR_ZERO : PTR_SAVED;
	check_ptr(load_u32(probe.env, ENV32_FDP), operand_offset(&probe), fdp_rule, "fdp_excptn_only_fdp");
}

/* Test 3: FXSAVE without REX.W stores FCS at +12 and FDS at +20, in 32-bit mode and in 64-bit mode.
 * (FXSAVE64 has FIP/FDP bits there instead, so it is not probed.) */
static void test_fxsave(const struct host_x87 *h)
{
	probe_init(&probe);
	x87_probe32(x87_fxsave32, &probe);
	diag_image("FXSAVE (32-bit)", probe.fxsave, FXSAVE_FIP, FXSAVE_FCS, FXSAVE_FDP, FXSAVE_FDS);
	check_ptr(load_u32(probe.fxsave, FXSAVE_FCS) & SELECTOR_MASK, probe.cs, fxsave_rule(h), "fxsave32_fcs");
	check_ptr(load_u32(probe.fxsave, FXSAVE_FDS) & SELECTOR_MASK, probe.ds, fxsave_rule(h), "fxsave32_fds");

	probe_init(&probe);
	x87_fxsave64_no_rexw(&probe);
	diag_image("FXSAVE (64-bit, no REX.W)", probe.fxsave, FXSAVE_FIP, FXSAVE_FCS, FXSAVE_FDP, FXSAVE_FDS);
	if (probe.cs != SEL_CODE64)
		tap_diag("64-bit probe ran with CS 0x%x", probe.cs);
	check_ptr(load_u32(probe.fxsave, FXSAVE_FCS) & SELECTOR_MASK, probe.cs, fxsave_rule(h), "fxsave64_fcs");
	check_ptr(load_u32(probe.fxsave, FXSAVE_FDS) & SELECTOR_MASK, probe.ds, fxsave_rule(h), "fxsave64_fds");
}

/* Test 5: FNSAVE reinitialises the FPU, so an FNSTENV right after it shows all four pointers 0. */
static void test_fnsave_clears(void)
{
	probe_init(&probe);
	x87_probe32(x87_fnsave_fnstenv32, &probe);
	diag_image("FNSTENV after FNSAVE", probe.env, ENV32_FIP, ENV32_FCS, ENV32_FDP, ENV32_FDS);
	CHECK_EQ(load_u32(probe.env, ENV32_FIP), 0, "fnsave_clears_fip");
	CHECK_EQ(load_u32(probe.env, ENV32_FCS) & SELECTOR_MASK, 0, "fnsave_clears_fcs");
	CHECK_EQ(load_u32(probe.env, ENV32_FDP), 0, "fnsave_clears_fdp");
	CHECK_EQ(load_u32(probe.env, ENV32_FDS) & SELECTOR_MASK, 0, "fnsave_clears_fds");
}

void test_main(void)
{
	struct host_x87 h = host_x87();

	test_cpuid_bits();
	test_fnstenv32(&h);
	test_fxsave(&h);
	test_fnsave_clears();
}
