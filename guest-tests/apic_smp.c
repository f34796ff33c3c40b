/* IPIs between two vCPUs, counted on both sides: none lost, none twice. vCPU 1 (the AP) is started with
 * INIT-SIPI into a small trampoline of its own (this file: 16-bit start, 32-bit flat protected mode, no
 * paging), which enables its xAPIC, says hello to the BSP with an IPI, and then halts with IF = 1: each
 * IPI from the BSP must wake it, and its handler answers with an IPI back. Under VMX with APIC
 * virtualization this exercises interrupts posted to a vCPU that is not running (halted, or just
 * descheduled) and delivered by the hardware at its next entry; the BSP runs the second half in x2APIC
 * mode while the AP stays in xAPIC mode. */
#include "guest.h"
#include "tsc.h"
#include "hv/lib/fmt.h"

#define SPURIOUS 0xFF
#define BSP_VEC 0x51          /* the AP's hello and answers */
#define AP_VEC 0x62           /* the BSP's pings */
#define AP_ID 1u
#define PINGS 24u             /* per BSP mode */
#define TRAMPOLINE 0x8000u    /* the STARTUP vector's page (vector = address >> 12) */
#define AP_IDT 0x7000u        /* the AP's IDT (32-bit gates up to AP_VEC); its stack grows down below it */
#define AP_SHARED 0x5000u     /* counters the AP writes: hello, pings taken */
#define GATE_INTR32 0x8E00u   /* present, DPL 0, 32-bit interrupt gate */
#define CODE32_SEL 0x08
#define ICR_DM_INIT (5u << 8)
#define ICR_DM_STARTUP (6u << 8)
#define PAGE_SHIFT 12
#define WAIT_TSC IRQ_WAIT_TSC
#define SETTLE_TSC (1ull << 22)

struct ap_shared {
	volatile u32 hello, pings;
};

/* The AP's code, copied to TRAMPOLINE. Addresses inside it are link-time differences plus TRAMPOLINE. */
extern const u8 ap_start[], ap_isr[], ap_end[];
__asm__(".pushsection .text\n"
	".code16\n"
	"ap_start:\n"
	"	cli\n"
	"	xorw %ax, %ax\n"
	"	movw %ax, %ds\n"
	"	lgdtl ap_gdt_desc - ap_start + 0x8000\n"
	"	movl %cr0, %eax\n"
	"	orl $1, %eax\n"
	"	movl %eax, %cr0\n"
	"	ljmpl $0x08, $(ap_32 - ap_start + 0x8000)\n"
	".code32\n"
	"ap_32:\n"
	"	movw $0x10, %ax\n"
	"	movw %ax, %ds\n"
	"	movw %ax, %es\n"
	"	movw %ax, %ss\n"
	"	movl $0x7000, %esp\n"
	"	lidtl ap_idt_desc - ap_start + 0x8000\n"
	"	movl $0x1FF, 0xFEE000F0\n"        /* SVR: software-enabled, spurious vector 0xFF */
	"	movl $0, 0xFEE00310\n"            /* ICR high: the BSP, xAPIC ID 0 */
	"	movl $0x4051, 0xFEE00300\n"       /* ICR low: fixed, assert, BSP_VEC */
	"	lock incl 0x5000\n"               /* hello */
	"1:	sti\n"
	"	hlt\n"
	"	jmp 1b\n"
	"ap_isr:\n"
	"	lock incl 0x5004\n"               /* pings taken */
	"	movl $0, 0xFEE000B0\n"            /* EOI */
	"	movl $0x4051, 0xFEE00300\n"       /* answer */
	"	iretl\n"
	".balign 8\n"
	"ap_gdt:\n"
	"	.quad 0\n"
	"	.quad 0x00CF9A000000FFFF\n"       /* 0x08: flat 32-bit code */
	"	.quad 0x00CF92000000FFFF\n"       /* 0x10: flat data */
	"ap_gdt_desc:\n"
	"	.word 3 * 8 - 1\n"
	"	.long ap_gdt - ap_start + 0x8000\n"
	"ap_idt_desc:\n"
	"	.word (0x62 + 1) * 8 - 1\n"
	"	.long 0x7000\n"
	"ap_end:\n"
	".code64\n"
	".popsection\n");

static volatile u32 answers; /* the AP's hello and answers taken here */

static void on_answer(const struct exc_record *r)
{
	answers++;
	lapic_eoi();
}

static void send(u32 dest, u32 low)
{
	if (lapic_x2apic_mode()) {
		x2apic_write(APIC_ICR, (u64)dest << APIC_ICR_X2APIC_DEST_SHIFT | low);
	} else {
		xapic_write(APIC_ICR2, dest << APIC_ID_SHIFT);
		xapic_write(APIC_ICR, low);
	}
}

/* Spins (PAUSE: another vCPU gets to run) until *counter reaches target, or a generous timeout. */
static bool wait_for(volatile u32 *counter, u32 target)
{
	for (struct spin_budget b = spin_budget_tsc(WAIT_TSC); *counter < target;) {
		if (spin_budget_spent(&b))
			return false;
		cpu_relax();
	}
	return true;
}

static void start_ap(struct ap_shared *sh)
{
	u64 *idt = (u64 *)(uintptr_t)AP_IDT;
	u32 isr = TRAMPOLINE + (u32)(ap_isr - ap_start);
	idt[AP_VEC] = (isr & 0xFFFFu) | (u64)CODE32_SEL << 16 | (u64)GATE_INTR32 << 32 | (u64)(isr >> 16) << 48;
	memcpy((void *)(uintptr_t)TRAMPOLINE, ap_start, (size_t)(ap_end - ap_start));
	*sh = (struct ap_shared){ 0 };
	send(AP_ID, APIC_ICR_LEVEL_ASSERT | ICR_DM_INIT);
	send(AP_ID, APIC_ICR_LEVEL_ASSERT | ICR_DM_STARTUP | TRAMPOLINE >> PAGE_SHIFT);
}

/* PINGS round trips: each ping wakes the halted AP, each answer comes back once. */
static void ping_pong(struct ap_shared *sh, const char *mode)
{
	char name[48];
	u32 pings0 = sh->pings;
	u32 answers0 = answers;
	bool ok = true;
	for (u32 i = 1; i <= PINGS && ok; i++) {
		send(AP_ID, APIC_ICR_LEVEL_ASSERT | AP_VEC);
		ok = wait_for(&sh->pings, pings0 + i) && wait_for(&answers, answers0 + i);
	}
	irq_spin_until(rdtsc() + SETTLE_TSC);
	snprintf(name, sizeof(name), "%s_pings_each_once", mode);
	if (!CHECK(ok && sh->pings == pings0 + PINGS, name))
		tap_diag("%u pings taken of %u", sh->pings - pings0, PINGS);
	snprintf(name, sizeof(name), "%s_answers_each_once", mode);
	if (!CHECK(answers == answers0 + PINGS, name))
		tap_diag("%u answers for %u pings", answers - answers0, PINGS);
}

void test_main(void)
{
	struct ap_shared *sh = (struct ap_shared *)(uintptr_t)AP_SHARED;
	if (!require_microhv("apic_smp"))
		return;
	exc_set_handler(BSP_VEC, on_answer);
	lapic_setup(SPURIOUS);
	sti();
	start_ap(sh);
	CHECK(wait_for(&sh->hello, 1) && wait_for(&answers, 1), "ap_started_and_said_hello");
	ping_pong(sh, "xapic");
	cli();
	CHECK_EQ(lapic_enable_x2apic(), FAULT_NONE, "bsp_x2apic");
	lapic_setup(SPURIOUS);
	sti();
	ping_pong(sh, "bsp_x2apic");
	cli();
}
