; user_enter(fn, arg, user_rsp): IRETQ to fn(arg) at CPL 3; the first exception there comes back to
; user_landing through the recovery point (exc_recover_arm, lib/exc.h), which returns to the caller.

bits 64
default rel

SEL_DATA        equ 0x10
SEL_USER_DATA   equ 0x33                ; lib/x86.h
SEL_USER_CODE64 equ 0x3B
RFLAGS_FIXED    equ 2                   ; IF = 0: no interrupt can reach ring 3

extern exc_recover_arm

section .text
global user_enter
user_enter:
	push rbx
	push rbp
	push r12
	push r13
	push r14
	push r15
	sub rsp, 8                          ; 16-byte aligned for the call below
	mov r12, rdi
	mov r13, rsi
	mov r14, rdx
	lea rdi, [user_landing]
	mov rsi, rsp
	call exc_recover_arm
	push SEL_USER_DATA                  ; the IRETQ frame: SS, RSP, RFLAGS, CS, RIP
	push r14
	push RFLAGS_FIXED
	push SEL_USER_CODE64
	push r12
	mov rdi, r13
	iretq

user_landing:                           ; RSP as armed, CPL 0, IF = 0
	mov ax, SEL_DATA                    ; IRETQ to ring 3 nulled DS and ES (their DPL 0 < CPL 3)
	mov ds, ax
	mov es, ax
	add rsp, 8
	pop r15
	pop r14
	pop r13
	pop r12
	pop rbp
	pop rbx
	ret

section .note.GNU-stack noalloc noexec nowrite progbits
