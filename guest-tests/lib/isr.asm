; Interrupt/exception entry stubs for the test guests: one stub per vector, one common path.
;
; A stub pushes only its vector number. It deliberately does NOT push a dummy error code, so the
; handler can see the frame exactly as the CPU (or the hypervisor's event injection) built it, with
; or without an error code. exc_dispatch() (idt.c) works out which shape it got, may redirect the
; saved RIP (fixups), and returns how many bytes sit between the saved registers and the RIP slot
; (the vector slot, plus 8 if an error code was pushed). We drop exactly that before IRETQ.

bits 64
default rel

NR_VECTORS     equ 256
SAVED_GPRS     equ 15              ; rax..r15 without rsp
VECTOR_SLOT    equ SAVED_GPRS * 8  ; offset of the vector slot from the saved-register base

extern exc_dispatch

section .text
; isr_stub_N: push N, jump to the common path. Interrupt gates clear IF, so nothing nests but faults.
%assign vec 0
%rep NR_VECTORS
isr_stub_ %+ vec:
	push qword vec
	jmp isr_common
%assign vec vec + 1
%endrep

; Stack on arrival: [vector] [error code?] RIP CS RFLAGS RSP SS.
isr_common:
	push r15
	push r14
	push r13
	push r12
	push r11
	push r10
	push r9
	push r8
	push rbp
	push rdi
	push rsi
	push rdx
	push rcx
	push rbx
	push rax                        ; rsp now points at struct isr_context (idt.h)
	cld                             ; the C ABI requires DF = 0 on function entry

	mov rdi, rsp
	mov rbx, rsp                    ; callee-saved: survives the call
	and rsp, -16                    ; the frame's alignment depends on the error code; the ABI wants 16
	call exc_dispatch
	mov rsp, rbx
	mov [rsp + VECTOR_SLOT], rax    ; bytes to drop: vector slot (+ error code)

	pop rax
	pop rbx
	pop rcx
	pop rdx
	pop rsi
	pop rdi
	pop rbp
	pop r8
	pop r9
	pop r10
	pop r11
	pop r12
	pop r13
	pop r14
	pop r15
	add rsp, [rsp]                  ; skip the vector slot and the error code, if there was one
	iretq

section .rodata
align 8
global isr_stub_table
isr_stub_table:                     ; entry points, indexed by vector, for idt_init()
%assign vec 0
%rep NR_VECTORS
	dq isr_stub_ %+ vec
%assign vec vec + 1
%endrep

section .note.GNU-stack noalloc noexec nowrite progbits
