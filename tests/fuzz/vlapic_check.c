/* sim_check_apic(): what must hold for one virtual local APIC between any two operations, whatever the
 * guest did (vlapic.h's modelling choices; SDM Vol. 3A §11.4.7.2, §11.5.4, §11.8.3.1, §11.12). */
#include <string.h>

#include "tests/fuzz/vlapic_sim.h"

static int highest(const u32 map[8])
{
	for (int w = 7; w >= 0; w--)
		for (int b = 31; b >= 0; b--)
			if ((map[w] >> b) & 1)
				return w * 32 + b;
	return -1;
}

/* SDM §11.8.3.1: PPR = TPR if TPR[7:4] >= ISRV[7:4], else ISRV[7:4] << 4. */
static void check_priority(const struct vlapic *a)
{
	int isrv = highest(a->isr), irrv = highest(a->irr);
	u32 ppr = (isrv < 0 || (a->tpr >> 4) >= ((u32)isrv >> 4)) ? a->tpr : (u32)isrv & 0xF0;
	int deliverable = -1;

	FUZZ_CHECK(vlapic_ppr(a) == ppr);
	if (vlapic_hw_enabled(a) && irrv >= 0 && ((u32)irrv & 0xF0) > (ppr & 0xF0))
		deliverable = irrv;
	FUZZ_CHECK(vlapic_highest_deliverable(a) == deliverable);
	FUZZ_CHECK(vlapic_get_cr8(a) == a->tpr >> 4);
}

static void check_fields(const struct vlapic *a)
{
	FUZZ_CHECK(a->tpr <= 0xFF && a->svr <= 0x3FF && a->timer_divide <= 0xB);
	FUZZ_CHECK(!(a->icr_low & VLAPIC_ICR_BUSY)); /* delivery is immediate */
	FUZZ_CHECK((a->dfr & 0x0FFFFFFFu) == 0x0FFFFFFFu);
	for (u32 i = 0; i < VLAPIC_NR_LVT; i++) {
		FUZZ_CHECK(!(a->lvt[i] & (BIT(12) | BIT(14)))); /* delivery status, remote IRR read 0 */
		if (!vlapic_sw_enabled(a)) /* §11.4.7.2: software-disabled means every LVT masked */
			FUZZ_CHECK(a->lvt[i] & VLAPIC_LVT_MASKED);
	}
	if (vlapic_x2apic_mode(a)) /* §11.12.5.1: x2APIC needs EN; the LDR is derived from the ID */
		FUZZ_CHECK(vlapic_hw_enabled(a) && a->ldr == apic_x2apic_ldr(a->vcpu_id));
	FUZZ_CHECK((vlapic_timer_next(a) == 0) == !a->timer_armed);
}

/* The only errors the model detects (SDM §11.5.3): send and receive illegal vector. */
#define ESR_ILLEGAL_VECTOR_BITS (VLAPIC_ESR_SEND_ILLEGAL_VECTOR | VLAPIC_ESR_RECEIVE_ILLEGAL_VECTOR)

/* The registers with fixed or derived values, read the way the guest would in the current mode. */
static void check_reads(struct vlapic *a, u64 now)
{
	u32 initial = a->timer_initial, v = 0;
	u64 m = 0;

	if (vlapic_x2apic_mode(a)) {
		FUZZ_CHECK(vlapic_msr_read(a, now, 0x802, &m) == 0 && m == a->vcpu_id);
		FUZZ_CHECK(vlapic_msr_read(a, now, 0x803, &m) == 0 && m == VLAPIC_VERSION_REG);
		FUZZ_CHECK(vlapic_msr_read(a, now, 0x828, &m) == 0 && m == a->esr && !(m & ~ESR_ILLEGAL_VECTOR_BITS));
		FUZZ_CHECK(vlapic_msr_read(a, now, 0x839, &m) == 0 && m <= initial);
		FUZZ_CHECK(vlapic_msr_read(a, now, 0x80E, &m) == -EINVAL); /* DFR does not exist in x2APIC mode */
	} else if (vlapic_hw_enabled(a)) {
		FUZZ_CHECK(vlapic_mmio_read(a, now, 0x20, 4, &v) == 0 && v == (u32)a->xapic_id << 24);
		FUZZ_CHECK(vlapic_mmio_read(a, now, 0x30, 4, &v) == 0 && v == VLAPIC_VERSION_REG);
		FUZZ_CHECK(vlapic_mmio_read(a, now, 0x280, 4, &v) == 0 && v == a->esr && !(v & ~ESR_ILLEGAL_VECTOR_BITS));
		FUZZ_CHECK(vlapic_mmio_read(a, now, 0x390, 4, &v) == 0 && v <= initial);
	}
	/* §11.5.4.1: the current count reads 0 in TSC-deadline mode. */
	if (((a->lvt[VLAPIC_LVT_TIMER] >> VLAPIC_LVT_TIMER_MODE_SHIFT) & 3) == VLAPIC_TIMER_TSC_DEADLINE)
		FUZZ_CHECK(vlapic_timer_current(a, now) == 0);
}

void sim_check_apic(struct vlapic *a, u64 now)
{
	struct vlapic before = *a;

	check_fields(a);
	for (u32 w = 0; w < 8; w++) /* the exit path's summary word agrees with the map */
		FUZZ_CHECK(((a->irr_words >> w) & 1) == (a->irr[w] != 0));
	check_priority(a);
	check_reads(a, now);
	FUZZ_CHECK(!memcmp(&before, a, sizeof(before))); /* checking changed nothing */
}
