; Host interrupt and exception entry points: push a uniform struct trap_frame and call trap_dispatch().
bits 64
default rel
section .text
extern trap_dispatch

%define HOST_TIMER_VECTOR 0xF0
%define HOST_WAKE_VECTOR 0xF1
%define SPURIOUS_VECTOR 0xFF

; Vectors for which the CPU pushes an error code (SDM Vol. 3A Table 6-1).
%macro STUB 1
global trap_stub_%1
trap_stub_%1:
%if %1 = 8 || (%1 >= 10 && %1 <= 14) || %1 = 17 || %1 = 21 || %1 = 29 || %1 = 30
%else
	push 0                  ; no error code: keep the frame layout uniform
%endif
	push %1
	jmp trap_common
%endmacro

%assign v 0
%rep 32
STUB v
%assign v v + 1
%endrep
STUB HOST_TIMER_VECTOR
STUB SPURIOUS_VECTOR
STUB HOST_WAKE_VECTOR

trap_common:
	push rax
	push rbx
	push rcx
	push rdx
	push rsi
	push rdi
	push rbp
	push r8
	push r9
	push r10
	push r11
	push r12
	push r13
	push r14
	push r15
	mov rdi, rsp            ; struct trap_frame *; RBP still holds the interrupted frame chain
	cld
	call trap_dispatch
	pop r15
	pop r14
	pop r13
	pop r12
	pop r11
	pop r10
	pop r9
	pop r8
	pop rbp
	pop rdi
	pop rsi
	pop rdx
	pop rcx
	pop rbx
	pop rax
	add rsp, 16             ; vector and error code
	iretq

section .data
; Table of stub addresses for idt setup: 32 exceptions, then the timer, spurious and wake-up vectors.
global trap_stub_table
align 8
trap_stub_table:
%assign v 0
%rep 32
	dq trap_stub_ %+ v
%assign v v + 1
%endrep
	dq trap_stub_ %+ HOST_TIMER_VECTOR
	dq trap_stub_ %+ SPURIOUS_VECTOR
	dq trap_stub_ %+ HOST_WAKE_VECTOR

section .note.GNU-stack noalloc noexec nowrite progbits
