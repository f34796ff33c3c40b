/* Exceptions delivered to a vCPU in real mode: spec section 2.6 test 7 and the real-mode half of test 8.
 * A real-mode IVT handler gets IP, CS and FLAGS (6 bytes) and never an error code (SDM Vol. 3A §21.1.4
 * "Interrupt and Exception Handling" in real-address mode): a VMX entry that injects one with
 * "deliver error code" in real mode fails (SDM Vol. 3C §27.2.1.3), so microhv's sanitizer drops it
 * (spec 2.5 step 1).
 *
 * The real-mode vCPU is an AP: the BSP copies a small 16-bit program (below) to RM_PAGE, points IVT
 * entry 13 at its #GP handler and starts vCPU 1 there with INIT-SIPI-SIPI. The program runs, in real
 * mode:
 *   0. HC_INJECT(13, has_ec = 1, 0x10)   an injected #GP that asks for an error code;
 *   1. HC_INJECT(13, has_ec = 0)          one without (after each, HC_STAT: the sanitizer's counts);
 *   2. RDMSR 0x830 (x2APIC ICR, xAPIC mode)  #GP(0) that microhv raises itself;
 *   3. WRMSR 0x12345 (no such MSR)        likewise.
 * The handler records SP at entry and the frame (IP, CS, FLAGS) per delivery and, for the faults, steps
 * IP over the 2-byte instruction. The BSP asserts SP dropped by exactly 6 and the frame's contents.
 * Plain QEMU: the hypercall bytes stay NOPs (cases 0-1 SKIP); the MSR faults are checked on KVM, not on
 * TCG, which raises neither. */
#include "guest.h"

#define RM_PAGE 0x7000u              /* below the SMP trampoline at 0x8000; a SIPI vector names a page */
#define RM_SEGMENT (RM_PAGE >> 4)
#define RM_SIPI (APIC_ICR_DM_STARTUP | APIC_ICR_LEVEL_ASSERT | (RM_PAGE >> 12))
#define RM_INIT (APIC_ICR_DM_INIT | APIC_ICR_LEVEL_ASSERT)
#define RM_SP 0x0F00u                /* SS = CS = RM_SEGMENT: the stack ends at RM_PAGE + 0xF00 */
#define RM_FRAME_BYTES 6             /* IP, CS, FLAGS */
#define RM_HC_EC 0x10
#define RM_CASES 4
#define IVT_GP_ENTRY (X86_VEC_GP * 4) /* offset, then segment */
#define RFLAGS_FIXED_BIT1 BIT(1)
#define RM_WAIT_US 2000000
#define AP_APIC_ID 1

extern const u8 rm_blob[], rm_blob_end[], rm_hc0[], rm_hc1[], rm_hc2[], rm_hc3[], rm_after_hc0[], rm_after_hc1[];
extern const u8 rm_rdmsr[], rm_wrmsr[], rm_gp[], rm_sp_before[], rm_gp_count[], rm_gp_rec[];
extern const u8 rm_hc_result[], rm_done[], rm_start_edx[];

/* The 16-bit program, position-independent within its segment (every address is label - rm_blob). */
asm(".pushsection .rodata.rm_blob, \"a\"\n"
    ".code16\n"
    ".globl rm_blob, rm_blob_end, rm_hc0, rm_hc1, rm_hc2, rm_hc3, rm_after_hc0, rm_after_hc1, rm_rdmsr, rm_wrmsr\n"
    ".globl rm_start_edx, rm_gp, rm_sp_before, rm_gp_count, rm_gp_rec, rm_hc_result, rm_done\n"
    "rm_blob:\n"
    "	cli\n"
    "	mov %cs, %ax\n"
    "	mov %ax, %ds\n"
    "	mov %ax, %ss\n"
    "	movl %edx, (rm_start_edx - rm_blob)\n"    /* EDX at STARTUP: the processor signature */
    "	mov $0x0F00, %sp\n"
    "	mov %sp, (rm_sp_before - rm_blob)\n"
    "	movl $1, %eax\n"                          /* HC_INJECT */
    "	movl $13, %ebx\n"
    "	movl $1, %ecx\n"
    "	movl $0x10, %edx\n"
    "	xorl %esi, %esi\n"
    "rm_hc0: nop; nop; nop\n"                      /* VMCALL / VMMCALL, patched by the BSP */
    "rm_after_hc0:\n"
    "	movl %eax, (rm_hc_result - rm_blob)\n"
    "	movl $2, %eax\n"                          /* HC_STAT(HC_STAT_EC_DROPPED) */
    "	xorl %ebx, %ebx\n"
    "rm_hc2: nop; nop; nop\n"
    "	movl %eax, (rm_hc_result + 8 - rm_blob)\n"
    "	movl $1, %eax\n"
    "	movl $13, %ebx\n"
    "	xorl %ecx, %ecx\n"
    "	movl $0x77, %edx\n"
    "	xorl %esi, %esi\n"
    "rm_hc1: nop; nop; nop\n"
    "rm_after_hc1:\n"
    "	movl %eax, (rm_hc_result + 4 - rm_blob)\n"
    "	movl $2, %eax\n"                          /* HC_STAT(HC_STAT_EC_ADDED) */
    "	movl $1, %ebx\n"
    "rm_hc3: nop; nop; nop\n"
    "	movl %eax, (rm_hc_result + 12 - rm_blob)\n"
    "	movb $2, (rm_skip - rm_blob)\n"
    "	movl $0x830, %ecx\n"
    "rm_rdmsr: rdmsr\n"
    "	movl $0x12345, %ecx\n"
    "	xorl %eax, %eax\n"
    "	xorl %edx, %edx\n"
    "rm_wrmsr: wrmsr\n"
    "	movb $1, (rm_done - rm_blob)\n"
    "1:	hlt\n"
    "	jmp 1b\n"
    "rm_gp:\n"                                     /* IVT vector 13 */
    "	mov %sp, (rm_gp_sp - rm_blob)\n"
    "	push %bp\n"
    "	push %bx\n"
    "	push %ax\n"
    "	mov %sp, %bp\n"
    "	mov (rm_gp_count - rm_blob), %bx\n"
    "	cmp $4, %bx\n"
    "	jae 2f\n"
    "	shl $3, %bx\n"
    "	mov (rm_gp_sp - rm_blob), %ax\n"
    "	mov %ax, (rm_gp_rec - rm_blob)(%bx)\n"
    "	mov 6(%bp), %ax\n"
    "	mov %ax, (rm_gp_rec + 2 - rm_blob)(%bx)\n"
    "	mov 8(%bp), %ax\n"
    "	mov %ax, (rm_gp_rec + 4 - rm_blob)(%bx)\n"
    "	mov 10(%bp), %ax\n"
    "	mov %ax, (rm_gp_rec + 6 - rm_blob)(%bx)\n"
    "2:	movzbw (rm_skip - rm_blob), %ax\n"
    "	add %ax, 6(%bp)\n"
    "	incw (rm_gp_count - rm_blob)\n"
    "	pop %ax\n"
    "	pop %bx\n"
    "	pop %bp\n"
    "	iret\n"
    ".balign 8\n"
    "rm_sp_before: .word 0\n"
    "rm_gp_sp: .word 0\n"
    "rm_gp_count: .word 0\n"
    "rm_skip: .byte 0\n"
    "rm_done: .byte 0\n"
    "rm_hc_result: .long 0, 0, 0, 0\n"
    "rm_start_edx: .long 0\n"
    "rm_gp_rec: .fill 4 * 8, 1, 0\n"             /* per delivery: SP, IP, CS, FLAGS */
    "rm_blob_end:\n"
    ".code64\n"
    ".popsection\n");

struct rm_record {
	u16 sp, ip, cs, flags;
};

static u16 rm_offset(const u8 *label)
{
	return (u16)(label - rm_blob);
}

static volatile void *rm_copy(const u8 *label)
{
	return (volatile void *)(u64)(RM_PAGE + rm_offset(label));
}

static const u8 vmcall[3] = { 0x0F, 0x01, 0xC1 }, vmmcall[3] = { 0x0F, 0x01, 0xD9 };

static void install(bool hypercalls)
{
	memcpy((void *)(u64)RM_PAGE, rm_blob, (size_t)(rm_blob_end - rm_blob));
	if (hypercalls) {
		const u8 *insn = microhv_backend() == MICROHV_BACKEND_SVM ? vmmcall : vmcall;
		const u8 *sites[] = { rm_hc0, rm_hc1, rm_hc2, rm_hc3 };
		for (u32 i = 0; i < ARRAY_SIZE(sites); i++)
			memcpy((void *)rm_copy(sites[i]), insn, sizeof vmcall);
	}
	volatile u16 *ivt_gp = (volatile u16 *)(u64)IVT_GP_ENTRY;
	asm("" : "+r"(ivt_gp)); /* a pointer GCC cannot see as a constant near 0 (its -Warray-bounds) */
	ivt_gp[0] = rm_offset(rm_gp);
	ivt_gp[1] = RM_SEGMENT;
}

static bool run_ap(void)
{
	lapic_setup(SMP_SPURIOUS_VECTOR);
	lapic_send_ipi(AP_APIC_ID, RM_INIT);
	tsc_delay_us(SMP_INIT_DELAY_US);
	lapic_send_ipi(AP_APIC_ID, RM_SIPI);
	u64 deadline = tsc_deadline_us(RM_WAIT_US);
	while (!*(volatile u8 *)rm_copy(rm_done) && !tsc_passed(deadline))
		cpu_relax();
	return *(volatile u8 *)rm_copy(rm_done) != 0;
}

static struct rm_record record(u32 i)
{
	volatile struct rm_record *r = rm_copy(rm_gp_rec);
	return r[i];
}

/* One delivery: 6 bytes pushed (no error code), the return address and the program's CS and FLAGS. */
static void check_delivery(u32 i, const u8 *return_to, const char *name)
{
	u16 sp_before = *(volatile u16 *)rm_copy(rm_sp_before);
	struct rm_record r = record(i);
	char n[80];

	snprintf(n, sizeof n, "%s_frame_is_6_bytes", name);
	CHECK_EQ(r.sp, (u16)(sp_before - RM_FRAME_BYTES), n);
	snprintf(n, sizeof n, "%s_ip", name);
	CHECK_EQ(r.ip, rm_offset(return_to), n);
	snprintf(n, sizeof n, "%s_cs_flags", name);
	CHECK(r.cs == RM_SEGMENT && (r.flags & (RFLAGS_FIXED_BIT1 | RFLAGS_IF)) == RFLAGS_FIXED_BIT1, n);
}

void test_main(void)
{
	bool hc = under_microhv();
	bool msr_faults = !runtime_plain_tcg(); /* QEMU 7.2 TCG: neither MSR access faults (reads 0, drops) */
	u32 first_fault = hc ? 2 : 0;           /* without hypercalls, the MSR faults are deliveries 0 and 1 */

	install(hc);
	if (!CHECK(run_ap(), "ap_ran_real_mode_program"))
		return;
	/* SDM Vol. 3A Table 10-1: after INIT, EDX holds the processor signature (CPUID.1:EAX). */
	CHECK_EQ(*(volatile u32 *)rm_copy(rm_start_edx), cpuid(1, 0).eax, "ap_edx_is_processor_signature");
	u16 count = *(volatile u16 *)rm_copy(rm_gp_count);
	CHECK_EQ(count, (hc ? 2 : 0) + (msr_faults ? 2 : 0), "gp_deliveries");
	if (hc) {
		volatile u32 *res = rm_copy(rm_hc_result);
		CHECK_EQ(res[0], 0, "inject_gp_with_ec_accepted");
		CHECK_EQ(res[1], 0, "inject_gp_without_ec_accepted");
		/* The sanitizer's own account (HC_STAT): the asked-for code dropped, none added. */
		CHECK_EQ(res[2], 1, "inject_gp_with_ec_counted_as_dropped");
		CHECK_EQ(res[3], 0, "inject_gp_without_ec_none_added");
		check_delivery(0, rm_after_hc0, "inject_gp_with_ec");
		check_delivery(1, rm_after_hc1, "inject_gp_without_ec");
	} else {
		SKIP("inject_real_mode", SKIP_NO_MICROHV);
	}
	if (msr_faults) {
		check_delivery(first_fault, rm_rdmsr, "rdmsr_x2apic_icr_gp");
		check_delivery(first_fault + 1, rm_wrmsr, "wrmsr_unimplemented_gp");
	} else {
		SKIP("real_mode_msr_faults", "QEMU 7.2 TCG: RDMSR 0x830 in xAPIC mode reads 0, WRMSR to an unknown MSR is dropped");
	}
}
