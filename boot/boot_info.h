/* The only contract between boot/ (UEFI) and hv/ (everything after ExitBootServices). */
#ifndef BOOT_BOOT_INFO_H
#define BOOT_BOOT_INFO_H

#include "hv/lib/types.h"

#define BOOT_CMDLINE_MAX 4096
#define BOOT_MAX_FILES 120 /* CMDLINE_MAX_GUESTS guests with CMDLINE_MAX_MODULES modules each */
#define BOOT_MAX_MEM_REGIONS 512
#define BOOT_FILE_NAME_MAX 128
#define BOOT_MAX_FW_CPUS 64

enum boot_mem_type {
	BOOT_MEM_USABLE,   /* free for the hypervisor after ExitBootServices */
	BOOT_MEM_HV,       /* the hypervisor image and its allocations */
	BOOT_MEM_RESERVED, /* firmware, ACPI, MMIO: never touched */
	BOOT_MEM_FIRMWARE_CODE, /* UEFI runtime services code: never touched, but executed to power off */
};

struct boot_mem_region {
	u64 base;
	u64 size;
	u32 type;
};

/* A file named on the command line (a guest= image or an initrd= module), read from the boot volume before
 * ExitBootServices. Each file is read once, however many guests name it. */
struct boot_file {
	char name[BOOT_FILE_NAME_MAX];
	const u8 *data;    /* NULL when loading failed */
	u64 size;
	const char *error; /* why loading failed, or NULL */
};

struct boot_framebuffer {
	u64 base; /* 0: no GOP framebuffer */
	u32 width, height, pixels_per_line, format;
};

/* The largest pool boot/ reserves for the hypervisor; hv/mm.c sizes its page bitmap to it. */
#define BOOT_POOL_MAX_BYTES (256ull << 20)

/* The AP start-up trampoline (boot/ap_trampoline.asm): boot/ copies it to BOOT_AP_TRAMPOLINE_PAGES pages
 * below 1 MiB (a STARTUP IPI's vector names a page there, SDM Vol. 3A §9.4.4.1). Page 0: its code (real
 * mode -> protected mode -> long mode); page 1: struct boot_ap_params, written by hv/ before each AP is
 * started; pages 2-4: the temporary page tables it builds to reach long mode. */
#define BOOT_AP_TRAMPOLINE_PAGES 5
#define BOOT_AP_PARAMS_PAGE 1
struct boot_ap_params {
	u64 cr3;       /* the host's page tables (any address: loaded once in long mode) */
	u64 cr0, cr4;  /* CR0 with PG and PE; CR4 for long mode (PAE and what the host uses) */
	u64 efer;      /* with LME (and NXE, which the host tables need) */
	u64 stack_top; /* the AP's stack */
	u64 entry;     /* void entry(u64 arg): the AP's C entry, never returns */
	u64 arg;
};
/* The offsets ap_trampoline.asm reads (checked in boot/efi_main.c). */
#define BOOT_AP_CR3 0
#define BOOT_AP_CR0 8
#define BOOT_AP_CR4 16
#define BOOT_AP_EFER 24
#define BOOT_AP_STACK 32
#define BOOT_AP_ENTRY 40
#define BOOT_AP_ARG 48

struct boot_info {
	u64 image_base, image_size;
	u64 pool_base, pool_size; /* physically contiguous, 2 MiB aligned: the hypervisor's page allocator */
	u64 stack_top;
	u64 stack_guard;          /* the page below the stack: hv/ leaves it unmapped, so an overflow faults */
	u64 acpi_rsdp;            /* 0 if the firmware has none */
	u64 ap_trampoline;        /* physical, page aligned, below 1 MiB; 0 if no low memory was free */
	/* The enabled processors (APIC IDs) of the firmware's EFI_MP_SERVICES_PROTOCOL, for when ACPI has no
	 * MADT (OVMF under Bochs); nfw_cpus may exceed BOOT_MAX_FW_CPUS, fw_apic_ids holds the first ones. */
	u32 nfw_cpus;
	u32 fw_apic_ids[BOOT_MAX_FW_CPUS];
	struct boot_framebuffer fb;
	char cmdline[BOOT_CMDLINE_MAX];
	u64 cmdline_source_bytes; /* length of the load options or microhv.cfg it came from (may exceed it) */
	const char *cmdline_source; /* "load options" or "microhv.cfg" */
	u32 nfiles;
	struct boot_file files[BOOT_MAX_FILES];
	u32 nmem;
	struct boot_mem_region mem[BOOT_MAX_MEM_REGIONS];
	/* Powers the machine off through UEFI runtime services (identity-mapped, never virtualized). */
	void (*shutdown)(void);
};

/* Entered on the hypervisor's own stack with interrupts disabled; never returns. */
void hv_entry(struct boot_info *bi) __attribute__((noreturn));

#endif
