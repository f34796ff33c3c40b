/* The pCPUs' structures, their idle loop and their mailboxes (see pcpu.h). */
#include "pcpu.h"
#include "lib/fmt.h"
#include "guest_xstate.h"
#include "host_apic.h"
#include "log.h"
#include "mm.h"
#include "time.h"
#include "x86.h"

#define PCPU_PAGES (ALIGN_UP(sizeof(struct pcpu), PAGE_SIZE) / PAGE_SIZE)

_Static_assert(BOOT_MAX_FW_CPUS <= MADT_MAX_CPUS, "the firmware's list fits a struct madt_cpus");

static struct pcpu *pcpus[PCPU_MAX];
static u32 npcpus;

static struct pcpu *pcpu_new(u32 apic_id, bool boot_cpu)
{
	struct pcpu *p = mm_alloc_pages(PCPU_PAGES, PAGE_SIZE);
	if (!p)
		return NULL;
	p->self = p;
	p->index = npcpus;
	p->apic_id = apic_id;
	if (!boot_cpu) { /* the boot CPU keeps boot/'s stack and cpu.c's IST stack */
		p->stack_top = cpu_alloc_stack(CPU_STACK_BYTES, "AP");
		p->ist_stack_top = cpu_alloc_stack(CPU_IST_STACK_BYTES, "AP IST");
		if (!p->stack_top || !p->ist_stack_top)
			return NULL;
	}
	p->state = boot_cpu ? PCPU_ONLINE : PCPU_OFF;
	pcpus[npcpus++] = p;
	return p;
}

/* The MADT's enabled processors; without a MADT (OVMF under Bochs installs no ACPI tables), those the
 * firmware's MP services counted; else none, and the boot CPU runs alone. */
static void find_cpus(const struct boot_info *bi, struct madt_cpus *cpus)
{
	const u8 *madt = acpi_find_table(bi->acpi_rsdp, "APIC");
	if (madt && madt_enabled_cpus(madt, cpus) == 0) {
		log_debug("%u enabled processors in the ACPI MADT", cpus->n);
	} else if (bi->nfw_cpus) {
		log_info("%s: the %u processors the firmware's MP services found are used", madt ?
			 "the ACPI MADT is malformed" : "no ACPI MADT", bi->nfw_cpus);
		memset(cpus, 0, sizeof(*cpus));
		cpus->n = MIN(bi->nfw_cpus, (u32)BOOT_MAX_FW_CPUS);
		cpus->dropped = bi->nfw_cpus - cpus->n;
		memcpy(cpus->apic_id, bi->fw_apic_ids, cpus->n * sizeof(cpus->apic_id[0]));
	} else {
		log_warn("%s and no MP services list: only the boot CPU is used", madt ?
			 "the ACPI MADT is malformed" : "no ACPI MADT");
		cpus->n = 0;
		return;
	}
	if (cpus->dropped)
		log_warn("%u enabled processors beyond the first %u of the MADT are left out", cpus->dropped,
			 MADT_MAX_CPUS);
}

void pcpu_discover(const struct boot_info *bi, u32 limit)
{
	struct madt_cpus cpus;
	find_cpus(bi, &cpus);
	host_apic_init();
	u32 boot_id = host_apic_id();
	struct pcpu *boot_cpu = pcpu_new(boot_id, true);
	if (!boot_cpu)
		panic("no memory for the boot CPU's pCPU structure");
	u32 left_out = 0;
	for (u32 i = 0; i < cpus.n; i++) {
		if (cpus.apic_id[i] == boot_id)
			continue;
		if (limit && npcpus >= limit) {
			left_out++;
			continue;
		}
		if (!pcpu_new(cpus.apic_id[i], false)) {
			log_error("no memory for pCPU %u (APIC ID %u): left out", npcpus, cpus.apic_id[i]);
			break;
		}
	}
	if (left_out)
		log_info("pcpus=%u: %u of the MADT's processors not started", limit, left_out);
}

void pcpu_make_current(struct pcpu *p)
{
	wrmsr(MSR_GS_BASE, (u64)p);
}

void pcpu_prepare_for_guests(struct pcpu *self)
{
	if (self->ready_for_guests || !self->index)
		return;
	host_tick_start_ap();
	guest_xstate_cpu_init();
	self->ready_for_guests = true;
}

u32 pcpu_count(void)
{
	return npcpus;
}

struct pcpu *pcpu_get(u32 index)
{
	return index < npcpus ? pcpus[index] : NULL;
}

u32 pcpu_online_count(void)
{
	u32 n = 0;
	for (u32 i = 0; i < npcpus; i++)
		n += __atomic_load_n(&pcpus[i]->state, __ATOMIC_ACQUIRE) == PCPU_ONLINE;
	return n;
}

void pcpu_idle(struct pcpu *self)
{
	for (;;) {
		irq_disable();
		pcpu_work_fn fn = __atomic_load_n(&self->mailbox.fn, __ATOMIC_ACQUIRE);
		if (fn) {
			fn(self, self->mailbox.arg);
			self->mailbox.done++;
			__atomic_store_n(&self->mailbox.fn, NULL, __ATOMIC_RELEASE);
			continue;
		}
		/* STI's shadow covers HLT: a wake-up IPI that arrives after the check still ends the HLT. */
		__asm__ volatile("sti; hlt" ::: "memory");
	}
}

void pcpu_post(struct pcpu *p, pcpu_work_fn fn, void *arg)
{
	p->mailbox.arg = arg;
	__atomic_store_n(&p->mailbox.fn, fn, __ATOMIC_RELEASE);
	host_apic_send_ipi(p->apic_id, APIC_ICR_FIXED | HOST_WAKE_VECTOR);
}

bool pcpu_wait_idle(struct pcpu *p, u64 ms)
{
	u64 deadline = rdtsc() + ms_to_tsc(ms);
	while (__atomic_load_n(&p->mailbox.fn, __ATOMIC_ACQUIRE))
		if (rdtsc() > deadline)
			return false;
		else
			cpu_relax();
	return true;
}
