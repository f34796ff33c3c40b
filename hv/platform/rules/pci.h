/* PCI configuration mechanism #1 at 0xCF8-0xCFF with QEMU q35's host bridge, and ICH9's reset control
 * register RST_CNT at 0xCF9; port 0x92 (System Control Port A). Pure model, no hardware access.
 *
 * As QEMU 7.2 TCG shows them (hw/pci/pci_host.c, hw/pci-host/q35.c, hw/isa/lpc_ich9.c, hw/i386/pc.c
 * port92): an I/O instruction reaches, whole, the region that holds its first port, which refuses
 * (IN reads 0, OUT does nothing) a width that is not aligned to it:
 *   0xCF8  CONFIG_ADDRESS: only a 32-bit OUT at 0xCF8 latches it; an IN of any width at 0xCF8, 0xCFA or
 *          0xCFB returns its low bytes (QEMU hands every read the whole register, unshifted)
 *   0xCF9  a byte access reaches RST_CNT instead: bit 2 written as 1 resets the machine (0x06 or 0x0E,
 *          the FADT's reset value 0x0F too), otherwise bits 3 and 1 are kept and read back
 *   0xCFC-0xCFF  CONFIG_DATA: 1, 2 or 4 bytes at offset (register & 0xFC) + port - 0xCFC, when
 *          CONFIG_ADDRESS bit 31 is set, of bus (23:16) / device (15:11) / function (10:8); reads all ones
 *          while bit 31 is clear, for any function but 0:0.0 and past the header QEMU's host bridge has
 *   0:0.0  q35's host bridge (MCH): vendor 0x8086, device 0x29C0, class 0x060000, header type 0,
 *          subsystem 0x1AF4:0x1100 (QEMU's default); its other registers read 0 and writes to it are
 *          dropped (no PAM, SMRAM or PCIEXBAR: microhv's memory map is fixed)
 *   0x92   the byte written is kept and read back; bit 0 going from 0 to 1 is a fast reset; starts as
 *          0x02 (A20 on), as SeaBIOS leaves it
 * QEMU's other q35 functions (0:1F.0 LPC, 0:1F.2 SATA, 0:1F.3 SMBus) are absent here (docs/differences.md). */
#ifndef HV_PLATFORM_PCI_H
#define HV_PLATFORM_PCI_H

#include "../../lib/types.h"

#define PCI_IO_BASE 0xCF8
#define PCI_IO_SIZE 8
#define PCI_CONFIG_ADDRESS 0xCF8
#define PCI_RST_CNT 0xCF9
#define PCI_CONFIG_DATA 0xCFC
#define PCI_ADDR_ENABLE 0x80000000u
#define PCI_ADDR_BUS_SHIFT 16
#define PCI_ADDR_DEVFN_SHIFT 8
#define PCI_ADDR_REG_MASK 0xFCu
#define RST_CNT_SYS_RST 0x02
#define RST_CNT_RST_CPU 0x04
#define RST_CNT_FULL_RST 0x08
#define PORT92 0x92
#define PORT92_FAST_RESET 0x01
#define PORT92_A20 0x02

#define Q35_HOST_VENDOR 0x8086
#define Q35_HOST_DEVICE 0x29C0
#define Q35_HOST_CLASS 0x060000u /* bridge, host bridge, prog-if 0 */
#define QEMU_SUBSYSTEM_VENDOR 0x1AF4
#define QEMU_SUBSYSTEM_ID 0x1100

struct pci {
	u32 address; /* CONFIG_ADDRESS */
	u8 rst_cnt;
	u8 port92;
};

void pci_init(struct pci *p);
/* An access at 0xCF8 + offset (offset < PCI_IO_SIZE). IN returns the value; *reset is set when the
 * access resets the machine. */
u32 pci_io(struct pci *p, u16 offset, u8 size, bool in, u32 value, bool *reset);
/* An access of 1 or 2 bytes to port 0x92 (4: refused). IN returns the value. */
u32 port92_io(struct pci *p, u8 size, bool in, u32 value, bool *reset);
/* Config register `reg` (dword aligned) of bus/device/function: 0xFFFFFFFF where nothing is. */
u32 pci_config_read32(u8 bus, u8 devfn, u8 reg);

#endif
