/* Host unit tests for the 8259A pair model (hv/platform/rules/pic.h). The expectations restate the 8259A
 * datasheet and QEMU's hw/intc/i8259.c with their own constants. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "hv/platform/rules/pic.h"

#define M_CMD 0x20
#define M_DATA 0x21
#define S_CMD 0xA0
#define S_DATA 0xA1
#define ELCR0 0x4D0
#define ELCR1 0x4D1
#define READ_IRR 0x0A
#define READ_ISR 0x0B
#define POLL 0x0C
#define EOI 0x20
#define SPECIFIC_EOI(n) (0x60 | (n))

static struct pic p;

/* The usual Linux/BIOS initialisation: edge, cascade, ICW4 8086 mode, vectors 0x20/0x28. */
static void init_pair(uint8_t master_icw4)
{
	pic_write(&p, M_CMD, 0x11);
	pic_write(&p, M_DATA, 0x20);
	pic_write(&p, M_DATA, 0x04);
	pic_write(&p, M_DATA, master_icw4);
	pic_write(&p, S_CMD, 0x11);
	pic_write(&p, S_DATA, 0x28);
	pic_write(&p, S_DATA, 0x02);
	pic_write(&p, S_DATA, 0x01);
}

static int setup(void **state)
{
	(void)state;
	pic_init(&p);
	return 0;
}

static void pulse(uint32_t irq)
{
	pic_set_irq(&p, irq, true);
	pic_set_irq(&p, irq, false);
}

static void test_init_and_mask(void **state)
{
	(void)state;
	init_pair(0x01);
	assert_int_equal(p.master.vector_base, 0x20);
	assert_int_equal(p.slave.vector_base, 0x28);
	assert_int_equal(p.master.init, PIC_INIT_NONE);
	assert_int_equal(pic_read(&p, M_DATA), 0); /* IMR 0 after ICW1 */
	pic_write(&p, M_DATA, 0xFB);
	pic_write(&p, S_DATA, 0xFF);
	assert_int_equal(pic_read(&p, M_DATA), 0xFB);
	assert_int_equal(pic_read(&p, S_DATA), 0xFF);
	/* Single mode without ICW4: ICW2 ends it, the next data write is the IMR. */
	pic_write(&p, M_CMD, 0x12);
	pic_write(&p, M_DATA, 0x48);
	pic_write(&p, M_DATA, 0x5A);
	assert_int_equal(pic_read(&p, M_DATA), 0x5A);
	assert_int_equal(p.master.vector_base, 0x48);
	assert_int_equal(pic_read(&p, 0x22), 0xFF);
}

static void test_irr_isr_poll_eoi(void **state)
{
	(void)state;
	init_pair(0x01);
	pulse(3);
	pic_write(&p, M_CMD, READ_IRR);
	assert_int_equal(pic_read(&p, M_CMD), 0x08);
	assert_true(pic_int_output(&p));
	pic_set_irq(&p, 3, true); /* already high: no new edge */
	pic_write(&p, M_CMD, POLL);
	assert_int_equal(pic_read(&p, M_CMD), 0x80 | 3);
	assert_int_equal(pic_read(&p, M_CMD), 0x00); /* IRR now; the request was acknowledged */
	pic_write(&p, M_CMD, READ_ISR);
	assert_int_equal(pic_read(&p, M_CMD), 0x08);
	/* A lower priority (5) waits for the EOI of 3; a higher one (1) does not. */
	pulse(5);
	pic_write(&p, M_CMD, POLL);
	assert_int_equal(pic_read(&p, M_CMD), 0x00); /* nothing that beats ISR: bit 7 clear, 0 as QEMU */
	pulse(1);
	pic_write(&p, M_CMD, POLL);
	assert_int_equal(pic_read(&p, M_DATA), 0x80 | 1); /* poll answers on either port */
	pic_write(&p, M_CMD, EOI); /* clears the highest in service: 1 */
	assert_int_equal(pic_read(&p, M_CMD), 0x08);
	pic_write(&p, M_CMD, SPECIFIC_EOI(3));
	assert_int_equal(pic_read(&p, M_CMD), 0x00);
	pic_write(&p, M_CMD, POLL);
	assert_int_equal(pic_read(&p, M_CMD), 0x80 | 5);
	/* A masked request stays in IRR and does not interrupt. */
	pic_write(&p, M_CMD, EOI);
	pic_write(&p, M_DATA, 0x40);
	pulse(6);
	assert_false(pic_int_output(&p));
	pic_write(&p, M_CMD, READ_IRR);
	assert_int_equal(pic_read(&p, M_CMD), 0x40);
}

static void test_cascade_and_elcr(void **state)
{
	(void)state;
	init_pair(0x01);
	pulse(12); /* slave IR4 */
	pic_write(&p, M_CMD, READ_IRR);
	assert_int_equal(pic_read(&p, M_CMD), 0x04); /* master IR2 */
	pic_write(&p, S_CMD, POLL);
	assert_int_equal(pic_read(&p, S_CMD), 0x80 | 4);
	pic_write(&p, S_DATA, 0xFF);
	pic_write(&p, M_DATA, 0xFF);
	assert_false(pic_int_output(&p));
	/* ELCR: IRQ 0, 1, 2, 8, 13 cannot be level-triggered. */
	pic_write(&p, ELCR0, 0xFF);
	pic_write(&p, ELCR1, 0xFF);
	assert_int_equal(pic_read(&p, ELCR0), 0xF8);
	assert_int_equal(pic_read(&p, ELCR1), 0xDE);
	/* A level input follows its line; ICW1 keeps level requests in IRR. */
	pic_set_irq(&p, 4, true);
	pic_write(&p, M_CMD, READ_IRR);
	assert_int_equal(pic_read(&p, M_CMD) & 0x10, 0x10);
	pic_write(&p, M_CMD, 0x11);
	pic_write(&p, M_CMD, READ_IRR);
	assert_int_equal(pic_read(&p, M_CMD) & 0x10, 0x10);
	pic_set_irq(&p, 4, false);
	assert_int_equal(pic_read(&p, M_CMD) & 0x10, 0);
	pic_set_irq(&p, 16, true); /* no such line */
}

/* INTA: the vector of the highest request, put in service; the slave's through the cascade; the
 * spurious IRQ7 / IRQ15 vectors when the request went away (8259A datasheet, "Interrupt sequence"). */
static void test_interrupt_ack(void **state)
{
	(void)state;
	init_pair(0x01);
	pic_write(&p, M_DATA, 0x00);
	pic_write(&p, S_DATA, 0x00);
	pulse(0);
	pulse(3);
	assert_true(pic_int_output(&p));
	assert_int_equal(pic_interrupt_ack(&p), 0x20); /* IRQ0 first: highest priority */
	pic_write(&p, M_CMD, READ_ISR);
	assert_int_equal(pic_read(&p, M_CMD), 0x01);
	assert_false(pic_int_output(&p));              /* IRQ3 waits behind IRQ0 in service */
	pic_write(&p, M_CMD, EOI);
	assert_true(pic_int_output(&p));
	assert_int_equal(pic_interrupt_ack(&p), 0x23);
	pic_write(&p, M_CMD, EOI);
	pulse(9); /* slave IR1 */
	assert_int_equal(pic_interrupt_ack(&p), 0x29);
	pic_write(&p, S_CMD, READ_ISR);
	assert_int_equal(pic_read(&p, S_CMD), 0x02);
	pic_write(&p, M_CMD, READ_ISR);
	assert_int_equal(pic_read(&p, M_CMD), 0x04); /* the cascade input is in service on the master */
	pic_write(&p, S_CMD, EOI);
	pic_write(&p, M_CMD, EOI);
	assert_false(pic_int_output(&p));
	assert_int_equal(pic_interrupt_ack(&p), 0x27); /* nothing pending: spurious IRQ7, nothing in service */
	pic_write(&p, M_CMD, READ_ISR);
	assert_int_equal(pic_read(&p, M_CMD), 0x00);
}

static void test_aeoi_and_rotation(void **state)
{
	(void)state;
	init_pair(0x03); /* master: AEOI */
	pulse(0);
	pic_write(&p, M_CMD, POLL);
	assert_int_equal(pic_read(&p, M_CMD), 0x80);
	pic_write(&p, M_CMD, READ_ISR);
	assert_int_equal(pic_read(&p, M_CMD), 0); /* AEOI: never in service */
	/* Set priority: IRQ 4 lowest, so 5 beats 3. */
	pic_write(&p, M_CMD, 0xC4);
	pulse(3);
	pulse(5);
	pic_write(&p, M_CMD, POLL);
	assert_int_equal(pic_read(&p, M_CMD), 0x80 | 5);
	/* Special mask: a masked level in service no longer blocks lower priorities. */
	init_pair(0x01);
	pulse(2 + 0);
	pulse(1);
	pic_write(&p, M_CMD, POLL);
	assert_int_equal(pic_read(&p, M_CMD), 0x80 | 1);
	pulse(6);
	pic_write(&p, M_CMD, POLL);
	assert_int_equal(pic_read(&p, M_CMD), 0x00);
	pic_write(&p, M_DATA, 0x02);
	pic_write(&p, M_CMD, 0x68); /* OCW3: set special mask */
	pic_write(&p, M_CMD, POLL);
	assert_int_equal(pic_read(&p, M_CMD), 0x80 | 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_init_and_mask, setup),
		cmocka_unit_test_setup(test_irr_isr_poll_eoi, setup),
		cmocka_unit_test_setup(test_cascade_and_elcr, setup),
		cmocka_unit_test_setup(test_interrupt_ack, setup),
		cmocka_unit_test_setup(test_aeoi_and_rotation, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
