/* Exception injection rules (spec §2.5): request validation and VM-entry-time sanitizing. Pure. */
#ifndef HV_INJECT_H
#define HV_INJECT_H

#include "../lib/types.h"

#define INJECT_FLAG_RAW 0x1u /* = HC_INJECT_RAW: KVM_SET_VCPU_EVENTS (AMD) semantics where hardware allows */
#define INJECT_VALID_FLAGS INJECT_FLAG_RAW

/* What the hardware accepts. */
struct inject_caps {
	bool vmx;            /* VMX: error code limited to 16 bits, and entry checks (SDM §28.2.1.3) */
	bool vmx_no_ec_check; /* IA32_VMX_BASIC[56]: any hardware exception may carry an error code or not */
};

/* The event that will actually be delivered. */
struct exc_event {
	u8 vector;
	bool has_ec;
	u32 ec;
	bool soft; /* #BP/#OF: delivered trap-style (VMX interruption type 6) */
};

enum inject_fixup {
	INJECT_FIXUP_NONE,
	INJECT_FIXUP_EC_DROPPED, /* the caller asked for an error code the vector cannot carry */
	INJECT_FIXUP_EC_ADDED,   /* the vector needs an error code and the caller gave none: 0 is pushed */
};

/* True for the vectors whose delivery pushes an error code in protected mode (SDM Vol. 3A Table 6-1);
 * #CP (21) only when the guest can use CET. */
bool exception_has_error_code(u8 vector, bool guest_cet);

/* Accepts or rejects a request as hv_inject_exception() must: 0, or -EINVAL for vector > 31, NMI (2)
 * (NMIs have their own path) or unknown flags. */
int inject_check_request(u64 vector, u64 flags);

/* Turns an accepted request into an event that can never fail VM entry, given the guest's mode now. */
struct exc_event inject_sanitize(u8 vector, bool has_ec, u32 ec, u32 flags, bool protected_mode, bool guest_cet,
				 const struct inject_caps *caps, enum inject_fixup *fixup);

#endif
