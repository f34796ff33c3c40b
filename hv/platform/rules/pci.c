/* PCI configuration space, RST_CNT and port 0x92 (see pci.h for the rules and where they come from). */
#include "pci.h"

#define BITS_PER_BYTE 8
#define ALL_ONES 0xFFFFFFFFu
#define DWORD 4
#define RST_CNT_KEPT (RST_CNT_FULL_RST | RST_CNT_SYS_RST) /* ich9_rst_cnt_write(): val & 0xA */
#define DEVFN_HOST_BRIDGE 0
#define PCI_VENDOR_ID 0x00
#define PCI_CLASS_REVISION 0x08
#define PCI_HEADER_TYPE_DWORD 0x0C /* cache line, latency, header type (0), BIST */
#define PCI_SUBSYSTEM 0x2C
#define PCI_CONFIG_SPACE_SIZE 256 /* conventional space: mechanism #1 reaches no further */
#define CLASS_SHIFT 8

void pci_init(struct pci *p)
{
	*p = (struct pci){ .port92 = PORT92_A20 };
}

u32 pci_config_read32(u8 bus, u8 devfn, u8 reg)
{
	if (bus != 0 || devfn != DEVFN_HOST_BRIDGE)
		return ALL_ONES; /* no device: the bus master aborts and reads all ones */
	switch (reg) {
	case PCI_VENDOR_ID: return (u32)Q35_HOST_DEVICE << 16 | Q35_HOST_VENDOR;
	case PCI_CLASS_REVISION: return Q35_HOST_CLASS << CLASS_SHIFT; /* revision 0 */
	case PCI_HEADER_TYPE_DWORD: return 0;
	case PCI_SUBSYSTEM: return (u32)QEMU_SUBSYSTEM_ID << 16 | QEMU_SUBSYSTEM_VENDOR;
	default: return 0;
	}
}

static u32 mask_of(u8 size)
{
	return size == DWORD ? ALL_ONES : (1u << (size * BITS_PER_BYTE)) - 1;
}

/* QEMU's pci_data_read(): the register is CONFIG_ADDRESS | (port & 3), bits 1:0 of the latch included,
 * and `size` bytes are read from there. */
static u32 config_data(const struct pci *p, u16 byte, u8 size)
{
	if (!(p->address & PCI_ADDR_ENABLE))
		return mask_of(size);
	u8 bus = (u8)(p->address >> PCI_ADDR_BUS_SHIFT), devfn = (u8)(p->address >> PCI_ADDR_DEVFN_SHIFT);
	u32 start = (p->address | byte) & (PCI_CONFIG_SPACE_SIZE - 1), v = 0;
	for (u8 i = 0; i < size; i++) {
		u32 at = start + i;
		u32 b = at < PCI_CONFIG_SPACE_SIZE
				? pci_config_read32(bus, devfn, (u8)(at & PCI_ADDR_REG_MASK)) >> (at % DWORD * BITS_PER_BYTE)
				: ALL_ONES;
		v |= (b & 0xFFu) << (i * BITS_PER_BYTE);
	}
	return v;
}

u32 pci_io(struct pci *p, u16 offset, u8 size, bool in, u32 value, bool *reset)
{
	u16 port = PCI_IO_BASE + offset;
	*reset = false;
	if (offset % size)
		return 0; /* unaligned: QEMU's memory core refuses it */
	if (port == PCI_RST_CNT) {
		if (in)
			return p->rst_cnt;
		if (value & RST_CNT_RST_CPU)
			*reset = true;
		else
			p->rst_cnt = (u8)value & RST_CNT_KEPT;
		return 0;
	}
	if (port < PCI_CONFIG_DATA) {
		if (in)
			return p->address & mask_of(size);
		if (port == PCI_CONFIG_ADDRESS && size == DWORD)
			p->address = value;
		return 0;
	}
	return in ? config_data(p, port - PCI_CONFIG_DATA, size) : 0; /* config writes are dropped */
}

/* hw/i386/port92.c: every byte written is kept, and bit 0 going from 0 to 1 resets. Its ops take one
 * byte at a time, so a 16-bit access is two, low byte first, both to the same register. */
u32 port92_io(struct pci *p, u8 size, bool in, u32 value, bool *reset)
{
	*reset = false;
	if (size > sizeof(u16))
		return 0; /* a 32-bit access at 0x92 is unaligned: refused */
	u32 r = 0;
	for (u8 i = 0; i < size; i++) {
		u8 b = (u8)(value >> (i * BITS_PER_BYTE));
		r |= (u32)p->port92 << (i * BITS_PER_BYTE);
		if (in)
			continue;
		if ((b & PORT92_FAST_RESET) && !(p->port92 & PORT92_FAST_RESET))
			*reset = true;
		p->port92 = b;
	}
	return in ? r : 0;
}
