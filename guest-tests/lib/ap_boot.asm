; AP start-up: the real-mode trampoline a SIPI runs, and its 64-bit continuation in the image.
; The protocol is described in smp.h; the struct cpu_local offsets below are checked in smp.c.
;
; The trampoline (ap_trampoline_start .. ap_trampoline_end) is assembled into .rodata and copied by the
; BSP to TRAMPOLINE_GPA, where a SIPI with vector TRAMPOLINE_GPA >> 12 starts it at CS = 0x0800,
; IP = 0 (SDM Vol. 3A §9.4.4). Everything it addresses inside itself is therefore written as
; TRAMPOLINE_GPA + (label - ap_trampoline_start); addresses outside it (pml4, ap_entry64) are absolute
; link-time addresses in the image, which the identity map makes valid in every mode used here.
;
; Registers carried from the first instruction to ap_entry64: EBP = CR0 at entry, DI = CS at entry.

bits 16
default abs

TRAMPOLINE_GPA      equ 0x8000          ; SMP_TRAMPOLINE_GPA in smp.h

%include "long_mode.inc"                ; the same GDT layout and bits as entry.asm
TSS_TYPE_BUSY       equ 0x02            ; type 0xB (busy) vs 0x9 (available): bit 1 of the type field
DESC_TYPE_BYTE      equ 5               ; byte of a descriptor holding P, DPL, S and the type

MSR_GS_BASE         equ 0xC0000101

CPUID_LEAF_TOPOLOGY equ 0x0B            ; EDX = x2APIC ID of this logical processor
APIC_ID_SHIFT       equ 24              ; CPUID.1:EBX[31:24] = initial xAPIC ID

; struct cpu_local (percpu.h)
CPU_LOCAL_STACK_TOP equ 8
CPU_LOCAL_APIC_ID   equ 16
CPU_LOCAL_ENTRY_CR0 equ 24
CPU_LOCAL_ENTRY_CS  equ 32
CPU_LOCAL_GDTR      equ 40
CPU_LOCAL_GDT       equ 64

SMP_STRAY_MAX       equ 16              ; smp.h

%define TRAMPOLINE(label) (TRAMPOLINE_GPA + (label) - ap_trampoline_start)

extern pml4                             ; entry.asm: the BSP's page tables
extern smp_cpu_table, smp_cpu_table_len, smp_stray_count, smp_stray_ids
extern smp_ap_main

section .rodata
align 16
global ap_trampoline_start, ap_trampoline_end
ap_trampoline_start:
	mov eax, cr0                        ; FIRST: CR0 exactly as RESET or INIT left it (spec §4.6 items 1, 7)
	mov ebp, eax
	mov di, cs                          ; SIPI vector << 8
	cli
	cld
	; Addressed through CS's base (vector << 12), not by loading CS's selector into DS: a hypervisor
	; that gets the selector wrong (it must be vector << 8) then fails the tests that check entry_cs
	; instead of crashing here.
	o32 lgdt [cs:trampoline_gdtr - ap_trampoline_start]
	mov eax, ebp
	or eax, CR0_PE                      ; CD and NW stay as found: the cr0 test controls them
	mov cr0, eax
	jmp dword SEL_CODE32:TRAMPOLINE(protected_mode)

bits 32
protected_mode:
	mov ax, SEL_DATA
	mov ds, ax
	mov es, ax
	mov ss, ax
	PREPARE_LONG_MODE_PAGING
	mov eax, ebp
	and eax, ~(CR0_EM | CR0_TS)
	or eax, CR0_PE | CR0_MP | CR0_NE | CR0_PG   ; as the BSP's entry.asm, but CD/NW untouched
	mov cr0, eax
	jmp SEL_CODE64:TRAMPOLINE(long_mode)

bits 64
long_mode:
	mov rax, ap_entry64                 ; leave the low page for the image
	jmp rax

align 8
trampoline_gdt:                         ; only for the way up: ap_entry64 loads the CPU's own GDT
	dq 0
	dq GDT_CODE64_DESC
	dq GDT_DATA_DESC
	dq GDT_CODE32_DESC
trampoline_gdt_end:
trampoline_gdtr:
	dw trampoline_gdt_end - trampoline_gdt - 1
	dd TRAMPOLINE(trampoline_gdt)
ap_trampoline_end:

section .text
; 64-bit mode on the trampoline's GDT, no stack yet. Find this CPU's struct cpu_local by its initial
; APIC ID, then switch to its GDT, TSS, GS base and stack, and call smp_ap_main(struct cpu_local *).
ap_entry64:
	mov ax, SEL_DATA
	mov ds, ax
	mov es, ax
	mov ss, ax

; The initial APIC ID -> R12D: CPUID.0BH:EDX (all 32 bits), else CPUID.1:EBX[31:24].
initial_apic_id:
	xor eax, eax
	cpuid
	cmp eax, CPUID_LEAF_TOPOLOGY
	jb .legacy
	mov eax, CPUID_LEAF_TOPOLOGY
	xor ecx, ecx
	cpuid
	test ebx, ebx                       ; EBX = 0: leaf 0xB not implemented on this CPU
	jz .legacy
	mov r12d, edx
	jmp find_cpu_local
.legacy:
	mov eax, 1
	cpuid
	shr ebx, APIC_ID_SHIFT
	mov r12d, ebx

find_cpu_local:
	mov ecx, [smp_cpu_table_len]
	mov rsi, smp_cpu_table
.next:
	test ecx, ecx
	jz stray
	mov rbx, [rsi]
	cmp [rbx + CPU_LOCAL_APIC_ID], r12d
	je found
	add rsi, 8
	dec ecx
	jmp .next

; Not in the table: count it, keep its ID, and stop. It never touches another CPU's data.
stray:
	mov eax, 1
	lock xadd [smp_stray_count], eax
	cmp eax, SMP_STRAY_MAX
	jae park
	mov [smp_stray_ids + rax * 4], r12d
park:
	cli
	hlt
	jmp park

found:
	mov rsp, [rbx + CPU_LOCAL_STACK_TOP] ; the CPU's own stack, before the far return below needs one
	mov eax, ebp                        ; 32-bit moves zero-extend: the upper halves are undefined here
	mov [rbx + CPU_LOCAL_ENTRY_CR0], rax
	mov [rbx + CPU_LOCAL_ENTRY_CS], di

	lgdt [rbx + CPU_LOCAL_GDTR]
	push SEL_CODE64
	mov rax, .own_gdt
	push rax
	retfq                               ; reload CS from the CPU's own GDT
.own_gdt:
	mov ax, SEL_DATA
	mov ds, ax
	mov es, ax
	mov ss, ax
	xor eax, eax
	mov fs, ax
	mov gs, ax
	; LTR marks the descriptor busy, and LTR of a busy one faults: after an INIT, start from "available".
	and byte [rbx + CPU_LOCAL_GDT + SEL_TSS + DESC_TYPE_BYTE], ~TSS_TYPE_BUSY
	mov ax, SEL_TSS
	ltr ax

	mov ecx, MSR_GS_BASE                ; after the GS load above, which would clear the base
	mov eax, ebx
	mov rdx, rbx
	shr rdx, 32
	wrmsr

	mov rdi, rbx
	call smp_ap_main                    ; does not return
	jmp park

section .note.GNU-stack noalloc noexec nowrite progbits
