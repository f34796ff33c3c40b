/* See ioapic.h. The rules follow QEMU's hw/intc/ioapic.c (ioapic_mem_read/write, ioapic_set_irq,
 * ioapic_service, ioapic_eoi_broadcast) with microhv's own names. */
#include "ioapic.h"

#define DWORD 4u
#define DWORD_BITS 32
#define LOW_DWORD 0xFFFFFFFFull

void ioapic_init(struct ioapic *io, ioapic_deliver_fn deliver, void *ctx)
{
	*io = (struct ioapic){ .deliver = deliver, .ctx = ctx };
	for (u32 i = 0; i < IOAPIC_PINS; i++)
		io->redtbl[i] = IOAPIC_RTE_RESET;
}

static bool entry_level(u64 entry)
{
	return entry & IOAPIC_RTE_TRIGGER_LEVEL;
}

struct apic_irq ioapic_entry_message(u64 entry)
{
	return (struct apic_irq){
		.vector = (u8)(entry & IOAPIC_RTE_VECTOR),
		.delivery_mode = (u8)((entry >> IOAPIC_RTE_DM_SHIFT) & IOAPIC_RTE_DM_MASK),
		.logical = entry & IOAPIC_RTE_DEST_LOGICAL,
		.shorthand = APIC_SH_NONE,
		.dest = (u32)(entry >> IOAPIC_RTE_DEST_SHIFT),
		.level = true,
		.trigger_level = entry_level(entry),
	};
}

/* Every asserted, unmasked pin: an edge is consumed; a level pin sets remote IRR and is skipped while
 * remote IRR is already set (the guest has not EOIed the last one yet). */
static void service(struct ioapic *io)
{
	for (u32 pin = 0; pin < IOAPIC_PINS; pin++) {
		u64 *e = &io->redtbl[pin];
		if (!(io->asserted & (1u << pin)) || (*e & IOAPIC_RTE_MASKED))
			continue;
		if (!entry_level(*e)) {
			io->asserted &= ~(1u << pin);
		} else {
			if (*e & IOAPIC_RTE_REMOTE_IRR)
				continue;
			*e |= IOAPIC_RTE_REMOTE_IRR;
		}
		struct apic_irq irq = ioapic_entry_message(*e);
		if (io->deliver)
			io->deliver(io->ctx, &irq);
	}
}

void ioapic_set_pin(struct ioapic *io, u32 pin, bool level)
{
	if (pin >= IOAPIC_PINS)
		return;
	u32 bit = 1u << pin;
	u64 e = io->redtbl[pin];
	if (entry_level(e)) {
		if (!level) {
			io->asserted &= ~bit;
			return;
		}
		io->asserted |= bit;
		if (!(e & IOAPIC_RTE_REMOTE_IRR))
			service(io);
		return;
	}
	/* Edge: only an assertion of an unmasked pin counts (82093AA; QEMU ioapic_set_irq()). */
	if (level && !(e & IOAPIC_RTE_MASKED)) {
		io->asserted |= bit;
		service(io);
	}
}

void ioapic_eoi(struct ioapic *io, u32 vector)
{
	for (u32 pin = 0; pin < IOAPIC_PINS; pin++) {
		u64 *e = &io->redtbl[pin];
		if ((*e & IOAPIC_RTE_VECTOR) != vector || !entry_level(*e) || !(*e & IOAPIC_RTE_REMOTE_IRR))
			continue;
		*e &= ~IOAPIC_RTE_REMOTE_IRR;
		if (!(*e & IOAPIC_RTE_MASKED) && (io->asserted & (1u << pin)))
			service(io); /* still asserted: it comes again */
	}
}

static u32 read_index(const struct ioapic *io)
{
	switch (io->regsel) {
	case IOAPIC_INDEX_ID:
	case IOAPIC_INDEX_ARB:
		return (u32)io->id << IOAPIC_ID_SHIFT;
	case IOAPIC_INDEX_VERSION:
		return IOAPIC_VERSION_REG;
	default:
		break;
	}
	u32 pin = (u32)(io->regsel - IOAPIC_INDEX_REDTBL) / 2;
	if (io->regsel < IOAPIC_INDEX_REDTBL || pin >= IOAPIC_PINS)
		return 0;
	u64 e = io->redtbl[pin];
	return (u32)(io->regsel & 1 ? e >> DWORD_BITS : e & LOW_DWORD);
}

static void write_entry(struct ioapic *io, u32 pin, bool high, u32 value)
{
	u64 *e = &io->redtbl[pin];
	u64 ro = *e & IOAPIC_RTE_READ_ONLY;
	u64 v = high ? (*e & LOW_DWORD) | (u64)value << DWORD_BITS : (*e & ~LOW_DWORD) | value;
	*e = (v & ~IOAPIC_RTE_READ_ONLY) | ro;
	if (!entry_level(*e)) /* an edge entry has no remote IRR (QEMU ioapic_fix_edge_remote_irr()) */
		*e &= ~IOAPIC_RTE_REMOTE_IRR;
	service(io);
}

static void write_index(struct ioapic *io, u32 value)
{
	if (io->regsel == IOAPIC_INDEX_ID) {
		io->id = (u8)((value >> IOAPIC_ID_SHIFT) & IOAPIC_ID_MASK);
		return;
	}
	u32 pin = (u32)(io->regsel - IOAPIC_INDEX_REDTBL) / 2;
	if (io->regsel >= IOAPIC_INDEX_REDTBL && pin < IOAPIC_PINS)
		write_entry(io, pin, io->regsel & 1, value);
	/* version, arbitration and unknown indexes are read-only */
}

static u32 read32(struct ioapic *io, u32 offset, u8 size)
{
	switch (offset & IOAPIC_DECODE_MASK) {
	case IOAPIC_IOREGSEL:
		return io->regsel;
	case IOAPIC_IOWIN:
		return size == DWORD ? read_index(io) : 0;
	default:
		return 0;
	}
}

static void write32(struct ioapic *io, u32 offset, u8 size, u32 value)
{
	switch (offset & IOAPIC_DECODE_MASK) {
	case IOAPIC_IOREGSEL:
		io->regsel = (u8)value;
		break;
	case IOAPIC_IOWIN:
		if (size == DWORD)
			write_index(io, value);
		break;
	case IOAPIC_EOI:
		ioapic_eoi(io, value);
		break;
	default:
		break;
	}
}

u64 ioapic_mmio_read(struct ioapic *io, u32 offset, u8 size)
{
	if (size > DWORD) /* two 32-bit reads, low address first */
		return read32(io, offset, DWORD) | (u64)read32(io, offset + DWORD, DWORD) << DWORD_BITS;
	u64 mask = (1ull << (8 * size)) - 1;
	return read32(io, offset, size) & mask;
}

void ioapic_mmio_write(struct ioapic *io, u32 offset, u8 size, u64 value)
{
	if (size > DWORD) {
		write32(io, offset, DWORD, (u32)value);
		write32(io, offset + DWORD, DWORD, (u32)(value >> DWORD_BITS));
		return;
	}
	u64 mask = (1ull << (8 * size)) - 1;
	write32(io, offset, size, (u32)(value & mask));
}

bool msi_decode(u64 addr, u64 data, struct apic_irq *irq)
{
	if ((addr & ~MSI_ADDR_LOW_MASK) != MSI_ADDR_BASE || (data & ~MSI_DATA_VALID_MASK))
		return false;
	u8 dm = (u8)((data >> MSI_DATA_DM_SHIFT) & MSI_DATA_DM_MASK);
	if ((addr & MSI_ADDR_RH) && dm == APIC_DM_FIXED)
		dm = APIC_DM_LOWEST;
	*irq = (struct apic_irq){
		.vector = (u8)(data & MSI_DATA_VECTOR),
		.delivery_mode = dm,
		.logical = addr & MSI_ADDR_DM_LOGICAL,
		.shorthand = APIC_SH_NONE,
		.dest = (u32)((addr >> MSI_ADDR_DEST_SHIFT) & MSI_ADDR_DEST_MASK),
		.level = true,
		.trigger_level = data & MSI_DATA_TRIGGER_LEVEL,
	};
	return true;
}
