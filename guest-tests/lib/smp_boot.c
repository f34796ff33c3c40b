/* Starting APs: the trampoline's copy below 1 MiB and the INIT-SIPI-SIPI sequence (see smp.h). */
#include "hv/lib/fmt.h"
#include "smp.h"

#define XAPIC_MAX_ID 0xFFu /* the widest xAPIC physical destination */
#include "lapic.h"
#include "tsc.h"

/* ap_boot.asm: the real-mode trampoline, copied to SMP_TRAMPOLINE_GPA. */
extern const char ap_trampoline_start[], ap_trampoline_end[];

_Static_assert(SMP_TRAMPOLINE_GPA % PAGE_SIZE == 0 && SMP_TRAMPOLINE_GPA < (1u << 20),
	       "a SIPI vector names a 4 KiB page below 1 MiB");

#define ICR_INIT (APIC_ICR_DM_INIT | APIC_ICR_LEVEL_ASSERT) /* edge, assert: the form KVM and the SDM accept */
#define ICR_SIPI (APIC_ICR_DM_STARTUP | APIC_ICR_LEVEL_ASSERT | SMP_SIPI_VECTOR)

static void kick_handler(const struct exc_record *r)
{
	struct cpu_local *c = this_cpu();
	fault_t saved = c->fixup_fault; /* lapic_eoi() goes through the fixup helpers */

	c->kicks++;
	lapic_eoi();
	c->fixup_fault = saved;
}

void smp_boot_init(void)
{
	memcpy((void *)(u64)SMP_TRAMPOLINE_GPA, ap_trampoline_start, (size_t)(ap_trampoline_end - ap_trampoline_start));
	exc_set_handler(SMP_KICK_VECTOR, kick_handler);
}

void smp_send_init(u32 dest)
{
	lapic_send_ipi(dest, ICR_INIT);
}

void smp_send_sipi(u32 dest)
{
	lapic_send_ipi(dest, ICR_SIPI);
}

void smp_send_startup(const u32 *dests, u32 n)
{
	if (!n)
		return;
	for (u32 i = 0; i < n; i++)
		smp_send_init(dests[i]);
	tsc_delay_us(SMP_INIT_DELAY_US);
	/* Two SIPIs: the second covers a lost first one; an AP that already left wait-for-SIPI ignores it. */
	for (u32 round = 0; round < 2; round++) {
		for (u32 i = 0; i < n; i++)
			smp_send_sipi(dests[i]);
		tsc_delay_us(SMP_SIPI_DELAY_US);
	}
}

bool smp_wait_starts(u32 index, u32 starts, u64 timeout_us)
{
	struct cpu_local *c = smp_cpu(index);
	struct spin_budget b = spin_budget_us(timeout_us);

	if (!c || index == 0)
		return false;
	while (c->starts < starts || c->state != CPU_ONLINE) {
		if (spin_budget_spent(&b))
			return false;
		cpu_relax();
	}
	return true;
}

/* The BSP forgets what the AP was doing: INIT ends it whatever it was. */
static u32 prepare_start(struct cpu_local *c)
{
	c->state = CPU_OFFLINE;
	return c->starts + 1;
}

bool smp_start_cpu(u32 index)
{
	struct cpu_local *c = smp_cpu(index);

	if (!c || index == 0)
		return false;
	u32 want = prepare_start(c);
	smp_send_startup(&c->apic_id, 1);
	return smp_wait_starts(index, want, SMP_START_TIMEOUT_US);
}

u32 smp_start_all(void)
{
	static u32 dests[SMP_MAX_CPUS];
	static u32 wanted[SMP_MAX_CPUS];
	u32 n = 0, online = 1;

	for (u32 i = 1; i < smp_cpu_count(); i++) {
		struct cpu_local *c = smp_cpu(i);
		wanted[i] = c->starts; /* an online AP is left alone */
		if (c->state != CPU_ONLINE) {
			wanted[i] = prepare_start(c);
			dests[n++] = c->apic_id;
		}
	}
	/* An APIC ID above 255 can only be addressed in x2APIC mode (SDM Vol. 3A §11.12): an 8-bit xAPIC
	 * destination would cut it and could INIT the BSP itself. Switch, as an OS must. */
	for (u32 i = 0; i < n; i++) {
		if (dests[i] > XAPIC_MAX_ID && !lapic_x2apic_mode()) {
			lapic_enable_x2apic();
			break;
		}
	}
	smp_send_startup(dests, n);
	/* One deadline for all: they start in parallel. */
	struct spin_budget b = spin_budget_us(SMP_START_TIMEOUT_US);
	for (u32 i = 1; i < smp_cpu_count(); i++) {
		struct cpu_local *c = smp_cpu(i);
		while ((c->starts < wanted[i] || c->state != CPU_ONLINE) && !spin_budget_spent(&b))
			cpu_relax();
		online += c->state == CPU_ONLINE;
	}
	return online;
}
