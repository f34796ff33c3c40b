/* See regfile.h. The guest is built without SSE code generation, so only the inline assembly here
 * touches the XMM registers: nothing the compiler emits can disturb them between fill and read. */
#include "regfile.h"
#include "x86.h"

#define CR4_OSFXSR BIT(9)
#define CR4_OSXMMEXCPT BIT(10)
#define MXCSR_PATTERN_BITS 0x7F00u /* rounding control and exception masks: always a valid MXCSR */
#define FCW_PATTERN 0x027Fu        /* double precision instead of extended */
#define DR7_RW_LEN_ONLY 0xDDDD0000ull /* every breakpoint "data write, 4 bytes", none enabled */

struct fpu_env { /* FNSTENV in 64-bit mode: the 32-bit protected-mode layout (SDM Vol. 1 Fig. 8-9) */
	u32 fcw, fsw, ftw, fip, fcs, fdp, fds;
};

void regfile_enable_sse(void)
{
	write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
}

#define XMM_ALL(op)                                                                                     \
	op(0) op(1) op(2) op(3) op(4) op(5) op(6) op(7) op(8) op(9) op(10) op(11) op(12) op(13) op(14) op(15)
#define STORE_XMM(n) "movdqu %%xmm" #n ", " #n "*16(%0)\n\t"
#define LOAD_XMM(n) "movdqu " #n "*16(%0), %%xmm" #n "\n\t"

void regfile_read(struct regfile *s)
{
	struct fpu_env env;
	asm volatile(XMM_ALL(STORE_XMM) ::"r"(s->xmm) : "memory");
	asm volatile("stmxcsr %0" : "=m"(s->mxcsr));
	asm volatile("fnstenv %0; fldenv %0" : "+m"(env)); /* FNSTENV masks x87 exceptions: put it back */
	s->fcw = (u16)env.fcw;
	s->fsw = (u16)env.fsw;
	s->ftw = (u16)env.ftw;
	asm volatile("mov %%db0, %0" : "=r"(s->dr[0]));
	asm volatile("mov %%db1, %0" : "=r"(s->dr[1]));
	asm volatile("mov %%db2, %0" : "=r"(s->dr[2]));
	asm volatile("mov %%db3, %0" : "=r"(s->dr[3]));
	asm volatile("mov %%db6, %0" : "=r"(s->dr6));
	asm volatile("mov %%db7, %0" : "=r"(s->dr7));
	s->cr2 = read_cr2();
}

u64 regfile_xmm_pattern(u64 seed, u32 n)
{
	return (seed * 0x9E3779B97F4A7C15ull) ^ ((u64)(n + 1) << 56) ^ n;
}

u32 regfile_mxcsr_pattern(u64 seed)
{
	u32 bits = (u32)(seed & MXCSR_PATTERN_BITS);
	return bits == (MXCSR_RESET & MXCSR_PATTERN_BITS) ? MXCSR_PATTERN_BITS : bits;
}

void regfile_fill(u64 seed)
{
	u64 xmm[REGFILE_XMM_REGS][2];
	for (u32 n = 0; n < REGFILE_XMM_REGS; n++) {
		xmm[n][0] = regfile_xmm_pattern(seed, n);
		xmm[n][1] = ~xmm[n][0];
	}
	asm volatile(XMM_ALL(LOAD_XMM) ::"r"(xmm) : "memory");
	u32 mxcsr = regfile_mxcsr_pattern(seed);
	u16 fcw = FCW_PATTERN;
	asm volatile("ldmxcsr %0" ::"m"(mxcsr));
	asm volatile("fninit; fldcw %0; fld1; fldpi" ::"m"(fcw));
	u64 base = 0x100000ull + (seed & 0xFFFF000ull);
	asm volatile("mov %0, %%db0" ::"r"(base + 0x10));
	asm volatile("mov %0, %%db1" ::"r"(base + 0x20));
	asm volatile("mov %0, %%db2" ::"r"(base + 0x30));
	asm volatile("mov %0, %%db3" ::"r"(base + 0x40));
	asm volatile("mov %0, %%db7" ::"r"(DR7_RESET | DR7_RW_LEN_ONLY));
	asm volatile("mov %0, %%cr2" ::"r"(base + 0x50));
}
