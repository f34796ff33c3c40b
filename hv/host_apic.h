/* The host's own local APIC (the one of the pCPU that runs the code): registers, EOI, IPIs. Each pCPU
 * sees its own APIC at the same address (xAPIC MMIO) or through the same MSRs (x2APIC). */
#ifndef HV_HOST_APIC_H
#define HV_HOST_APIC_H

#include "lib/types.h"

/* Local APIC registers (SDM Vol. 3A §11.4.1, Table 11-1) as xAPIC MMIO offsets. */
#define APIC_REG_ID 0x20
#define APIC_REG_EOI 0xB0
#define APIC_REG_SVR 0xF0
#define APIC_REG_ICR_LOW 0x300
#define APIC_REG_ICR_HIGH 0x310
#define APIC_REG_LVT_TIMER 0x320
#define APIC_REG_LVT_LINT0 0x350
#define APIC_REG_TIMER_INITIAL 0x380
#define APIC_REG_TIMER_CURRENT 0x390
#define APIC_REG_TIMER_DIVIDE 0x3E0
#define APIC_SVR_ENABLE BIT(8)
#define APIC_LVT_MASKED BIT(16)
/* ICR delivery modes and flags (SDM Vol. 3A §11.6.1). */
#define APIC_ICR_FIXED 0x000
#define APIC_ICR_INIT 0x500
#define APIC_ICR_STARTUP 0x600
#define APIC_ICR_LEVEL_ASSERT BIT(14)

/* Reads IA32_APIC_BASE of this pCPU (the boot CPU's mode is the one every AP is put in). */
void host_apic_init(void);
/* On an AP: the same mode (xAPIC or x2APIC) as the boot CPU, software-enabled, LINT0 and timer masked. */
void host_apic_enable_ap(u8 spurious_vector);
u32 host_apic_read(u32 reg);
void host_apic_write(u32 reg, u32 value);
/* This pCPU's APIC ID (x2APIC: 32 bits; xAPIC: bits 31:24 of the ID register). */
u32 host_apic_id(void);
void host_apic_eoi(void);
/* Sends an IPI (ICR low bits `icr`: delivery mode, vector, level) to the APIC `dest`; waits until the
 * xAPIC has accepted it for delivery. */
void host_apic_send_ipi(u32 dest, u32 icr);
/* True if the APIC IDs are 32-bit (x2APIC mode), false if 8-bit (xAPIC). */
bool host_apic_x2apic(void);

#endif
