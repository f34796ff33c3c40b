; The hypercall instructions, kept in assembly so that the address right after each one is a
; symbol: a test compares it with the RIP of an exception injected by that hypercall.
;
; void hc_vmmcall_regs(struct hc_regs *r);  void hc_vmcall_regs(struct hc_regs *r);
; Loads RAX, RBX, RCX, RDX, RSI from *r, issues the instruction, stores them back. microhv preserves
; every other register, RDI (the pointer) included.

bits 64
default rel

HC_RAX equ 0                    ; offsets in struct hc_regs (hypercall.h)
HC_RBX equ 8
HC_RCX equ 16
HC_RDX equ 24
HC_RSI equ 32

%macro HYPERCALL_FUNCTION 2     ; %1 = name stem, %2 = instruction
global hc_%1_regs, hc_%1_next
hc_%1_regs:
	push rbx                        ; callee-saved in the SysV ABI
	mov rax, [rdi + HC_RAX]
	mov rbx, [rdi + HC_RBX]
	mov rcx, [rdi + HC_RCX]
	mov rdx, [rdi + HC_RDX]
	mov rsi, [rdi + HC_RSI]
	%2
hc_%1_next:
	mov [rdi + HC_RAX], rax
	mov [rdi + HC_RBX], rbx
	mov [rdi + HC_RCX], rcx
	mov [rdi + HC_RDX], rdx
	mov [rdi + HC_RSI], rsi
	pop rbx
	ret
%endmacro

section .text
HYPERCALL_FUNCTION vmmcall, vmmcall
HYPERCALL_FUNCTION vmcall, vmcall

section .note.GNU-stack noalloc noexec nowrite progbits
