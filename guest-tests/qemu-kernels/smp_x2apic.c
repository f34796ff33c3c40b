/* x2APIC on several CPUs (SDM Vol. 3A 11.12): the BSP switches to x2APIC mode and starts the APs with
 * INIT-SIPI-SIPI through the ICR MSR (0x830, destination in bits 63:32); each AP switches too and reports
 * its x2APIC ID and logical ID (cluster 0, bit = ID). Then fixed IPIs by x2APIC ID answered with an IPI
 * per AP vector, a logical cluster multicast, and the x2APIC timer one-shot. SKIP without x2APIC. */
#include "kl.h"

#define MSR_X2_ID 0x802
#define MSR_X2_EOI 0x80B
#define MSR_X2_LDR 0x80D
#define MSR_X2_SVR 0x80F
#define MSR_X2_ICR 0x830
#define MSR_X2_LVT_TIMER 0x832
#define MSR_X2_TMICT 0x838
#define MSR_X2_TDCR 0x83E
#define APIC_BASE_EXTD (1ULL << 10)
#define APIC_BASE_EN (1ULL << 11)
#define ICR_INIT_ALL_BUT_SELF 0x000C4500ULL
#define ICR_SIPI_ALL_BUT_SELF 0x000C4600ULL
#define ICR_LOGICAL (1ULL << 11)
#define V_PING 0x70
#define V_LOGICAL 0x73
#define V_TIMER 0x61
#define V_PONG(id) (0x80 + (id))
#define FW_CFG_SEL 0x510
#define FW_CFG_DATA 0x511

static volatile u32 ap_x2id[KL_MAX_CPUS], ap_ldr[KL_MAX_CPUS], ap_ready;
static volatile u32 pings[KL_MAX_CPUS], logicals[KL_MAX_CPUS], pongs, timer_ticks;

static u32 my_id(void) { return (u32)rdmsr(MSR_X2_ID); }
static void eoi(void) { wrmsr(MSR_X2_EOI, 0); }
static void x2apic_on(void) { wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | APIC_BASE_EN | APIC_BASE_EXTD); }

static void on_ping(struct kl_frame *f)
{
	u32 id = my_id();
	pings[id % KL_MAX_CPUS]++;
	eoi();
	wrmsr(MSR_X2_ICR, V_PONG(id)); /* to x2APIC ID 0, the BSP */
}
static void on_pong(struct kl_frame *f) { __atomic_fetch_add(&pongs, 1, __ATOMIC_SEQ_CST); eoi(); }
static void on_logical(struct kl_frame *f) { logicals[my_id() % KL_MAX_CPUS]++; eoi(); }
static void on_timer(struct kl_frame *f) { timer_ticks++; eoi(); }

static void ap_main(u32 index)
{
	x2apic_on();
	wrmsr(MSR_X2_SVR, 0x1FF);
	if (index < KL_MAX_CPUS) {
		ap_x2id[index] = my_id();
		ap_ldr[index] = (u32)rdmsr(MSR_X2_LDR);
	}
	__atomic_fetch_add(&ap_ready, 1, __ATOMIC_SEQ_CST);
	sti();
	for (;;)
		__asm__ volatile("hlt");
}

static int wait_eq(volatile u32 *p, u32 want)
{
	for (unsigned long i = 0; i < KL_SPIN_MAX && *p < want; i++)
		pause();
	return *p == want;
}

void kmain(void);
void kmain(void)
{
	u32 r[4];
	kl_idt_init();
	cpuid(1, 0, r);
	if (!(r[2] & (1u << 21))) {
		kl_skip("smp_x2apic", "CPUID.1:ECX.x2APIC[21] is 0");
		kl_finish();
	}
	outw(FW_CFG_SEL, 0x05);
	u32 ncpus = inb(FW_CFG_DATA) | (u32)inb(FW_CFG_DATA) << 8;
	if (ncpus < 3 || ncpus > KL_MAX_CPUS) {
		kl_fail("cpu_count", "fw_cfg says %u CPUs: run with -smp 3 to %u", ncpus, KL_MAX_CPUS);
		kl_finish();
	}
	kl_set_handler(V_PING, on_ping);
	kl_set_handler(V_LOGICAL, on_logical);
	kl_set_handler(V_TIMER, on_timer);
	for (u32 i = 0; i < KL_MAX_CPUS; i++)
		kl_set_handler(V_PONG(i), on_pong);
	x2apic_on();
	wrmsr(MSR_X2_SVR, 0x1FF);
	kl_smp_prepare(ap_main);
	wrmsr(MSR_X2_ICR, ICR_INIT_ALL_BUT_SELF);
	for (volatile int d = 0; d < 1000000; d++)
		;
	wrmsr(MSR_X2_ICR, ICR_SIPI_ALL_BUT_SELF | (KL_TRAMP_BASE >> 12));
	for (volatile int d = 0; d < 100000; d++)
		;
	if (kl_tramp_realmode_count != ncpus - 1)
		wrmsr(MSR_X2_ICR, ICR_SIPI_ALL_BUT_SELF | (KL_TRAMP_BASE >> 12));
	int all = wait_eq(&ap_ready, ncpus - 1);
	if (!kl_check("aps_started_by_x2apic_icr", all, "%u of %u APs", ap_ready, ncpus - 1))
		kl_finish();
	u32 bad = 0;
	for (u32 i = 1; i < ncpus; i++)
		bad += ap_ldr[i] != (1u << (ap_x2id[i] & 15)) || ap_x2id[i] == 0 || ap_x2id[i] >= KL_MAX_CPUS;
	kl_check_eq("ap_x2apic_ids_and_ldrs", bad, 0);

	sti();
	for (u32 i = 1; i < ncpus; i++)
		wrmsr(MSR_X2_ICR, (u64)ap_x2id[i] << 32 | V_PING);
	int ok = wait_eq(&pongs, ncpus - 1);
	bad = 0;
	for (u32 i = 1; i < ncpus; i++)
		bad += pings[ap_x2id[i]] != 1;
	kl_check("fixed_ipi_by_x2apic_id", ok && !bad, "%u pongs, %u APs wrong", pongs, bad);

	/* Logical, cluster 0, bits 1 and 2: exactly the CPUs with x2APIC IDs 1 and 2. */
	wrmsr(MSR_X2_ICR, (0x6ULL << 32) | ICR_LOGICAL | V_LOGICAL);
	for (unsigned long n = 0; n < KL_SPIN_MAX && logicals[1] + logicals[2] < 2; n++)
		pause();
	for (volatile int d = 0; d < 200000; d++)
		;
	kl_check("logical_cluster_multicast", logicals[1] == 1 && logicals[2] == 1 && logicals[0] == 0 &&
		 (ncpus < 4 || logicals[3] == 0), "counts %u %u %u %u", logicals[0], logicals[1], logicals[2], logicals[3]);

	wrmsr(MSR_X2_TDCR, 0x3); /* divide by 16 */
	wrmsr(MSR_X2_LVT_TIMER, V_TIMER);
	wrmsr(MSR_X2_TMICT, 5000);
	ok = wait_eq(&timer_ticks, 1);
	for (volatile int d = 0; d < 200000; d++)
		;
	kl_check("x2apic_timer_oneshot", ok && timer_ticks == 1, "%u ticks", timer_ticks);
	cli();
	kl_finish();
}
