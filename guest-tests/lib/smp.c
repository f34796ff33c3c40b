/* The CPU table, the APs' side (C entry, idle loop, death) and commands (see smp.h). Start-up by
 * INIT-SIPI-SIPI is in smp_boot.c, the trampoline in ap_boot.asm. */
#include "hv/lib/fmt.h"
#include "smp.h"
#include "lapic.h"
#include "ram.h"
#include "runtime.h"
#include "tap.h"
#include "tsc.h"
#include "x86.h"

/* ap_boot.asm reads these fields before any C runs: keep its CPU_LOCAL_* constants in sync. */
_Static_assert(offsetof(struct cpu_local, self) == 0, "CPU_LOCAL_SELF");
_Static_assert(offsetof(struct cpu_local, stack_top) == 8, "CPU_LOCAL_STACK_TOP");
_Static_assert(offsetof(struct cpu_local, apic_id) == 16, "CPU_LOCAL_APIC_ID");
_Static_assert(offsetof(struct cpu_local, entry_cr0) == 24, "CPU_LOCAL_ENTRY_CR0");
_Static_assert(offsetof(struct cpu_local, entry_cs) == 32, "CPU_LOCAL_ENTRY_CS");
_Static_assert(offsetof(struct cpu_local, gdtr) == 40, "CPU_LOCAL_GDTR");
_Static_assert(offsetof(struct cpu_local, gdt) == 64, "CPU_LOCAL_GDT");
_Static_assert(sizeof(struct tss64) == TSS64_SIZE, "64-bit TSS");

#define TSS_DESC_TYPE 0x89ull /* P = 1, DPL 0, type 9: available 64-bit TSS */
#define GDT_COPIED_ENTRIES 4  /* null, code64, data, code32: the same selectors on every CPU */
#define AREA_LOCAL_BYTES ALIGN_UP(sizeof(struct cpu_local), PAGE_SIZE)
#define SMP_AP_AREA_BYTES (AREA_LOCAL_BYTES + SMP_AP_IST_BYTES + SMP_AP_STACK_BYTES)

/* Read by ap_boot.asm to find an AP's struct by its APIC ID. */
struct cpu_local *smp_cpu_table[SMP_MAX_CPUS];
volatile u32 smp_cpu_table_len;

/* Written by ap_boot.asm for APs it cannot find in the table. */
volatile u32 smp_stray_count;
volatile u32 smp_stray_ids[SMP_STRAY_MAX];

void smp_boot_init(void); /* smp_boot.c: trampoline and kick handler, once */

static inline void barrier(void)
{
	asm volatile("" ::: "memory");
}

u32 smp_cpu_count(void)
{
	return smp_cpu_table_len ? smp_cpu_table_len : 1;
}

struct cpu_local *smp_cpu(u32 index)
{
	if (index == 0)
		return &percpu_bsp;
	return index < smp_cpu_table_len ? smp_cpu_table[index] : NULL;
}

/* The AP's own GDT: the BSP's code and data descriptors (same selectors everywhere) and a TSS
 * descriptor for its own TSS, whose IST1 is the AP's #DF stack. */
static void build_descriptor_tables(struct cpu_local *c, u64 ist_top)
{
	struct desc_ptr bsp_gdt;
	u64 tss = (u64)&c->tss;

	asm volatile("sgdt %0" : "=m"(bsp_gdt));
	memcpy(c->gdt, (const void *)bsp_gdt.base, GDT_COPIED_ENTRIES * sizeof(u64));
	c->gdt[SEL_TSS / 8] = (TSS64_SIZE - 1) | ((tss & 0xFFFFFFull) << 16) | (TSS_DESC_TYPE << 40) |
			      (((tss >> 24) & 0xFF) << 56);
	c->gdt[SEL_TSS / 8 + 1] = tss >> 32;
	c->tss.ist[0] = ist_top;
	c->tss.iopb_offset = TSS64_SIZE; /* beyond the limit: no I/O bitmap */
	c->gdtr = (struct desc_ptr){ .limit = sizeof(c->gdt) - 1, .base = (u64)c->gdt };
}

/* The initial APIC ID as the trampoline computes it (ap_boot.asm, ap_entry64). */
static u32 initial_apic_id(void)
{
	if (cpuid(0, 0).eax >= 0xB) {
		struct cpuid_regs r = cpuid(0xB, 0);
		if (r.ebx)
			return r.edx;
	}
	return cpuid(1, 0).ebx >> 24;
}

static void table_init(void)
{
	if (smp_cpu_table_len)
		return;
	percpu_bsp.apic_id = initial_apic_id();
	percpu_bsp.state = CPU_ONLINE;
	smp_cpu_table[0] = &percpu_bsp;
	smp_cpu_table_len = 1;
	smp_boot_init();
}

int smp_add_cpu(u32 apic_id)
{
	table_init();
	for (u32 i = 0; i < smp_cpu_table_len; i++)
		if (smp_cpu_table[i]->apic_id == apic_id)
			return -EINVAL;
	u8 *area = smp_cpu_table_len < SMP_MAX_CPUS ? ram_alloc(SMP_AP_AREA_BYTES, PAGE_SIZE) : NULL;
	if (!area)
		return -ENOMEM;

	struct cpu_local *c = (struct cpu_local *)area;
	u64 ist_top = (u64)area + AREA_LOCAL_BYTES + SMP_AP_IST_BYTES;
	memset(c, 0, sizeof(*c));
	c->self = c;
	c->apic_id = apic_id;
	c->index = smp_cpu_table_len;
	c->stack_top = (u64)area + SMP_AP_AREA_BYTES; /* the stack sits above the IST: it overflows into it first */
	c->irq.last_vector = -1;
	build_descriptor_tables(c, ist_top);
	smp_cpu_table[c->index] = c;
	barrier();
	smp_cpu_table_len = c->index + 1; /* published last: an AP scanning the table sees a whole entry */
	return (int)c->index;
}

u32 smp_add_dense(u32 n)
{
	table_init();
	for (u32 id = 1; id < n; id++)
		smp_add_cpu(id);
	return smp_cpu_count();
}

u32 smp_strays(void)
{
	return smp_stray_count;
}

u32 smp_stray_id(u32 i)
{
	return i < SMP_STRAY_MAX ? smp_stray_ids[i] : 0;
}

/* ---- The AP side ---- */

static void run_command(struct cpu_local *c)
{
	u32 seq = c->cmd.seq;

	barrier(); /* fn and arg were written before seq */
	c->cmd.result = c->cmd.fn(c->cmd.arg);
	barrier();
	c->cmd.done = seq;
}

static __attribute__((noreturn)) void idle_loop(struct cpu_local *c)
{
	for (;;) {
		if (c->cmd.seq != c->cmd.done) {
			run_command(c);
		} else if (c->idle == CPU_IDLE_HALT) {
			cli(); /* STI; HLT below is atomic: a kick after this check still wakes the HLT */
			if (c->cmd.seq == c->cmd.done)
				asm volatile("sti; hlt" ::: "memory");
			sti();
		} else {
			cpu_relax();
		}
	}
}

void smp_ap_main(struct cpu_local *c)
{
	idt_load();
	c->exc.depth = 0;        /* an INIT may have hit a handler */
	c->cmd.done = c->cmd.seq; /* and a command: it is not resumed */
	if (c->starts == 0) {
		c->first_cr0 = c->entry_cr0;
		c->first_cs = c->entry_cs;
		c->first_apic_base = apic_base_get();
	}
	lapic_setup(SMP_SPURIOUS_VECTOR);
	c->state = CPU_ONLINE;
	barrier();
	c->starts++;
	sti();
	idle_loop(c);
}

static __attribute__((noreturn)) void halt_forever(void)
{
	for (;;) {
		cli();
		hlt();
	}
}

void smp_ap_die(const struct exc_record *r)
{
	struct cpu_local *c = this_cpu();

	c->death = *r;
	barrier();
	c->state = CPU_DEAD;
	halt_forever();
}

static u64 park_self(u64 arg)
{
	this_cpu()->state = CPU_PARKED;
	halt_forever();
}

/* ---- Commands, from the BSP ---- */

static bool online_ap(u32 index)
{
	struct cpu_local *c = smp_cpu(index);
	return index != 0 && c && c->state == CPU_ONLINE;
}

bool smp_call_async(u32 index, smp_fn_t fn, u64 arg)
{
	struct cpu_local *c = smp_cpu(index);

	if (!online_ap(index) || c->cmd.seq != c->cmd.done)
		return false;
	c->cmd.fn = fn;
	c->cmd.arg = arg;
	barrier();
	c->cmd.seq = c->cmd.seq + 1;
	if (c->idle == CPU_IDLE_HALT)
		smp_kick(index);
	return true;
}

bool smp_call_wait(u32 index, u64 *result)
{
	struct cpu_local *c = smp_cpu(index);
	struct spin_budget b = spin_budget_us(SMP_CALL_TIMEOUT_US);

	if (!c || index == 0)
		return false;
	while (c->cmd.done != c->cmd.seq) {
		if (c->state != CPU_ONLINE || spin_budget_spent(&b))
			return false;
		cpu_relax();
	}
	barrier();
	if (result)
		*result = c->cmd.result;
	return true;
}

static void report_call_failure(u32 index, smp_fn_t fn)
{
	struct cpu_local *c = smp_cpu(index);
	char name[32];

	snprintf(name, sizeof(name), "cpu%u_call", index);
	tap_result(false, name);
	if (!c)
		tap_diag("no CPU %u (%u in the table)", index, smp_cpu_count());
	else
		tap_diag("CPU %u (APIC ID %u), state %u, running %p: did not complete", index, c->apic_id, c->state,
			 (void *)fn);
	if (c && c->state == CPU_DEAD)
		exc_print_record(&c->death);
}

u64 smp_call(u32 index, smp_fn_t fn, u64 arg)
{
	u64 result;

	if (index == 0)
		return fn(arg);
	if (!smp_call_async(index, fn, arg) || !smp_call_wait(index, &result)) {
		report_call_failure(index, fn);
		return SMP_CALL_FAILED;
	}
	return result;
}

void smp_set_idle(u32 index, enum cpu_idle idle)
{
	struct cpu_local *c = smp_cpu(index);
	if (!c || index == 0)
		return;
	c->idle = idle;
	if (idle == CPU_IDLE_SPIN && c->state == CPU_ONLINE)
		smp_kick(index); /* it may be in HLT right now */
}

void smp_kick(u32 index)
{
	struct cpu_local *c = smp_cpu(index);
	if (c)
		lapic_send_ipi(c->apic_id, APIC_ICR_DM_FIXED | APIC_ICR_LEVEL_ASSERT | SMP_KICK_VECTOR);
}

void smp_park(u32 index)
{
	if (smp_call_async(index, park_self, 0)) {
		struct spin_budget b = spin_budget_us(SMP_CALL_TIMEOUT_US);
		while (smp_cpu(index)->state != CPU_PARKED && !spin_budget_spent(&b))
			cpu_relax();
	}
}

u64 smp_irq_count(u32 index, u8 vector)
{
	struct cpu_local *c = smp_cpu(index);
	return c ? c->irq.counts[vector] : 0;
}

u64 smp_exc_count(u32 index, u8 vector)
{
	struct cpu_local *c = smp_cpu(index);
	return c ? c->exc.counts[vector] : 0;
}

void smp_report(void)
{
	char name[40];

	for (u32 i = 0; i < smp_cpu_count(); i++) {
		struct cpu_local *c = smp_cpu(i);
		if (c->state == CPU_DEAD) {
			snprintf(name, sizeof(name), "cpu%u_unexpected_exception", i);
			tap_result(false, name);
			exc_print_record(&c->death);
		}
		if (c->tap_misuse) {
			snprintf(name, sizeof(name), "cpu%u_printed", i);
			tap_result(false, name);
			tap_diag("CPU %u tried %u times to print TAP: only the BSP may", i, c->tap_misuse);
		}
	}
}
