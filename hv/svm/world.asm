; svm_world_switch(struct vcpu *v, u64 guest_vmcb_pa, u64 host_vmcb_pa)
; Runs the guest once: loads its GPRs from v->gpr[] (RAX and RSP live in the VMCB), VMRUNs, and stores
; them back at #VMEXIT. VMRUN does not switch FS/GS/TR/LDTR and the syscall MSRs: VMSAVE/VMLOAD do.
bits 64
default rel
section .text

%define GPR(n) (n * 8)          ; offsets into struct vcpu, whose first member is u64 gpr[16]
%define RCX_ 1
%define RDX_ 2
%define RBX_ 3
%define RBP_ 5
%define RSI_ 6
%define RDI_ 7

global svm_world_switch
svm_world_switch:
	push rbx
	push rbp
	push r12
	push r13
	push r14
	push r15
	push rdx                ; [rsp + 16] host VMCB
	push rsi                ; [rsp + 8]  guest VMCB
	push rdi                ; [rsp]      vcpu

	clgi                    ; no host interrupt between here and VMRUN
	mov rax, rdx
	vmsave                  ; host FS/GS/TR/LDTR/KernelGsBase/syscall MSRs
	mov rax, rsi
	vmload                  ; the guest's

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

	; With V_INTR_MASKING the host's RFLAGS.IF decides whether a physical interrupt exits the guest
	; (APM Vol. 2 §15.21.1); GIF=0 still keeps it from reaching the host until irq_window().
	sti
	vmrun                   ; RAX = guest VMCB; on #VMEXIT RAX and RSP are the host's again
	cli

	push rdi                ; the guest's RDI, until we have the vcpu pointer back
	mov rdi, [rsp + 8]
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

	mov rax, [rsp + 8]
	vmsave                  ; the guest's hidden state, for the next VMLOAD
	mov rax, [rsp + 16]
	vmload                  ; the host's
	stgi                    ; host IF is 0: a pending host interrupt waits for irq_window()

	add rsp, 24
	pop r15
	pop r14
	pop r13
	pop r12
	pop rbp
	pop rbx
	ret

section .note.GNU-stack noalloc noexec nowrite progbits
