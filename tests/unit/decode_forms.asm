; Every memory form of hv/rules/decode.c's table in every operand size and mode, assembled by NASM at build time
; (a second assembler next to the GNU as / objdump cases of test_decode*.c). Each FORM is a 4-byte record
; - the instruction's length as NASM encoded it, its kind (K_* below, test_decode_nasm.c maps them to
; enum insn_kind), the operand size in bytes and the mode (0 16-bit, 1 32-bit, 2 64-bit) - then the
; instruction's bytes. test_decode_nasm.c decodes each one and checks length, kind, size and memory.
	global decode_forms, decode_forms_end

K_MOV_STORE equ 0
K_MOV_LOAD  equ 1
K_MOV_IMM   equ 2
K_MOVZX     equ 3
K_MOVSX     equ 4
K_ALU       equ 5
K_TEST      equ 6
K_INC       equ 7
K_DEC       equ 8
K_NOT       equ 9
K_NEG       equ 10
K_BT        equ 11
K_XCHG      equ 12
K_CMPXCHG   equ 13
K_XADD      equ 14
K_PUSH      equ 15
K_POP       equ 16
K_MOVS      equ 17
K_STOS      equ 18
K_LODS      equ 19
K_CMPS      equ 20
K_SCAS      equ 21
K_SSE       equ 22

%macro FORM 3+ ; kind, operand size, the instruction
	db %%e - %%s, %1, %2, MODE
%%s:	%3
%%e:
%endmacro

; The general forms at one memory operand M, for the register names of one size.
%macro GENERAL 5 ; size in bytes, size keyword, register, 8-bit immediate form allowed (1/0), M
	FORM K_MOV_STORE, %1, mov %5, %3
	FORM K_MOV_LOAD,  %1, mov %3, %5
	FORM K_MOV_IMM,   %1, mov %2 %5, 0x5a
	FORM K_ALU,       %1, add %5, %3
	FORM K_ALU,       %1, or %3, %5
	FORM K_ALU,       %1, adc %2 %5, 0x71
	FORM K_ALU,       %1, sbb %5, %3
	FORM K_ALU,       %1, and %2 %5, 0x7f
	FORM K_ALU,       %1, sub %3, %5
	FORM K_ALU,       %1, xor %5, %3
	FORM K_ALU,       %1, cmp %2 %5, 0x12
	FORM K_TEST,      %1, test %5, %3
	FORM K_TEST,      %1, test %2 %5, 0x40
	FORM K_INC,       %1, inc %2 %5
	FORM K_DEC,       %1, dec %2 %5
	FORM K_NOT,       %1, not %2 %5
	FORM K_NEG,       %1, neg %2 %5
	FORM K_XCHG,      %1, xchg %5, %3
	FORM K_CMPXCHG,   %1, lock cmpxchg %5, %3
	FORM K_XADD,      %1, lock xadd %5, %3
%if %4
	FORM K_ALU,       %1, add %2 %5, byte 0x7f
%endif
%endmacro

; Forms without a byte size: bit tests, MOVZX/MOVSX into the size.
%macro WIDE 4 ; size, size keyword, register, M
	FORM K_BT,    %1, bt %4, %3
	FORM K_BT,    %1, bts %2 %4, 3
	FORM K_BT,    %1, btr %2 %4, 4
	FORM K_BT,    %1, btc %2 %4, 5
	FORM K_MOVZX, %1, movzx %3, byte %4
	FORM K_MOVSX, %1, movsx %3, byte %4
%endmacro

%macro STRINGS 0
	FORM K_MOVS, 1, movsb
	FORM K_MOVS, 4, rep movsd
	FORM K_STOS, 2, rep stosw
	FORM K_LODS, 1, lodsb
	FORM K_CMPS, 4, repe cmpsd
	FORM K_SCAS, 1, repne scasb
%endmacro

	section .rodata
decode_forms:

	bits 64
%define MODE 2
%assign i 0
%rep 4
 %if i == 0
  %define M [rax]
 %elif i == 1
  %define M [rbx+0x7f]
 %elif i == 2
  %define M [r12+r13*4+0x12345678]
 %else
  %define M [rel $+0x1000]
 %endif
	GENERAL 1, byte, cl, 0, M
	GENERAL 1, byte, r9b, 0, M
	GENERAL 2, word, cx, 1, M
	GENERAL 4, dword, ecx, 1, M
	GENERAL 8, qword, rcx, 1, M
	GENERAL 8, qword, r15, 1, M
	FORM K_BT, 2, bt M, cx
	FORM K_BT, 4, bts dword M, 3
	FORM K_BT, 8, btr qword M, 60
	FORM K_MOVZX, 4, movzx ecx, word M
	FORM K_MOVSX, 8, movsx rcx, byte M
	FORM K_MOVSX, 8, movsxd rcx, dword M
	FORM K_MOV_STORE, 4, movnti M, ecx
	FORM K_MOV_STORE, 8, movnti M, rcx
	FORM K_PUSH, 8, push qword M
	FORM K_POP, 8, pop qword M
	FORM K_PUSH, 2, push word M
	FORM K_SSE, 4, movd xmm1, M
	FORM K_SSE, 8, movq M, xmm9
	FORM K_SSE, 16, movdqu xmm15, M
	FORM K_SSE, 16, movaps M, xmm2
	FORM K_MOV_STORE, 4, mov fs:M, ecx
 %assign i i+1
%endrep
	FORM K_MOV_LOAD, 4, mov eax, [qword 0xfee00020]
	FORM K_MOV_LOAD, 8, mov rax, [qword 0xfee00030]
	FORM K_MOV_STORE, 1, mov [qword 0xfee000b0], al
	FORM K_MOV_STORE, 2, mov [qword 0xfee000b0], ax
	FORM K_MOV_LOAD, 4, a32 mov eax, [dword 0xfee00020]
	STRINGS
	FORM K_STOS, 8, rep stosq

	bits 32
%define MODE 1
%assign i 0
%rep 4
 %if i == 0
  %define M [eax]
 %elif i == 1
  %define M [ebx+ecx*8-0x10]
 %elif i == 2
  %define M [ebp+0x12345678]
 %else
  %define M [0xfee000b0]
 %endif
	GENERAL 1, byte, dl, 0, M
	GENERAL 2, word, dx, 1, M
	GENERAL 4, dword, edx, 1, M
	WIDE 2, word, dx, M
	WIDE 4, dword, edx, M
	FORM K_PUSH, 4, push dword M
	FORM K_POP, 2, pop word M
	FORM K_SSE, 16, movdqa xmm3, M
	FORM K_MOV_LOAD, 4, mov edx, es:M
	FORM K_MOV_LOAD, 2, a16 mov dx, [bx+si+0x10]
 %assign i i+1
%endrep
	FORM K_MOV_LOAD, 4, mov eax, [0xfee00020]
	FORM K_MOV_STORE, 2, mov [0xfee00020], ax
	STRINGS

	bits 16
%define MODE 0
%assign i 0
%rep 4
 %if i == 0
  %define M [bx+si]
 %elif i == 1
  %define M [bp+di-0x7f]
 %elif i == 2
  %define M [bx+di+0x1234]
 %else
  %define M [0x1234]
 %endif
	GENERAL 1, byte, bl, 0, M
	GENERAL 2, word, bx, 1, M
	GENERAL 4, dword, ebx, 1, M
	WIDE 2, word, bx, M
	WIDE 4, dword, ebx, M
	FORM K_PUSH, 2, push word M
	FORM K_POP, 2, pop word M
	FORM K_MOV_LOAD, 4, a32 mov ebx, [esi+edi*2+0x100]
 %assign i i+1
%endrep
	FORM K_MOV_LOAD, 2, mov ax, [0x20]
	STRINGS
decode_forms_end:
	section .note.GNU-stack noalloc noexec nowrite progbits
