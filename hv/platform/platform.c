/* The VM's platform devices and tables (see platform.h). */
#include "platform.h"
#include "../rules/loader/multiboot.h"
#include "../time.h"
#include "../vm.h"
#include "../x86.h"
#include "rules/acpi.h"
#include "rules/fwcfg.h"
#include "irq_sources.h"

_Static_assert(PLATFORM_ACPI_START >= MB_BIOS_ROM_START && PLATFORM_ACPI_END <= MB_HIGH_MEM_START,
	       "the ACPI tables sit in the area the memory map reserves");
_Static_assert(PLATFORM_ACPI_START >= ACPI_RSDP_SEARCH_START && PLATFORM_ACPI_END <= ACPI_RSDP_SEARCH_END,
	       "the RSDP is where guests search for it");
_Static_assert(VM_MAX_VCPUS <= (u16)-1, "fw_cfg counts CPUs in 16 bits");

int platform_setup(struct vm *vm, const char **why)
{
	fwcfg_init(&vm->fwcfg, vm->ram_size, (u16)vm->nvcpus);
	u64 now = rdtsc();
	pm_init(&vm->pm, tsc_hz(), now);
	rtc_init(&vm->rtc, tsc_hz(), now, vm->ram_size, vm->nvcpus);
	pci_init(&vm->pci);
	irq_sources_init(vm);
	return acpi_build_tables(vm->ram, vm->ram_size, PLATFORM_ACPI_START, PLATFORM_ACPI_END, vm->nvcpus, why);
}
