/* The ICH9 ACPI PM block and APM port (see pmtimer.h for the rules and where they come from). */
#include "pmtimer.h"

#define BITS_PER_BYTE 8
#define TMR_STS_BIT 23 /* ACPI 6.5 4.8.3.3: TMR_STS is set when bit 23 of the counter changes */
#define WIDTH_PM1_MAX 2
#define WIDTH_TMR 4
#define WIDTH_GPE_MAX 4
#define PM1_REG_LEN 2
#define ALL_ONES 0xFFFFFFFFu

void pm_init(struct pm *pm, u64 tsc_hz, u64 now)
{
	*pm = (struct pm){ .tsc_hz = tsc_hz ? tsc_hz : 1, .tsc_zero = now };
}

u64 pm_ticks(const struct pm *pm, u64 now)
{
	u64 d = now >= pm->tsc_zero ? now - pm->tsc_zero : 0;
	/* Split so that neither product overflows 64 bits: d % hz < hz < 2^40 and PM_TIMER_HZ < 2^22. */
	return d / pm->tsc_hz * PM_TIMER_HZ + d % pm->tsc_hz * PM_TIMER_HZ / pm->tsc_hz;
}

/* QEMU's acpi_pm1_evt_get_sts(): TMR_STS latches once the counter has passed the next change of bit 23
 * after the last clear. */
static u16 pm1_sts(const struct pm *pm, u64 now)
{
	bool overflowed = (pm_ticks(pm, now) >> TMR_STS_BIT) != (pm->tmr_armed_ticks >> TMR_STS_BIT);
	return (u16)(pm->sts | (overflowed ? PM1_STS_TMR : 0));
}

/* QEMU's acpi_pm1_evt_write_sts(): write 1 to clear; clearing TMR_STS re-arms it for the next change of
 * bit 23 (pm->sts never holds TMR_STS itself, pm1_sts() derives it). */
static void pm1_sts_write(struct pm *pm, u16 v, u64 now)
{
	pm->sts &= (u16)~v;
	if (v & PM1_STS_TMR)
		pm->tmr_armed_ticks = pm_ticks(pm, now);
}

static enum pm_action pm1_cnt_write(struct pm *pm, u16 v)
{
	enum pm_action a = PM_NONE;
	if (v & PM1_CNT_SLP_EN) {
		u32 typ = (v >> PM1_CNT_SLP_TYP_SHIFT) & PM1_CNT_SLP_TYP_MASK;
		if (typ == PM_SLP_TYP_S5 || typ == PM_SLP_TYP_S4)
			a = PM_POWER_OFF;
		else if (typ == PM_SLP_TYP_S3)
			a = PM_SUSPEND;
		/* any other SLP_TYP: QEMU does nothing (hw/acpi/core.c acpi_pm1_cnt_write) */
	}
	pm->cnt = (u16)(v & ~PM1_CNT_SLP_EN); /* SLP_EN is write-only */
	return a;
}

/* QEMU's acpi_pm_evt_ops and acpi_pm_cnt_ops have impl.min_access_size 2: the memory core turns a byte
 * access at offset `byte` of a register into a 16-bit access at that offset. The event handlers know
 * only offsets 0 (status) and 2 (enable): a byte at an odd offset reads 0 and writes nothing, and a byte
 * written at an even one is the whole new value. The control handler shifts by the offset instead:
 * a byte read is cnt >> 8 * byte, a byte write sets cnt to value << 8 * byte. */
static u32 pm1_io(struct pm *pm, u16 offset, u8 size, bool in, u32 value, u64 now, enum pm_action *action)
{
	u16 reg = (u16)(offset & ~(PM1_REG_LEN - 1)), byte = offset - reg;
	u32 mask = (1u << (size * BITS_PER_BYTE)) - 1;
	if (reg == PM1_CNT) {
		if (in)
			return ((u32)pm->cnt >> (byte * BITS_PER_BYTE)) & mask;
		*action = pm1_cnt_write(pm, (u16)(value << (byte * BITS_PER_BYTE)));
		return 0;
	}
	if (byte)
		return 0;
	if (in)
		return (reg == PM1_STS ? pm1_sts(pm, now) : pm->en) & mask;
	if (reg == PM1_STS)
		pm1_sts_write(pm, (u16)value, now);
	else
		pm->en = (u16)value;
	return 0;
}

static u32 gpe_io(struct pm *pm, u16 offset, u8 size, bool in, u32 value)
{
	u32 r = 0;
	for (u8 i = 0; i < size; i++) {
		u16 b = offset - PM_GPE0 + i;
		bool enable_half = b >= PM_GPE0_LEN / 2;
		if (in && enable_half)
			r |= (u32)pm->gpe_en[b - PM_GPE0_LEN / 2] << (i * BITS_PER_BYTE);
		else if (!in && enable_half)
			pm->gpe_en[b - PM_GPE0_LEN / 2] = (u8)(value >> (i * BITS_PER_BYTE));
	}
	return in ? r : 0; /* status bytes read 0, writes (1 to clear) change nothing */
}

struct pm_reg {
	u16 offset, len;
	u8 max_width, min_width;
};

/* The registers of the block and the widths QEMU's MemoryRegionOps accept for them. */
static const struct pm_reg pm_regs[] = {
	{ PM1_STS, PM1_REG_LEN, WIDTH_PM1_MAX, 1 },
	{ PM1_EN, PM1_REG_LEN, WIDTH_PM1_MAX, 1 },
	{ PM1_CNT, PM1_REG_LEN, WIDTH_PM1_MAX, 1 },
	{ PM_TMR, WIDTH_TMR, WIDTH_TMR, 1 },
	{ PM_GPE0, PM_GPE0_LEN, WIDTH_GPE_MAX, 1 },
};

u32 pm_io(struct pm *pm, u16 offset, u8 size, bool in, u32 value, u64 now, enum pm_action *action)
{
	*action = PM_NONE;
	for (u32 i = 0; i < ARRAY_SIZE(pm_regs); i++) {
		const struct pm_reg *r = &pm_regs[i];
		if (offset >= r->offset + r->len || offset + size <= r->offset)
			continue;
		if (offset < r->offset || offset + size > r->offset + r->len || size > r->max_width ||
		    size < r->min_width || offset % size)
			return 0; /* straddles the register's edge, unaligned, or a width QEMU refuses */
		/* acpi_pm_tmr_ops: impl.min_access_size 4, and the handler ignores the offset, so every read
		 * in the register gets the low bytes of the counter (measured on QEMU 7.2 TCG: inw(0x608)). */
		if (r->offset == PM_TMR)
			return in ? (u32)pm_ticks(pm, now) & PM_TIMER_MASK & (u32)((1ull << (size * BITS_PER_BYTE)) - 1) : 0;
		if (r->offset == PM_GPE0)
			return gpe_io(pm, offset, size, in, value);
		return pm1_io(pm, offset, size, in, value, now, action);
	}
	return in ? (size == sizeof(u32) ? ALL_ONES : (1u << (size * BITS_PER_BYTE)) - 1) : 0;
}

u32 pm_apm_io(struct pm *pm, u16 port, u8 size, bool in, u32 value)
{
	if (size != 1)
		return 0;
	u8 *reg = port == PM_APM_CNT_PORT ? &pm->apm_cnt : &pm->apm_sts;
	if (in)
		return *reg;
	*reg = (u8)value;
	/* ich9_apm_ctrl_changed(): QEMU itself flips SCI_EN for the FADT's two commands. */
	if (port == PM_APM_CNT_PORT && value == PM_APM_ACPI_ENABLE)
		pm->cnt |= PM1_CNT_SCI_EN;
	else if (port == PM_APM_CNT_PORT && (u8)value == PM_APM_ACPI_DISABLE)
		pm->cnt &= (u16)~PM1_CNT_SCI_EN;
	return 0;
}
