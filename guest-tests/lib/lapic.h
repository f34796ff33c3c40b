/* The local APIC from a test guest: xAPIC MMIO, x2APIC MSRs, IA32_APIC_BASE mode changes, EOI and
 * self-IPIs (Intel SDM Vol. 3A ch. 11; microhv's model is hv/apic/rules/vlapic.h).
 *
 * Registers are named by their xAPIC offset; the x2APIC MSR is 0x800 + (offset >> 4). The lapic_*
 * accessors pick the interface from the current mode in IA32_APIC_BASE (read on every call, so they
 * stay right after any mode change, including one a test makes with wrmsr_safe()). The xapic_* and
 * x2apic_* ones force an interface, e.g. to probe the MMIO page in x2APIC mode. */
#ifndef GUEST_LAPIC_H
#define GUEST_LAPIC_H

#include "hv/lib/types.h"
#include "fixup.h"

/* IA32_APIC_BASE (SDM §11.4.4, §11.12.1). */
#define MSR_IA32_APIC_BASE 0x1Bu
#define APIC_BASE_BSP BIT(8)
#define APIC_BASE_EXTD BIT(10) /* x2APIC mode */
#define APIC_BASE_EN BIT(11)   /* global enable */
#define APIC_BASE_ADDR_MASK 0xFFFFFFFFFFFFF000ull
#define APIC_DEFAULT_BASE 0xFEE00000ull

#define MSR_IA32_TSC_DEADLINE 0x6E0u
#define MSR_X2APIC_FIRST 0x800u
#define X2APIC_MSR(reg) (MSR_X2APIC_FIRST + ((u32)(reg) >> 4))

#define CPUID_1_EDX_APIC BIT(9)
#define CPUID_1_ECX_X2APIC BIT(21)
#define CPUID_1_ECX_TSC_DEADLINE BIT(24)
#define CPUID_1_EBX_APIC_ID_SHIFT 24

/* Register offsets in the xAPIC page (SDM Table 11-1). */
#define APIC_ID 0x020u
#define APIC_VERSION 0x030u
#define APIC_TPR 0x080u
#define APIC_APR 0x090u
#define APIC_PPR 0x0A0u
#define APIC_EOI 0x0B0u
#define APIC_LDR 0x0D0u
#define APIC_DFR 0x0E0u
#define APIC_SVR 0x0F0u
#define APIC_ISR 0x100u /* 8 registers, 0x10 apart: vectors 32*i .. 32*i+31 */
#define APIC_TMR 0x180u
#define APIC_IRR 0x200u
#define APIC_ESR 0x280u
#define APIC_ICR 0x300u  /* xAPIC: low half; x2APIC: the whole 64-bit ICR */
#define APIC_ICR2 0x310u /* xAPIC only: destination in bits 31:24 */
#define APIC_LVT_TIMER 0x320u
#define APIC_LVT_THERMAL 0x330u
#define APIC_LVT_PERF 0x340u
#define APIC_LVT_LINT0 0x350u
#define APIC_LVT_LINT1 0x360u
#define APIC_LVT_ERROR 0x370u
#define APIC_TMICT 0x380u /* timer initial count */
#define APIC_TMCCT 0x390u /* timer current count */
#define APIC_TDCR 0x3E0u  /* timer divide configuration */
#define APIC_SELF_IPI 0x3F0u /* x2APIC only, write-only */

#define APIC_ID_SHIFT 24 /* xAPIC ID in bits 31:24 */
#define APIC_LDR_SHIFT 24 /* xAPIC logical ID in bits 31:24 (SDM §11.6.2.2) */
#define APIC_DFR_FLAT 0xFFFFFFFFu    /* DFR model 1111b */
#define APIC_DFR_CLUSTER 0x0FFFFFFFu /* DFR model 0000b; bits 27:0 read as 1 */
#define XAPIC_BROADCAST 0xFFu        /* physical/logical destination "all" in xAPIC mode */
#define X2APIC_BROADCAST 0xFFFFFFFFu /* ... in x2APIC mode (SDM §11.12.10) */
#define APIC_VERSION_MAX_LVT(v) (((v) >> 16) & 0xFFu)
#define APIC_SVR_ENABLE BIT(8)

/* LVT fields (SDM Figure 11-8). */
#define APIC_LVT_VECTOR 0xFFu
#define APIC_LVT_MASKED BIT(16)
#define APIC_LVT_TIMER_ONESHOT (0u << 17)
#define APIC_LVT_TIMER_PERIODIC (1u << 17)
#define APIC_LVT_TIMER_TSC_DEADLINE (2u << 17)

/* Divide configuration values (SDM Figure 11-10). */
#define APIC_TDCR_DIV1 0xBu
#define APIC_TDCR_DIV2 0x0u
#define APIC_TDCR_DIV4 0x1u
#define APIC_TDCR_DIV8 0x2u
#define APIC_TDCR_DIV16 0x3u

/* ICR fields (SDM Figure 11-12; x2APIC Figure 11-28: destination in bits 63:32). */
#define APIC_ICR_VECTOR 0xFFu
#define APIC_ICR_DM_FIXED (0u << 8)
#define APIC_ICR_DM_LOWEST (1u << 8)
#define APIC_ICR_DM_SMI (2u << 8)
#define APIC_ICR_DM_NMI (4u << 8)
#define APIC_ICR_DM_INIT (5u << 8)
#define APIC_ICR_DM_STARTUP (6u << 8) /* SIPI: vector = start page, CS = vector << 8, IP = 0 */
#define APIC_ICR_LOGICAL BIT(11)
#define APIC_ICR_BUSY BIT(12)
#define APIC_ICR_LEVEL_ASSERT BIT(14)
#define APIC_ICR_TRIGGER_LEVEL BIT(15)
#define APIC_ICR_SH_SELF (1u << 18)
#define APIC_ICR_SH_ALL (2u << 18)
#define APIC_ICR_SH_OTHERS (3u << 18)
#define APIC_ICR_X2APIC_DEST_SHIFT 32

#define APIC_MMIO_HOLE 0xFFFFFFFFu /* what the page reads in x2APIC mode or disabled (KVM's MMIO-hole quirk) */

/* ---- IA32_APIC_BASE ---- */

static inline u64 apic_base_get(void)
{
	u64 v = 0;
	rdmsr_safe(MSR_IA32_APIC_BASE, &v); /* 0 if even this faults (no APIC at all) */
	return v;
}

static inline fault_t apic_base_set_safe(u64 value)
{
	return wrmsr_safe(MSR_IA32_APIC_BASE, value);
}

bool lapic_enabled(void);     /* EN */
bool lapic_x2apic_mode(void); /* EN and EXTD */

/* Mode changes through the legal paths of SDM §11.12.5. Each returns the first fault, FAULT_NONE if
 * all writes were taken. The base address and BSP bit are kept. */
fault_t lapic_enable_x2apic(void); /* xAPIC (or already x2APIC) -> x2APIC: sets EN and EXTD */
fault_t lapic_disable(void);       /* any -> disabled: clears EN and EXTD */
fault_t lapic_enable_xapic(void);  /* any -> xAPIC; from x2APIC through disabled */

/* ---- Register access ---- */

/* The xAPIC page address from IA32_APIC_BASE (the runtime maps the first 4 GiB, 3-4 GiB uncached). */
u64 lapic_mmio_base(void);
u32 xapic_read(u32 reg);            /* one aligned 32-bit load */
void xapic_write(u32 reg, u32 value); /* one aligned 32-bit store */

u64 x2apic_read(u32 reg);             /* RDMSR 0x800 + (reg >> 4), unchecked */
void x2apic_write(u32 reg, u64 value); /* WRMSR, unchecked */
fault_t x2apic_read_safe(u32 reg, u64 *value);
fault_t x2apic_write_safe(u32 reg, u64 value);

/* Through whichever interface the current mode has. In x2APIC mode the ICR is the 64-bit MSR:
 * use x2apic_write() for it. */
u32 lapic_read(u32 reg);
void lapic_write(u32 reg, u32 value);

/* ---- Common operations ---- */

u32 lapic_id(void);                /* xAPIC: ID register bits 31:24; x2APIC: the 32-bit ID */
void lapic_sw_enable(u8 spurious); /* SVR = enable | spurious vector */

/* Ready for fixed interrupts and nothing else: the legacy 8259 pair masked (microhv's never interrupts
 * a CPU; plain QEMU's BIOS leaves the PIT on vector 8 through LINT0), every LVT masked,
 * TPR 0, then SVR = enable | spurious. */
void lapic_setup(u8 spurious);
void lapic_set_tpr(u8 tpr);
void lapic_eoi(void);

/* A fixed, edge-triggered interrupt to this CPU: the SELF_IPI MSR in x2APIC mode, the ICR with the
 * "self" shorthand in xAPIC mode. */
void lapic_self_ipi(u8 vector);

/* Send an IPI through this CPU's ICR in the current mode: `icr` is the low 32 bits (vector, delivery
 * mode, destination mode, level, trigger, shorthand), `dest` the destination: all 32 bits in x2APIC
 * mode (ICR bits 63:32, one WRMSR), bits 7:0 in xAPIC mode (ICR2 bits 31:24, then the ICR write that
 * sends). In xAPIC mode it waits for the delivery status to be idle before and after (SDM §11.6.1). */
void lapic_send_ipi(u32 dest, u32 icr);

/* Is `vector` set in IRR / ISR / TMR? */
bool lapic_irr_test(u8 vector);
bool lapic_isr_test(u8 vector);

/* Stop the timer: LVT timer masked (one-shot, vector kept), initial count 0. */
void lapic_timer_stop(void);

#endif
