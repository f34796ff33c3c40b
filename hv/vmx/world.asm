; int vmx_world_switch(struct vcpu *v, int launched)
; Loads the guest GPRs from v->gpr[] (RSP lives in the VMCS), enters the guest with VMLAUNCH or VMRESUME,
; and at VM exit (HOST_RIP = vmx_exit_entry) stores them back. Returns 0 after a VM exit, 1 after
; VMfailInvalid, 2 after VMfailValid (read the VM-instruction error field).
bits 64
default rel
%include "hv/guest_gprs.inc"
section .text

%define VMCS_HOST_RSP 0x6C14

global vmx_world_switch
global vmx_exit_entry
vmx_world_switch:
	PUSH_HOST_CALLEE_SAVED
	push rdi                ; [rsp] = vcpu, found again at VM exit
	mov rax, VMCS_HOST_RSP
	vmwrite rax, rsp
	jbe .fail               ; CF or ZF: the write failed
	test esi, esi           ; flags survive the MOVs below
	mov rax, [rdi + GPR(GPR_RAX)]
	LOAD_GUEST_GPRS_EXCEPT_RAX
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
	STORE_GUEST_GPRS_EXCEPT_RAX
	mov [rdi + GPR(GPR_RAX)], rax
	add rsp, 8
	xor eax, eax
vmx_world_restore:
	POP_HOST_CALLEE_SAVED
	ret

section .note.GNU-stack noalloc noexec nowrite progbits
