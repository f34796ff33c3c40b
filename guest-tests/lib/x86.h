/* Guest-side architectural constants and inline instruction wrappers.
 * (The hypervisor has its own hv/x86.h; this one only holds what test guests need.) */
#ifndef GUEST_X86_H
#define GUEST_X86_H

#include "hv/lib/types.h"

/* Segment selectors of the GDT built by entry.asm (keep in sync with it). */
#define SEL_CODE64 0x08
#define SEL_DATA 0x10
#define SEL_CODE32 0x18
#define SEL_TSS 0x20
#define SEL_RPL_MASK 0x3
/* Ring-3 segments, added to a copy of the GDT by user_mode_init() (lib/user_mode.h), RPL 3 included. */
#define SEL_USER_DATA 0x33
#define SEL_USER_CODE64 0x3B

/* Exception vectors (SDM Vol. 3A Table 6-1). */
#define X86_VEC_DE 0
#define X86_VEC_DB 1
#define X86_VEC_NMI 2
#define X86_VEC_BP 3
#define X86_VEC_OF 4
#define X86_VEC_BR 5
#define X86_VEC_UD 6
#define X86_VEC_NM 7
#define X86_VEC_DF 8
#define X86_VEC_TS 10
#define X86_VEC_NP 11
#define X86_VEC_SS 12
#define X86_VEC_GP 13
#define X86_VEC_PF 14
#define X86_VEC_MF 16
#define X86_VEC_AC 17
#define X86_VEC_MC 18
#define X86_VEC_XM 19
#define X86_VEC_VE 20
#define X86_VEC_CP 21
#define X86_VEC_VC 29
#define X86_VEC_SX 30
#define X86_NR_EXCEPTIONS 32
#define X86_NR_VECTORS 256

#define CR0_PE BIT(0)
#define CR0_MP BIT(1)
#define CR0_EM BIT(2)
#define CR0_TS BIT(3)
#define CR0_ET BIT(4)
#define CR0_NE BIT(5)
#define CR0_WP BIT(16)
#define CR0_NW BIT(29)
#define CR0_CD BIT(30)
#define CR0_PG BIT(31)
#define CR4_PAE BIT(5)

#define RFLAGS_FIXED BIT(1) /* reads as 1 on every CPU */
#define RFLAGS_IF BIT(9)

#define MSR_EFER 0xC0000080u
#define EFER_LME BIT(8)
#define EFER_LMA BIT(10)

#define CPUID_1_ECX_HYPERVISOR BIT(31)

struct cpuid_regs {
	u32 eax, ebx, ecx, edx;
};

static inline struct cpuid_regs cpuid(u32 leaf, u32 subleaf)
{
	struct cpuid_regs r;
	asm volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx) : "a"(leaf), "c"(subleaf));
	return r;
}

static inline u64 rdtsc(void)
{
	u32 lo, hi;
	/* LFENCE first so earlier instructions (e.g. a CPUID loop) have finished before the timestamp. */
	asm volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi)::"memory");
	return ((u64)hi << 32) | lo;
}

/* Unchecked MSR accesses: use rdmsr_safe()/wrmsr_safe() (fixup.h) when the access may fault. */
static inline u64 rdmsr(u32 msr)
{
	u32 lo, hi;
	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((u64)hi << 32) | lo;
}

static inline void wrmsr(u32 msr, u64 value)
{
	asm volatile("wrmsr" ::"c"(msr), "a"((u32)value), "d"((u32)(value >> 32)) : "memory");
}

static inline void outb(u16 port, u8 value)
{
	asm volatile("outb %0, %1" ::"a"(value), "Nd"(port));
}

static inline void outw(u16 port, u16 value)
{
	asm volatile("outw %0, %1" ::"a"(value), "Nd"(port));
}

static inline void outl(u16 port, u32 value)
{
	asm volatile("outl %0, %1" ::"a"(value), "Nd"(port));
}

static inline u8 inb(u16 port)
{
	u8 v;
	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline u16 inw(u16 port)
{
	u16 v;
	asm volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline u32 inl(u16 port)
{
	u32 v;
	asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

#define DEFINE_READ_CR(n)                                          \
	static inline u64 read_cr##n(void)                         \
	{                                                          \
		u64 v;                                             \
		asm volatile("mov %%cr" #n ", %0" : "=r"(v));      \
		return v;                                          \
	}
DEFINE_READ_CR(0)
DEFINE_READ_CR(2)
DEFINE_READ_CR(3)
DEFINE_READ_CR(4)
#undef DEFINE_READ_CR

static inline void write_cr0(u64 v)
{
	asm volatile("mov %0, %%cr0" ::"r"(v) : "memory");
}

static inline void write_cr4(u64 v)
{
	asm volatile("mov %0, %%cr4" ::"r"(v) : "memory");
}

static inline u16 read_cs(void)
{
	u16 v;
	asm volatile("mov %%cs, %0" : "=r"(v));
	return v;
}

static inline u16 read_ss(void)
{
	u16 v;
	asm volatile("mov %%ss, %0" : "=r"(v));
	return v;
}

static inline u64 read_rflags(void)
{
	u64 v;
	asm volatile("pushfq; popq %0" : "=r"(v));
	return v;
}

/* The operand of LIDT/LGDT/SIDT/SGDT in 64-bit mode. */
struct desc_ptr {
	u16 limit;
	u64 base;
} __attribute__((packed));

static inline void lidt(const struct desc_ptr *p)
{
	asm volatile("lidt %0" ::"m"(*p) : "memory");
}

static inline void sidt(struct desc_ptr *p)
{
	asm volatile("sidt %0" : "=m"(*p));
}

static inline void cli(void)
{
	asm volatile("cli" ::: "memory");
}

static inline void sti(void)
{
	asm volatile("sti" ::: "memory");
}

static inline void hlt(void)
{
	asm volatile("hlt" ::: "memory");
}

static inline void cpu_relax(void)
{
	asm volatile("pause" ::: "memory");
}

#endif
