/* A virtual machine: guest RAM at GPA 0, its vCPUs, its small PC platform, and how its run ended. */
#ifndef HV_VM_H
#define HV_VM_H

#include "backend.h"
#include "rules/cpuid_fast.h"
#include "rules/bench_null.h"
#include "rules/cpuid_policy.h"
#include "outcome.h"
#include "platform/rules/fwcfg.h"
#include "platform/rules/pci.h"
#include "platform/rules/pmtimer.h"
#include "platform/rules/rtc.h"
#include "platform/rules/ioapic.h"
#include "platform/rules/pic.h"
#include "platform/rules/pit.h"
#include "platform/rules/uart.h"
#include "vcpu.h"
#include "apic/rules/delivery.h"

#define VM_DEFAULT_RAM_BYTES (32ull << 20)
#define VM_MAX_VCPUS APIC_MAX_VCPUS /* the x2APIC ID is the vCPU index (R5.1) */


/* Per-VM choices among documented behaviours (spec §4.2 R4.2, §5.4). */
struct vm_config {
	bool cd_nw_passthrough; /* SVM: guest CR0.CD/NW reach the VMCB (KVM with CD_NW_CLEARED disabled) */
	bool apic_32bit_ids;    /* KVM_X2APIC_API_USE_32BIT_IDS: the hotplug hack (spec R5.4) */
	bool no_broadcast_quirk; /* KVM_X2APIC_API_DISABLE_BROADCAST_QUIRK (spec R5.5) */
	u32 vcpus;               /* how many vCPUs the VM will have (PAUSE exits only pay off with several) */
	bool no_apicv;           /* VMX: no hardware APIC virtualization even where the CPU has it (docs/apic.md) */
};

/* The vCPUs that can run, in the order they will (hv/sched.c). The running one is not in it. */
struct run_queue {
	u16 slot[VM_MAX_VCPUS];
	u32 head, len;
};

struct vm {
	const struct backend *be;
	struct vm_config config;
	const char *name;
	u8 *ram; /* host pointer to GPA 0 (2 MiB aligned, physically contiguous) */
	u64 ram_size;
	void *arch; /* back-end private: nested page tables */
	u32 nvcpus;
	struct vcpu vcpus[VM_MAX_VCPUS];
	struct cpuid_policy cpuid;
	struct cpuid_fast cpuid_fast; /* its vCPU-independent leaves, for the fast path */
	struct apic_flags apic_flags;
	struct apic_target apic_targets[VM_MAX_VCPUS]; /* routing's view of each vCPU's APIC */
	struct apic_map apic_map;                       /* rebuilt whenever an APIC ID or mode changes */
	struct run_queue runq;
	struct vcpu *running; /* the vCPU vm_run() is executing (not in the run queue), if any */
	struct vcpu *loaded;  /* the vCPU whose state the back end has loaded */
	u64 switches;         /* vCPU switches, for reports */
	u64 unassigned_seen;  /* data accesses to unassigned guest-physical memory (hv/unassigned_mem.h) */
	u64 timer_next;       /* the earliest armed APIC timer (0: none), valid unless timers_dirty */
	bool timers_dirty;
	/* vCPUs an interrupt, INIT, STARTUP or timer may wake, marked by the APIC model (which does not call
	 * the scheduler) and served by sched_serve_wakes() before the next entry. */
	u64 wake_marks[VM_MAX_VCPUS / 64];
	bool wake_marked;
	struct bench_null bench_null; /* bench/: exits the back end answers alone (HC_BENCH_MODE) */
	struct uart uart;
	struct fwcfg fwcfg; /* QEMU's fw_cfg at 0x510 (platform/platform.c fills it) */
	struct pm pm;       /* ICH9 ACPI PM block at 0x600, APM port 0xB2 */
	struct rtc rtc;     /* RTC/CMOS at 0x70 */
	struct pci pci;     /* PCI config at 0xCF8, RST_CNT 0xCF9, port 0x92 */
	struct ioapic ioapic; /* at 0xFEC00000 (platform/irq_sources.c) */
	struct pit pit;       /* 8254 at 0x40-0x43 and port 0x61; its clock starts at pit_tsc_base */
	u64 pit_tsc_base;
	struct pic pic;       /* 8259 pair at 0x20/0x21, 0xA0/0xA1, ELCR 0x4D0/0x4D1; never interrupts a CPU */
	enum vm_outcome outcome;
	u32 exit_status;
	u64 stop_rip;
	char stop_detail[128];
};

/* Creates a VM with ram_size bytes of zeroed RAM and no vCPUs. NULL (after logging) on failure. */
struct vm *vm_create(const struct backend *be, const char *name, u64 ram_size, const struct vm_config *config);
/* The first vCPU (the BSP) starts in `entry`; later ones (entry = NULL) wait for INIT-SIPI-SIPI. */
int vm_add_vcpu(struct vm *vm, const struct start_state *entry);
/* Puts v into start state s: GPRs (0 but RAX/RBX/RDX), RIP, RFLAGS here, the rest by the back end. */
int vcpu_start(struct vcpu *v, const struct start_state *s);
void vm_destroy(struct vm *vm);

/* Stops the VM with `outcome`; the first stop wins. */
void vm_stop(struct vm *vm, enum vm_outcome outcome, u64 rip, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
const char *vm_outcome_name(enum vm_outcome o);

static inline void vm_mark_wake(struct vm *vm, u32 vcpu_id)
{
	vm->wake_marks[vcpu_id / 64] |= 1ull << (vcpu_id % 64);
	vm->wake_marked = true;
}

/* Exits of all its vCPUs. */
u64 vm_total_exits(const struct vm *vm);

#endif
