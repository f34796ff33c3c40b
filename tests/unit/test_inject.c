/* Host unit tests for the exception-injection rules (hv/rules/inject.h), walking spec §2.5 case by case
 * (/work/shared/spec/errata-behaviour.md, "REQ: the hypervisor's injection API").
 *
 * The expectations are written from the spec, not from hv/rules/inject.c: the architectural error-code table
 * (SDM Vol. 3A Table 6-1) and the sanitizing rules are restated below and every combination of back end,
 * guest mode, raw flag, vector and caller error-code flag is checked against them, plus literal
 * examples from spec §2.6 and a direct "never VM-Fail" property check against the VMX entry checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "hv/rules/inject.h"

/* ---- The spec, restated ---- */

/* Vectors whose delivery pushes an error code in protected mode (Table 6-1); 21 (#CP) only with CET.
 * 29 (#VC) and 30 (#SX) are AMD-only and raised by hardware only in SEV guests: not in the table. */
static bool arch_has_ec(unsigned vector, bool cet)
{
	static const bool table[32] = {
		[8] = true, [10] = true, [11] = true, [12] = true, [13] = true, [14] = true, [17] = true,
	};
	return vector == 21 ? cet : table[vector];
}

enum backend { VMX_LEGACY, VMX_BASIC56, SVM, NBACKENDS };

static const struct inject_caps caps_of[NBACKENDS] = {
	[VMX_LEGACY] = { .vmx = true, .vmx_no_ec_check = false },
	[VMX_BASIC56] = { .vmx = true, .vmx_no_ec_check = true },
	[SVM] = { .vmx = false, .vmx_no_ec_check = false },
};

static const char *const backend_name[NBACKENDS] = { "vmx", "vmx+basic56", "svm" };

struct expect {
	bool has_ec;
	bool soft;
	u32 ec;
	enum inject_fixup fixup;
};

/* Spec §2.5 "Sanitization at injection time", steps 1-4. */
static struct expect spec_sanitize(enum backend be, bool pm, bool raw, unsigned vector, bool has_ec, u32 ec,
				   bool cet)
{
	struct expect e = { .soft = vector == 3 || vector == 4 };

	if (!pm)
		e.has_ec = false; /* step 1: real mode never pushes an error code */
	else if (e.soft)
		e.has_ec = false; /* step 2: #BP/#OF are delivered as type 6 / trap-style */
	else if (raw && (be == SVM || be == VMX_BASIC56))
		e.has_ec = has_ec; /* step 3, raw flag where the hardware has no consistency check */
	else
		e.has_ec = arch_has_ec(vector, cet); /* step 3, canonical */

	if (has_ec && !e.has_ec)
		e.fixup = INJECT_FIXUP_EC_DROPPED;
	else if (!has_ec && e.has_ec)
		e.fixup = INJECT_FIXUP_EC_ADDED;
	else
		e.fixup = INJECT_FIXUP_NONE;

	if (e.has_ec && has_ec) /* an added error code is 0; no error code delivered: 0 */
		e.ec = be == SVM ? ec : ec & 0xFFFF; /* step 4 */
	return e;
}

static struct exc_event sanitize(enum backend be, bool pm, bool raw, unsigned vector, bool has_ec, u32 ec, bool cet,
				 enum inject_fixup *fixup)
{
	*fixup = (enum inject_fixup)0x5A5A; /* must always be written */
	return inject_sanitize((u8)vector, has_ec, ec, raw ? INJECT_FLAG_RAW : 0, pm, cet, &caps_of[be], fixup);
}

static const char *fixup_name(enum inject_fixup f)
{
	switch (f) {
	case INJECT_FIXUP_NONE:
		return "NONE";
	case INJECT_FIXUP_EC_DROPPED:
		return "EC_DROPPED";
	case INJECT_FIXUP_EC_ADDED:
		return "EC_ADDED";
	}
	return "(not written)";
}

/* ---- inject_check_request ---- */

static void test_request_vectors_0_to_31(void **state)
{
	for (u64 v = 0; v < 32; v++) {
		int want = v == 2 ? -EINVAL : 0;
		if (inject_check_request(v, 0) != want)
			fail_msg("vector %llu: got %d, want %d", v, inject_check_request(v, 0), want);
	}
	assert_int_equal(inject_check_request(2, 0), -22); /* NMI has its own path; -EINVAL is Linux's -22 */
	assert_int_equal(inject_check_request(0, 0), 0);
	assert_int_equal(inject_check_request(31, 0), 0);
}

static void test_request_vectors_out_of_range(void **state)
{
	static const u64 bad[] = { 32, 33, 255, 256, (1ull << 32) + 13, (1ull << 32) + 2, 1ull << 63, ~0ull };

	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		if (inject_check_request(bad[i], 0) != -EINVAL)
			fail_msg("vector 0x%llx accepted", bad[i]);
		if (inject_check_request(bad[i], INJECT_FLAG_RAW) != -EINVAL)
			fail_msg("vector 0x%llx accepted with the raw flag", bad[i]);
	}
}

static void test_request_flags(void **state)
{
	assert_int_equal(INJECT_FLAG_RAW, 1); /* HC_INJECT_RAW is guest ABI: bit 0 */
	assert_int_equal(inject_check_request(13, 0), 0);
	assert_int_equal(inject_check_request(13, INJECT_FLAG_RAW), 0);
	for (unsigned bit = 0; bit < 64; bit++) {
		u64 flags = 1ull << bit;
		int want = flags == INJECT_FLAG_RAW ? 0 : -EINVAL;
		if (inject_check_request(13, flags) != want)
			fail_msg("flags bit %u: got %d, want %d", bit, inject_check_request(13, flags), want);
		/* An unknown bit next to the known one is still rejected. */
		if (flags != INJECT_FLAG_RAW && inject_check_request(13, flags | INJECT_FLAG_RAW) != -EINVAL)
			fail_msg("flags RAW|bit %u accepted", bit);
	}
	assert_int_equal(inject_check_request(13, ~0ull), -EINVAL);
	assert_int_equal(inject_check_request(2, INJECT_FLAG_RAW), -EINVAL); /* a valid flag does not save NMI */
}

/* ---- exception_has_error_code ---- */

static void test_error_code_vectors(void **state)
{
	static const bool want[32] = {
		[8] = true, [10] = true, [11] = true, [12] = true, [13] = true, [14] = true, [17] = true,
	};

	for (unsigned v = 0; v < 32; v++) {
		bool w_cet = v == 21 ? true : want[v];
		if (exception_has_error_code((u8)v, false) != want[v])
			fail_msg("vector %u without CET: got %d, want %d", v, !want[v], want[v]);
		if (exception_has_error_code((u8)v, true) != w_cet)
			fail_msg("vector %u with CET: got %d, want %d", v, !w_cet, w_cet);
	}
	/* Spelled out: #CP only with CET; AMD's #VC (29) and #SX (30) never (Intel has no such vectors). */
	assert_false(exception_has_error_code(21, false));
	assert_true(exception_has_error_code(21, true));
	assert_false(exception_has_error_code(29, true));
	assert_false(exception_has_error_code(30, true));
	assert_false(exception_has_error_code(2, true));
	assert_false(exception_has_error_code(9, true));
	assert_false(exception_has_error_code(15, true));
}

/* ---- inject_sanitize: the full table ---- */

/* One combination of the inputs to inject_sanitize. */
struct req {
	unsigned vector;
	bool pm, raw, has_ec, cet;
	u32 ec;
};

/* Calls fn for every combination of {real, protected} x {raw off, on} x {vectors 0..31 but 2 (NMI,
 * rejected earlier by inject_check_request)} x {has_ec 0, 1} x {CET off, on} x ecs; returns the count. */
static unsigned for_each_request(const u32 *ecs, unsigned necs, void (*fn)(const struct req *, enum backend),
				 enum backend be)
{
	unsigned n = 0;

	for (unsigned idx = 0; idx < 2 * 2 * 32 * 2 * 2 * necs; idx++) {
		unsigned k = idx;
		struct req r;
		r.ec = ecs[k % necs];
		k /= necs;
		r.cet = k % 2;
		k /= 2;
		r.has_ec = k % 2;
		k /= 2;
		r.vector = k % 32;
		k /= 32;
		r.raw = k % 2;
		r.pm = k / 2;
		if (r.vector == 2)
			continue;
		fn(&r, be);
		n++;
	}
	return n;
}

static void check_against_spec(const struct req *r, enum backend be)
{
	enum inject_fixup fx;
	struct exc_event ev = sanitize(be, r->pm, r->raw, r->vector, r->has_ec, r->ec, r->cet, &fx);
	struct expect e = spec_sanitize(be, r->pm, r->raw, r->vector, r->has_ec, r->ec, r->cet);

	if (ev.vector != r->vector || ev.has_ec != e.has_ec || ev.soft != e.soft || ev.ec != e.ec || fx != e.fixup)
		fail_msg("%s %s raw=%d vector %u has_ec=%d ec=0x%x cet=%d: got vector %u has_ec=%d soft=%d ec=0x%x "
			 "fixup=%s; want has_ec=%d soft=%d ec=0x%x fixup=%s",
			 backend_name[be], r->pm ? "protected" : "real", r->raw, r->vector, r->has_ec, r->ec, r->cet,
			 ev.vector, ev.has_ec, ev.soft, ev.ec, fixup_name(fx), e.has_ec, e.soft, e.ec,
			 fixup_name(e.fixup));
}

static const u32 table_ecs[] = { 0, 0x12345, 0xFFFFFFFF };
#define TABLE_SIZE (2 * 2 * 31 * 2 * 2 * ARRAY_SIZE(table_ecs))

static unsigned check_table(enum backend be)
{
	return for_each_request(table_ecs, ARRAY_SIZE(table_ecs), check_against_spec, be);
}

static void test_sanitize_table_vmx_legacy(void **state)
{
	assert_int_equal(check_table(VMX_LEGACY), TABLE_SIZE);
}

static void test_sanitize_table_vmx_basic56(void **state)
{
	assert_int_equal(check_table(VMX_BASIC56), TABLE_SIZE);
}

static void test_sanitize_table_svm(void **state)
{
	assert_int_equal(check_table(SVM), TABLE_SIZE);
}

/* ---- inject_sanitize: literal cases ---- */

struct lit {
	enum backend be;
	bool pm, raw;
	u8 vector;
	bool has_ec;
	u32 ec;
	bool cet;
	/* expected */
	bool x_has_ec, x_soft;
	u32 x_ec;
	enum inject_fixup x_fixup;
};

#define NONE INJECT_FIXUP_NONE
#define DROPPED INJECT_FIXUP_EC_DROPPED
#define ADDED INJECT_FIXUP_EC_ADDED

static const struct lit literal_cases[] = {
	/* §2.6 TEST 1: #GP with 0x1234 is delivered as given. */
	{ VMX_LEGACY, true, false, 13, true, 0x1234, false, true, false, 0x1234, NONE },
	{ SVM, true, false, 13, true, 0x1234, false, true, false, 0x1234, NONE },
	/* TEST 2: #GP without an error code gets 0 pushed (canonical mode). */
	{ VMX_LEGACY, true, false, 13, false, 0xDEAD, false, true, false, 0, ADDED },
	{ SVM, true, false, 13, false, 0xDEAD, false, true, false, 0, ADDED },
	/* TEST 3: #UD with 0x55: dropped (canonical). */
	{ VMX_LEGACY, true, false, 6, true, 0x55, false, false, false, 0, DROPPED },
	{ SVM, true, false, 6, true, 0x55, false, false, false, 0, DROPPED },
	/* TEST 5: #PF with 0x12345: VMX truncates to 16 bits, SVM passes all 32. */
	{ VMX_LEGACY, true, false, 14, true, 0x12345, false, true, false, 0x2345, NONE },
	{ VMX_BASIC56, true, true, 14, true, 0x12345, false, true, false, 0x2345, NONE },
	{ SVM, true, false, 14, true, 0x12345, false, true, false, 0x12345, NONE },
	{ SVM, true, false, 14, true, 0x80000007, false, true, false, 0x80000007, NONE }, /* AMD RMP bit 31 */
	{ VMX_LEGACY, true, false, 14, true, 0x80000007, false, true, false, 0x0007, NONE },
	/* TEST 6: #DF with 0. */
	{ VMX_LEGACY, true, false, 8, true, 0, false, true, false, 0, NONE },
	/* TEST 7: real mode #GP: no error code on any back end, raw or not. */
	{ VMX_LEGACY, false, false, 13, true, 0x10, false, false, false, 0, DROPPED },
	{ VMX_BASIC56, false, true, 13, true, 0x10, false, false, false, 0, DROPPED },
	{ SVM, false, true, 13, true, 0x10, false, false, false, 0, DROPPED },
	{ SVM, false, true, 13, false, 0x10, false, false, false, 0, NONE }, /* not "added" in real mode */
	/* #BP/#OF: soft, never an error code, even raw on SVM, even in real mode. */
	{ SVM, true, true, 3, true, 0x77, false, false, true, 0, DROPPED },
	{ VMX_BASIC56, true, true, 4, true, 0x77, false, false, true, 0, DROPPED },
	{ VMX_LEGACY, true, false, 3, false, 0, false, false, true, 0, NONE },
	{ VMX_LEGACY, false, false, 4, false, 0, false, false, true, 0, NONE },
	/* Raw flag: honoured on SVM and on VMX with BASIC[56] ... */
	{ SVM, true, true, 6, true, 0x55, false, true, false, 0x55, NONE },
	{ SVM, true, true, 13, false, 0x55, false, false, false, 0, NONE },
	{ SVM, true, true, 29, true, 0xDEADBEEF, false, true, false, 0xDEADBEEF, NONE },
	{ VMX_BASIC56, true, true, 6, true, 0x12345, false, true, false, 0x2345, NONE },
	{ VMX_BASIC56, true, true, 13, false, 0x55, false, false, false, 0, NONE },
	/* ... and falls back to canonical on VMX without it. */
	{ VMX_LEGACY, true, true, 6, true, 0x55, false, false, false, 0, DROPPED },
	{ VMX_LEGACY, true, true, 13, false, 0x55, false, true, false, 0, ADDED },
	/* Without the raw flag BASIC[56] changes nothing. */
	{ VMX_BASIC56, true, false, 6, true, 0x55, false, false, false, 0, DROPPED },
	/* #CP follows the guest's CET. */
	{ VMX_LEGACY, true, false, 21, true, 3, true, true, false, 3, NONE },
	{ VMX_LEGACY, true, false, 21, true, 3, false, false, false, 0, DROPPED },
	{ VMX_LEGACY, true, false, 21, false, 3, true, true, false, 0, ADDED },
	/* AMD-only vectors with an error code are not canonical ones. */
	{ SVM, true, false, 29, true, 0x400, false, false, false, 0, DROPPED },
	{ SVM, true, false, 30, true, 1, false, false, false, 0, DROPPED },
	/* Reserved vectors. */
	{ VMX_LEGACY, true, false, 31, false, 0, false, false, false, 0, NONE },
	{ VMX_LEGACY, true, false, 0, false, 0, false, false, false, 0, NONE },
};

static void test_sanitize_literal_cases(void **state)
{
	for (unsigned i = 0; i < ARRAY_SIZE(literal_cases); i++) {
		const struct lit *c = &literal_cases[i];
		enum inject_fixup fx;
		struct exc_event ev = sanitize(c->be, c->pm, c->raw, c->vector, c->has_ec, c->ec, c->cet, &fx);
		if (ev.vector != c->vector || ev.has_ec != c->x_has_ec || ev.soft != c->x_soft || ev.ec != c->x_ec ||
		    fx != c->x_fixup)
			fail_msg("case %u (%s vector %u): got has_ec=%d soft=%d ec=0x%x fixup=%s", i,
				 backend_name[c->be], c->vector, ev.has_ec, ev.soft, ev.ec, fixup_name(fx));
	}
}

/* ---- Never VM-Fail ---- */

/* VMX checks C3a, C3b and C5 (spec §2.2) on the event inject_sanitize produced, as the CPU would apply them
 * to the VM-entry interruption-information and error-code fields. */
static void expect_vmx_entry_ok(const struct inject_caps *caps, bool pm, bool cet, const struct exc_event *ev,
				const char *what)
{
	bool deliver_ec = ev->has_ec;

	if (deliver_ec && (ev->soft || !pm)) /* C3a: type 6, or CR0.PE = 0 */
		fail_msg("%s vector %u: error code with %s", what, ev->vector, ev->soft ? "type 6" : "CR0.PE=0");
	if (pm && !ev->soft && !caps->vmx_no_ec_check && deliver_ec != arch_has_ec(ev->vector, cet))
		fail_msg("%s vector %u: deliver-error-code %d fails C3b", what, ev->vector, deliver_ec);
	if (deliver_ec && ev->ec > 0xFFFF) /* C5 */
		fail_msg("%s vector %u: error code 0x%x has bits 31:16 set", what, ev->vector, ev->ec);
}

static void check_never_vm_fail(const struct req *r, enum backend be)
{
	enum inject_fixup fx;
	struct exc_event ev = sanitize(be, r->pm, r->raw, r->vector, r->has_ec, r->ec, r->cet, &fx);

	/* The property as the brief states it, for VMX without BASIC[56] in protected mode. */
	if (be == VMX_LEGACY && r->pm &&
	    (ev.has_ec != arch_has_ec(r->vector, r->cet) || (ev.soft && ev.has_ec) || ev.ec > 0xFFFF))
		fail_msg("vmx legacy vector %u has_ec=%d ec=0x%x raw=%d cet=%d: has_ec=%d soft=%d ec=0x%x", r->vector,
			 r->has_ec, r->ec, r->raw, r->cet, ev.has_ec, ev.soft, ev.ec);
	/* And the entry checks themselves, in both modes, with and without BASIC[56]. */
	expect_vmx_entry_ok(&caps_of[be], r->pm, r->cet, &ev, backend_name[be]);
}

static void test_never_vm_fail(void **state)
{
	static const u32 ecs[] = { 0, 0x1, 0xFFFF, 0x10000, 0x12345, 0x80000000, 0xFFFFFFFF };

	assert_int_equal(for_each_request(ecs, ARRAY_SIZE(ecs), check_never_vm_fail, VMX_LEGACY),
			 2 * 2 * 31 * 2 * 2 * ARRAY_SIZE(ecs));
	assert_int_equal(for_each_request(ecs, ARRAY_SIZE(ecs), check_never_vm_fail, VMX_BASIC56),
			 2 * 2 * 31 * 2 * 2 * ARRAY_SIZE(ecs));
}

/* On SVM the only VMRUN check is the vector (spec §2.3); but real mode still never gets an error code. */
static void test_real_mode_never_has_ec(void **state)
{
	for (enum backend be = VMX_LEGACY; be < NBACKENDS; be++)
		for (unsigned v = 0; v < 32; v++)
			for (int raw = 0; raw <= 1; raw++) {
				enum inject_fixup fx;
				struct exc_event ev = sanitize(be, false, raw, v, true, 0x1234, true, &fx);
				if (v != 2 && (ev.has_ec || fx != INJECT_FIXUP_EC_DROPPED))
					fail_msg("%s real mode vector %u raw=%d: has_ec=%d fixup=%s",
						 backend_name[be], v, raw, ev.has_ec, fixup_name(fx));
			}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_vectors_0_to_31),
		cmocka_unit_test(test_request_vectors_out_of_range),
		cmocka_unit_test(test_request_flags),
		cmocka_unit_test(test_error_code_vectors),
		cmocka_unit_test(test_sanitize_table_vmx_legacy),
		cmocka_unit_test(test_sanitize_table_vmx_basic56),
		cmocka_unit_test(test_sanitize_table_svm),
		cmocka_unit_test(test_sanitize_literal_cases),
		cmocka_unit_test(test_never_vm_fail),
		cmocka_unit_test(test_real_mode_never_has_ec),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
