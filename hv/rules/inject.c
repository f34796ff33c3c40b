/* Exception injection sanitizing (spec §2.5). The goal: whatever the caller asks, VM entry never fails
 * because of the error-code flag (SDM Vol. 3C §28.2.1.3 checks C3a/C3b; AMD has no such check). */
#include "inject.h"

#define MAX_EXCEPTION_VECTOR 31
#define VECTOR_NMI 2
#define VECTOR_BP 3
#define VECTOR_OF 4
#define VECTOR_CP 21
#define VMX_ERROR_CODE_MASK 0xFFFFu /* bits 31:16 of the VM-entry error code must be 0 (check C5) */

bool exception_has_error_code(u8 vector, bool guest_cet)
{
	switch (vector) {
	case 8:  /* #DF */
	case 10: /* #TS */
	case 11: /* #NP */
	case 12: /* #SS */
	case 13: /* #GP */
	case 14: /* #PF */
	case 17: /* #AC */
		return true;
	case VECTOR_CP:
		return guest_cet;
	default:
		return false;
	}
}

int inject_check_request(u64 vector, u64 flags)
{
	if (vector > MAX_EXCEPTION_VECTOR || vector == VECTOR_NMI || (flags & ~(u64)INJECT_VALID_FLAGS))
		return -EINVAL;
	return 0;
}

/* May the caller's has_ec be honoured as given? Only where no entry check can trip on it. */
static bool raw_allowed(u32 flags, const struct inject_caps *caps)
{
	return (flags & INJECT_FLAG_RAW) && (!caps->vmx || caps->vmx_no_ec_check);
}

struct exc_event inject_sanitize(u8 vector, bool has_ec, u32 ec, u32 flags, bool protected_mode, bool guest_cet,
				 const struct inject_caps *caps, enum inject_fixup *fixup)
{
	struct exc_event ev = { .vector = vector, .soft = vector == VECTOR_BP || vector == VECTOR_OF };
	bool want = has_ec;

	if (!protected_mode || ev.soft) {
		/* Real mode never pushes an error code; soft exceptions (type 6) may not carry one (C3a). */
		want = false;
	} else if (!raw_allowed(flags, caps)) {
		want = exception_has_error_code(vector, guest_cet);
	}
	*fixup = INJECT_FIXUP_NONE;
	if (has_ec && !want)
		*fixup = INJECT_FIXUP_EC_DROPPED;
	else if (!has_ec && want)
		*fixup = INJECT_FIXUP_EC_ADDED;

	ev.has_ec = want;
	if (want)
		ev.ec = has_ec ? ec : 0;
	if (caps->vmx)
		ev.ec &= VMX_ERROR_CODE_MASK;
	return ev;
}
