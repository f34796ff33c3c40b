; int vmx_world_switch(struct vcpu *v, int launched)
; Loads the guest GPRs from v->gpr[] (RSP lives in the VMCS), enters the guest with VMLAUNCH or VMRESUME,
; and at VM exit (HOST_RIP = vmx_exit_entry) stores them back. Returns 0 after a VM exit, 1 after
; VMfailInvalid, 2 after VMfailValid (read the VM-instruction error field).
bits 64
default rel
section .text

%define GPR(n) (n * 8)
%define RAX_ 0
%define RCX_ 1
%define RDX_ 2
%define RBX_ 3
%define RBP_ 5
%define RSI_ 6
%define RDI_ 7
%define VMCS_HOST_RSP 0x6C14

global vmx_world_switch
global vmx_exit_entry
vmx_world_switch:
	push rbx
	push rbp
	push r12
	push r13
	push r14
	push r15
	push rdi                ; [rsp] = vcpu, found again at VM exit
	mov rax, VMCS_HOST_RSP
	vmwrite rax, rsp
	jbe .fail               ; CF or ZF: the write failed
	test esi, esi           ; flags survive the MOVs below
	mov rax, [rdi + GPR(RAX_)]
	mov rbx, [rdi + GPR(RBX_)]
	mov rcx, [rdi + GPR(RCX_)]
	mov rdx, [rdi + GPR(RDX_)]
	mov rbp, [rdi + GPR(RBP_)]
	mov rsi, [rdi + GPR(RSI_)]
	mov r8,  [rdi + GPR(8)]
	mov r9,  [rdi + GPR(9)]
	mov r10, [rdi + GPR(10)]
	mov r11, [rdi + GPR(11)]
	mov r12, [rdi + GPR(12)]
	mov r13, [rdi + GPR(13)]
	mov r14, [rdi + GPR(14)]
	mov r15, [rdi + GPR(15)]
	mov rdi, [rdi + GPR(RDI_)]
	jnz .resume
	vmlaunch
	jmp .fail
.resume:
	vmresume
.fail:
	mov eax, 1              ; VMfailInvalid (CF=1)
	jc .out
	mov eax, 2              ; VMfailValid (ZF=1)
.out:
	add rsp, 8
	jmp vmx_world_restore

vmx_exit_entry:
	push rdi
	mov rdi, [rsp + 8]
	mov [rdi + GPR(RAX_)], rax
	mov [rdi + GPR(RBX_)], rbx
	mov [rdi + GPR(RCX_)], rcx
	mov [rdi + GPR(RDX_)], rdx
	mov [rdi + GPR(RBP_)], rbp
	mov [rdi + GPR(RSI_)], rsi
	mov [rdi + GPR(8)], r8
	mov [rdi + GPR(9)], r9
	mov [rdi + GPR(10)], r10
	mov [rdi + GPR(11)], r11
	mov [rdi + GPR(12)], r12
	mov [rdi + GPR(13)], r13
	mov [rdi + GPR(14)], r14
	mov [rdi + GPR(15)], r15
	pop rax
	mov [rdi + GPR(RDI_)], rax
	add rsp, 8
	xor eax, eax
vmx_world_restore:
	pop r15
	pop r14
	pop r13
	pop r12
	pop rbp
	pop rbx
	ret

section .note.GNU-stack noalloc noexec nowrite progbits
