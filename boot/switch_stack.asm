; boot_switch_stack(stack_top, boot_info): continue on the hypervisor's own stack.
; The firmware's stack lives in boot-services memory that is free after ExitBootServices.
bits 64
default rel
section .text
extern hv_entry
global boot_switch_stack
boot_switch_stack:
	mov rsp, rdi
	xor ebp, ebp            ; terminates backtraces
	mov rdi, rsi
	call hv_entry
.hang:
	cli
	hlt
	jmp .hang

section .note.GNU-stack noalloc noexec nowrite progbits
