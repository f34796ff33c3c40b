/* Port I/O: the guest's small PC platform. Every port exits (the SVM IOPM and the VMX I/O bitmaps are all
 * ones), so no guest access ever reaches the host's hardware. The ports, as on QEMU -machine q35 with
 * -device isa-debug-exit,iobase=0xf4,iosize=4 -serial stdio:
 *
 *   0x3F8-0x3FF  COM1, a 16550 (platform/uart.c): output is captured, LSR always reports ready
 *   0xF4-0xF7    QEMU's isa-debug-exit: an OUT of 1, 2 or 4 bytes at a port aligned to its size ends the
 *                guest with the value written; an IN reads 0 (hw/misc/debugexit.c)
 *   0x510-0x511  QEMU's fw_cfg, legacy interface (platform/fwcfg.c)
 *   0x40-0x43    the 8254 PIT (platform/pit.c), byte-wide; channel 0 raises IRQ0 on I/O APIC pin 2
 *   0x61         port B: PIT channel 2 gate and output, refresh toggle (platform/pit.c)
 *   0x20/0x21, 0xA0/0xA1, 0x4D0/0x4D1  the 8259 pair and its ELCR (platform/pic.c), byte-wide; it takes
 *                IRQ0 from the PIT; its output reaches the BSP as ExtINT (platform/irq_sources.c)
 *   0x70-0x71    RTC and CMOS RAM (platform/rtc.c)
 *   0x80         POST code: writes swallowed, reads all ones (QEMU's ioport80)
 *   0x92         System Control Port A: bit 0 rising resets the VM (platform/pci.c)
 *   0xB2-0xB3    APM control/status: ACPI enable/disable commands (platform/pmtimer.c)
 *   0x600-0x67F  ICH9 ACPI PM block: PM1 status/enable/control, PM timer at 0x608, GPE0 (platform/pmtimer.c)
 *   0xCF8-0xCFF  PCI configuration mechanism #1 with q35's host bridge; RST_CNT at 0xCF9 (platform/pci.c)
 *                (platform/ports.c routes these; a reset or S5 stops the VM: VM_RESET, VM_POWER_OFF)
 *
 * Every other port reads all ones and ignores writes, as an empty ISA bus does and as QEMU's unassigned
 * ports do. That includes fw_cfg DMA (0x514), which QEMU has and microhv has not. The RTC raises no
 * interrupt, so a guest that waits for one waits forever. String I/O (INS/OUTS) reaches the same devices
 * through string_io.c. */
#include "io.h"
#include "rules/guest_abi.h"
#include "string_io.h"
#include "platform/ports.h"
#include "platform/irq_sources.h"
#include "vm.h"

#define UART_PORTS 8
#define DWORD 4

static u32 size_mask(u8 size)
{
	return size == DWORD ? 0xFFFFFFFFu : (1u << (size * 8)) - 1;
}

static bool in_range(u16 port, u16 base, u16 count)
{
	return port >= base && port < base + count;
}

/* Byte-wide devices (QEMU's i8254, pcspk, i8259 and ELCR regions): a wider access is one byte per port,
 * low first. */
static u32 platform_bytes(struct vm *vm, const struct exit_io *io, u32 value)
{
	u32 result = 0;
	for (u32 i = 0; i < io->size; i++) {
		u16 port = (u16)(io->port + i);
		u32 byte = irq_sources_owns_port(port) ? irq_sources_port(vm, port, io->in, (u8)(value >> (8 * i))) : 0xFF;
		result |= (byte & 0xFF) << (8 * i);
	}
	return result;
}

u32 io_port_access(struct vcpu *v, const struct exit_io *io, u32 value, struct verdict *vd)
{
	struct vm *vm = v->vm;

	if (in_range(io->port, GUEST_UART_PORT, UART_PORTS)) {
		uart_access(&vm->uart, io->port - GUEST_UART_PORT, io->in, &value);
		return value;
	}
	if (irq_sources_owns_port(io->port))
		return platform_bytes(vm, io, value);
	if (in_range(io->port, FW_CFG_IO_BASE, FW_CFG_CTL_SIZE))
		return fwcfg_io(&vm->fwcfg, io->port - FW_CFG_IO_BASE, io->size, io->in, value);
	u32 result;
	if (platform_port_io(v, io, value, &result, vd))
		return result;
	if (in_range(io->port, GUEST_EXIT_PORT, GUEST_EXIT_PORT_SIZE)) {
		/* QEMU's memory core refuses an access not aligned to its size before the device sees it. */
		if (!io->in && (io->port - GUEST_EXIT_PORT) % io->size == 0) {
			vm->exit_status = value;
			*vd = verdict_stop(v, VM_EXITED, "exit port: status %u", value);
		}
		return 0;
	}
	return size_mask(io->size); /* nothing there */
}

struct verdict io_emulate(struct vcpu *v, const struct exit_io *io)
{
	if (io->string)
		return string_io_emulate(v, io);
	struct verdict vd = verdict_advance();
	u32 mask = size_mask(io->size);
	u32 value = io_port_access(v, io, io->in ? 0 : (u32)v->gpr[GPR_RAX] & mask, &vd) & mask;
	if (io->in && io->size == DWORD)
		v->gpr[GPR_RAX] = value; /* a 32-bit destination zero-extends into RAX */
	else if (io->in)
		v->gpr[GPR_RAX] = (v->gpr[GPR_RAX] & ~(u64)mask) | value;
	return vd;
}
