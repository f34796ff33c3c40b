/* One virtual local APIC (xAPIC and x2APIC), as a pure model shared by both back ends: registers, the
 * IA32_APIC_BASE transitions, interrupt acceptance and priority, EOI, and the timer on virtual time.
 * No hardware, no allocation: only hv/lib/types.h and the message types of hv/apic/delivery.h.
 *
 * Architecture: Intel SDM Vol. 3A ch. 11 "Advanced Programmable Interrupt Controller (APIC)", x2APIC §11.12.
 * Behaviour follows KVM arch/x86/kvm/lapic.c where the spec asks for it (/work/shared/spec/errata-behaviour.md
 * §5.1, §5.2, R5.1-R5.3, R5.7).
 *
 * Modelling choices (all KVM-compatible unless marked):
 *  - 6 LVT entries (timer, thermal, performance, LINT0, LINT1, error), no CMCI: version 0x00050014.
 *    Directed EOI (version bit 24 / SVR bit 12) is not offered.
 *  - The x2APIC ID is vcpu_id and read-only; the xAPIC ID is guest-writable (R5.1).
 *  - Errors: only illegal vectors (0-15 in a fixed or lowest-priority message) are detected (SDM §11.5.3):
 *    the message is dropped, ESR bit 5 (send) or 6 (receive) is set and the LVT error entry raised. KVM
 *    records none; the others (checksum, accept, redirectable IPI, illegal register) cannot happen here.
 *  - Delivery status (bit 12 of ICR and LVTs) and LVT remote IRR (bit 14) always read 0 (SDM: read-only;
 *    KVM lets the guest store them).
 *  - All LVTs masked at RESET, also LINT0 of the BSP (SDM §11.4.7.1; KVM's LINT0_REENABLED quirk is not
 *    modelled: there is no 8259 to route through LINT0).
 *  - EN 1->0 returns the register file to its power-up state (SDM §11.4.3 "may return to its power-up
 *    reset state"; §11.12.5.1 "all the APIC register states in the x2APIC, except for the x2APIC ID, are
 *    not preserved"). KVM keeps the stale registers; a guest cannot tell the difference except through
 *    registers it never re-programmed.
 *  - A hardware-disabled APIC (EN = 0) accepts nothing (KVM's delivery skips it; SDM §11.4.3).
 *  - SELF_IPI (x2APIC 0x83F) goes straight into this APIC's IRR; it produces no IPI request.
 *  - MMIO with the APIC hardware-disabled or in x2APIC mode: reads all ones, writes ignored
 *    (KVM_X86_QUIRK_LAPIC_MMIO_HOLE on, its default; spec §6).
 *
 * Time: every call that can read or program the timer takes `now`, the vCPU's virtual TSC. The timer's
 * input clock ("bus clock") is the TSC: one timer tick = one TSC tick before the divider, i.e. the
 * current-count register decrements once every `divide` TSC ticks. */
#ifndef HV_APIC_VLAPIC_H
#define HV_APIC_VLAPIC_H

#include "../../lib/types.h"
#include "delivery.h" /* struct apic_irq, struct apic_target, APIC_DM_*, APIC_SH_* */

/* IA32_APIC_BASE (MSR 0x1B), SDM §11.4.4 and §11.12.1. */
#define VLAPIC_BASE_BSP BIT(8)
#define VLAPIC_BASE_EXTD BIT(10) /* x2APIC mode */
#define VLAPIC_BASE_EN BIT(11)   /* APIC global enable */
#define VLAPIC_BASE_ADDR_MASK 0xFFFFFFFFFFFFF000ull
#define VLAPIC_DEFAULT_BASE 0xFEE00000ull

#define VLAPIC_MSR_TSC_DEADLINE 0x6E0u /* IA32_TSC_DEADLINE */
#define VLAPIC_X2APIC_MSR_FIRST 0x800u /* x2APIC MSR = 0x800 + (xAPIC offset >> 4), SDM §11.12.1.2 */
#define VLAPIC_X2APIC_MSR_LAST 0x8FFu

/* Register offsets in the xAPIC page (SDM Vol. 3A Table 11-1). */
#define VLAPIC_REG_ID 0x020u
#define VLAPIC_REG_VERSION 0x030u
#define VLAPIC_REG_TPR 0x080u
#define VLAPIC_REG_APR 0x090u /* arbitration priority: reads 0 (as KVM) */
#define VLAPIC_REG_PPR 0x0A0u
#define VLAPIC_REG_EOI 0x0B0u
#define VLAPIC_REG_RRD 0x0C0u
#define VLAPIC_REG_LDR 0x0D0u
#define VLAPIC_REG_DFR 0x0E0u
#define VLAPIC_REG_SVR 0x0F0u
#define VLAPIC_REG_ISR 0x100u /* 8 registers, 0x10 apart: vectors 32*i .. 32*i+31 */
#define VLAPIC_REG_TMR 0x180u
#define VLAPIC_REG_IRR 0x200u
#define VLAPIC_REG_ESR 0x280u
#define VLAPIC_REG_LVT_CMCI 0x2F0u /* not implemented here */
#define VLAPIC_REG_ICR_LOW 0x300u
#define VLAPIC_REG_ICR_HIGH 0x310u
#define VLAPIC_REG_LVT_TIMER 0x320u
#define VLAPIC_REG_LVT_THERMAL 0x330u
#define VLAPIC_REG_LVT_PERF 0x340u
#define VLAPIC_REG_LVT_LINT0 0x350u
#define VLAPIC_REG_LVT_LINT1 0x360u
#define VLAPIC_REG_LVT_ERROR 0x370u
#define VLAPIC_REG_TIMER_INITIAL 0x380u
#define VLAPIC_REG_TIMER_CURRENT 0x390u
#define VLAPIC_REG_TIMER_DIVIDE 0x3E0u
#define VLAPIC_REG_SELF_IPI 0x3F0u /* x2APIC only */

#define VLAPIC_VERSION 0x14u   /* integrated APIC (KVM's APIC_VERSION) */
#define VLAPIC_NR_LVT 6u       /* timer, thermal, perf, LINT0, LINT1, error: max LVT entry = 5 */
#define VLAPIC_VERSION_REG (VLAPIC_VERSION | (VLAPIC_NR_LVT - 1) << 16)

/* LVT, SVR and ICR fields (SDM Figures 11-8, 11-12, 11-23). */
#define VLAPIC_LVT_MASKED BIT(16)
#define VLAPIC_ESR_SEND_ILLEGAL_VECTOR BIT(5)
#define VLAPIC_ESR_RECEIVE_ILLEGAL_VECTOR BIT(6)
#define VLAPIC_FIRST_LEGAL_VECTOR 16
#define VLAPIC_LVT_TIMER_MODE_SHIFT 17
#define VLAPIC_TIMER_ONESHOT 0u
#define VLAPIC_TIMER_PERIODIC 1u
#define VLAPIC_TIMER_TSC_DEADLINE 2u /* 3 is reserved: the timer does not run */
#define VLAPIC_SVR_ENABLE BIT(8)     /* APIC software enable */
#define VLAPIC_ICR_BUSY BIT(12)      /* delivery status */

/* Indices into struct vlapic.lvt[], in register order. */
enum vlapic_lvt { VLAPIC_LVT_TIMER, VLAPIC_LVT_THERMAL, VLAPIC_LVT_PERF, VLAPIC_LVT_LINT0, VLAPIC_LVT_LINT1,
		  VLAPIC_LVT_ERROR };

/* Return values of vlapic_mmio_read/write: the access always completes, it either reached a register or was
 * ignored (undefined offset, bad size/alignment, write to a read-only register, or the MMIO hole). */
#define VLAPIC_MMIO_DONE 0
#define VLAPIC_MMIO_IGNORED 1

struct vlapic {
	u32 vcpu_id;  /* = x2APIC ID (R5.1), read-only */
	u64 apic_base; /* IA32_APIC_BASE */

	/* Register file. PPR is derived (vlapic_ppr()), the version register is a constant. */
	u8 xapic_id;  /* APIC ID bits 31:24 in xAPIC mode; in x2APIC mode the ID register reads vcpu_id */
	u32 tpr;      /* bits 7:0 */
	u32 ldr;      /* xAPIC: bits 31:24; x2APIC: ((id >> 4) << 16) | 1 << (id & 15) */
	u32 dfr;      /* bits 27:0 always 1 */
	u32 svr;      /* bits 9:0 */
	u32 isr[8], tmr[8], irr[8]; /* 256-bit maps, 32 vectors per word */
	u32 irr_words;              /* bit w set iff irr[w] != 0: the exit path's "anything requested?" */
	u32 esr;         /* ESR as read: the errors latched by the last ESR write */
	u32 esr_pending; /* errors detected since then */
	u32 icr_low;  /* delivery status always 0 */
	u32 icr_high; /* xAPIC: bits 31:24 = dest; x2APIC: 32-bit dest */
	u32 lvt[VLAPIC_NR_LVT];
	u32 timer_initial; /* TMICT */
	u32 timer_divide;  /* TDCR, bits 3, 1:0 */
	u64 min_period_tsc; /* shortest periodic-timer period (0: none), set by the owner after vlapic_reset() */

	/* Timer state (see vlapic_timer_next()). */
	bool timer_armed;
	u64 timer_expiry;  /* virtual TSC of the next expiry, when armed */
	bool timer_reloaded; /* periodic: past its first expiry (later periods may be stretched to min_period_tsc) */
	u64 tsc_deadline;  /* IA32_TSC_DEADLINE as the guest reads it (0 = disarmed) */

	/* Events accepted for the CPU rather than into IRR; the caller consumes (clears) them. */
	bool nmi_pending;
	bool smi_pending;
	bool init_pending;
	bool sipi_pending;
	u8 sipi_vector;
};

/* What the caller must do after a call. Every function taking one clears it first; fx may be NULL. */
struct vlapic_effects {
	bool ipi;              /* send `ipi_msg` from this APIC: apic_route(..., src = this vCPU, ...) */
	struct apic_irq ipi_msg;
	bool map_changed;      /* ID, LDR, DFR, SVR enable, EN or EXTD changed: refresh apic_target, apic_map_build() */
	bool mode_changed;     /* EN, EXTD or the base address changed: re-check MMIO trapping / x2APIC MSR intercepts */
	bool timer_changed;    /* vlapic_timer_next() may have changed: reprogram the wake-up */
	bool intr_changed;     /* IRR, ISR or PPR changed: re-evaluate vlapic_highest_deliverable() */
	int eoi_vector;        /* -1, or the vector whose ISR bit an EOI cleared */
	bool eoi_level;        /* its TMR bit was set: level-triggered, forward the EOI to the IOAPIC */
};

/* ---- Lifecycle ---- */

/* RESET (power-up): IA32_APIC_BASE = 0xFEE00000 | EN (| BSP), xAPIC mode, xAPIC ID = vcpu_id & 0xFF,
 * SVR = 0xFF (software-disabled), LVTs masked, DFR all ones, everything else 0, timer stopped, no
 * pending events (SDM §11.4.7.1). The caller rebuilds the routing map afterwards. */
void vlapic_reset(struct vlapic *a, u32 vcpu_id, bool bsp);

/* INIT (SDM §11.4.7.3): as RESET, but IA32_APIC_BASE (so also the mode), the xAPIC ID and, in x2APIC mode,
 * the LDR are kept. Clears init_pending, nmi_pending and smi_pending (as KVM's vCPU reset); keeps
 * sipi_pending/sipi_vector (a SIPI that came after the INIT is for the wait-for-SIPI state that follows). */
void vlapic_init_signal(struct vlapic *a);

/* ---- Register access ---- */

/* xAPIC MMIO, offset within the 4-KiB page. Reads: size 1, 2 or 4 within one 32-bit register of a
 * readable register; anything else reads 0. Writes: aligned 32-bit only, else ignored. In x2APIC mode or
 * with EN = 0 the page is a hole: reads all ones, writes ignored. */
int vlapic_mmio_read(struct vlapic *a, u64 now, u32 offset, u32 size, u32 *value);
int vlapic_mmio_write(struct vlapic *a, u64 now, u32 offset, u32 size, u32 value, struct vlapic_effects *fx);

/* x2APIC MSRs 0x800-0x8FF: 0, or -EINVAL where the guest must get #GP (spec §5.2). *value is 0 on #GP. */
int vlapic_msr_read(struct vlapic *a, u64 now, u32 msr, u64 *value);
int vlapic_msr_write(struct vlapic *a, u64 now, u32 msr, u64 value, struct vlapic_effects *fx);
/* The interrupt message an ICR write of low (and high: the xAPIC ICR high register, or bits 63:32 of the
 * x2APIC ICR) sends, read as the APIC's current mode says. */
struct apic_irq vlapic_icr_message(const struct vlapic *a, u32 low, u32 high);

/* Registers as a mask for republishing a copy of them (hv/vmx/rules/apicv_page.c): bit offset/16 for the 64
 * slots 000H-3F0H. VLAPIC_REGS_NONE: only the interrupt state (IRR, ISR, TMR, TPR, PPR) changed. */
#define VLAPIC_REG_BIT(offset) (1ull << ((offset) / 0x10u))
#define VLAPIC_REGS_NONE 0ull
#define VLAPIC_REGS_ALL (~0ull)
/* Which registers a guest write to register `offset` (MMIO, or its x2APIC MSR) can change, besides the
 * interrupt state: itself and what the write's side effects reach (SVR[8] masks every LVT; an LVT timer
 * mode switch clears TMICT); VLAPIC_REGS_NONE if only the interrupt state; VLAPIC_REGS_ALL for anything
 * else. Not ESR: an error a write causes is latched where only the next ESR write makes it visible
 * (SDM Vol. 3A §11.5.3). */
u64 vlapic_regs_written(u32 offset);

/* WRMSR IA32_APIC_BASE by the guest: 0 or -EINVAL (#GP) for reserved bits (0-7, 9, >= maxphyaddr), EXTD
 * without guest x2APIC, EN = 0 with EXTD = 1, x2APIC -> xAPIC, disabled -> x2APIC (SDM §11.12.5.1). */
int vlapic_set_base(struct vlapic *a, u64 value, u8 maxphyaddr, bool guest_has_x2apic,
		    struct vlapic_effects *fx);

/* IA32_TSC_DEADLINE (MSR 0x6E0, SDM §11.5.4.1): writes are ignored unless the LVT timer is in TSC-deadline
 * mode; 0 disarms; a deadline <= now is due at once (vlapic_timer_next() <= now). Reads 0 outside
 * TSC-deadline mode and after the deadline fired. */
void vlapic_set_tsc_deadline(struct vlapic *a, u64 now, u64 value, struct vlapic_effects *fx);
u64 vlapic_get_tsc_deadline(const struct vlapic *a);
/* The vCPU's TSC changed by `delta` (WRMSR IA32_TSC or IA32_TSC_ADJUST): a one-shot or periodic count
 * keeps its remaining time; a TSC deadline keeps its value. */
void vlapic_timer_tsc_changed(struct vlapic *a, u64 delta);

/* MOV to/from CR8 in 64-bit mode: CR8[3:0] = TPR[7:4] (SDM §11.8.6). */
void vlapic_set_cr8(struct vlapic *a, u64 cr8, struct vlapic_effects *fx);
u64 vlapic_get_cr8(const struct vlapic *a);

/* ---- Interrupts ---- */

/* A message routed to this APIC (KVM __apic_accept_irq()). Returns whether it was accepted.
 *  FIXED/LOWEST: dropped unless EN and SVR[8]; a level-triggered de-assert is dropped; else IRR is set and
 *    TMR set (level) or cleared (edge).
 *  NMI -> nmi_pending; SMI -> smi_pending; INIT -> init_pending (and any pending SIPI is discarded), except
 *    a level-triggered de-assert; STARTUP -> sipi_vector, sipi_pending. ExtINT and reserved modes: dropped.
 *  Nothing is accepted with EN = 0. */
/* Records an APIC error (VLAPIC_ESR_*) and raises the LVT error interrupt unless it is masked. */
void vlapic_error(struct vlapic *a, u32 esr_bit);
bool vlapic_accept(struct vlapic *a, u8 vector, u8 delivery_mode, bool level, bool trigger_level);

/* PPR (SDM §11.8.3.1): TPR if TPR[7:4] >= ISRV[7:4], else ISRV[7:4] << 4; ISRV = highest ISR vector. */
u32 vlapic_ppr(const struct vlapic *a);

/* The highest IRR vector whose class (bits 7:4) is above PPR[7:4], or -1 (also with EN = 0). */
int vlapic_highest_deliverable(const struct vlapic *a);

/* The CPU took `vector` (normally vlapic_highest_deliverable()): IRR bit -> ISR bit; PPR follows. */
void vlapic_ack(struct vlapic *a, u8 vector);

/* ---- Timer ---- */

/* Virtual TSC at which vlapic_timer_fire() must next be called, or 0 when nothing is armed. */
u64 vlapic_timer_next(const struct vlapic *a);

/* Call when now >= vlapic_timer_next(). Sets the LVT timer vector in IRR unless the LVT is masked (the
 * count runs anyway). One-shot: disarms (current count 0). TSC-deadline: disarms, IA32_TSC_DEADLINE reads 0.
 * Periodic: re-arms at expiry + period; if the caller is a whole period or more late, it fires once and
 * re-arms at now + period (missed periods are dropped, not queued). Returns whether it expired (false if
 * not armed or now < expiry). */
bool vlapic_timer_fire(struct vlapic *a, u64 now);

/* ---- Views for routing ---- */

static inline bool vlapic_hw_enabled(const struct vlapic *a) { return (a->apic_base & VLAPIC_BASE_EN) != 0; }
static inline bool vlapic_sw_enabled(const struct vlapic *a) { return (a->svr & VLAPIC_SVR_ENABLE) != 0; }
static inline bool vlapic_x2apic_mode(const struct vlapic *a) { return (a->apic_base & VLAPIC_BASE_EXTD) != 0; }
static inline u64 vlapic_base_address(const struct vlapic *a) { return a->apic_base & VLAPIC_BASE_ADDR_MASK; }

/* Fill the routing view of this APIC (delivery.h) from its current state. */
void vlapic_to_target(const struct vlapic *a, struct apic_target *t);

/* ---- Internal to hv/apic/vlapic*.c ---- */

void vlapic_fx_clear(struct vlapic_effects *fx);
void vlapic_reg_reset(struct vlapic *a);
void vlapic_eoi(struct vlapic *a, struct vlapic_effects *fx);
/* vlapic_eoi(), if its whole effect stays in this vlapic: the vector it retires (if any) is
 * edge-triggered, so no I/O APIC hears of it, and no request waits in IRR that the lower PPR could make
 * deliverable. Such an EOI needs no decision of the core (the fast path completes it: hv/fast_path.h).
 * false: nothing was done. */
bool vlapic_eoi_if_local(struct vlapic *a);

/* An xAPIC ICR-low write of `low` that sends only a plain interrupt: fixed, edge-triggered, a legal
 * vector, busy bit clear, to an APIC that is enabled and takes it without a TMR change. If so, *irq is
 * the message (vlapic_icr_message()) and the fast path may deliver it when the sender is its only
 * receiver (hv/fast_path.h); anything else (errors, level, NMI/INIT/SIPI, TMR set) takes the full path. */
bool vlapic_icr_plain_fixed(const struct vlapic *a, u32 low, struct apic_irq *irq);
void vlapic_timer_stop(struct vlapic *a);
void vlapic_timer_write_lvt(struct vlapic *a, u32 old_lvt, struct vlapic_effects *fx);
void vlapic_timer_write_initial(struct vlapic *a, u64 now, u32 value, struct vlapic_effects *fx);
void vlapic_timer_write_divide(struct vlapic *a, u64 now, u32 value, struct vlapic_effects *fx);
u32 vlapic_timer_current(const struct vlapic *a, u64 now);

/* After irr[] was written whole (APICv pulls it from the virtual-APIC page): irr_words again. */
static inline void vlapic_irr_summarize(struct vlapic *a)
{
	a->irr_words = 0;
	for (u32 w = 0; w < 8; w++)
		a->irr_words |= (a->irr[w] != 0) << w;
}

#endif
