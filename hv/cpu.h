/* The host CPU environment the hypervisor owns after ExitBootServices: GDT, TSS, IDT, page tables. */
#ifndef HV_CPU_H
#define HV_CPU_H

#include "types.h"

#define HOST_CS_SELECTOR 0x08
#define HOST_DS_SELECTOR 0x10
#define HOST_TR_SELECTOR 0x18
#define HOST_TIMER_VECTOR 0xF0
#define SPURIOUS_VECTOR 0xFF

struct trap_frame {
	u64 r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
	u64 vector, error_code, rip, cs, rflags, rsp, ss;
};

struct descriptor_table_register {
	u16 limit;
	u64 base;
} __attribute__((packed));

/* Loads the hypervisor's GDT (with a TSS), IDT and identity-mapped W^X page tables on this CPU
 * (host_mmu_describe() first). */
void cpu_setup_bsp(u64 max_phys_addr);

/* Snapshot of the host's descriptor tables, for back ends that must name them in their host state. */
struct host_tables {
	u64 gdt_base, idt_base, tss_base, cr3;
};
const struct host_tables *cpu_host_tables(void);

/* Host interrupt handlers register here (vector 32..255). */
typedef void (*irq_handler)(struct trap_frame *f);
void cpu_set_irq_handler(u8 vector, irq_handler fn);

#endif
