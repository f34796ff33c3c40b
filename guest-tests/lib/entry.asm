; Test-guest entry: Multiboot v1 header, then 32-bit protected mode -> 64-bit long mode -> C runtime.
;
; The loader (QEMU -kernel or microhv) enters guest_entry32 in 32-bit flat protected mode with paging off,
; EAX = MULTIBOOT_BOOTLOADER_MAGIC and EBX = guest-physical address of the Multiboot information.
; We do not trust anything else about the machine state: we install our own GDT, TSS, page tables and
; stack before calling runtime_main(mbi, magic).
;
; Selector values and the stack symbols are mirrored in lib/x86.h and lib/runtime.h: keep them in sync.

bits 32
default abs

; ---- Multiboot v1 header (Multiboot spec 0.6.96, section 3.1) ----
MB_HEADER_MAGIC     equ 0x1BADB002
MB_FLAG_PAGE_ALIGN  equ 1 << 0          ; modules page-aligned (we have none; harmless and conventional)
MB_FLAG_MEMORY_INFO equ 1 << 1          ; ask for mem_lower/mem_upper and the memory map
MB_HEADER_FLAGS     equ MB_FLAG_PAGE_ALIGN | MB_FLAG_MEMORY_INFO

%include "long_mode.inc"

TSS_DESC_TYPE       equ 0x89                ; P=1, DPL0, type 9 = available 64-bit TSS

; ---- 64-bit TSS (SDM Vol. 3A "Task Management in 64-bit Mode") ----
TSS_SIZE            equ 104
TSS_IST1_OFFSET     equ 0x24
TSS_IOPB_OFFSET     equ 0x66

; ---- Paging: identity map of the first 4 GiB with 2 MiB pages ----
PTE_PRESENT         equ 1 << 0
PTE_WRITABLE        equ 1 << 1
PTE_PWT             equ 1 << 3
PTE_PCD             equ 1 << 4
PTE_LARGE           equ 1 << 7          ; PS: this PD entry maps a 2 MiB page
LARGE_PAGE_SHIFT    equ 21
PAGE_SIZE           equ 4096
IDENTITY_PDPTS      equ 4               ; 4 x 1 GiB
IDENTITY_PAGES      equ IDENTITY_PDPTS * 512
MMIO_HOLE_FIRST     equ 3 * 512         ; 3 GiB and up holds LAPIC/IOAPIC/PCI MMIO: map it uncached

STACK_SIZE          equ 16384
IST1_STACK_SIZE     equ 8192
IST_SLACK           equ 64              ; room above the IST frame so a handler may read 6 qwords of any frame

section .multiboot progbits alloc noexec nowrite align=4
multiboot_header:
	dd MB_HEADER_MAGIC
	dd MB_HEADER_FLAGS
	dd -(MB_HEADER_MAGIC + MB_HEADER_FLAGS)  ; checksum: the three fields sum to 0

section .text.entry progbits alloc exec nowrite align=16
global guest_entry32
extern runtime_main
extern __bss_start, __bss_end

guest_entry32:
	cli
	cld
	mov ebp, eax                        ; keep the boot magic; EBX (MBI) survives untouched below

	; Zero .bss first: page tables, stacks and C globals live there, and a loader may not clear it.
	mov edi, __bss_start
	mov ecx, __bss_end
	sub ecx, edi
	xor eax, eax
	rep stosb

	mov esp, stack_top
	lgdt [gdt_pointer]
	jmp SEL_CODE32:.own_gdt             ; from here on, the loader's GDT is never used again

.own_gdt:
	mov ax, SEL_DATA
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov fs, ax
	mov gs, ax

	call build_page_tables
	call build_tss_descriptor

	PREPARE_LONG_MODE_PAGING

	mov eax, cr0
	and eax, ~(CR0_EM | CR0_TS)
	or eax, CR0_PE | CR0_MP | CR0_NE | CR0_PG   ; PG with EFER.LME set activates long mode
	mov cr0, eax
	jmp SEL_CODE64:long_mode_entry

; PML4[0] -> PDPT; PDPT[0..3] -> four page directories of 512 x 2 MiB pages each.
build_page_tables:
	mov dword [pml4], pdpt + PTE_PRESENT + PTE_WRITABLE
	xor ecx, ecx
.next_pdpt:
	mov eax, ecx
	shl eax, 12                         ; each page directory is one 4 KiB page
	add eax, page_directories + PTE_PRESENT + PTE_WRITABLE
	mov [pdpt + ecx * 8], eax
	inc ecx
	cmp ecx, IDENTITY_PDPTS
	jb .next_pdpt

	xor ecx, ecx                        ; ecx = index of the 2 MiB page
.next_page:
	mov eax, ecx
	shl eax, LARGE_PAGE_SHIFT
	or eax, PTE_PRESENT | PTE_WRITABLE | PTE_LARGE
	cmp ecx, MMIO_HOLE_FIRST
	jb .cached
	or eax, PTE_PCD | PTE_PWT
.cached:
	mov [page_directories + ecx * 8], eax   ; high dword stays 0 (zeroed .bss): all below 4 GiB
	inc ecx
	cmp ecx, IDENTITY_PAGES
	jb .next_page
	ret

; The TSS base is only known at link time, and its bits are scattered over the descriptor,
; so the descriptor is assembled here rather than with assembler expressions.
build_tss_descriptor:
	mov eax, tss
	mov edx, eax
	shl eax, 16
	or eax, TSS_SIZE - 1                ; limit 15:0 | base 15:0 << 16
	mov [gdt + SEL_TSS], eax

	mov eax, edx
	shr eax, 16
	and eax, 0xFF                       ; base 23:16
	or eax, TSS_DESC_TYPE << 8
	mov ecx, edx
	and ecx, 0xFF000000                 ; base 31:24
	or eax, ecx
	mov [gdt + SEL_TSS + 4], eax        ; base 63:32 and the reserved dword stay 0
	ret

bits 64
long_mode_entry:
	mov ax, SEL_DATA
	mov ds, ax
	mov es, ax
	mov ss, ax
	xor eax, eax
	mov fs, ax
	mov gs, ax
	mov ax, SEL_TSS
	ltr ax                              ; IST1 (for #DF) is only used once TR points at our TSS

	mov esp, stack_top                  ; 16-byte aligned; the call below leaves RSP = 8 mod 16
	mov edi, ebx                        ; runtime_main(u32 mbi, u32 magic)
	mov esi, ebp
	call runtime_main
.halt:                                  ; runtime_main does not return; stay parked if it ever does
	cli
	hlt
	jmp .halt

section .data
align 16
gdt:
	dq 0
	dq GDT_CODE64_DESC
	dq GDT_DATA_DESC
	dq GDT_CODE32_DESC
	dq 0, 0                             ; TSS descriptor (16 bytes), filled by build_tss_descriptor
gdt_end:

align 8
gdt_pointer:
	dw gdt_end - gdt - 1
	dq gdt                              ; LGDT in 32-bit mode reads only the low 4 bytes of the base

align 16
tss:
	times TSS_IST1_OFFSET db 0          ; reserved, RSP0-2, reserved: no privilege changes happen
	dq ist1_stack_top
	times TSS_IOPB_OFFSET - ($ - tss) db 0
	dw TSS_SIZE                         ; I/O bitmap offset beyond the limit: no bitmap

section .bss
global stack_bottom, stack_top, ist1_stack_bottom, ist1_stack_top
global pml4
alignb PAGE_SIZE
pml4:             resb PAGE_SIZE
pdpt:             resb PAGE_SIZE
page_directories: resb PAGE_SIZE * IDENTITY_PDPTS

alignb 16
stack_bottom:     resb STACK_SIZE
stack_top:
ist1_stack_bottom: resb IST1_STACK_SIZE - IST_SLACK
ist1_stack_top:   resb IST_SLACK

section .note.GNU-stack noalloc noexec nowrite progbits
