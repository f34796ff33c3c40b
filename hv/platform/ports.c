/* Port glue for the q35 devices (see ports.h). */
#include "ports.h"
#include "../vm.h"
#include "../x86.h"

#define ALL_ONES 0xFFFFFFFFu
#define DWORD 4

static bool in_range(u16 port, u16 base, u16 count)
{
	return port >= base && port < base + count;
}

static void pm_action_stop(struct vcpu *v, enum pm_action a, u32 value, struct verdict *vd)
{
	if (a == PM_POWER_OFF)
		*vd = verdict_stop(v, VM_POWER_OFF, "0x%x to PM1a_CNT (port 0x%x): SLP_EN with SLP_TYP %u", value,
				   PM_IO_BASE + PM1_CNT, (value >> PM1_CNT_SLP_TYP_SHIFT) & PM1_CNT_SLP_TYP_MASK);
	else if (a == PM_SUSPEND)
		*vd = verdict_stop(v, VM_BAD_ACCESS,
				   "guest requested S3 suspend: 0x%x to PM1a_CNT (port 0x%x); microhv cannot wake a "
				   "suspended VM", value, PM_IO_BASE + PM1_CNT);
}

bool platform_port_io(struct vcpu *v, const struct exit_io *io, u32 value, u32 *result, struct verdict *vd)
{
	struct vm *vm = v->vm;
	u16 port = io->port;
	bool reset = false;
	enum pm_action action = PM_NONE;

	if (port == POST_CODE_PORT) /* QEMU's ioport80: writes swallowed, reads all ones */
		*result = io->size == DWORD ? ALL_ONES : (1u << (io->size * 8)) - 1;
	else if (in_range(port, PM_IO_BASE, PM_IO_SIZE))
		*result = pm_io(&vm->pm, port - PM_IO_BASE, io->size, io->in, value, rdtsc(), &action);
	else if (port == PM_APM_CNT_PORT || port == PM_APM_STS_PORT)
		*result = pm_apm_io(&vm->pm, port, io->size, io->in, value);
	else if (in_range(port, RTC_PORT_INDEX, RTC_PORTS))
		*result = rtc_io(&vm->rtc, port - RTC_PORT_INDEX, io->size, io->in, value, rdtsc());
	else if (in_range(port, PCI_IO_BASE, PCI_IO_SIZE))
		*result = pci_io(&vm->pci, port - PCI_IO_BASE, io->size, io->in, value, &reset);
	else if (port == PORT92)
		*result = port92_io(&vm->pci, io->size, io->in, value, &reset);
	else
		return false;
	if (reset)
		*vd = verdict_stop(v, VM_RESET, "0x%x to port 0x%x (%s)", value, port,
				   port == PORT92 ? "fast reset" : "RST_CNT");
	pm_action_stop(v, action, value, vd);
	return true;
}
