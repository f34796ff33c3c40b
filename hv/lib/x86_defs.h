/* Architectural constants of x86 (SDM/APM names): registers' bits, MSR numbers, page-table bits,
 * exception vectors. Plain #defines, shared by the pure rules (hv/rules/) and the hardware code (hv/x86.h). */
#ifndef HV_LIB_X86_DEFS_H
#define HV_LIB_X86_DEFS_H

#include "types.h"

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

#endif
