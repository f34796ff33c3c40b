; mb_low: a Multiboot kernel whose only segment (0x8000-0x9800) covers 0x9000, where QEMU's -kernel
; loader puts the memory map and the information structure (hw/i386/multiboot.c: ADDR_E820_MAP 0x9000,
; ADDR_MBI 0x9500). QEMU loads it, but its option ROM copies the kernel over its own map and structure:
; EBX = 0x9500 then points into the kernel's bytes (measured with QEMU 7.2: cases 3 and 4 fail there).
; microhv loads it and moves the map and the structure to the first page after the kernel
; (hv/rules/loader/mbi.c). Plain NASM, no runtime: the kernel checks that its bytes at 0x9000-0x97FF are intact
; and that EBX points to a valid structure outside it, prints TAP on COM1 and exits through port 0xF4.
bits 32

MB_MAGIC     equ 0x1BADB002
MB_FLAGS     equ 0x3                ; page-aligned modules, memory information
MB_BOOT_MAGIC equ 0x2BADB002
MBI_FLAGS_QEMU equ 0x24F
MBI_OFF_FLAGS equ 0
MBI_OFF_MMAP_LEN equ 44
MBI_OFF_MMAP_ADDR equ 48
MBI_INFO_OFFSET equ 0x500           ; the structure follows the map by 0x500 bytes, as at 0x9000/0x9500
LOW_MEM_END  equ 0x9FC00
PATTERN_START equ 0x9000
PATTERN_DWORDS equ 0x200           ; 0x9000-0x97FF
COM1         equ 0x3F8
COM1_LSR     equ COM1 + 5
LSR_THRE     equ 0x20
EXIT_PORT    equ 0xF4

section .text
global mb_low_entry
align 4
mb_header:
	dd MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)

mb_low_entry:
	mov esp, stack_top
	mov [boot_eax], eax
	mov [boot_ebx], ebx
	xor edi, edi                    ; failures

	mov esi, s_case1                ; 1: entered as a Multiboot kernel
	cmp dword [boot_eax], MB_BOOT_MAGIC
	call report

	mov ecx, PATTERN_DWORDS         ; 2: the kernel's bytes over QEMU's area are as in the file
	mov ebx, PATTERN_START
	xor eax, eax
.pattern:
	lea edx, [eax * 4 + 0x5A000000]
	cmp [ebx + eax * 4], edx
	jne .pattern_done
	inc eax
	loop .pattern
.pattern_done:
	mov esi, s_case2
	cmp ecx, 0
	call report

	mov ebx, [boot_ebx]             ; 3: the structure is outside the kernel, with QEMU's flags
	mov esi, s_case3
	cmp ebx, kernel_end
	jb .outside_fail
	cmp dword [ebx + MBI_OFF_FLAGS], MBI_FLAGS_QEMU
	jmp .outside_done
.outside_fail:
	cmp esp, 0                      ; ZF = 0
.outside_done:
	call report

	mov esi, s_case4                ; 4: the map moved with it: first entry 0-0x9FC00 available
	lea eax, [ebx - MBI_INFO_OFFSET]
	cmp [ebx + MBI_OFF_MMAP_ADDR], eax
	jne .map_done
	cmp dword [ebx + MBI_OFF_MMAP_LEN], 0
	je .map_fail
	cmp dword [eax + 12], LOW_MEM_END ; entry: size, base (8), length (8), type
	jne .map_done
	cmp dword [eax + 20], 1
	jmp .map_done
.map_fail:
	cmp esp, 0
.map_done:
	call report

	mov esi, s_plan
	call puts
	mov eax, edi                    ; status 0 if every case passed, else 1
	test eax, eax
	setnz al
	movzx eax, al
	out EXIT_PORT, eax
.halt:
	cli
	hlt
	jmp .halt

; ZF set: "ok N - name", else "not ok N - name" (ESI: "N - name\n"). Counts failures in EDI.
report:
	pushf
	push esi
	jz .ok
	inc edi
	mov esi, s_not
	call puts
.ok:
	mov esi, s_ok
	call puts
	pop esi
	call puts
	popf
	ret

puts:                                   ; ESI: NUL-terminated string
	push eax
	push edx
.next:
	lodsb
	test al, al
	jz .done
	mov ah, al
	mov dx, COM1_LSR
.wait:
	in al, dx
	test al, LSR_THRE
	jz .wait
	mov al, ah
	mov dx, COM1
	out dx, al
	jmp .next
.done:
	pop edx
	pop eax
	ret

s_not:   db "not ", 0
s_ok:    db "ok ", 0
s_case1: db "1 - multiboot_entry", 10, 0
s_case2: db "2 - kernel_bytes_at_0x9000_intact", 10, 0
s_case3: db "3 - mbi_outside_kernel", 10, 0
s_case4: db "4 - mmap_moved_with_mbi", 10, 0
s_plan:  db "1..4", 10, 0

align 4
boot_eax: dd 0
boot_ebx: dd 0
	times 0x400 db 0
stack_top:

	times PATTERN_START - 0x8000 - ($ - $$) db 0
pattern:
%assign i 0
%rep PATTERN_DWORDS
	dd 0x5A000000 + i * 4
%assign i i + 1
%endrep
kernel_end:
