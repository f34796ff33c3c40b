/* The I/O APIC of QEMU's q35 machine (ICH9, version 0x20, 24 pins) at 0xFEC00000, and MSI decoding: pure
 * models that turn a pin or an MSI write into a struct apic_irq for the same destination matcher as IPIs
 * (hv/apic/rules/delivery.h apic_route() with src = NULL, so the x2APIC broadcast quirk R5.5 applies).
 *
 * Architecture: Intel 82093AA I/O APIC datasheet §3.2 (IOREGSEL/IOWIN, ID, version, arbitration,
 * redirection table), ICH9 datasheet §13.5 (the EOI register at 0x40 of version 0x20), Intel SDM Vol. 3A
 * §11.11 "Message Signalled Interrupts". Behaviour as QEMU's hw/intc/ioapic.c shows a guest:
 *  - the page decodes address bits 7:0 only (it repeats every 0x100 bytes); IOREGSEL at 0x00 holds 8 bits
 *    and reads back at any width; IOWIN at 0x10 takes 32-bit accesses only (others read 0, writes are
 *    dropped); an 8-byte access is two 4-byte ones (QEMU's memory core splits it); the EOI register at 0x40
 *    is write-only: the value written is compared with each level entry's whole 8-bit vector;
 *  - ID (index 0) keeps bits 27:24; arbitration (index 2) reads the ID; version (index 1) reads 0x00170020;
 *    unknown indexes read 0, writes to them or to version/arbitration are dropped;
 *  - a redirection-entry write stores every bit except delivery status (12, always 0) and remote IRR
 *    (14, read-only), including the reserved bits 55:17 (QEMU's IOAPIC_RW_BITS); writing an edge entry
 *    clears its remote IRR; after any entry write pending pins are serviced (an unmasked level pin that is
 *    still asserted delivers at once);
 *  - reset: ID 0, IOREGSEL 0, every entry masked (0x10000), no pin asserted;
 *  - a level entry: an asserted pin delivers when unmasked and remote IRR is clear, and sets remote IRR;
 *    an EOI of its vector (local APIC broadcast or the EOI register) clears remote IRR and, if the pin is
 *    still asserted and the entry unmasked, delivers again;
 *  - an edge entry: a rising assertion of an unmasked pin delivers once; a masked pin ignores edges
 *    (82093AA: "edge requests are ignored while masked"), so nothing is delivered at unmask;
 *  - polarity (bit 13) is stored but not applied: the pin level given here is the asserted state, as in
 *    QEMU (ioapic_set_irq() takes "level" as the logical line);
 *  - ExtINT (delivery mode 7) would ask the 8259 for a vector: microhv does not route it (apic_route()
 *    sends it nowhere), a documented difference; QEMU's interrupt-storm delay (10000 re-deliveries in a
 *    row) is not modelled. */
#ifndef HV_PLATFORM_IOAPIC_H
#define HV_PLATFORM_IOAPIC_H

#include "../../lib/types.h"
#include "../../apic/rules/delivery.h"

#define IOAPIC_BASE 0xFEC00000ull   /* the MADT's I/O APIC address on q35 */
#define IOAPIC_MMIO_SIZE 0x1000u    /* one page */
#define IOAPIC_PINS 24u
#define IOAPIC_VERSION 0x20u        /* ICH9: the EOI register exists from 0x20 on */

/* Registers in the page (offset & IOAPIC_DECODE_MASK). */
#define IOAPIC_DECODE_MASK 0xFFu
#define IOAPIC_IOREGSEL 0x00u
#define IOAPIC_IOWIN 0x10u
#define IOAPIC_EOI 0x40u

/* Indexes behind IOWIN. */
#define IOAPIC_INDEX_ID 0x00u
#define IOAPIC_INDEX_VERSION 0x01u
#define IOAPIC_INDEX_ARB 0x02u
#define IOAPIC_INDEX_REDTBL 0x10u   /* entry n: low half at 0x10 + 2n, high half at 0x11 + 2n */
#define IOAPIC_ID_SHIFT 24
#define IOAPIC_ID_MASK 0xFu
#define IOAPIC_VERSION_ENTRIES_SHIFT 16 /* maximum redirection entry = pins - 1 */
#define IOAPIC_VERSION_REG (IOAPIC_VERSION | (IOAPIC_PINS - 1) << IOAPIC_VERSION_ENTRIES_SHIFT)

/* Redirection-entry fields (82093AA §3.2.4). */
#define IOAPIC_RTE_VECTOR 0xFFull
#define IOAPIC_RTE_DM_SHIFT 8
#define IOAPIC_RTE_DM_MASK 0x7u
#define IOAPIC_RTE_DEST_LOGICAL BIT(11)
#define IOAPIC_RTE_DELIVERY_STATUS BIT(12)
#define IOAPIC_RTE_POLARITY_LOW BIT(13)
#define IOAPIC_RTE_REMOTE_IRR BIT(14)
#define IOAPIC_RTE_TRIGGER_LEVEL BIT(15)
#define IOAPIC_RTE_MASKED BIT(16)
#define IOAPIC_RTE_DEST_SHIFT 56    /* destination, bits 63:56 */
#define IOAPIC_RTE_READ_ONLY (IOAPIC_RTE_DELIVERY_STATUS | IOAPIC_RTE_REMOTE_IRR)
#define IOAPIC_RTE_RESET IOAPIC_RTE_MASKED

/* MSI address and data (SDM Vol. 3A §11.11.1, §11.11.2). */
#define MSI_ADDR_BASE 0xFEE00000ull   /* bits 31:20 = 0xFEE, and nothing above bit 31 */
#define MSI_ADDR_LOW_MASK 0xFFFFFull   /* bits 19:0: destination, RH, DM */
#define MSI_ADDR_DEST_SHIFT 12      /* destination ID, bits 19:12 */
#define MSI_ADDR_DEST_MASK 0xFFu
#define MSI_ADDR_RH BIT(3)          /* redirection hint */
#define MSI_ADDR_DM_LOGICAL BIT(2)
#define MSI_DATA_VECTOR 0xFFu
#define MSI_DATA_DM_SHIFT 8
#define MSI_DATA_DM_MASK 0x7u
#define MSI_DATA_LEVEL_ASSERT BIT(14)
#define MSI_DATA_TRIGGER_LEVEL BIT(15)
#define MSI_DATA_VALID_MASK 0xFFFFull /* bits 31:16 of the data are reserved (the write is 32 bits) */

/* Where the model sends a message: the owner routes it to the local APICs. */
typedef void (*ioapic_deliver_fn)(void *ctx, const struct apic_irq *irq);

struct ioapic {
	u8 regsel;
	u8 id;          /* bits 27:24 of the ID register */
	u32 asserted;   /* per pin: level pins held asserted, edges waiting to be serviced */
	u64 redtbl[IOAPIC_PINS];
	ioapic_deliver_fn deliver;
	void *ctx;
};

/* RESET; `deliver(ctx, irq)` receives every message from now on. */
void ioapic_init(struct ioapic *io, ioapic_deliver_fn deliver, void *ctx);

/* Guest accesses at `offset` into the page, of 1, 2, 4 or 8 bytes (see the header comment). */
u64 ioapic_mmio_read(struct ioapic *io, u32 offset, u8 size);
void ioapic_mmio_write(struct ioapic *io, u32 offset, u8 size, u64 value);

/* The input line of `pin` goes to `level` (true: asserted). Pins >= IOAPIC_PINS are ignored. */
void ioapic_set_pin(struct ioapic *io, u32 pin, bool level);

/* A local APIC's EOI of a level-triggered `vector`, or a write of it to the EOI register. */
void ioapic_eoi(struct ioapic *io, u32 vector);

/* The message of a redirection entry (dest from bits 63:56; level = asserted). */
struct apic_irq ioapic_entry_message(u64 entry);

/* An MSI write: false if `addr` is not in the 0xFEExxxxx interrupt window (or above 4 GiB) or `data` has
 * reserved bits 31:16 set; else *irq is the message. The destination mode is the DM bit whatever RH says,
 * as QEMU's apic_send_msi() and KVM's kvm_set_msi_irq() read it; RH = 1 makes the message lowest
 * priority among the matching APICs (SDM §11.11.1, KVM's msi_redir_hint); the level bit is ignored,
 * every MSI asserts (KVM: irq->level = 1). */
bool msi_decode(u64 addr, u64 data, struct apic_irq *irq);

#endif
