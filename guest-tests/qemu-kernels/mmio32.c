/* MMIO from 32-bit protected mode (no paging), the encodings a 32-bit compiler picks: MOV with a 32-bit
 * absolute address (A1/A3 moffs32, 8B/89 disp32), OR/AND on memory, XCHG, PUSH m32 / POP m32 with the
 * APIC page as source and destination, REP MOVSD, and 16-bit-operand MOVZX of a RAM copy (SDM Vol. 3A
 * 11.4.1 asks for 32-bit APIC accesses). */
#include "kl.h"

#define TPR_ADDR 0xFEE00080u
#define VER_ADDR 0xFEE00030u
#define TPR (*(volatile u32 *)TPR_ADDR)
#define VER (*(volatile u32 *)VER_ADDR)

void kmain(void);
void kmain(void)
{
	u32 ver = VER;
	kl_check("mov_moffs32_load", (ver & 0xF0) == 0x10, "0x%x", ver);
	TPR = 0x12;
	kl_check_eq("mov_store_load", TPR, 0x12);
	__asm__ volatile("orl $0x40, %0" : "+m"(TPR));
	kl_check_eq("or_memory", TPR, 0x52);
	__asm__ volatile("andw $0x0F0, %0" : "+m"(*(volatile u16 *)TPR_ADDR));
	u32 x = 0x77;
	__asm__ volatile("xchgl %0, %1" : "+r"(x), "+m"(TPR));
	kl_check("xchg_memory", x == 0x52 || x == 0x50, "old 0x%x", x);
	kl_check_eq("xchg_stored", TPR, 0x77);
	u32 got;
	__asm__ volatile("pushl %1; popl %0" : "=r"(got) : "m"(VER));
	kl_check_eq("push_m32_from_apic", got, ver);
	u32 val = 0x3C;
	__asm__ volatile("pushl %1; popl %0" : "=m"(TPR) : "r"(val));
	kl_check_eq("pop_m32_to_apic", TPR, 0x3C);
	u32 buf[1] = { 0 };
	const volatile u32 *s = &VER;
	u32 *d = buf;
	u32 n = 1;
	__asm__ volatile("rep movsl" : "+S"(s), "+D"(d), "+c"(n) : : "memory");
	kl_check_eq("rep_movsd_from_apic", buf[0], ver);
	u32 z;
	__asm__ volatile("movzwl %1, %0" : "=r"(z) : "m"(buf[0]));
	kl_check_eq("movzx_of_copy", z, ver & 0xFFFF);
	TPR = 0;
	kl_finish();
}
