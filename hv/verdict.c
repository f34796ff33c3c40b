/* The one verdict that carries text (see verdict.h). */
#include "verdict.h"
#include "lib/fmt.h"
#include "vcpu.h"

struct verdict verdict_stop(struct vcpu *v, enum vm_outcome outcome, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(v->stop_why, sizeof(v->stop_why), fmt, ap);
	va_end(ap);
	return (struct verdict){ .kind = VERDICT_STOP, .outcome = outcome };
}
