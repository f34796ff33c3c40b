/* The contract between microhv and its guests (documented in docs/guest-abi.md).
 * Included by the hypervisor and by guest-tests/, so it must stay free of hypervisor types. */
#ifndef HV_GUEST_ABI_H
#define HV_GUEST_ABI_H

#define MICROHV_ABI_VERSION 1

/* CPUID leaf 0x40000000: EAX = highest hypervisor leaf, EBX:ECX:EDX = "microhv\0\0\0\0\0". */
#define MICROHV_CPUID_BASE 0x40000000u
#define MICROHV_CPUID_INFO 0x40000001u /* EAX = ABI version, EBX = back end (MICROHV_BACKEND_*), ECX = TSC kHz */
#define MICROHV_SIG_EBX 0x7263696du   /* "micr" */
#define MICROHV_SIG_ECX 0x0076686fu   /* "ohv\0" */
#define MICROHV_SIG_EDX 0x00000000u
#define MICROHV_BACKEND_SVM 1
#define MICROHV_BACKEND_VMX 2

/* Hypercalls: VMMCALL on SVM, VMCALL on VMX, from CPL 0.
 * RAX = function, arguments in RBX, RCX, RDX, RSI; result in RAX (negative errno on error).
 * All other registers are preserved. */
#define HC_VERSION 0x00       /* -> MICROHV_ABI_VERSION */
#define HC_INJECT 0x01        /* RBX vector, RCX has_ec, RDX error code, RSI flags (HC_INJECT_*) -> 0 or -EINVAL/-EBUSY */
#define HC_STAT 0x02          /* RBX = HC_STAT_* -> counter value for the calling vCPU */
#define HC_HOST_CPUID 0x03    /* RBX leaf, RCX subleaf -> RAX, RBX, RCX, RDX = raw host CPUID (debug) */
#define HC_QUERY_MEMTYPE 0x04 /* RBX = GPA -> RAX = memory type (bits 2:0) | ignore-PAT (bit 3), -EINVAL if unmapped */
#define HC_WHERE 0x05         /* -> RAX = index of the pCPU the calling vCPU runs on, RBX = pCPUs online */
#define HC_BENCH_MODE 0x10    /* RBX = mask of HC_BENCH_NULL_*, RCX = HC_BENCH_NULL_MMIO's instruction length:
                               * those exits take the back end's null path (bench/ only) -> 0 or -EINVAL */
#define HC_DEBUG_BREAK_ENTRY 0x11 /* makes the next VM entry fail on purpose (harness guests only) -> 0 */
#define HC_QUERY_CR0 0x12     /* -> RAX = the hardware's CR0 (VMCS/VMCB), RBX = CR0 bits whose change by a guest
                               * write exits, RCX = CR0 bits a guest read gets from microhv (debug) */
#define HC_IOAPIC_PIN 0x20    /* RBX pin (0-23), RCX level (0/1): drives an I/O APIC input line -> 0 or -EINVAL */
#define HC_RAISE_MSI 0x21     /* RBX MSI address, RCX MSI data: delivers that message -> 0 or -EINVAL */

#define HC_MEMTYPE_TYPE_MASK 0x7 /* HC_QUERY_MEMTYPE result: memory type (0 UC, 6 WB, ...) */
#define HC_MEMTYPE_IGNORE_PAT 0x8 /* ... and whether the guest PAT is ignored (EPT IPAT) */

#define HC_INJECT_RAW 0x1u /* honour has_ec as given where hardware allows it (KVM_SET_VCPU_EVENTS ABI) */

#define HC_STAT_EC_DROPPED 0 /* error codes dropped by the injection sanitizer */
#define HC_STAT_EC_ADDED 1   /* error codes (value 0) added by the injection sanitizer */
#define HC_STAT_EXITS 2      /* VM exits taken by this vCPU so far */

/* HC_BENCH_MODE: exit kinds the back end answers alone (null path: counted, RIP advanced past the
 * instruction, STI/MOV-SS shadow cleared, re-entered without the core). 0 = every exit takes the normal path. */
#define HC_BENCH_NORMAL 0
#define HC_BENCH_NULL_CPUID (1u << 0)     /* CPUID: registers unchanged */
#define HC_BENCH_NULL_RDMSR (1u << 1)     /* RDMSR: EDX:EAX = 0 */
#define HC_BENCH_NULL_WRMSR (1u << 2)     /* WRMSR: the write is dropped */
#define HC_BENCH_NULL_OUT (1u << 3)       /* OUT (not string): the byte is dropped */
#define HC_BENCH_NULL_HYPERCALL (1u << 4) /* any hypercall but HC_BENCH_MODE: RAX = 0, nothing done */
#define HC_BENCH_NULL_MMIO (1u << 5)      /* EPT violation / NPF: RIP += RCX of HC_BENCH_MODE, access dropped */
#define HC_BENCH_NULL_APIC_WRITE (1u << 6) /* VMX APIC-write exit (trap-like, RIP already past): no APIC action */
#define HC_BENCH_NULL_HLT (1u << 7)       /* HLT: the vCPU does not sleep */
#define HC_BENCH_NULL_KINDS 0xFFu
#define HC_BENCH_MMIO_LEN_MAX 15          /* the longest x86 instruction */

/* Platform devices every VM sees. */
#define GUEST_UART_PORT 0x3F8 /* 16550: THR output is captured, LSR always reports ready */
#define GUEST_EXIT_PORT 0xF4  /* an OUT ends the guest with that status (0 = success): QEMU's isa-debug-exit */
#define GUEST_EXIT_PORT_SIZE 4 /* ... at iobase=0xf4, iosize=4: OUTs of 1, 2 or 4 bytes to 0xF4-0xF7, aligned */

/* Multiboot v1 loading: the guest is entered in 32-bit flat protected mode, paging off,
 * EAX = MULTIBOOT_BOOTLOADER_MAGIC, EBX = GPA of the Multiboot information structure. */
#define MULTIBOOT_HEADER_MAGIC 0x1BADB002u
#define MULTIBOOT_BOOTLOADER_MAGIC 0x2BADB002u

#endif
