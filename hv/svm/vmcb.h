/* The VMCB (AMD APM Vol. 2 Appendix B): control area at 0x000, state save area at 0x400. */
#ifndef HV_SVM_VMCB_H
#define HV_SVM_VMCB_H

#include "../lib/types.h"

/* CR intercepts (offset 0x000): reads in bits 15:0, writes in bits 31:16. */
#define SVM_INTERCEPT_CR0_READ BIT(0)
#define SVM_INTERCEPT_CR0_WRITE BIT(16)
#define SVM_INTERCEPT_CR8_READ BIT(8)
#define SVM_INTERCEPT_CR8_WRITE BIT(24)
#define SVM_INTERCEPT_CR4_WRITE BIT(20)
/* Intercept vector 3 (offset 0x00C). */
#define SVM_INTERCEPT_INTR BIT(0)
#define SVM_INTERCEPT_VINTR BIT(4)
#define SVM_INTERCEPT_NMI BIT(1)
#define SVM_INTERCEPT_SMI BIT(2)
#define SVM_INTERCEPT_INIT BIT(3)
#define SVM_INTERCEPT_CR0_SEL_WRITE BIT(5) /* CR0 writes that change bits other than TS and MP */
#define SVM_INTERCEPT_RDPMC BIT(15)
#define SVM_INTERCEPT_CPUID BIT(18)
#define SVM_INTERCEPT_IRET BIT(20)
#define SVM_INTERCEPT_INVD BIT(22)
#define SVM_INTERCEPT_PAUSE BIT(23)
#define SVM_INTERCEPT_HLT BIT(24)
#define SVM_INTERCEPT_INVLPGA BIT(26)
#define SVM_INTERCEPT_IOIO_PROT BIT(27)
#define SVM_INTERCEPT_MSR_PROT BIT(28)
#define SVM_INTERCEPT_SHUTDOWN BIT(31)
/* Intercept vector 4 (offset 0x010). */
#define SVM_INTERCEPT_VMRUN BIT(0)
#define SVM_INTERCEPT_VMMCALL BIT(1)
#define SVM_INTERCEPT_VMLOAD BIT(2)
#define SVM_INTERCEPT_VMSAVE BIT(3)
#define SVM_INTERCEPT_STGI BIT(4)
#define SVM_INTERCEPT_CLGI BIT(5)
#define SVM_INTERCEPT_SKINIT BIT(6)
#define SVM_INTERCEPT_RDTSCP BIT(7)
#define SVM_INTERCEPT_MONITOR BIT(10)
#define SVM_INTERCEPT_MWAIT BIT(11)
#define SVM_INTERCEPT_MWAIT_ARMED BIT(12)
#define SVM_INTERCEPT_XSETBV BIT(13)

#define SVM_TLB_CONTROL_FLUSH_ALL 1
#define SVM_TLB_CONTROL_FLUSH_ASID 3
#define CPUID_SVM_EDX_FLUSH_BY_ASID BIT(6)
#define SVM_INT_CTL_V_INTR_MASKING BIT(24) /* guest RFLAGS.IF does not mask host interrupts */
#define SVM_INT_CTL_V_IRQ BIT(8)          /* a virtual interrupt is pending (used for the window) */
#define SVM_INT_CTL_V_IGN_TPR BIT(20)     /* ... and taken whatever V_TPR says */
#define SVM_INT_STATE_SHADOW BIT(0)       /* STI/MOV SS interrupt shadow */
#define SVM_NESTED_CTL_NP_ENABLE BIT(0)

#define SVM_EVENTINJ_VALID BIT(31)
#define SVM_EVENTINJ_EV BIT(11)
#define SVM_EVENTINJ_TYPE_SHIFT 8
#define SVM_EVENTINJ_TYPE_EXCEPTION 3
#define SVM_EVENTINJ_TYPE_INTR 0
#define SVM_EVENTINJ_TYPE_NMI 2

/* Exit codes (APM Vol. 2 Appendix C). */
#define SVM_EXIT_CR0_READ 0x000
#define SVM_EXIT_CR0_WRITE 0x010
#define SVM_EXIT_CR8_READ 0x008
#define SVM_EXIT_CR8_WRITE 0x018
#define SVM_EXIT_CR4_WRITE 0x014
#define SVM_EXIT_INTR 0x060
#define SVM_EXIT_VINTR 0x064
#define SVM_EXIT_CR0_SEL_WRITE 0x065
#define SVM_EXIT_NMI 0x061
#define SVM_EXIT_CPUID 0x072
#define SVM_EXIT_IRET 0x074
#define SVM_EXIT_EXCP_DB 0x041 /* exception intercept, vector 1 (EXCP_BASE 0x40 + vector) */
#define SVM_EXIT_PAUSE 0x077
#define SVM_EXIT_HLT 0x078
#define SVM_EXIT_IOIO 0x07B
#define SVM_EXIT_MSR 0x07C
#define SVM_EXIT_SHUTDOWN 0x07F
#define SVM_EXIT_VMMCALL 0x081
#define SVM_EXIT_RDPMC 0x06F
#define SVM_EXIT_INVD 0x076
#define SVM_EXIT_RDTSCP 0x087
#define SVM_EXIT_MONITOR 0x08A
#define SVM_EXIT_MWAIT 0x08B
#define SVM_EXIT_MWAIT_ARMED 0x08C
#define SVM_EXIT_XSETBV 0x08D
#define SVM_EXIT_INVLPGA 0x07A
#define SVM_EXIT_VMRUN 0x080
#define SVM_EXIT_SKINIT 0x086 /* VMRUN..SKINIT: 80H-86H, VMMCALL (81H) among them */
#define SVM_EXIT_NPF 0x400
#define SVM_EXIT_INVALID 0xFFFFFFFFu /* compare the low 32 bits: QEMU reports 0x00000000FFFFFFFF */

/* EXITINFO1 for IOIO (APM §15.10.2). */
#define SVM_IOIO_TYPE_IN BIT(0)
#define SVM_IOIO_STRING BIT(2)
#define SVM_IOIO_SIZE_SHIFT 4
#define SVM_IOIO_SIZE_MASK 0x7
#define SVM_IOIO_PORT_SHIFT 16
/* EXITINFO1 for NPF: a #PF-style error code. */
#define SVM_NPF_WRITE BIT(1)
#define SVM_NPF_FETCH BIT(4)

/* Segment attributes: descriptor bits 47:40 in 7:0 and bits 55:52 in 11:8. */
#define SVM_ATTR_L (1u << 9) /* descriptor bit 53: 64-bit code */
#define SVM_ATTR_DB (1u << 10) /* descriptor bit 54: default operand size */

struct vmcb_segment {
	u16 selector;
	u16 attrib;
	u32 limit;
	u64 base;
};

struct vmcb_control {
	u32 intercept_cr;
	u32 intercept_dr;
	u32 intercept_exceptions;
	u32 intercept_misc1;
	u32 intercept_misc2;
	u32 intercept_misc3;
	u8 reserved_018[0x03C - 0x018];
	u16 pause_filter_threshold;
	u16 pause_filter_count;
	u64 iopm_base_pa;
	u64 msrpm_base_pa;
	u64 tsc_offset;
	u32 guest_asid;
	u8 tlb_control;
	u8 reserved_05d[3];
	u64 int_ctl;
	u64 int_state;
	u64 exit_code;
	u64 exit_info1;
	u64 exit_info2;
	u64 exit_int_info;
	u64 nested_ctl;
	u64 avic_apic_bar;
	u64 ghcb_pa;
	u64 event_inj;
	u64 nested_cr3;
	u64 virt_ext;
	u32 clean_bits;
	u32 reserved_0c4;
	u64 next_rip;
	u8 insn_len;
	u8 insn_bytes[15];
	u8 reserved_0e0[0x400 - 0x0E0];
};

struct vmcb_save {
	struct vmcb_segment es, cs, ss, ds, fs, gs, gdtr, ldtr, idtr, tr;
	u8 reserved_0a0[0x0CB - 0x0A0];
	u8 cpl;
	u32 reserved_0cc;
	u64 efer;
	u8 reserved_0d8[0x148 - 0x0D8];
	u64 cr4, cr3, cr0, dr7, dr6, rflags, rip;
	u8 reserved_180[0x1D8 - 0x180];
	u64 rsp;
	u64 s_cet, ssp, isst_addr;
	u64 rax;
	u64 star, lstar, cstar, sfmask, kernel_gs_base;
	u64 sysenter_cs, sysenter_esp, sysenter_eip;
	u64 cr2;
	u8 reserved_248[0x268 - 0x248];
	u64 g_pat;
	u64 dbgctl;
};

struct vmcb {
	struct vmcb_control control;
	struct vmcb_save save;
} __attribute__((aligned(4096)));

_Static_assert(__builtin_offsetof(struct vmcb_control, iopm_base_pa) == 0x040, "VMCB layout");
_Static_assert(__builtin_offsetof(struct vmcb_control, exit_code) == 0x070, "VMCB layout");
_Static_assert(__builtin_offsetof(struct vmcb_control, event_inj) == 0x0A8, "VMCB layout");
_Static_assert(__builtin_offsetof(struct vmcb_control, next_rip) == 0x0C8, "VMCB layout");
_Static_assert(__builtin_offsetof(struct vmcb, save) == 0x400, "VMCB layout");
_Static_assert(__builtin_offsetof(struct vmcb_save, cpl) == 0x0CB, "VMCB layout");
_Static_assert(__builtin_offsetof(struct vmcb_save, efer) == 0x0D0, "VMCB layout");
_Static_assert(__builtin_offsetof(struct vmcb_save, cr4) == 0x148, "VMCB layout");
_Static_assert(__builtin_offsetof(struct vmcb_save, rip) == 0x178, "VMCB layout");
_Static_assert(__builtin_offsetof(struct vmcb_save, rsp) == 0x1D8, "VMCB layout");
_Static_assert(__builtin_offsetof(struct vmcb_save, rax) == 0x1F8, "VMCB layout");
_Static_assert(__builtin_offsetof(struct vmcb_save, cr2) == 0x240, "VMCB layout");
_Static_assert(__builtin_offsetof(struct vmcb_save, g_pat) == 0x268, "VMCB layout");

#endif
