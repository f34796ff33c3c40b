/* Architectural constants (SDM/APM names) and the inline helpers that touch hardware.
 * Every privileged instruction the hypervisor core uses lives here. */
#ifndef HV_X86_H
#define HV_X86_H

#include "lib/types.h"

/* Control registers (SDM Vol. 3A §2.5). */
#define CR0_PE BIT(0)
#define CR0_MP BIT(1)
#define CR0_EM BIT(2)
#define CR0_TS BIT(3)
#define CR0_ET BIT(4)
#define CR0_NE BIT(5)
#define CR0_WP BIT(16)
#define CR0_AM BIT(18)
#define CR0_NW BIT(29)
#define CR0_CD BIT(30)
#define CR0_PG BIT(31)
#define CR0_RESET_VALUE 0x60000010ull /* CD | NW | ET */

#define CR4_PAE BIT(5)
#define CR4_PGE BIT(7)
#define CR4_OSFXSR BIT(9)
#define CR4_OSXMMEXCPT BIT(10)
#define CR4_VMXE BIT(13)
#define CR4_OSXSAVE BIT(18)
#define CR4_PCIDE BIT(17)
#define CR3_PCID_MASK 0xFFFull
#define CR4_CET BIT(23)

#define RFLAGS_FIXED BIT(1)
#define RFLAGS_TF BIT(8)
#define RFLAGS_RF BIT(16)
#define RFLAGS_IF BIT(9)
#define DR6_BS BIT(14) /* single-step */
#define DR7_INIT_VALUE 0x400ull /* no breakpoint enabled */

/* MSRs. */
#define MSR_IA32_TSC 0x10
#define MSR_TSC_AUX 0xC0000103u
#define MSR_IA32_APIC_BASE 0x1B
#define MSR_IA32_FEATURE_CONTROL 0x3A
#define MSR_IA32_SYSENTER_CS 0x174
#define MSR_IA32_SYSENTER_ESP 0x175
#define MSR_IA32_SYSENTER_EIP 0x176
#define MSR_IA32_PAT 0x277
#define MSR_EFER 0xC0000080
#define MSR_STAR 0xC0000081
#define MSR_LSTAR 0xC0000082
#define MSR_CSTAR 0xC0000083
#define MSR_SFMASK 0xC0000084
#define MSR_FS_BASE 0xC0000100
#define MSR_GS_BASE 0xC0000101
#define MSR_KERNEL_GS_BASE 0xC0000102

#define EFER_SCE BIT(0)
#define EFER_LME BIT(8)
#define EFER_LMA BIT(10)
#define EFER_NXE BIT(11)
#define EFER_SVME BIT(12)

#define PAT_RESET_VALUE 0x0007040600070406ull

/* Page-table entry bits, shared by the host tables, NPT and (for P/RW) EPT-free paths. */
#define PTE_P BIT(0)
#define PTE_RW BIT(1)
#define PTE_US BIT(2)
#define PTE_PWT BIT(3)
#define PTE_PCD BIT(4)
#define PTE_PS BIT(7)
#define PTE_PAT_LARGE BIT(12) /* PAT bit of a 2 MiB / 1 GiB leaf (bit 7 is PS there) */
#define PTE_NX BIT(63)
#define PTE_ADDR_MASK 0x000FFFFFFFFFF000ull

/* Exception vectors (SDM Vol. 3A Table 6-1). */
/* #PF error code (SDM Vol. 3A §4.7). */
#define PF_EC_PRESENT BIT(0)
#define PF_EC_WRITE BIT(1)
#define PF_EC_USER BIT(2)
#define PF_EC_RESERVED BIT(3)

#define VEC_DE 0
#define VEC_DB 1
#define VEC_NMI 2
#define VEC_BP 3
#define VEC_OF 4
#define VEC_UD 6
#define VEC_NM 7
#define VEC_DF 8
#define VEC_TS 10
#define VEC_NP 11
#define VEC_SS 12
#define VEC_GP 13
#define VEC_PF 14
#define VEC_MF 16
#define VEC_AC 17
#define VEC_MC 18
#define VEC_CP 21
#define NUM_EXCEPTION_VECTORS 32

#define CPUID_1_ECX_HYPERVISOR BIT(31)
#define CPUID_1_EDX_APIC BIT(9)

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
