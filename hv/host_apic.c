/* The host's local APIC (see host_apic.h). */
#include "host_apic.h"
#include "x86.h"

#define APIC_BASE_ADDR_MASK 0xFFFFFF000ull
#define APIC_BASE_EN BIT(11)
#define APIC_BASE_EXTD BIT(10) /* x2APIC mode: registers are MSRs (SDM Vol. 3A §11.12.1) */
#define X2APIC_MSR_BASE 0x800
#define X2APIC_MSR_ICR 0x830
#define APIC_ICR_DELIVERY_PENDING BIT(12)
#define XAPIC_ID_SHIFT 24
#define XAPIC_DEST_SHIFT 24
#define ICR_SEND_SPINS 1000000u

static volatile u32 *lapic;
static bool x2apic;

void host_apic_init(void)
{
	u64 base = rdmsr(MSR_IA32_APIC_BASE);
	lapic = (volatile u32 *)(uintptr_t)(base & APIC_BASE_ADDR_MASK);
	x2apic = base & APIC_BASE_EXTD;
}

bool host_apic_x2apic(void)
{
	return x2apic;
}

u32 host_apic_read(u32 reg)
{
	return x2apic ? (u32)rdmsr(X2APIC_MSR_BASE + reg / 16) : lapic[reg / 4];
}

void host_apic_write(u32 reg, u32 value)
{
	if (x2apic)
		wrmsr(X2APIC_MSR_BASE + reg / 16, value);
	else
		lapic[reg / 4] = value;
}

void host_apic_enable_ap(u8 spurious_vector)
{
	u64 base = rdmsr(MSR_IA32_APIC_BASE);
	/* xAPIC -> x2APIC is allowed directly; the reverse would need the disabled state first (SDM Vol. 3A
	 * §11.12.5). INIT leaves the mode as it was, so an AP normally matches already. */
	if (x2apic && !(base & APIC_BASE_EXTD))
		wrmsr(MSR_IA32_APIC_BASE, base | APIC_BASE_EN | APIC_BASE_EXTD);
	host_apic_write(APIC_REG_SVR, APIC_SVR_ENABLE | spurious_vector);
	host_apic_write(APIC_REG_LVT_LINT0, APIC_LVT_MASKED);
	host_apic_write(APIC_REG_LVT_TIMER, APIC_LVT_MASKED);
}

u32 host_apic_id(void)
{
	u32 id = host_apic_read(APIC_REG_ID);
	return x2apic ? id : id >> XAPIC_ID_SHIFT;
}

void host_apic_eoi(void)
{
	host_apic_write(APIC_REG_EOI, 0);
}

void host_apic_send_ipi(u32 dest, u32 icr)
{
	if (x2apic) { /* one 64-bit write, no delivery status (SDM Vol. 3A §11.12.9) */
		wrmsr(X2APIC_MSR_ICR, ((u64)dest << 32) | icr);
		return;
	}
	lapic[APIC_REG_ICR_HIGH / 4] = dest << XAPIC_DEST_SHIFT;
	lapic[APIC_REG_ICR_LOW / 4] = icr;
	for (u32 i = 0; i < ICR_SEND_SPINS && (lapic[APIC_REG_ICR_LOW / 4] & APIC_ICR_DELIVERY_PENDING); i++)
		cpu_relax();
}
