; Run a piece of 32-bit code in compatibility mode and come back to 64-bit mode.
;
; void compat32_call(u32 fn32, u32 arg);   (compat32.h)
;
; Long mode stays on: a far call through a 16:32 pointer loads the 32-bit code selector of entry.asm's
; GDT (CS.L=0, CS.D=1), so the CPU runs in compatibility mode with the flat DS/ES/SS it already has.
; The 32-bit stub calls fn32 with arg in EAX, then a 32-bit RETF pops the 4-byte EIP and CS the far call
; pushed and lands back in the 64-bit code segment. fn32 may clobber every register but ESP.
;
; The SDM (Vol. 1 §3.4.1.1) leaves the upper halves of all GPRs undefined after a switch to a 32-bit
; mode, so every register the SysV ABI wants preserved is saved on the stack (memory survives), and
; RSP is re-zero-extended. Everything involved (code, stack, fn32's data) lies below 4 GiB.
; Exceptions taken in compatibility mode go through the 64-bit IDT as usual.

bits 64
default rel

SEL_CODE32 equ 0x18                    ; keep in sync with entry.asm and x86.h

section .text
global compat32_call
compat32_call:
	push rbx
	push rbp
	push r12
	push r13
	push r14
	push r15
	call far dword [compat32_entry_ptr] ; o32: pushes CS and EIP, 4 bytes each
	mov esp, esp                        ; RSP[63:32] is undefined after compatibility mode: it was 0
	pop r15
	pop r14
	pop r13
	pop r12
	pop rbp
	pop rbx
	ret

bits 32
compat32_entry:
	mov eax, esi                        ; arg (ESI and EDI keep their low halves across the switch)
	call edi
	retf                                ; o32: EIP, then CS = SEL_CODE64: back to 64-bit mode

section .rodata
align 8
compat32_entry_ptr:
	dd compat32_entry                   ; m16:32 far pointer: offset, then selector
	dw SEL_CODE32

section .note.GNU-stack noalloc noexec nowrite progbits
