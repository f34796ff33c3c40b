/* Taking over the APs (see ap_start.h): INIT, then up to two STARTUP IPIs naming boot/'s trampoline page
 * (SDM Vol. 3A §9.4.4.1, the MP initialization protocol), one AP at a time. While an AP sets itself up
 * the boot CPU only waits, so the page allocator and the console (which have no locks) have one user at
 * a time. An AP that fails is sent INIT again: it waits for a STARTUP IPI, harmless, until the end. */
#include "ap_start.h"
#include "../boot/boot_info.h"
#include "cpu.h"
#include "rules/guest_abi.h"
#include "host_apic.h"
#include "log.h"
#include "pcpu.h"
#include "time.h"
#include "x86.h"

#define INIT_SETTLE_US 10000 /* INIT, then 10 ms before the first STARTUP IPI (SDM Vol. 3A §9.4.4.1) */
#define SIPI_SETTLE_US 200   /* between the two STARTUP IPIs */
#define AP_ANSWER_MS 500     /* the AP reaches its C entry: a few thousand instructions, emulated too */
#define AP_SETUP_MS 2000     /* its descriptor tables, its APIC, VMXON or EFER.SVME */
#define AP_PING_MS 1000      /* a work item through its mailbox, from its idle loop */
#define CR4_AP_MASK (CR4_PAE | CR4_PGE | CR4_OSFXSR | CR4_OSXMMEXCPT) /* what the host itself relies on */
#define MSR_VM_CR 0xC0010114
#define VM_CR_SVMDIS BIT(4)
#define FEATURE_CONTROL_LOCKED BIT(0)

static const struct backend *ap_backend;
static enum ap_fault ap_fault;

static void wait_us(u64 us)
{
	u64 end = rdtsc() + tsc_hz() / 1000000 * us;
	while (rdtsc() < end)
		cpu_relax();
}

/* Waits up to `ms` for p to leave `state`; returns the state it is in then. */
static u32 wait_state_change(struct pcpu *p, u32 state, u64 ms)
{
	u64 deadline = rdtsc() + ms_to_tsc(ms);
	u32 now;
	while ((now = __atomic_load_n(&p->state, __ATOMIC_ACQUIRE)) == state && rdtsc() < deadline)
		cpu_relax();
	return now;
}

static void wake_ipi(struct trap_frame *f)
{
	host_apic_eoi();
}

/* ap-fault=locked: what a firmware that turned virtualization off leaves in this pCPU's MSRs. */
static void lock_virtualization_off(void)
{
	if (ap_backend->kind == MICROHV_BACKEND_VMX) {
		if (!(rdmsr(MSR_IA32_FEATURE_CONTROL) & FEATURE_CONTROL_LOCKED))
			wrmsr(MSR_IA32_FEATURE_CONTROL, FEATURE_CONTROL_LOCKED);
	} else {
		wrmsr(MSR_VM_CR, rdmsr(MSR_VM_CR) | VM_CR_SVMDIS);
	}
	if (ap_backend->kind != MICROHV_BACKEND_VMX && !(rdmsr(MSR_VM_CR) & VM_CR_SVMDIS)) /* QEMU TCG: no VM_CR */
		log_warn("ap-fault=locked: this CPU ignores VM_CR.SVMDIS writes, so SVM stays usable");
}

/* The AP's first C code, on its own stack and the host's page tables (the trampoline's jump). */
static void __attribute__((noreturn)) ap_entry(u64 arg)
{
	struct pcpu *self = (struct pcpu *)arg;
	__atomic_store_n(&self->state, PCPU_ALIVE, __ATOMIC_RELEASE);
	cpu_setup_ap(&self->tables, self->ist_stack_top);
	pcpu_make_current(self); /* after the GDT: loading GS cleared its base */
	host_apic_enable_ap(SPURIOUS_VECTOR);
	if (ap_fault == AP_FAULT_LOCKED && self->index == 1)
		lock_virtualization_off();
	self->error = ap_backend->cpu_init(self);
	__atomic_store_n(&self->state, self->error ? PCPU_FAILED : PCPU_ONLINE, __ATOMIC_RELEASE);
	if (self->error)
		for (;;) {
			irq_disable();
			halt();
		}
	pcpu_idle(self);
}

static void fill_params(struct boot_ap_params *ap, const struct pcpu *p)
{
	ap->cr3 = read_cr3();
	ap->cr0 = read_cr0();
	ap->cr4 = read_cr4() & CR4_AP_MASK;
	ap->efer = rdmsr(MSR_EFER) & (EFER_LME | EFER_NXE);
	ap->stack_top = p->stack_top;
	ap->entry = (u64)ap_entry;
	ap->arg = (u64)p;
}

/* INIT-SIPI-SIPI; the second STARTUP IPI only if the first went unanswered. */
static void send_startup(struct pcpu *p, u64 trampoline)
{
	host_apic_send_ipi(p->apic_id, APIC_ICR_INIT | APIC_ICR_LEVEL_ASSERT);
	wait_us(INIT_SETTLE_US);
	if (ap_fault == AP_FAULT_SILENT && p->index == 1)
		return; /* as an AP that never answers */
	u32 sipi = APIC_ICR_STARTUP | (u32)(trampoline >> 12);
	for (int i = 0; i < 2 && __atomic_load_n(&p->state, __ATOMIC_ACQUIRE) == PCPU_STARTING; i++) {
		host_apic_send_ipi(p->apic_id, sipi);
		wait_us(SIPI_SETTLE_US);
	}
}

static void record_apic_id(struct pcpu *self, void *arg)
{
	*(u32 *)arg = host_apic_id();
}

/* Starts p and waits for it; returns NULL when it is online, else what went wrong. */
static const char *start_one(struct pcpu *p, u64 trampoline)
{
	fill_params((struct boot_ap_params *)(trampoline + BOOT_AP_PARAMS_PAGE * PAGE_SIZE), p);
	__atomic_store_n(&p->state, PCPU_STARTING, __ATOMIC_RELEASE);
	send_startup(p, trampoline);
	u32 state = wait_state_change(p, PCPU_STARTING, AP_ANSWER_MS);
	if (state == PCPU_STARTING)
		return "no answer to its STARTUP IPIs within " STRINGIFY(AP_ANSWER_MS) " ms";
	if (state == PCPU_ALIVE)
		state = wait_state_change(p, PCPU_ALIVE, AP_SETUP_MS);
	if (state == PCPU_ALIVE)
		return "started, but its set-up did not end within " STRINGIFY(AP_SETUP_MS) " ms";
	if (state == PCPU_FAILED)
		return p->why ? p->why : "its set-up failed";
	/* Online: prove its idle loop takes work and wakes up for the IPI. */
	u32 seen = ~0u;
	pcpu_post(p, record_apic_id, &seen);
	if (!pcpu_wait_idle(p, AP_PING_MS))
		return "online, but its idle loop did not answer a wake-up IPI within " STRINGIFY(AP_PING_MS) " ms";
	if (seen != p->apic_id)
		return "online, but it reports another APIC ID";
	return NULL;
}

u32 ap_start_all(const struct backend *be, u64 trampoline, enum ap_fault fault)
{
	ap_backend = be;
	ap_fault = fault;
	cpu_set_irq_handler(HOST_WAKE_VECTOR, wake_ipi);
	if (!trampoline && pcpu_count() > 1)
		log_error("no free memory below 1 MiB for the AP trampoline: %u APs left out", pcpu_count() - 1);
	for (u32 i = 1; trampoline && i < pcpu_count(); i++) {
		struct pcpu *p = pcpu_get(i);
		const char *failure = start_one(p, trampoline);
		if (!failure)
			continue;
		if (__atomic_load_n(&p->state, __ATOMIC_ACQUIRE) != PCPU_ONLINE) /* INIT is blocked in VMX root */
			host_apic_send_ipi(p->apic_id, APIC_ICR_INIT | APIC_ICR_LEVEL_ASSERT);
		__atomic_store_n(&p->state, PCPU_FAILED, __ATOMIC_RELEASE);
		log_error("pCPU %u (APIC ID %u): %s: left out", p->index, p->apic_id, failure);
	}
	return pcpu_online_count();
}
