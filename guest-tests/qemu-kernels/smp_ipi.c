/* SMP start and IPIs: the BSP wakes every AP with INIT-SIPI-SIPI (SDM Vol. 3A 9.4.4.1) into the real-mode
 * trampoline at 0x8000; the APs count in (in real mode and again in 64-bit mode) and the count matches
 * fw_cfg's CPU count and the MADT. Then fixed IPIs to each AP by physical APIC ID, answered by an IPI
 * back from the AP's interrupt handler, a broadcast to all but self, and a logical (flat) multicast. */
#include "kl.h"

#define REG(off) (*(volatile u32 *)(LAPIC_BASE + (off)))
#define APIC_ID 0x20
#define APIC_EOI 0xB0
#define APIC_LDR 0xD0
#define APIC_DFR 0xE0
#define APIC_SVR 0xF0
#define APIC_ICR_LO 0x300
#define APIC_ICR_HI 0x310
#define ICR_PENDING (1u << 12)
#define ICR_INIT_ASSERT_ALL_BUT_SELF 0x000C4500
#define ICR_SIPI_ALL_BUT_SELF(vec) (0x000C4600 | (vec))
#define ICR_ALL_BUT_SELF (3u << 18)
#define ICR_LOGICAL (1u << 11)
#define V_PING 0x70
#define V_PONG(id) (0x80 + (id)) /* one vector per AP: IPIs of one vector arriving together coalesce */
#define V_BCAST 0x72
#define V_LOGICAL 0x73
#define FW_CFG_SEL 0x510
#define FW_CFG_DATA 0x511
#define FW_CFG_NB_CPUS 0x05

static volatile u32 ap_ids[KL_MAX_CPUS];
static volatile u32 pings[256], bcasts[256], logicals[256], pongs, pong_from[KL_MAX_CPUS];
static volatile u32 ap_ready;

static void icr_send(u32 hi, u32 lo)
{
	for (unsigned long i = 0; i < KL_SPIN_MAX && (REG(APIC_ICR_LO) & ICR_PENDING); i++)
		pause();
	REG(APIC_ICR_HI) = hi;
	REG(APIC_ICR_LO) = lo;
}

static void on_ping(struct kl_frame *f)
{
	pings[REG(APIC_ID) >> 24]++;
	REG(APIC_EOI) = 0;
	icr_send(0, V_PONG(REG(APIC_ID) >> 24)); /* to the BSP, APIC ID 0 */
}
static void on_pong(struct kl_frame *f)
{
	pong_from[(f->vector - V_PONG(0)) % KL_MAX_CPUS]++;
	__atomic_fetch_add(&pongs, 1, __ATOMIC_SEQ_CST);
	REG(APIC_EOI) = 0;
}
static void on_bcast(struct kl_frame *f) { bcasts[REG(APIC_ID) >> 24]++; REG(APIC_EOI) = 0; }
static void on_logical(struct kl_frame *f) { logicals[REG(APIC_ID) >> 24]++; REG(APIC_EOI) = 0; }

static void ap_main(u32 index)
{
	u32 id = REG(APIC_ID) >> 24;
	REG(APIC_SVR) = 0x1FF;
	REG(APIC_DFR) = 0xFFFFFFFF;
	REG(APIC_LDR) = (1u << (24 + (id & 7))); /* flat: one bit per CPU */
	if (index < KL_MAX_CPUS)
		ap_ids[index] = id;
	__atomic_fetch_add(&ap_ready, 1, __ATOMIC_SEQ_CST);
	sti();
	for (;;)
		__asm__ volatile("hlt");
}

static void spin(unsigned long n) { for (volatile unsigned long i = 0; i < n; i++) ; }

static u32 fw_cfg_cpus(void)
{
	outw(FW_CFG_SEL, FW_CFG_NB_CPUS);
	return inb(FW_CFG_DATA) | (u32)inb(FW_CFG_DATA) << 8;
}

static int wait_eq(volatile u32 *p, u32 want)
{
	for (unsigned long i = 0; i < KL_SPIN_MAX && *p != want; i++)
		pause();
	return *p == want;
}

void kmain(void);
void kmain(void)
{
	kl_idt_init();
	kl_set_handler(V_PING, on_ping);
	for (u32 i = 0; i < KL_MAX_CPUS; i++)
		kl_set_handler(V_PONG(i), on_pong);
	kl_set_handler(V_BCAST, on_bcast);
	kl_set_handler(V_LOGICAL, on_logical);
	u32 ncpus = fw_cfg_cpus();
	if (ncpus < 2 || ncpus > KL_MAX_CPUS) {
		kl_fail("cpu_count", "fw_cfg says %u CPUs: run with -smp 2 to %u", ncpus, KL_MAX_CPUS);
		kl_finish();
	}
	REG(APIC_SVR) = 0x1FF;
	kl_smp_prepare(ap_main);
	icr_send(0, ICR_INIT_ASSERT_ALL_BUT_SELF);
	spin(1000000);
	icr_send(0, ICR_SIPI_ALL_BUT_SELF(KL_TRAMP_BASE >> 12));
	spin(100000);
	if (kl_tramp_realmode_count != ncpus - 1) /* the second SIPI only for the APs that missed the first */
		icr_send(0, ICR_SIPI_ALL_BUT_SELF(KL_TRAMP_BASE >> 12));
	int all = wait_eq(&ap_ready, ncpus - 1);
	kl_check("aps_reached_64bit", all, "%u of %u APs", ap_ready, ncpus - 1);
	kl_check_eq("aps_counted_in_real_mode", kl_tramp_realmode_count, ncpus - 1);
	kl_check_eq("aps_took_distinct_indexes", kl_tramp_ap_count, ncpus - 1);
	int distinct = 1;
	for (u32 i = 1; i < ncpus; i++)
		for (u32 j = 0; j < i; j++)
			if (ap_ids[i] == (j ? ap_ids[j] : 0))
				distinct = 0;
	kl_check("ap_apic_ids_distinct_nonzero", distinct, "APIC IDs not distinct");
	if (!all)
		kl_finish();

	sti();
	for (u32 i = 1; i < ncpus; i++)
		icr_send(ap_ids[i] << 24, V_PING);
	int ok = wait_eq(&pongs, ncpus - 1);
	u32 bad = 0;
	for (u32 i = 1; i < ncpus; i++)
		bad += pings[ap_ids[i]] != 1;
	kl_check("fixed_ipi_each_ap_once", ok && !bad && pings[0] == 0, "%u pongs, %u APs wrong", pongs, bad);

	icr_send(0, ICR_ALL_BUT_SELF | V_BCAST);
	for (unsigned long n = 0; n < KL_SPIN_MAX; n++) {
		u32 got = 0;
		for (u32 i = 1; i < ncpus; i++)
			got += bcasts[ap_ids[i]];
		if (got >= ncpus - 1)
			break;
		pause();
	}
	bad = 0;
	for (u32 i = 1; i < ncpus; i++)
		bad += bcasts[ap_ids[i]] != 1;
	kl_check("broadcast_all_but_self", !bad && bcasts[0] == 0, "%u APs wrong, BSP %u", bad, bcasts[0]);

	/* Logical flat: the APs with bits 1 and 2 (APIC IDs 1 and 2), not 3. */
	REG(APIC_DFR) = 0xFFFFFFFF;
	REG(APIC_LDR) = 1u << 24;
	icr_send(0x06u << 24, ICR_LOGICAL | V_LOGICAL);
	u32 want = ncpus > 2 ? 2 : 1;
	for (unsigned long n = 0; n < KL_SPIN_MAX && logicals[1] + logicals[2] < want; n++)
		pause();
	spin(200000);
	kl_check("logical_multicast", logicals[1] == 1 && logicals[2] == (ncpus > 2) && logicals[0] == 0 &&
		 logicals[3] == 0, "counts %u %u %u %u", logicals[0], logicals[1], logicals[2], logicals[3]);
	cli();
	kl_finish();
}
