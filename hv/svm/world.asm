; svm_world_switch(struct vcpu *v, u64 guest_vmcb_pa, u64 host_vmcb_pa)
; Runs the guest once: loads its GPRs from v->gpr[] (RAX and RSP live in the VMCB), VMRUNs, and stores
; them back at #VMEXIT. VMRUN does not switch FS/GS/TR/LDTR and the syscall MSRs: VMSAVE/VMLOAD do.
bits 64
default rel
%include "hv/guest_gprs.inc"
section .text

global svm_world_switch
svm_world_switch:
	PUSH_HOST_CALLEE_SAVED
	push rdx                ; [rsp + 16] host VMCB
	push rsi                ; [rsp + 8]  guest VMCB
	push rdi                ; [rsp]      vcpu

	clgi                    ; no host interrupt between here and VMRUN
	mov rax, rdx
	vmsave                  ; host FS/GS/TR/LDTR/KernelGsBase/syscall MSRs
	mov rax, rsi
	vmload                  ; the guest's
	LOAD_GUEST_GPRS_EXCEPT_RAX

	; With V_INTR_MASKING the host's RFLAGS.IF decides whether a physical interrupt exits the guest
	; (APM Vol. 2 §15.21.1); GIF=0 still keeps it from reaching the host until irq_window().
	sti
	vmrun                   ; RAX = guest VMCB; on #VMEXIT RAX and RSP are the host's again
	cli

	push rdi                ; the guest's RDI, until we have the vcpu pointer back
	STORE_GUEST_GPRS_EXCEPT_RAX

	mov rax, [rsp + 8]
	vmsave                  ; the guest's hidden state, for the next VMLOAD
	mov rax, [rsp + 16]
	vmload                  ; the host's
	stgi                    ; host IF is 0: a pending host interrupt waits for irq_window()

	add rsp, 24
	POP_HOST_CALLEE_SAVED
	ret

section .note.GNU-stack noalloc noexec nowrite progbits
