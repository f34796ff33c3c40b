/* The 8259A pair of a PC (master 0x20/0x21, slave 0xA0/0xA1 on its IR2) and the ICH9 edge/level control
 * registers (ELCR, 0x4D0/0x4D1), as QEMU's hw/intc/i8259.c shows them. Pure model, no hardware access.
 *
 * Architecture: Intel 8259A datasheet (ICW1-ICW4, OCW1-OCW3, poll mode, priority rotation), ICH9 datasheet
 * §13.4 (ELCR). What a guest sees, as on QEMU:
 *  - ICW1 (command port, bit 4) resets the chip: IMR, ISR, priority, read select, special mask, AEOI,
 *    SFNM all 0, IRR keeps only level-triggered (ELCR) requests; then ICW2 (vector base, bits 7:3), ICW3
 *    unless single mode (ICW1 bit 1), ICW4 if ICW1 bit 0 (bit 1 AEOI, bit 4 SFNM) on the data port;
 *  - OCW1: the data port outside initialisation is the IMR (read and write);
 *  - OCW2 (bits 4:3 = 00): non-specific EOI (1), specific EOI (3), rotate on non-specific EOI (5), set
 *    priority (6), rotate on specific EOI (7), rotate in AEOI mode on/off (4/0);
 *  - OCW3 (bits 4:3 = 01): bit 1 + bit 0 select what the command port reads (IRR or ISR), bit 2 poll,
 *    bit 6 + bit 5 special mask;
 *  - poll: the next read of either port is an interrupt acknowledge: 0x80 | level of the highest request
 *    that beats the in-service priority (ISR set unless AEOI; an edge request leaves IRR), or 0 when there
 *    is none (bit 7 clear is the 8259A's "no interrupt"; QEMU 7.2 reads 0, measured by guest pic);
 *  - IRQ lines: edge-triggered inputs set IRR on a rising edge, level-triggered ones (ELCR bit set) follow
 *    the line; the slave's INT output is the master's IR2 (edge);
 *  - ELCR: master bits 0-2 and slave bits 0 and 5 (IRQ 0, 1, 2, 8, 13) are read-only 0 (masks 0xF8, 0xDE).
 * The INT output reaches the BSP as ExtINT (platform/irq_sources.c: through LINT0 in virtual wire mode,
 * or directly with its local APIC disabled); the CPU's acknowledge cycle is pic_interrupt_ack(), which
 * gives the spurious IRQ 7/15 vector when the request went away. */
#ifndef HV_PLATFORM_PIC_H
#define HV_PLATFORM_PIC_H

#include "../../lib/types.h"

#define PIC_MASTER_CMD 0x20u
#define PIC_MASTER_DATA 0x21u
#define PIC_SLAVE_CMD 0xA0u
#define PIC_SLAVE_DATA 0xA1u
#define PIC_ELCR_MASTER 0x4D0u
#define PIC_ELCR_SLAVE 0x4D1u
#define PIC_ELCR_MASTER_MASK 0xF8u
#define PIC_ELCR_SLAVE_MASK 0xDEu
#define PIC_CASCADE_IRQ 2u
#define PIC_IRQS_PER_CHIP 8u

#define PIC_ICW1 BIT(4)
#define PIC_ICW1_IC4 BIT(0)
#define PIC_ICW1_SINGLE BIT(1)
#define PIC_OCW3 BIT(3)
#define PIC_OCW3_RIS BIT(0)
#define PIC_OCW3_RR BIT(1)
#define PIC_OCW3_POLL BIT(2)
#define PIC_OCW3_SMM BIT(5)
#define PIC_OCW3_ESMM BIT(6)
#define PIC_OCW2_CMD_SHIFT 5
#define PIC_ICW4_AEOI BIT(1)
#define PIC_ICW4_SFNM BIT(4)
#define PIC_POLL_INTERRUPT 0x80u
#define PIC_POLL_NONE 0x00u

enum pic_init { PIC_INIT_NONE, PIC_INIT_ICW2, PIC_INIT_ICW3, PIC_INIT_ICW4 };

struct pic_chip {
	u8 irr, imr, isr;
	u8 line;          /* the input lines as last driven (edge detection) */
	u8 elcr, elcr_mask;
	u8 priority_add;  /* the lowest-priority level is priority_add - 1 (rotation) */
	u8 vector_base;
	u8 init;          /* enum pic_init */
	bool icw4, single;
	bool read_isr, poll, special_mask, auto_eoi, rotate_on_aeoi, sfnm;
};

struct pic {
	struct pic_chip master, slave;
};

/* Power-on: both chips reset as by ICW1 with IMR 0, ELCR 0. */
void pic_init(struct pic *p);

/* One byte at 0x20/0x21/0xA0/0xA1/0x4D0/0x4D1; other ports read 0xFF. */
u8 pic_read(struct pic *p, u16 port);
void pic_write(struct pic *p, u16 port, u8 value);

/* ISA IRQ line 0-15 to `level`. */
void pic_set_irq(struct pic *p, u32 irq, bool level);

/* Is the pair asking the CPU for an interrupt (the master's INT output)? */
bool pic_int_output(const struct pic *p);

/* The CPU's interrupt acknowledge (INTA) cycle: the vector of the highest request, now in service (or
 * retired at once in auto-EOI mode). With nothing pending, or a cascade whose slave request went away,
 * the spurious IRQ7 (master) or IRQ15 (slave) vector, nothing put in service for it (8259A datasheet,
 * "Interrupt sequence"; QEMU pic_read_irq()). */
u8 pic_interrupt_ack(struct pic *p);

#endif
