/* The xAPIC page through the instruction forms compilers and hand-written kernels use on device memory,
 * not only MOV: MOV with a 64-bit absolute address (A1/A3, "movabs", what a compiler emits for a constant
 * pointer), MOVZX/MOVSX sub-register reads, read-modify-write OR/AND/INC/XADD/CMPXCHG/XCHG on registers
 * with side-effect-free writes (SVR, TPR), TEST and CMP, BT on IRR, and REP MOVS/STOS between the page and
 * RAM. Each result is compared with what a plain aligned 32-bit MOV reads (the form every emulator has).
 * Under microhv every one of these is emulated by hv/rules/mmio_emul.c (SVM, VMX without APICv) or reaches it as
 * an APIC-access exit (VMX with APICv). */
#include "guest.h"

#define APIC_PAGE 0xFEE00000ull
#define SPURIOUS 0xFF
#define SELF_VEC 0x50          /* IRR register 2 (vectors 64-95), bit 16 */
#define IRR_OF(vec) (APIC_IRR + 0x10u * ((vec) / 32u))
#define TPR_A 0x20u
#define TPR_B 0x30u
#define TPR_C 0x10u
#define RFLAGS_CF (1ull << 0)
#define RFLAGS_ZF (1ull << 6)
/* Reads narrower than 32 bits and of reserved offsets are model specific (SDM Vol. 3A §11.4.1): microhv's
 * model returns the bytes of the register (reserved: 0); plain QEMU 7.2 returns 0 for narrow reads and
 * aliases reserved offsets to the register below. */
#define QEMU_NARROW "plain QEMU's APIC reads 0 for accesses narrower than 32 bits (model specific, SDM 11.4.1)"
#define QEMU_RESERVED "plain QEMU's APIC aliases reserved offset 0x34 to the version register"

static const char *narrow_skip;   /* set when not under microhv */
static const char *reserved_skip;

static volatile u32 *reg_ptr(u32 reg)
{
	return (volatile u32 *)(uintptr_t)(APIC_PAGE + reg);
}

/* A1 / A3 with the full 64-bit address, and the 32-bit address-size form (67 A1). */
static void check_moffs(void)
{
	u32 version = xapic_read(APIC_VERSION), v, tpr;

	__asm__ volatile("movabsl 0xfee00030, %0" : "=a"(v) : : "memory");
	CHECK_EQ(v, version, "movabs_eax_moffs64_reads_version");
	__asm__ volatile("addr32 movl 0xfee00030, %0" : "=a"(v) : : "memory");
	CHECK_EQ(v, version, "mov_eax_moffs32_reads_version");
	__asm__ volatile("movabsl %0, 0xfee00080" : : "a"(TPR_A) : "memory");
	tpr = xapic_read(APIC_TPR);
	CHECK_EQ(tpr, TPR_A, "movabs_moffs64_eax_writes_tpr");
	xapic_write(APIC_TPR, 0);
}

static void check_sub_register_reads(void)
{
	u32 version = xapic_read(APIC_VERSION), v;
	s32 sv;

	if (narrow_skip) {
		SKIP("movzx_and_movsx_sub_register_reads", narrow_skip);
		return;
	}

	__asm__ volatile("movzbl (%1), %0" : "=r"(v) : "r"(reg_ptr(APIC_VERSION)) : "memory");
	CHECK_EQ(v, version & 0xFF, "movzx_byte_of_version");
	__asm__ volatile("movzwl (%1), %0" : "=r"(v) : "r"(reg_ptr(APIC_VERSION)) : "memory");
	CHECK_EQ(v, version & 0xFFFF, "movzx_word_of_version");
	__asm__ volatile("movzbl 2(%1), %0" : "=r"(v) : "r"(reg_ptr(APIC_VERSION)) : "memory");
	CHECK_EQ(v, (version >> 16) & 0xFF, "movzx_byte_2_of_version_is_max_lvt");
	__asm__ volatile("movsbl (%1), %0" : "=r"(sv) : "r"(reg_ptr(APIC_SVR)) : "memory");
	CHECK_EQ(sv, -1, "movsx_byte_of_svr_0xff_is_minus_1");
}

/* SVR: OR sets the enable bit, AND clears it, TEST sees it, CMP compares the whole register. */
static void check_svr_read_modify_write(void)
{
	volatile u32 *svr = reg_ptr(APIC_SVR);
	u64 flags;

	xapic_write(APIC_SVR, SPURIOUS);
	__asm__ volatile("orl $0x100, (%0)" : : "r"(svr) : "memory", "cc");
	CHECK_EQ(xapic_read(APIC_SVR), APIC_SVR_ENABLE | SPURIOUS, "or_sets_svr_enable");
	__asm__ volatile("testl $0x100, (%1); pushfq; pop %0" : "=r"(flags) : "r"(svr) : "memory", "cc");
	CHECK_EQ(flags & RFLAGS_ZF, 0, "test_svr_enable_zf_clear");
	__asm__ volatile("cmpl $0x1ff, (%1); pushfq; pop %0" : "=r"(flags) : "r"(svr) : "memory", "cc");
	CHECK_EQ(flags & (RFLAGS_ZF | RFLAGS_CF), RFLAGS_ZF, "cmp_svr_equal");
	__asm__ volatile("andl $0xfffffeff, (%0)" : : "r"(svr) : "memory", "cc");
	CHECK_EQ(xapic_read(APIC_SVR), SPURIOUS, "and_clears_svr_enable");
	__asm__ volatile("lock orl $0x100, (%0)" : : "r"(svr) : "memory", "cc");
	CHECK_EQ(xapic_read(APIC_SVR), APIC_SVR_ENABLE | SPURIOUS, "lock_or_sets_svr_enable");
}

/* TPR: XCHG, CMPXCHG, XADD, INC, REP STOS. */
static void check_tpr_exchanges(void)
{
	volatile u32 *tpr = reg_ptr(APIC_TPR);
	u32 a = TPR_B, c;
	u64 flags;

	xapic_write(APIC_TPR, 0);
	__asm__ volatile("xchgl %0, (%1)" : "+r"(a) : "r"(tpr) : "memory");
	CHECK_EQ(a, 0, "xchg_returns_old_tpr");
	CHECK_EQ(xapic_read(APIC_TPR), TPR_B, "xchg_writes_tpr");
	a = TPR_B, c = TPR_C;
	__asm__ volatile("lock cmpxchgl %2, (%3); pushfq; pop %1" : "+a"(a), "=r"(flags) : "r"(c), "r"(tpr) : "memory", "cc");
	CHECK(flags & RFLAGS_ZF, "cmpxchg_equal_sets_zf");
	CHECK_EQ(xapic_read(APIC_TPR), TPR_C, "cmpxchg_equal_stores");
	a = TPR_B;
	__asm__ volatile("lock cmpxchgl %2, (%3); pushfq; pop %1" : "+a"(a), "=r"(flags) : "r"(c), "r"(tpr) : "memory", "cc");
	CHECK(!(flags & RFLAGS_ZF), "cmpxchg_unequal_clears_zf");
	CHECK_EQ(a, TPR_C, "cmpxchg_unequal_loads_eax");
	c = TPR_C;
	__asm__ volatile("lock xaddl %0, (%1)" : "+r"(c) : "r"(tpr) : "memory", "cc");
	CHECK_EQ(c, TPR_C, "xadd_returns_old_tpr");
	CHECK_EQ(xapic_read(APIC_TPR), TPR_A, "xadd_adds");
	__asm__ volatile("incl (%0)" : : "r"(tpr) : "memory", "cc");
	CHECK_EQ(xapic_read(APIC_TPR), TPR_A + 1, "inc_tpr");
	u64 count = 1;
	void *dst = (void *)tpr;
	__asm__ volatile("rep stosl" : "+c"(count), "+D"(dst) : "a"(TPR_B) : "memory");
	CHECK_EQ(xapic_read(APIC_TPR), TPR_B, "rep_stos_writes_tpr");
	xapic_write(APIC_TPR, 0);
}

/* REP MOVS from the page to RAM: the emulator's other operand is guest RAM through the page tables. */
static void check_string_copy(void)
{
	static u32 copy[2];
	u64 count = 2;
	const void *src = (const void *)reg_ptr(APIC_VERSION);
	void *dst = copy;

	copy[0] = copy[1] = 0xDEADBEEF;
	__asm__ volatile("rep movsl" : "+c"(count), "+S"(src), "+D"(dst) : : "memory");
	CHECK_EQ(copy[0], xapic_read(APIC_VERSION), "rep_movs_copies_version");
	if (reserved_skip)
		SKIP("rep_movs_copies_reserved_0x34_as_0", reserved_skip);
	else
		CHECK_EQ(copy[1], 0, "rep_movs_copies_reserved_0x34_as_0");
	CHECK_EQ(count, 0, "rep_movs_counts_rcx_down");
}

/* A self-IPI with IF = 0 stays in IRR: BT sees it there, with an immediate and a register offset. */
static void check_bt_on_irr(void)
{
	volatile u32 *irr = reg_ptr(IRR_OF(SELF_VEC));
	u64 flags;
	u32 bit = SELF_VEC % 32;

	irq_register(SELF_VEC);
	cli();
	lapic_self_ipi(SELF_VEC);
	__asm__ volatile("btl $16, (%1); pushfq; pop %0" : "=r"(flags) : "r"(irr) : "memory", "cc");
	CHECK(flags & RFLAGS_CF, "bt_imm_sees_pending_irr_bit");
	__asm__ volatile("btl %2, (%1); pushfq; pop %0" : "=r"(flags) : "r"(irr), "r"(bit) : "memory", "cc");
	CHECK(flags & RFLAGS_CF, "bt_reg_sees_pending_irr_bit");
	__asm__ volatile("btl $17, (%1); pushfq; pop %0" : "=r"(flags) : "r"(irr) : "memory", "cc");
	CHECK(!(flags & RFLAGS_CF), "bt_imm_other_irr_bit_clear");
	sti();
	CHECK_EQ(irq_wait(SELF_VEC, 1, IRQ_WAIT_TSC), 1, "self_ipi_delivered_after_sti");
	cli();
}

void test_main(void)
{
	if (!under_microhv()) {
		narrow_skip = QEMU_NARROW;
		reserved_skip = QEMU_RESERVED;
	}
	lapic_setup(SPURIOUS);
	check_moffs();
	check_sub_register_reads();
	check_svr_read_modify_write();
	check_tpr_exchanges();
	check_string_copy();
	check_bt_on_irr();
}
