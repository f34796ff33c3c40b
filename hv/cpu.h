/* The host CPU environment the hypervisor owns after ExitBootServices: GDT, TSS, IDT, page tables. */
#ifndef HV_CPU_H
#define HV_CPU_H

#include "lib/types.h"

#define HOST_CS_SELECTOR 0x08
#define HOST_DS_SELECTOR 0x10
#define HOST_TR_SELECTOR 0x18
#define HOST_TIMER_VECTOR 0xF0
#define HOST_WAKE_VECTOR 0xF1 /* an IPI that wakes a parked pCPU (hv/pcpu.c) */
#define SPURIOUS_VECTOR 0xFF
#define CPU_GDT_ENTRIES 5 /* null, code64, data, TSS (two slots) */
#define CPU_IDT_ENTRIES 256
#define CPU_IST_STACK_BYTES 16384
#define CPU_STACK_BYTES 65536 /* as boot/ gives the boot CPU */

struct trap_frame {
	u64 r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
	u64 vector, error_code, rip, cs, rflags, rsp, ss;
};

struct descriptor_table_register {
	u16 limit;
	u64 base;
} __attribute__((packed));

struct tss64 {
	u32 reserved0;
	u64 rsp[3];
	u64 reserved1;
	u64 ist[7];
	u64 reserved2;
	u16 reserved3;
	u16 iomap_base;
} __attribute__((packed));

struct idt_gate {
	u16 offset_low;
	u16 selector;
	u8 ist;
	u8 type_attr;
	u16 offset_mid;
	u32 offset_high;
	u32 reserved;
} __attribute__((packed));

/* One pCPU's descriptor tables. The TSS is per pCPU (its IST stack is); the IDT could be shared, but its
 * own one lets a pCPU's vectors differ later (a per-pCPU IPI handler) without touching the others. */
struct cpu_tables {
	u64 gdt[CPU_GDT_ENTRIES] __attribute__((aligned(16)));
	struct idt_gate idt[CPU_IDT_ENTRIES] __attribute__((aligned(16)));
	struct tss64 tss __attribute__((aligned(16)));
};

/* Loads the hypervisor's GDT (with a TSS), IDT and identity-mapped W^X page tables on the boot CPU
 * (host_mmu_describe() first, and every stack's guard page described by then). */
void cpu_setup_bsp(u64 max_phys_addr);
/* The same GDT/TSS/IDT on an AP, in its own tables `t` (it already runs on the host page tables). */
void cpu_setup_ap(struct cpu_tables *t, u64 ist_stack_top);
/* A stack of `bytes` from the pool with an unmapped guard page below it (before cpu_setup_bsp(), which
 * builds the map); returns its top, or 0 when the pool is exhausted. */
u64 cpu_alloc_stack(u64 bytes, const char *name);

/* Snapshot of the host's descriptor tables, for back ends that must name them in their host state. */
struct host_tables {
	u64 gdt_base, idt_base, tss_base, cr3;
};
struct host_tables cpu_host_tables(void); /* this pCPU's */

/* Host interrupt handlers register here (vector 32..255). */
typedef void (*irq_handler)(struct trap_frame *f);
void cpu_set_irq_handler(u8 vector, irq_handler fn);

#endif
