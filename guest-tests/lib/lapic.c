/* Local APIC helpers for test guests (see lapic.h). */
#include "lapic.h"
#include "x86.h"

#define REG_STRIDE 0x10u
#define PIC_MASTER_DATA 0x21 /* 8259 interrupt mask registers */
#define PIC_SLAVE_DATA 0xA1
#define PIC_MASK_ALL 0xFF
#define VECTORS_PER_REG 32u
#define ICR_IDLE_SPINS 1000000u /* a delivery status that never clears must not hang the guest */

bool lapic_enabled(void)
{
	return (apic_base_get() & APIC_BASE_EN) != 0;
}

bool lapic_x2apic_mode(void)
{
	u64 b = apic_base_get();
	return (b & APIC_BASE_EN) && (b & APIC_BASE_EXTD);
}

fault_t lapic_enable_x2apic(void)
{
	return apic_base_set_safe(apic_base_get() | APIC_BASE_EN | APIC_BASE_EXTD);
}

fault_t lapic_disable(void)
{
	return apic_base_set_safe(apic_base_get() & ~(APIC_BASE_EN | APIC_BASE_EXTD));
}

fault_t lapic_enable_xapic(void)
{
	u64 b = apic_base_get();

	if ((b & APIC_BASE_EN) && !(b & APIC_BASE_EXTD))
		return FAULT_NONE;
	if (b & APIC_BASE_EXTD) { /* x2APIC -> xAPIC directly is refused (SDM §11.12.5.1) */
		fault_t f = lapic_disable();
		if (f != FAULT_NONE)
			return f;
		b = apic_base_get();
	}
	return apic_base_set_safe((b & ~APIC_BASE_EXTD) | APIC_BASE_EN);
}

u64 lapic_mmio_base(void)
{
	return apic_base_get() & APIC_BASE_ADDR_MASK;
}

u32 xapic_read(u32 reg)
{
	return *(volatile u32 *)(uintptr_t)(lapic_mmio_base() + reg);
}

void xapic_write(u32 reg, u32 value)
{
	*(volatile u32 *)(uintptr_t)(lapic_mmio_base() + reg) = value;
}

u64 x2apic_read(u32 reg)
{
	return rdmsr(X2APIC_MSR(reg));
}

void x2apic_write(u32 reg, u64 value)
{
	wrmsr(X2APIC_MSR(reg), value);
}

fault_t x2apic_read_safe(u32 reg, u64 *value)
{
	return rdmsr_safe(X2APIC_MSR(reg), value);
}

fault_t x2apic_write_safe(u32 reg, u64 value)
{
	return wrmsr_safe(X2APIC_MSR(reg), value);
}

u32 lapic_read(u32 reg)
{
	return lapic_x2apic_mode() ? (u32)x2apic_read(reg) : xapic_read(reg);
}

void lapic_write(u32 reg, u32 value)
{
	if (lapic_x2apic_mode())
		x2apic_write(reg, value);
	else
		xapic_write(reg, value);
}

u32 lapic_id(void)
{
	return lapic_x2apic_mode() ? (u32)x2apic_read(APIC_ID) : xapic_read(APIC_ID) >> APIC_ID_SHIFT;
}

void lapic_sw_enable(u8 spurious)
{
	lapic_write(APIC_SVR, APIC_SVR_ENABLE | spurious);
}

void lapic_setup(u8 spurious)
{
	static const u32 lvts[] = { APIC_LVT_TIMER, APIC_LVT_THERMAL, APIC_LVT_PERF, APIC_LVT_LINT0,
				    APIC_LVT_LINT1, APIC_LVT_ERROR };

	outb(PIC_MASTER_DATA, PIC_MASK_ALL);
	outb(PIC_SLAVE_DATA, PIC_MASK_ALL);
	for (u32 i = 0; i < ARRAY_SIZE(lvts); i++)
		lapic_write(lvts[i], APIC_LVT_MASKED);
	lapic_write(APIC_TMICT, 0);
	lapic_set_tpr(0);
	lapic_sw_enable(spurious);
}

void lapic_set_tpr(u8 tpr)
{
	lapic_write(APIC_TPR, tpr);
}

void lapic_eoi(void)
{
	lapic_write(APIC_EOI, 0);
}

void lapic_self_ipi(u8 vector)
{
	if (lapic_x2apic_mode())
		x2apic_write(APIC_SELF_IPI, vector);
	else
		xapic_write(APIC_ICR, APIC_ICR_SH_SELF | APIC_ICR_LEVEL_ASSERT | APIC_ICR_DM_FIXED | vector);
}

static void xapic_icr_wait_idle(void)
{
	for (u32 i = 0; i < ICR_IDLE_SPINS && (xapic_read(APIC_ICR) & APIC_ICR_BUSY); i++)
		cpu_relax();
}

void lapic_send_ipi(u32 dest, u32 icr)
{
	u64 flags = read_rflags();

	if (lapic_x2apic_mode()) {
		x2apic_write(APIC_ICR, ((u64)dest << APIC_ICR_X2APIC_DEST_SHIFT) | icr);
		return;
	}
	cli(); /* ICR2 and ICR are one message: no handler may send in between */
	xapic_icr_wait_idle();
	xapic_write(APIC_ICR2, dest << APIC_ID_SHIFT);
	xapic_write(APIC_ICR, icr);
	xapic_icr_wait_idle();
	if (flags & RFLAGS_IF)
		sti();
}

static bool test_bit_map(u32 first_reg, u8 vector)
{
	u32 word = lapic_read(first_reg + (vector / VECTORS_PER_REG) * REG_STRIDE);
	return (word >> (vector % VECTORS_PER_REG)) & 1;
}

bool lapic_irr_test(u8 vector)
{
	return test_bit_map(APIC_IRR, vector);
}

bool lapic_isr_test(u8 vector)
{
	return test_bit_map(APIC_ISR, vector);
}

void lapic_timer_stop(void)
{
	u32 lvt = lapic_read(APIC_LVT_TIMER);

	lapic_write(APIC_LVT_TIMER, (lvt & APIC_LVT_VECTOR) | APIC_LVT_MASKED | APIC_LVT_TIMER_ONESHOT);
	lapic_write(APIC_TMICT, 0);
}
