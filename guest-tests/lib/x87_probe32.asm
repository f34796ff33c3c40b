; x87 pointer-register probes (x87_probe.h). Each starts with FNINIT, so the pointers are 0 and
; FCW = 0x037F, loads the operand with FLD m32 (a DS access, so FDS/FDP describe it), then saves.

default rel

PROBE_FXSAVE  equ 0                     ; struct x87_probe offsets (checked in x87_probe.h)
PROBE_FNSAVE  equ 512
PROBE_ENV     equ 620
PROBE_OPERAND equ 648
PROBE_CS      equ 652
PROBE_DS      equ 654

; Record the selectors the probe runs with (%1 = register holding the struct pointer).
%macro RECORD_SELECTORS 1
	mov word [%1 + PROBE_CS], cs
	mov word [%1 + PROBE_DS], ds
%endmacro

section .text

; 32-bit code for compat32_call(): EAX = struct x87_probe * (below 4 GiB).
bits 32
global x87_fnstenv32, x87_fxsave32, x87_fnsave_fnstenv32
x87_fnstenv32:
	RECORD_SELECTORS eax
	fninit
	fld dword [eax + PROBE_OPERAND]
	fnstenv [eax + PROBE_ENV]           ; 32-bit operand size: the 28-byte protected-mode image
	ret

x87_fxsave32:
	RECORD_SELECTORS eax
	fninit
	fld dword [eax + PROBE_OPERAND]
	fxsave [eax + PROBE_FXSAVE]         ; no REX exists here: the FCS/FDS layout
	ret

x87_fnsave_fnstenv32:
	RECORD_SELECTORS eax
	fninit
	fld dword [eax + PROBE_OPERAND]
	fnsave [eax + PROBE_FNSAVE]         ; saves, then reinitialises: pointers cleared
	fnstenv [eax + PROBE_ENV]           ; so this image must show them all 0
	ret

; void x87_fxsave64_no_rexw(struct x87_probe *p): 64-bit mode, RDI = p.
bits 64
global x87_fxsave64_no_rexw
x87_fxsave64_no_rexw:
	RECORD_SELECTORS rdi
	fninit
	fld dword [rdi + PROBE_OPERAND]
	fxsave [rdi + PROBE_FXSAVE]         ; NASM emits no REX.W for plain FXSAVE (FXSAVE64 would add it)
	ret

section .note.GNU-stack noalloc noexec nowrite progbits
