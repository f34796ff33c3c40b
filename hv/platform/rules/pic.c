/* See pic.h. The rules follow QEMU's hw/intc/i8259.c (pic_ioport_write/read, pic_get_irq, pic_set_irq,
 * pic_intack) with microhv's own names. */
#include "pic.h"

#define NO_PRIORITY 8u
#define LEVEL_MASK 7u
#define OCW2_ROTATE_AEOI_OFF 0u
#define OCW2_EOI 1u
#define OCW2_SPECIFIC_EOI 3u
#define OCW2_ROTATE_AEOI_ON 4u
#define OCW2_ROTATE_EOI 5u
#define OCW2_SET_PRIORITY 6u
#define OCW2_ROTATE_SPECIFIC_EOI 7u

static void chip_reset(struct pic_chip *c)
{
	u8 elcr = c->elcr, mask = c->elcr_mask, irr = c->irr & c->elcr;
	*c = (struct pic_chip){ .elcr = elcr, .elcr_mask = mask, .irr = irr };
}

void pic_init(struct pic *p)
{
	*p = (struct pic){ .master = { .elcr_mask = PIC_ELCR_MASTER_MASK },
			   .slave = { .elcr_mask = PIC_ELCR_SLAVE_MASK } };
}

/* 0 = highest; NO_PRIORITY if mask is empty. Priorities rotate with priority_add. */
static u32 priority_of(const struct pic_chip *c, u8 mask)
{
	if (!mask)
		return NO_PRIORITY;
	u32 prio = 0;
	while (!(mask & (1u << ((prio + c->priority_add) & LEVEL_MASK))))
		prio++;
	return prio;
}

/* The level the chip would interrupt with, or -1. */
static int chip_pending(const struct pic_chip *c, bool is_master)
{
	u32 prio = priority_of(c, c->irr & ~c->imr);
	if (prio == NO_PRIORITY)
		return -1;
	u8 in_service = c->isr;
	if (c->special_mask)
		in_service &= ~c->imr;
	if (c->sfnm && is_master) /* the slave's own nesting decides */
		in_service &= ~(1u << PIC_CASCADE_IRQ);
	return prio < priority_of(c, in_service) ? (int)((prio + c->priority_add) & LEVEL_MASK) : -1;
}

static void chip_set_irq(struct pic_chip *c, u32 irq, bool level)
{
	u8 bit = (u8)(1u << irq);
	if (c->elcr & bit) {
		c->irr = level ? c->irr | bit : c->irr & ~bit;
	} else if (level && !(c->line & bit)) {
		c->irr |= bit;
	}
	c->line = level ? c->line | bit : c->line & ~bit;
}

/* The slave's INT output is the master's IR2. */
static void update_cascade(struct pic *p)
{
	chip_set_irq(&p->master, PIC_CASCADE_IRQ, chip_pending(&p->slave, false) >= 0);
}

void pic_set_irq(struct pic *p, u32 irq, bool level)
{
	if (irq >= 2 * PIC_IRQS_PER_CHIP)
		return;
	if (irq < PIC_IRQS_PER_CHIP)
		chip_set_irq(&p->master, irq, level);
	else
		chip_set_irq(&p->slave, irq - PIC_IRQS_PER_CHIP, level);
	update_cascade(p);
}

bool pic_int_output(const struct pic *p)
{
	return chip_pending(&p->master, true) >= 0;
}

static void intack(struct pic_chip *c, u32 irq)
{
	if (c->auto_eoi) {
		if (c->rotate_on_aeoi)
			c->priority_add = (u8)((irq + 1) & LEVEL_MASK);
	} else {
		c->isr |= (u8)(1u << irq);
	}
	if (!(c->elcr & (1u << irq))) /* a level request stays while its line is high */
		c->irr &= (u8)~(1u << irq);
}

#define SPURIOUS_IRQ 7u

u8 pic_interrupt_ack(struct pic *p)
{
	struct pic_chip *m = &p->master, *s = &p->slave;
	int irq = chip_pending(m, true);
	u8 vector;
	if (irq < 0) {
		vector = (u8)(m->vector_base + SPURIOUS_IRQ);
	} else if (irq == PIC_CASCADE_IRQ) {
		int irq2 = chip_pending(s, false);
		if (irq2 >= 0)
			intack(s, (u32)irq2);
		vector = (u8)(s->vector_base + (irq2 >= 0 ? (u32)irq2 : SPURIOUS_IRQ));
		intack(m, (u32)irq);
	} else {
		vector = (u8)(m->vector_base + (u32)irq);
		intack(m, (u32)irq);
	}
	update_cascade(p);
	return vector;
}

static u8 poll_read(struct pic *p, struct pic_chip *c)
{
	int irq = chip_pending(c, c == &p->master);
	c->poll = false;
	if (irq < 0)
		return PIC_POLL_NONE;
	intack(c, (u32)irq);
	update_cascade(p);
	return (u8)(PIC_POLL_INTERRUPT | irq);
}

static void ocw2(struct pic_chip *c, u8 value)
{
	u32 cmd = value >> PIC_OCW2_CMD_SHIFT, irq = value & LEVEL_MASK;
	switch (cmd) {
	case OCW2_ROTATE_AEOI_OFF:
	case OCW2_ROTATE_AEOI_ON:
		c->rotate_on_aeoi = cmd == OCW2_ROTATE_AEOI_ON;
		break;
	case OCW2_EOI:
	case OCW2_ROTATE_EOI: {
		u32 prio = priority_of(c, c->isr);
		if (prio == NO_PRIORITY)
			break;
		irq = (prio + c->priority_add) & LEVEL_MASK;
		c->isr &= (u8)~(1u << irq);
		if (cmd == OCW2_ROTATE_EOI)
			c->priority_add = (u8)((irq + 1) & LEVEL_MASK);
		break;
	}
	case OCW2_SPECIFIC_EOI:
		c->isr &= (u8)~(1u << irq);
		break;
	case OCW2_SET_PRIORITY:
		c->priority_add = (u8)((irq + 1) & LEVEL_MASK);
		break;
	case OCW2_ROTATE_SPECIFIC_EOI:
		c->isr &= (u8)~(1u << irq);
		c->priority_add = (u8)((irq + 1) & LEVEL_MASK);
		break;
	default: /* 2: no operation */
		break;
	}
}

static void command_write(struct pic_chip *c, u8 value)
{
	if (value & PIC_ICW1) {
		chip_reset(c);
		c->init = PIC_INIT_ICW2;
		c->icw4 = value & PIC_ICW1_IC4;
		c->single = value & PIC_ICW1_SINGLE;
	} else if (value & PIC_OCW3) {
		if (value & PIC_OCW3_POLL)
			c->poll = true;
		if (value & PIC_OCW3_RR)
			c->read_isr = value & PIC_OCW3_RIS;
		if (value & PIC_OCW3_ESMM)
			c->special_mask = value & PIC_OCW3_SMM;
	} else {
		ocw2(c, value);
	}
}

static void data_write(struct pic_chip *c, u8 value)
{
	switch (c->init) {
	case PIC_INIT_ICW2:
		c->vector_base = value & ~LEVEL_MASK;
		c->init = c->single ? (c->icw4 ? PIC_INIT_ICW4 : PIC_INIT_NONE) : PIC_INIT_ICW3;
		break;
	case PIC_INIT_ICW3: /* the cascade wiring is fixed: nothing to keep */
		c->init = c->icw4 ? PIC_INIT_ICW4 : PIC_INIT_NONE;
		break;
	case PIC_INIT_ICW4:
		c->auto_eoi = value & PIC_ICW4_AEOI;
		c->sfnm = value & PIC_ICW4_SFNM;
		c->init = PIC_INIT_NONE;
		break;
	default:
		c->imr = value;
		break;
	}
}

static struct pic_chip *chip_of(struct pic *p, u16 port)
{
	switch (port) {
	case PIC_MASTER_CMD: case PIC_MASTER_DATA: case PIC_ELCR_MASTER: return &p->master;
	case PIC_SLAVE_CMD: case PIC_SLAVE_DATA: case PIC_ELCR_SLAVE: return &p->slave;
	default: return NULL;
	}
}

u8 pic_read(struct pic *p, u16 port)
{
	struct pic_chip *c = chip_of(p, port);
	if (!c)
		return 0xFF;
	if (port == PIC_ELCR_MASTER || port == PIC_ELCR_SLAVE)
		return c->elcr;
	if (c->poll)
		return poll_read(p, c);
	if (port == PIC_MASTER_DATA || port == PIC_SLAVE_DATA)
		return c->imr;
	return c->read_isr ? c->isr : c->irr;
}

void pic_write(struct pic *p, u16 port, u8 value)
{
	struct pic_chip *c = chip_of(p, port);
	if (!c)
		return;
	if (port == PIC_ELCR_MASTER || port == PIC_ELCR_SLAVE)
		c->elcr = value & c->elcr_mask;
	else if (port == PIC_MASTER_CMD || port == PIC_SLAVE_CMD)
		command_write(c, value);
	else
		data_write(c, value);
	update_cascade(p);
}
