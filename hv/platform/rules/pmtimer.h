/* The ACPI power-management block of QEMU q35's ICH9 LPC bridge (the PMBASE that SeaBIOS programs, 0x600),
 * and the APM control port 0xB2 that switches it to ACPI mode. Pure model, no hardware access: time comes
 * in as TSC values, the caller (hv/io.c) acts on the returned pm_action.
 *
 * What QEMU 7.2 (hw/acpi/core.c, hw/acpi/ich9.c, hw/isa/apm.c) and the FADT it builds give a guest:
 *   0x600  PM1a_STS (16 bit): TMR_STS (bit 0) set when bit 23 of the timer changes; write 1 to clear
 *   0x602  PM1a_EN  (16 bit): stored (no SCI is raised: microhv has no SCI line)
 *   0x604  PM1a_CNT (16 bit): SCI_EN (bit 0), SLP_TYP (12:10), SLP_EN (bit 13, write-only: reads 0);
 *          SLP_EN with SLP_TYP 0 (QEMU's DSDT: \_S5 = 0) or 2 (ICH9's S4 value) powers off, 1 is S3
 *   0x608  PM_TMR: 24-bit counter at 3.579545 MHz (FADT flag TMR_VAL_EXT clear, as QEMU: flags 0x84A5),
 *          bits 31:24 read 0; a 1- or 2-byte read anywhere in it gets the counter's low bytes (QEMU's
 *          handler ignores the offset); writes do nothing
 *   0x620  GPE0 (16 bytes: 8 status, 8 enable): enables stored, status reads 0 (no GPE source)
 *   0xB2   APM_CNT: the FADT's ACPI_ENABLE (2) sets SCI_EN, ACPI_DISABLE (3) clears it; reads back
 *   0xB3   APM_STS: a scratch byte
 * Access widths as QEMU's MemoryRegionOps: PM1 registers 1 or 2 bytes, the timer and GPE0 1 to 4; an
 * access of another width, or one not inside a single register, reads 0 and writes nothing (QEMU's memory
 * core refuses it before the device sees it). Offsets of the 128-byte block that hold no register read
 * all ones, like unassigned ports. */
#ifndef HV_PLATFORM_PMTIMER_H
#define HV_PLATFORM_PMTIMER_H

#include "../../lib/types.h"

#define PM_IO_BASE 0x600
#define PM_IO_SIZE 0x80 /* ICH9_PMIO_SIZE */
#define PM1_STS 0x00
#define PM1_EN 0x02
#define PM1_CNT 0x04
#define PM_TMR 0x08
#define PM_GPE0 0x20
#define PM_GPE0_LEN 16
#define PM_APM_CNT_PORT 0xB2
#define PM_APM_STS_PORT 0xB3

#define PM_TIMER_HZ 3579545ull
#define PM_TIMER_MASK 0xFFFFFFu
#define PM1_STS_TMR 0x0001u
#define PM1_CNT_SCI_EN 0x0001u
#define PM1_CNT_SLP_TYP_SHIFT 10
#define PM1_CNT_SLP_TYP_MASK 0x7u
#define PM1_CNT_SLP_EN 0x2000u
#define PM_SLP_TYP_S5 0 /* QEMU's DSDT \_S5 */
#define PM_SLP_TYP_S3 1
#define PM_SLP_TYP_S4 2 /* ICH9's default s4_val */
#define PM_APM_ACPI_ENABLE 0x02
#define PM_APM_ACPI_DISABLE 0x03

enum pm_action {
	PM_NONE,
	PM_POWER_OFF, /* SLP_EN with S5 (or S4): QEMU shuts the machine down */
	PM_SUSPEND,   /* SLP_EN with S3: QEMU suspends; microhv cannot wake a VM, so it stops it */
};

struct pm {
	u64 tsc_hz, tsc_zero; /* the timer counts from tsc_zero */
	u64 tmr_armed_ticks;  /* ticks when TMR_STS was last cleared */
	u16 sts, en, cnt;
	u8 gpe_en[PM_GPE0_LEN / 2];
	u8 apm_cnt, apm_sts;
};

/* Reset state at TSC `now`: every register 0, the timer at 0. */
void pm_init(struct pm *pm, u64 tsc_hz, u64 now);
/* The timer's free-running tick count (not masked) at TSC `now`. */
u64 pm_ticks(const struct pm *pm, u64 now);
/* An access at PM_IO_BASE + offset (offset < PM_IO_SIZE). IN: returns the value; OUT: returns 0 and
 * may set *action. */
u32 pm_io(struct pm *pm, u16 offset, u8 size, bool in, u32 value, u64 now, enum pm_action *action);
/* An access to port 0xB2 or 0xB3 (1 byte; other widths as above). */
u32 pm_apm_io(struct pm *pm, u16 port, u8 size, bool in, u32 value);

#endif
