/* The inline helpers that touch hardware; the architectural constants (SDM/APM names) are hv/lib/x86_defs.h.
 * Every privileged instruction the hypervisor core uses lives here. */
#ifndef HV_X86_H
#define HV_X86_H

#include "lib/types.h"
#include "lib/x86_defs.h"

#ifndef HOST_UNIT_TEST
static inline u64 rdmsr(u32 msr)
{
	u32 lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return lo | ((u64)hi << 32);
}

static inline void wrmsr(u32 msr, u64 v)
{
	__asm__ volatile("wrmsr" ::"c"(msr), "a"((u32)v), "d"((u32)(v >> 32)) : "memory");
}

static inline void cpuid_count(u32 leaf, u32 sub, u32 out[4])
{
	__asm__ volatile("cpuid" : "=a"(out[0]), "=b"(out[1]), "=c"(out[2]), "=d"(out[3]) : "a"(leaf), "c"(sub));
}

static inline u64 rdtsc(void)
{
	u32 lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return lo | ((u64)hi << 32);
}

static inline void outb(u16 port, u8 v) { __asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port)); }
static inline void outl(u16 port, u32 v) { __asm__ volatile("outl %0, %1" ::"a"(v), "Nd"(port)); }
static inline u8 inb(u16 port)
{
	u8 v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

#define DEFINE_CR_ACCESS(n)                                                        \
	static inline u64 read_cr##n(void)                                         \
	{                                                                          \
		u64 v;                                                             \
		__asm__ volatile("mov %%cr" #n ", %0" : "=r"(v));                  \
		return v;                                                          \
	}                                                                          \
	static inline void write_cr##n(u64 v) { __asm__ volatile("mov %0, %%cr" #n ::"r"(v) : "memory"); }
DEFINE_CR_ACCESS(0)
DEFINE_CR_ACCESS(2)
DEFINE_CR_ACCESS(3)
DEFINE_CR_ACCESS(4)
#undef DEFINE_CR_ACCESS

#define DEFINE_DR_ACCESS(n)                                                        \
	static inline u64 read_dr##n(void)                                         \
	{                                                                          \
		u64 v;                                                             \
		__asm__ volatile("mov %%db" #n ", %0" : "=r"(v));                  \
		return v;                                                          \
	}                                                                          \
	static inline void write_dr##n(u64 v) { __asm__ volatile("mov %0, %%db" #n ::"r"(v)); }
DEFINE_DR_ACCESS(0)
DEFINE_DR_ACCESS(1)
DEFINE_DR_ACCESS(2)
DEFINE_DR_ACCESS(3)
DEFINE_DR_ACCESS(6)
DEFINE_DR_ACCESS(7)
#undef DEFINE_DR_ACCESS

static inline u64 xgetbv(u32 xcr)
{
	u32 lo, hi;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(xcr));
	return lo | ((u64)hi << 32);
}

static inline void xsetbv(u32 xcr, u64 value)
{
	__asm__ volatile("xsetbv" ::"c"(xcr), "a"((u32)value), "d"((u32)(value >> 32)));
}

/* The x87/SSE/AVX register file to and from memory (64-byte aligned; FXSAVE: 512 bytes, 16-aligned). */
static inline void xsave(void *area, u64 mask)
{
	__asm__ volatile("xsave64 (%0)" ::"r"(area), "a"((u32)mask), "d"((u32)(mask >> 32)) : "memory");
}
static inline void xrstor(const void *area, u64 mask)
{
	__asm__ volatile("xrstor64 (%0)" ::"r"(area), "a"((u32)mask), "d"((u32)(mask >> 32)) : "memory");
}
static inline void fxsave(void *area) { __asm__ volatile("fxsave64 (%0)" ::"r"(area) : "memory"); }
static inline void fxrstor(const void *area) { __asm__ volatile("fxrstor64 (%0)" ::"r"(area) : "memory"); }

static inline u64 read_rflags(void)
{
	u64 v;
	__asm__ volatile("pushfq; popq %0" : "=r"(v));
	return v;
}

/* Zeroes `qwords` 8-byte words: string stores are the fastest way on every CPU and emulator. */
static inline void zero_qwords(void *dst, u64 qwords)
{
	__asm__ volatile("rep stosq" : "+D"(dst), "+c"(qwords) : "a"(0ull) : "memory");
}

static inline void cpu_relax(void) { __asm__ volatile("pause"); }
static inline void irq_disable(void) { __asm__ volatile("cli" ::: "memory"); }
/* Opens a one-instruction window in which a pending host interrupt is taken. */
static inline void irq_window(void) { __asm__ volatile("sti; nop; cli" ::: "memory"); }
static inline void halt(void) { __asm__ volatile("hlt"); }

/* The 16 bytes of XMM register n (0-15), which hold the running vCPU's value while microhv handles its
 * exit (hv/ is built without SSE; guest_xstate.c switches the register file only between vCPUs). The
 * legacy encoding leaves bits 255:128 of YMMn alone, as the guest's own SSE move would. */
#define XMM_CASE(n, store, buf)                                                                    \
	case n:                                                                                    \
		if (store)                                                                         \
			__asm__ volatile("movdqu %%xmm" #n ", %0" : "=m"(*(u8(*)[16])(buf)));      \
		else                                                                               \
			__asm__ volatile("movdqu %0, %%xmm" #n ::"m"(*(const u8(*)[16])(buf)));    \
		break;
static inline void xmm_access(u32 n, bool store, u8 buf[16])
{
	switch (n & 15) {
		XMM_CASE(0, store, buf) XMM_CASE(1, store, buf) XMM_CASE(2, store, buf) XMM_CASE(3, store, buf)
		XMM_CASE(4, store, buf) XMM_CASE(5, store, buf) XMM_CASE(6, store, buf) XMM_CASE(7, store, buf)
		XMM_CASE(8, store, buf) XMM_CASE(9, store, buf) XMM_CASE(10, store, buf) XMM_CASE(11, store, buf)
		XMM_CASE(12, store, buf) XMM_CASE(13, store, buf) XMM_CASE(14, store, buf) XMM_CASE(15, store, buf)
	}
}
#undef XMM_CASE
static inline void xmm_read(u32 n, u8 out[16]) { xmm_access(n, true, out); }
static inline void xmm_write(u32 n, const u8 in[16]) { xmm_access(n, false, (u8 *)in); }
#endif

#endif
