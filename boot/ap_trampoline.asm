; The AP start-up trampoline: a STARTUP IPI starts an AP in real mode at CS = page >> 4, IP = 0 (SDM Vol. 3A
; §9.4.4.1). It goes to flat protected mode, builds a page table that identity-maps the first 2 MiB (where it
; runs), enters long mode, loads the host's own page tables and jumps to the C entry hv/ put into the
; parameters page (struct boot_ap_params, boot/boot_info.h). boot/ copies it below 1 MiB; it runs anywhere
; there, so every address is its page's base (EBX) plus an offset from ap_trampoline_start.
bits 16
default abs
section .text

%define OFF(x) ((x) - ap_trampoline_start)
%define PARAMS 0x1000            ; page 1: struct boot_ap_params
%define PML4 0x2000              ; pages 2-4: the temporary page tables
%define PDPT 0x3000
%define PD 0x4000
%define BOOT_AP_CR3 0
%define BOOT_AP_CR0 8
%define BOOT_AP_CR4 16
%define BOOT_AP_EFER 24
%define BOOT_AP_STACK 32
%define BOOT_AP_ENTRY 40
%define BOOT_AP_ARG 48
%define CR0_PE 1
%define CR4_PAE 0x20
%define MSR_EFER 0xC0000080
%define PTE_P_RW 0x3
%define PDE_2M 0x83               ; present, writable, 2 MiB page
%define SEL_CODE32 0x08
%define SEL_DATA32 0x10
%define SEL_CODE64 0x18

global ap_trampoline_start, ap_trampoline_end
ap_trampoline_start:
	cli
	cld
	mov ax, cs
	mov ds, ax
	movzx ebx, ax
	shl ebx, 4                              ; EBX = the page's linear (= physical) address
	lea eax, [ebx + OFF(gdt)]               ; the GDT and both far pointers need linear addresses
	mov [OFF(gdtr) + 2], eax
	lea eax, [ebx + OFF(protected32)]
	mov [OFF(protected32_ptr)], eax
	lea eax, [ebx + OFF(long64)]
	mov [OFF(long64_ptr)], eax
	o32 lgdt [OFF(gdtr)]
	mov eax, cr0
	or eax, CR0_PE
	mov cr0, eax
	o32 jmp far [OFF(protected32_ptr)]

bits 32
protected32:
	mov ax, SEL_DATA32
	mov ds, ax
	mov es, ax
	mov ss, ax
	lea edi, [ebx + PML4]                   ; three zeroed pages, then one 2 MiB page at 0
	xor eax, eax
	mov ecx, 3 * 1024
	rep stosd
	lea eax, [ebx + PDPT + PTE_P_RW]
	mov [ebx + PML4], eax
	lea eax, [ebx + PD + PTE_P_RW]
	mov [ebx + PDPT], eax
	mov dword [ebx + PD], PDE_2M
	mov eax, CR4_PAE
	mov cr4, eax
	lea eax, [ebx + PML4]
	mov cr3, eax
	mov ecx, MSR_EFER                       ; LME, and NXE before the host tables' XD bits are seen
	mov eax, [ebx + PARAMS + BOOT_AP_EFER]
	mov edx, [ebx + PARAMS + BOOT_AP_EFER + 4]
	wrmsr
	mov eax, [ebx + PARAMS + BOOT_AP_CR0]   ; PG: IA-32e mode, still in this 32-bit segment
	mov cr0, eax
	jmp far [ebx + OFF(long64_ptr)]

bits 64
long64:
	mov ebx, ebx                            ; the upper half is undefined after the mode switch
	mov rax, [rbx + PARAMS + BOOT_AP_CR4]
	mov cr4, rax
	mov rax, [rbx + PARAMS + BOOT_AP_CR3]   ; the host map keeps this page executable
	mov cr3, rax
	mov rsp, [rbx + PARAMS + BOOT_AP_STACK]
	mov rdi, [rbx + PARAMS + BOOT_AP_ARG]
	mov rax, [rbx + PARAMS + BOOT_AP_ENTRY]
	xor ebp, ebp                            ; the end of the frame chain for backtraces
	call rax
.stuck:
	hlt
	jmp .stuck

align 8
; Code and data descriptors with the accessed bit set: the CPU never writes them (the host map has this
; page read-only).
gdt:
	dq 0
	dq 0x00CF9B000000FFFF                   ; 0x08: 32-bit code, flat
	dq 0x00CF93000000FFFF                   ; 0x10: data, flat
	dq 0x00209B0000000000                   ; 0x18: 64-bit code
gdt_end:
gdtr:
	dw gdt_end - gdt - 1
	dd 0                                    ; the GDT's linear address, filled in at run time
protected32_ptr:
	dd 0
	dw SEL_CODE32
long64_ptr:
	dd 0
	dw SEL_CODE64
ap_trampoline_end:

section .note.GNU-stack noalloc noexec nowrite progbits
