/* libFuzzer harness for the exception-injection rules (hv/rules/inject.c): vector, error code and flags come from
 * a guest's HC_INJECT hypercall, the guest mode from its own CR0.
 *
 * Invariants: inject_check_request() is exactly spec §2.5's acceptance table, and whatever inject_sanitize()
 * makes of an accepted request passes the VMX VM-entry checks C3a, C3b and C5 (SDM Vol. 3C §28.2.1.3, spec
 * §2.2) as the spec states them, keeps the caller's error code where one is delivered, and reports each
 * change it made in *fixup. */
#include "hv/rules/inject.h"
#include "tests/fuzz/fuzz.h"

/* Spec §2.2 C3b: the vectors whose hardware exceptions must carry an error code (21 only with CET). */
static bool c3b_needs_ec(u8 vector, bool cet)
{
	return vector == 8 || (vector >= 10 && vector <= 14) || vector == 17 || (vector == 21 && cet);
}

static void check_request(u64 vector, u64 flags)
{
	bool ok = vector <= 31 && vector != 2 && !(flags & ~(u64)INJECT_FLAG_RAW);
	FUZZ_CHECK((inject_check_request(vector, flags) == 0) == ok);
	FUZZ_CHECK(inject_check_request(vector, flags) == 0 || inject_check_request(vector, flags) == -EINVAL);
}

/* The VMX checks the spec lists for an injected exception: type 6 for #BP/#OF, type 3 otherwise. */
static bool vmx_entry_ok(const struct exc_event *ev, bool pm, bool cet, bool no_ec_check)
{
	if (ev->has_ec && (!pm || ev->soft)) /* C3a */
		return false;
	if (!ev->soft && pm && !no_ec_check && ev->has_ec != c3b_needs_ec(ev->vector, cet)) /* C3b */
		return false;
	return !ev->has_ec || ev->ec <= 0xFFFF; /* C5 */
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct fuzz_in in = fuzz_in(data, size);
	u64 vector = fuzz_u64(&in), flags = fuzz_u64(&in);
	u32 ec = fuzz_u32(&in);
	u8 bits = fuzz_u8(&in);
	bool has_ec = bits & 1, pm = bits & 2, cet = bits & 4;
	struct inject_caps caps = { .vmx = bits & 8, .vmx_no_ec_check = bits & 16 };
	enum inject_fixup fixup = (enum inject_fixup)-1;

	check_request(vector, flags);
	check_request(vector & 0xFF, flags & 0xFF); /* the interesting small values, as often as big ones */
	if (inject_check_request(vector & 0x3F, flags & 1))
		return 0;

	u8 v = (u8)(vector & 0x3F);
	u32 fl = (u32)(flags & 1);
	struct exc_event ev = inject_sanitize(v, has_ec, ec, fl, pm, cet, &caps, &fixup);

	FUZZ_CHECK(ev.vector == v);
	FUZZ_CHECK(ev.soft == (v == 3 || v == 4));
	FUZZ_CHECK(exception_has_error_code(v, cet) == c3b_needs_ec(v, cet));
	if (!pm || ev.soft) /* real mode never pushes one; a soft exception may not carry one */
		FUZZ_CHECK(!ev.has_ec);
	if (caps.vmx)
		FUZZ_CHECK(vmx_entry_ok(&ev, pm, cet, caps.vmx_no_ec_check));
	bool raw = fl && (!caps.vmx || caps.vmx_no_ec_check);
	if (pm && !ev.soft)
		FUZZ_CHECK(ev.has_ec == (raw ? has_ec : c3b_needs_ec(v, cet)));
	if (!ev.has_ec)
		FUZZ_CHECK(ev.ec == 0);
	else
		FUZZ_CHECK(ev.ec == (has_ec ? (caps.vmx ? ec & 0xFFFF : ec) : 0));
	FUZZ_CHECK(fixup == (has_ec == ev.has_ec ? INJECT_FIXUP_NONE
				: has_ec ? INJECT_FIXUP_EC_DROPPED : INJECT_FIXUP_EC_ADDED));
	return 0;
}
