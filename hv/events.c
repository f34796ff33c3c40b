/* Exception queueing. Sanitizing waits for VM entry: a queued #GP may meet a guest that has left
 * protected mode by then, and the error-code rules depend on that mode. */
#include "events.h"
#include "inject.h"
#include "log.h"
#include "vm.h"
#include "x86.h"

int hv_inject_exception(struct vcpu *v, u64 vector, bool has_ec, u32 ec, u64 flags)
{
	int err = inject_check_request(vector, flags);
	if (err)
		return err;
	if (v->exception.valid)
		return -EBUSY;
	v->exception = (struct queued_exception){ true, (u8)vector, has_ec, ec, (u32)flags };
	return 0;
}

void events_prepare_entry(struct vcpu *v)
{
	const struct backend *be = v->vm->be;
	struct queued_exception *q = &v->exception;
	enum inject_fixup fixup;

	if (!q->valid)
		return;
	bool protected_mode = be->get_reg(v, VREG_CR0) & CR0_PE;
	/* The CPUID policy hides CET, so #CP never carries an error code for these guests. */
	struct exc_event ev =
		inject_sanitize(q->vector, q->has_ec, q->ec, q->flags, protected_mode, false, be->inject_caps, &fixup);
	if (fixup == INJECT_FIXUP_EC_DROPPED) {
		v->stats.ec_dropped++;
		log_info("%s: vector %u cannot carry an error code here; dropped 0x%x", v->vm->name, q->vector, q->ec);
	} else if (fixup == INJECT_FIXUP_EC_ADDED) {
		v->stats.ec_added++;
		log_info("%s: vector %u needs an error code; pushing 0", v->vm->name, q->vector);
	}
	be->inject_event(v, &ev);
	q->valid = false;
}
