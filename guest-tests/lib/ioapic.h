/* The q35 I/O APIC at 0xFEC00000 from a test guest: IOREGSEL/IOWIN, redirection entries, the EOI
 * register (82093AA datasheet §3.2; microhv's model is hv/platform/rules/ioapic.h). */
#ifndef GUEST_IOAPIC_H
#define GUEST_IOAPIC_H

#include "hv/lib/types.h"

#define IOAPIC_GPA 0xFEC00000ull
#define IOAPIC_SEL 0x00u
#define IOAPIC_WIN 0x10u
#define IOAPIC_EOIR 0x40u
#define IOAPIC_ID 0x00u
#define IOAPIC_VER 0x01u
#define IOAPIC_ARB 0x02u
#define IOAPIC_RTE_LO(pin) (0x10u + 2 * (pin))
#define IOAPIC_RTE_HI(pin) (0x11u + 2 * (pin))
#define IOAPIC_NPINS 24u

#define RTE_LOGICAL BIT(11)
#define RTE_DELIVERY_STATUS BIT(12)
#define RTE_POLARITY_LOW BIT(13)
#define RTE_REMOTE_IRR BIT(14)
#define RTE_LEVEL BIT(15)
#define RTE_MASKED BIT(16)
#define RTE_DM_NMI (4ull << 8)
#define RTE_DEST(d) ((u64)(d) << 56)

static inline volatile u32 *ioapic_reg(u32 offset)
{
	return (volatile u32 *)(IOAPIC_GPA + offset);
}

static inline u32 ioapic_read(u32 index)
{
	*ioapic_reg(IOAPIC_SEL) = index;
	return *ioapic_reg(IOAPIC_WIN);
}

static inline void ioapic_write(u32 index, u32 value)
{
	*ioapic_reg(IOAPIC_SEL) = index;
	*ioapic_reg(IOAPIC_WIN) = value;
}

static inline u64 ioapic_rte_read(u32 pin)
{
	return ioapic_read(IOAPIC_RTE_LO(pin)) | (u64)ioapic_read(IOAPIC_RTE_HI(pin)) << 32;
}

/* High half first, so the entry is complete when the low half (mask, vector) takes effect. */
static inline void ioapic_rte_write(u32 pin, u64 entry)
{
	ioapic_write(IOAPIC_RTE_HI(pin), (u32)(entry >> 32));
	ioapic_write(IOAPIC_RTE_LO(pin), (u32)entry);
}

#endif
