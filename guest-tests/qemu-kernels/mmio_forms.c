/* MMIO through many instruction classes, on the local APIC's TPR (0x80, bits 7:0 read/write) and version
 * (0x30, read-only) registers, with 32-bit accesses as the SDM requires for APIC registers (Vol. 3A
 * 11.4.1): MOV (the compiler's movabs for a constant address, and through a pointer register), MOVSXD,
 * OR/AND/XOR/ADD/CMP/TEST on memory, XCHG, CMPXCHG and LOCK CMPXCHG, XADD, BT/BTS/BTR, INC/DEC, REP MOVSD
 * from and to the page, SSE MOVD. Not here: 64-bit PUSH m (an 8-byte APIC read, which QEMU answers
 * with 0); PUSH/POP m32 are in mmio32. */
#include "kl.h"

#define TPR_ADDR (LAPIC_BASE + 0x80)
#define VER_ADDR (LAPIC_BASE + 0x30)
#define TPR (*(volatile u32 *)TPR_ADDR)
#define VER (*(volatile u32 *)VER_ADDR)

static volatile u32 *volatile tpr_ptr = (volatile u32 *)TPR_ADDR; /* a pointer the compiler cannot fold */

void kmain(void);
void kmain(void)
{
	u32 ver = VER; /* movabs (A1) or mov r32, [reg] */
	kl_check("mov_load_constant_address", (ver & 0xF0) == 0x10, "0x%x", ver);
	TPR = 0x21; /* mov [moffs]/[reg], eax or imm */
	kl_check_eq("mov_store_then_load", *tpr_ptr, 0x21);
	*tpr_ptr = 0x33;
	kl_check_eq("mov_store_through_pointer", TPR, 0x33);
	long sx = *(volatile int *)VER_ADDR; /* movslq */
	kl_check_eq("movsxd_load", (u64)sx, (u64)(long)(int)ver);
	u64 zx = *(volatile u32 *)VER_ADDR; /* mov r32 zero-extends */
	kl_check_eq("mov32_zero_extends", zx, ver);

	TPR = 0x10;
	__asm__ volatile("orl $0x05, %0" : "+m"(TPR));
	kl_check_eq("or_imm_to_memory", TPR, 0x15);
	__asm__ volatile("andl $0x0C, %0" : "+m"(TPR));
	kl_check_eq("and_imm_to_memory", TPR, 0x04);
	u32 x = 0x31;
	__asm__ volatile("xorl %1, %0" : "+m"(TPR) : "r"(x));
	kl_check_eq("xor_reg_to_memory", TPR, 0x35);
	__asm__ volatile("addl $0x10, %0" : "+m"(TPR));
	kl_check_eq("add_imm_to_memory", TPR, 0x45);
	u8 zf;
	__asm__ volatile("cmpl $0x45, %1; sete %0" : "=r"(zf) : "m"(TPR));
	kl_check_eq("cmp_memory_sets_zf", zf, 1);
	__asm__ volatile("testl $0x40, %1; setnz %0" : "=r"(zf) : "m"(TPR));
	kl_check_eq("test_memory", zf, 1);

	u32 old = 0x22;
	__asm__ volatile("xchgl %0, %1" : "+r"(old), "+m"(TPR));
	kl_check("xchg_memory", old == 0x45 && TPR == 0x22, "old 0x%x now 0x%x", old, TPR);
	u32 expect = 0x22, repl = 0x66;
	__asm__ volatile("cmpxchgl %3, %1; sete %0" : "=r"(zf), "+m"(TPR), "+a"(expect) : "r"(repl) : "memory");
	kl_check("cmpxchg_success", zf && TPR == 0x66, "zf %u now 0x%x", zf, TPR);
	expect = 0x11;
	__asm__ volatile("cmpxchgl %3, %1; sete %0" : "=r"(zf), "+m"(TPR), "+a"(expect) : "r"(repl) : "memory");
	kl_check("cmpxchg_failure_loads_eax", !zf && expect == 0x66, "zf %u eax 0x%x", zf, expect);
	u32 add = 0x01;
	__asm__ volatile("xaddl %0, %1" : "+r"(add), "+m"(TPR));
	kl_check("xadd_memory", add == 0x66 && TPR == 0x67, "old 0x%x now 0x%x", add, TPR);
	u8 cf;
	__asm__ volatile("btl $1, %1; setc %0" : "=r"(cf) : "m"(TPR));
	kl_check_eq("bt_memory", cf, 1);
	__asm__ volatile("btsl $3, %1; setc %0" : "=r"(cf), "+m"(TPR));
	kl_check("bts_memory", !cf && TPR == 0x6F, "cf %u now 0x%x", cf, TPR);
	__asm__ volatile("btrl $0, %1; setc %0" : "=r"(cf), "+m"(TPR));
	kl_check("btr_memory", cf && TPR == 0x6E, "cf %u now 0x%x", cf, TPR);
	__asm__ volatile("incl %0" : "+m"(TPR));
	kl_check_eq("inc_memory", TPR, 0x6F);
	__asm__ volatile("decl %0" : "+m"(TPR));
	kl_check_eq("dec_memory", TPR, 0x6E);

	/* MOVSD from and to the page, one dword each (the registers are 16 bytes apart). */
	u32 buf = 0;
	const volatile u32 *src = &VER;
	u32 *dst = &buf;
	unsigned long n = 1;
	__asm__ volatile("rep movsl" : "+S"(src), "+D"(dst), "+c"(n) : : "memory");
	kl_check_eq("rep_movsd_from_apic", buf, ver);
	buf = 0x19;
	const u32 *s2 = &buf;
	volatile u32 *d2 = &TPR;
	n = 1;
	__asm__ volatile("rep movsl" : "+S"(s2), "+D"(d2), "+c"(n) : : "memory");
	kl_check_eq("rep_movsd_to_apic", TPR, 0x19);
	u32 via_sse;
	__asm__ volatile("movd %1, %%xmm0; movd %%xmm0, %0" : "=r"(via_sse) : "m"(VER) : "xmm0");
	kl_check_eq("sse_movd_load", via_sse, ver);
	__asm__ volatile("movl %1, %%eax; movl %%eax, %0" : "=m"(TPR) : "i"(0x2A) : "rax");
	kl_check_eq("mov_imm_via_register", TPR, 0x2A);
	u32 e2 = 0x2A, r2 = 0x3B;
	__asm__ volatile("lock cmpxchgl %2, %0" : "+m"(TPR), "+a"(e2) : "r"(r2) : "memory");
	kl_check_eq("lock_cmpxchg_stores", TPR, 0x3B);
	TPR = 0;
	kl_finish();
}
