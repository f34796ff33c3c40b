/* A guest access that exited because it hit emulated device memory: fetch and decode the instruction,
 * emulate it (hv/rules/mmio_emul.h) on a bus that reaches the device and, for the other operand of MOVS/PUSH/
 * POP, guest RAM, then complete it or stop the VM with one line saying why. One driver for every device
 * that lives in guest-physical memory (the local APIC, unassigned memory). */
#ifndef HV_MMIO_EXIT_H
#define HV_MMIO_EXIT_H

#include "exit.h"
#include "vcpu.h"
#include "verdict.h"

/* A device at guest-physical [base, base + size): accesses of 1, 2, 4 or 8 bytes at an offset. */
struct mmio_device {
	const char *name; /* for the VM-stop lines, e.g. "APIC MMIO" */
	u64 base, size;
	void (*read)(struct vcpu *v, u64 offset, u8 size, u64 *value);
	void (*write)(struct vcpu *v, u64 offset, u8 size, u64 value);
};

/* Emulates the instruction behind exit `m` against `dev`: the verdict says it is done (advance by its
 * length), repeated (a REP chunk: resume), faults, or the VM must stop. */
struct verdict mmio_exit_emulate(struct vcpu *v, const struct exit_mem *m, const struct mmio_device *dev);

#endif
