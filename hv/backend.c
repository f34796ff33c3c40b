/* Choosing the back end: by CPUID feature bits, never by the vendor string (QEMU TCG can show an Intel
 * vendor with SVM). */
#include "backend.h"
#include "log.h"

static const struct backend *const backends[] = { &svm_backend, &vmx_backend };

const struct backend *backend_probe(void)
{
	for (u32 i = 0; i < ARRAY_SIZE(backends); i++)
		if (backends[i]->probe())
			return backends[i];
	log_error("no usable hardware virtualization: this CPU offers neither SVM with nested paging nor VMX "
		  "with EPT and unrestricted guest");
	return NULL;
}
