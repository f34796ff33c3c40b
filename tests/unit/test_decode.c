/* Host unit tests for the instruction decoder (hv/rules/decode.h).
 *
 * Every byte sequence below was produced by GNU as (--64, or --32 with .code32/.code16) and disassembled
 * again with objdump -M intel; each case's text is objdump's disassembly (plus a note). The expectations
 * are the architectural meaning (SDM Vol. 2A ch. 2), not a copy of the decoder's output. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "hv/rules/decode.h"
#include "hv/vcpu.h"
#include "tests/unit/decode_check.h"

/* Register expectations: 0 = no register, R(RCX) = rcx, H(RAX) = bits 15:8 of rax (AH). */
#define R(n) ((u8)(GPR_##n + 1))
#define H(n) ((u8)((GPR_##n + 1) | 0x80))
/* Segment expectation: none = DS (the default), SEG(FS) = FS. */
#define SEG(s) .seg = (u8)(SEG_##s + 1)
#define K(k, size) .kind = INSN_##k, .op = size
#define LD(size) K(MOV_LOAD, size)
#define ST(size) K(MOV_STORE, size)
#define MI(size) K(MOV_IMM, size)
#define REG(n) .reg = R(n)
#define REG8H(n) .reg = H(n)
#define RM(n) .rm = R(n)
#define RM8H(n) .rm = H(n)
#define BASE(n) .base = R(n)
#define IDX(n, s) .index = R(n), .scale = s
#define MEM .mem = true /* the r/m operand is memory */
#define WR .wr = true   /* the r/m operand is written */
#define WMEM WR, MEM
/* Instruction bytes as a string of \x escapes (the NUL that C appends is not counted). */
#define B(str) .bytes = str, .n = sizeof(str) - 1
#define P66X12 "\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66" /* 12 redundant 66 prefixes */

#define M16 CPU_MODE_16
#define M32 CPU_MODE_32
#define M64 CPU_MODE_64
#define OPSZ INSN_PFX_OPSIZE
#define ADSZ INSN_PFX_ADDRSIZE
#define SEGP INSN_PFX_SEG

struct dcase {
	const char *text; /* objdump's disassembly */
	enum cpu_mode mode;
	u8 bytes[INSN_MAX_LEN + 1];
	u8 n;
	/* expected */
	enum insn_kind kind;
	u8 op, rm_size; /* rm_size 0: same as op */
	u8 addr;        /* 0: the mode's default */
	bool mem, wr;
	u8 reg, rm;     /* R()/H(), 0 = none */
	u8 cr, rex;
	u64 imm;
	u8 base, index, scale; /* R(); scale 0 means 1 */
	s64 disp;
	bool rip;
	u8 seg;
	u32 pfx;
};

static const struct dcase cases64[] = {
	/* MOV to/from CRn: always 64-bit, REX.B picks r8-r15, REX.R the CR (CR8). */
	{ "mov cr0,rax", M64, B("\x0f\x22\xc0"), K(MOV_TO_CR, 8), RM(RAX), .cr = 0 },
	{ "mov cr0,r9", M64, B("\x41\x0f\x22\xc1"), K(MOV_TO_CR, 8), RM(R9), .rex = 0x41 },
	{ "mov rbx,cr0", M64, B("\x0f\x20\xc3"), K(MOV_FROM_CR, 8), WR, RM(RBX) },
	{ "mov r15,cr4", M64, B("\x41\x0f\x20\xe7"), K(MOV_FROM_CR, 8), WR, RM(R15), .cr = 4, .rex = 0x41 },
	{ "mov cr8,rax", M64, B("\x44\x0f\x22\xc0"), K(MOV_TO_CR, 8), RM(RAX), .cr = 8, .rex = 0x44 },
	{ "mov rax,cr8", M64, B("\x44\x0f\x20\xc0"), K(MOV_FROM_CR, 8), WR, RM(RAX), .cr = 8, .rex = 0x44 },
	{ "mov cr3,rdi", M64, B("\x0f\x22\xdf"), K(MOV_TO_CR, 8), RM(RDI), .cr = 3 },
	{ "mov rdx,cr2", M64, B("\x0f\x20\xd2"), K(MOV_FROM_CR, 8), WR, RM(RDX), .cr = 2 },
	{ "mov r13,cr0 (mod 00 rm 101: a register, no disp32)", M64, B("\x41\x0f\x20\x05"), K(MOV_FROM_CR, 8), WR,
	  RM(R13), .rex = 0x41 },
	{ "mov cr0,rax (mod 00)", M64, B("\x0f\x22\x00"), K(MOV_TO_CR, 8), RM(RAX) },
	{ "mov rsp,cr0 (mod 00, rm 100: no SIB)", M64, B("\x0f\x20\x04"), K(MOV_FROM_CR, 8), WR, RM(RSP) },
	{ "data16 rex.W mov cr0,rax", M64, B("\x66\x48\x0f\x22\xc0"), K(MOV_TO_CR, 8), RM(RAX), .pfx = OPSZ,
	  .rex = 0x48 },
	{ "clts", M64, B("\x0f\x06"), .kind = INSN_CLTS },
	/* Decoded for their length only (SVM without NRIP save), redundant prefixes included. */
	{ "cpuid", M64, B("\x0f\xa2"), .kind = INSN_CPUID },
	{ "rex.W cpuid", M64, B("\x48\x0f\xa2"), .kind = INSN_CPUID, .rex = 0x48 },
	{ "data16 rdmsr", M64, B("\x66\x0f\x32"), .kind = INSN_RDMSR, .pfx = OPSZ },
	{ "wrmsr", M64, B("\x0f\x30"), .kind = INSN_WRMSR },
	{ "invd", M64, B("\x0f\x08"), .kind = INSN_INVD },
	{ "hlt", M64, B("\xf4"), .kind = INSN_HLT },
	{ "cs hlt (ignored in 64-bit mode)", M64, B("\x2e\xf4"), .kind = INSN_HLT },
	{ "pause", M64, B("\xf3\x90"), .kind = INSN_PAUSE, .pfx = INSN_PFX_REP },
	{ "vmmcall", M64, B("\x0f\x01\xd9"), .kind = INSN_VMMCALL },
	{ "fs vmmcall", M64, B("\x64\x0f\x01\xd9"), .kind = INSN_VMMCALL, .pfx = SEGP },
	{ "xsetbv", M64, B("\x0f\x01\xd1"), .kind = INSN_XSETBV },
	/* String I/O: the element size from the opcode and 66 (REX.W does not widen it). */
	{ "rep ins BYTE PTR es:[rdi],dx", M64, B("\xf3\x6c"), K(INS, 1), .pfx = INSN_PFX_REP },
	{ "ins WORD PTR es:[rdi],dx", M64, B("\x66\x6d"), K(INS, 2), .pfx = OPSZ },
	{ "ins DWORD PTR es:[rdi],dx", M64, B("\x6d"), K(INS, 4) },
	{ "rep outs dx,BYTE PTR ds:[rsi]", M64, B("\xf3\x6e"), K(OUTS, 1), .pfx = INSN_PFX_REP },
	{ "rex.W outs dx,DWORD PTR ds:[rsi]", M64, B("\x48\x6f"), K(OUTS, 4), .rex = 0x48 },
	/* LMSW / SMSW. */
	{ "lmsw ax", M64, B("\x0f\x01\xf0"), K(LMSW, 2), RM(RAX) },
	{ "lmsw r10w", M64, B("\x41\x0f\x01\xf2"), K(LMSW, 2), RM(R10), .rex = 0x41 },
	{ "lmsw WORD PTR [rax]", M64, B("\x0f\x01\x30"), K(LMSW, 2), MEM, BASE(RAX) },
	{ "lmsw WORD PTR [rip+0x100]", M64, B("\x0f\x01\x35\x00\x01\x00\x00"), K(LMSW, 2), MEM, .disp = 0x100,
	  .rip = true },
	{ "smsw eax", M64, B("\x0f\x01\xe0"), K(SMSW, 4), WR, RM(RAX) },
	{ "smsw rax", M64, B("\x48\x0f\x01\xe0"), K(SMSW, 8), WR, RM(RAX), .rex = 0x48 },
	{ "smsw r11d", M64, B("\x41\x0f\x01\xe3"), K(SMSW, 4), WR, RM(R11), .rex = 0x41 },
	{ "smsw ax", M64, B("\x66\x0f\x01\xe0"), K(SMSW, 2), WR, RM(RAX), .pfx = OPSZ },
	{ "smsw WORD PTR [rbx+0x8]", M64, B("\x0f\x01\x63\x08"), K(SMSW, 2), WMEM, BASE(RBX), .disp = 8 },
	/* MOV r/m, r and r, r/m: byte registers, REX, SIB, displacements, RIP-relative. */
	{ "mov BYTE PTR [rax],cl", M64, B("\x88\x08"), ST(1), WMEM, REG(RCX), BASE(RAX) },
	{ "mov BYTE PTR [rax],ah", M64, B("\x88\x20"), ST(1), WMEM, REG8H(RAX), BASE(RAX) },
	{ "mov BYTE PTR [rax],sil", M64, B("\x40\x88\x30"), ST(1), WMEM, REG(RSI), BASE(RAX), .rex = 0x40 },
	{ "mov BYTE PTR [r8],r9b", M64, B("\x45\x88\x08"), ST(1), WMEM, REG(R9), BASE(R8), .rex = 0x45 },
	{ "mov DWORD PTR [rdi+0x300],eax", M64, B("\x89\x87\x00\x03\x00\x00"), ST(4), WMEM, REG(RAX), BASE(RDI),
	  .disp = 0x300 },
	{ "mov QWORD PTR [rdi+0x300],rax", M64, B("\x48\x89\x87\x00\x03\x00\x00"), ST(8), WMEM, REG(RAX), BASE(RDI),
	  .disp = 0x300, .rex = 0x48 },
	{ "mov WORD PTR [rdi+0x300],ax", M64, B("\x66\x89\x87\x00\x03\x00\x00"), ST(2), WMEM, REG(RAX), BASE(RDI),
	  .disp = 0x300, .pfx = OPSZ },
	{ "mov DWORD PTR [rip+0x12345678],edx", M64, B("\x89\x15\x78\x56\x34\x12"), ST(4), WMEM, REG(RDX),
	  .disp = 0x12345678, .rip = true },
	{ "mov DWORD PTR [rip-0x10],edx", M64, B("\x89\x15\xf0\xff\xff\xff"), ST(4), WMEM, REG(RDX), .disp = -0x10,
	  .rip = true },
	{ "mov QWORD PTR [rip+0x0],rax", M64, B("\x48\x89\x05\x00\x00\x00\x00"), ST(8), WMEM, REG(RAX), .rip = true,
	  .rex = 0x48 },
	{ "mov eax,DWORD PTR [rbx+rcx*4+0x10]", M64, B("\x8b\x44\x8b\x10"), LD(4), MEM, REG(RAX), BASE(RBX),
	  IDX(RCX, 4), .disp = 0x10 },
	{ "mov r12d,DWORD PTR [r13+r14*8-0x80] (r13: DS, not SS)", M64, B("\x47\x8b\x64\xf5\x80"), LD(4), MEM, REG(R12),
	  BASE(R13), IDX(R14, 8), .disp = -0x80, .rex = 0x47 },
	{ "mov eax,DWORD PTR [rsp]", M64, B("\x8b\x04\x24"), LD(4), MEM, REG(RAX), BASE(RSP), SEG(SS) },
	{ "mov eax,DWORD PTR [rsp+0x8]", M64, B("\x8b\x44\x24\x08"), LD(4), MEM, REG(RAX), BASE(RSP), .disp = 8,
	  SEG(SS) },
	{ "mov eax,DWORD PTR [rbp+0x0]", M64, B("\x8b\x45\x00"), LD(4), MEM, REG(RAX), BASE(RBP), SEG(SS) },
	{ "mov eax,DWORD PTR [r12]", M64, B("\x41\x8b\x04\x24"), LD(4), MEM, REG(RAX), BASE(R12), .rex = 0x41 },
	{ "mov eax,DWORD PTR [r13+0x0]", M64, B("\x41\x8b\x45\x00"), LD(4), MEM, REG(RAX), BASE(R13), .rex = 0x41 },
	{ "mov eax,DWORD PTR [r12*2+0x1000]", M64, B("\x42\x8b\x04\x65\x00\x10\x00\x00"), LD(4), MEM, REG(RAX),
	  IDX(R12, 2), .disp = 0x1000, .rex = 0x42 },
	{ "mov eax,DWORD PTR [rax+r12*1]", M64, B("\x42\x8b\x04\x20"), LD(4), MEM, REG(RAX), BASE(RAX), IDX(R12, 1),
	  .rex = 0x42 },
	{ "rex.X mov eax,DWORD PTR [rax]", M64, B("\x42\x8b\x00"), LD(4), MEM, REG(RAX), BASE(RAX), .rex = 0x42 },
	{ "mov rax,QWORD PTR fs:[rax]", M64, B("\x64\x48\x8b\x00"), LD(8), MEM, REG(RAX), BASE(RAX), SEG(FS),
	  .pfx = SEGP, .rex = 0x48 },
	{ "mov eax,DWORD PTR gs:0x30", M64, B("\x65\x8b\x04\x25\x30\x00\x00\x00"), LD(4), MEM, REG(RAX), .disp = 0x30,
	  SEG(GS), .pfx = SEGP },
	{ "mov al,BYTE PTR [rdx]", M64, B("\x8a\x02"), LD(1), MEM, REG(RAX), BASE(RDX) },
	{ "mov bh,BYTE PTR [rdx]", M64, B("\x8a\x3a"), LD(1), MEM, REG8H(RBX), BASE(RDX) },
	{ "mov dil,BYTE PTR [rdx]", M64, B("\x40\x8a\x3a"), LD(1), MEM, REG(RDI), BASE(RDX), .rex = 0x40 },
	{ "mov r15b,BYTE PTR [rdx]", M64, B("\x44\x8a\x3a"), LD(1), MEM, REG(R15), BASE(RDX), .rex = 0x44 },
	{ "mov eax,ecx", M64, B("\x89\xc8"), ST(4), WR, REG(RCX), RM(RAX) },
	{ "mov cl,ah", M64, B("\x88\xe1"), ST(1), WR, REG8H(RAX), RM(RCX) },
	{ "mov cl,spl", M64, B("\x40\x88\xe1"), ST(1), WR, REG(RSP), RM(RCX), .rex = 0x40 },
	/* MOV r/m, imm. */
	{ "mov BYTE PTR [rax],0x7f", M64, B("\xc6\x00\x7f"), MI(1), WMEM, BASE(RAX), .imm = 0x7f },
	{ "mov DWORD PTR [rax+0x80],0xdeadbeef", M64, B("\xc7\x80\x80\x00\x00\x00\xef\xbe\xad\xde"), MI(4), WMEM,
	  BASE(RAX), .disp = 0x80, .imm = 0xdeadbeef },
	{ "mov QWORD PTR [rax],0xffffffffffffffff", M64, B("\x48\xc7\x00\xff\xff\xff\xff"), MI(8), WMEM, BASE(RAX),
	  .imm = ~0ull, .rex = 0x48 },
	{ "mov QWORD PTR [rax],0x7fffffff", M64, B("\x48\xc7\x00\xff\xff\xff\x7f"), MI(8), WMEM, BASE(RAX),
	  .imm = 0x7fffffff, .rex = 0x48 },
	{ "mov WORD PTR [rax],0x1234", M64, B("\x66\xc7\x00\x34\x12"), MI(2), WMEM, BASE(RAX), .imm = 0x1234,
	  .pfx = OPSZ },
	{ "mov DWORD PTR [eax],0x12", M64, B("\x67\xc7\x00\x12\x00\x00\x00"), MI(4), .addr = 4, WMEM, BASE(RAX),
	  .imm = 0x12, .pfx = ADSZ },
	{ "mov eax,DWORD PTR [eip+0x20]", M64, B("\x67\x8b\x05\x20\x00\x00\x00"), LD(4), .addr = 4, MEM, REG(RAX),
	  .disp = 0x20, .rip = true, .pfx = ADSZ },
	{ "data16 mov QWORD PTR fs:[eax+ecx*4+0x11223344],0x12345678 (15 bytes)", M64,
	  B("\x64\x66\x67\x48\xc7\x84\x88\x44\x33\x22\x11\x78\x56\x34\x12"), MI(8), .addr = 4, WMEM, BASE(RAX),
	  IDX(RCX, 4), .disp = 0x11223344, .imm = 0x12345678, SEG(FS), .pfx = SEGP | OPSZ | ADSZ, .rex = 0x48 },
	/* MOVZX / MOVSX. */
	{ "movzx eax,BYTE PTR [rsi]", M64, B("\x0f\xb6\x06"), K(MOVZX, 4), .rm_size = 1, MEM, REG(RAX), BASE(RSI) },
	{ "movzx eax,WORD PTR [rsi]", M64, B("\x0f\xb7\x06"), K(MOVZX, 4), .rm_size = 2, MEM, REG(RAX), BASE(RSI) },
	{ "movzx rax,WORD PTR [rsi+0x10]", M64, B("\x48\x0f\xb7\x46\x10"), K(MOVZX, 8), .rm_size = 2, MEM, REG(RAX),
	  BASE(RSI), .disp = 0x10, .rex = 0x48 },
	{ "movzx ax,BYTE PTR [rsi]", M64, B("\x66\x0f\xb6\x06"), K(MOVZX, 2), .rm_size = 1, MEM, REG(RAX), BASE(RSI),
	  .pfx = OPSZ },
	{ "movzx ecx,ah", M64, B("\x0f\xb6\xcc"), K(MOVZX, 4), .rm_size = 1, REG(RCX), RM8H(RAX) },
	{ "movsx eax,BYTE PTR [rsi]", M64, B("\x0f\xbe\x06"), K(MOVSX, 4), .rm_size = 1, MEM, REG(RAX), BASE(RSI) },
	{ "movsx rax,WORD PTR [rsi]", M64, B("\x48\x0f\xbf\x06"), K(MOVSX, 8), .rm_size = 2, MEM, REG(RAX), BASE(RSI),
	  .rex = 0x48 },
	{ "movsx r8,BYTE PTR [r9]", M64, B("\x4d\x0f\xbe\x01"), K(MOVSX, 8), .rm_size = 1, MEM, REG(R8), BASE(R9),
	  .rex = 0x4d },
	/* Prefix rules. */
	{ "rex.W / data16 mov WORD PTR [rax],ax (REX not last: ignored)", M64, B("\x48\x66\x89\x00"), ST(2), WMEM,
	  REG(RAX), BASE(RAX), .pfx = OPSZ },
	{ "rex.B / mov QWORD PTR [rax],rax (only the last REX counts)", M64, B("\x41\x48\x89\x00"), ST(8), WMEM,
	  REG(RAX), BASE(RAX), .rex = 0x48 },
	{ "cs mov eax,DWORD PTR [rax] (CS override ignored in 64-bit mode)", M64, B("\x2e\x8b\x00"), LD(4), MEM,
	  REG(RAX), BASE(RAX) },
	{ "es mov eax,DWORD PTR fs:[rax]", M64, B("\x26\x64\x8b\x00"), LD(4), MEM, REG(RAX), BASE(RAX), SEG(FS),
	  .pfx = SEGP },
	{ "fs mov eax,DWORD PTR fs:[rax] (a later ES is ignored)", M64, B("\x64\x26\x8b\x00"), LD(4), MEM, REG(RAX),
	  BASE(RAX), SEG(FS), .pfx = SEGP },
	{ "ss mov eax,DWORD PTR [rbp+0x0] (SS by default)", M64, B("\x36\x8b\x45\x00"), LD(4), MEM, REG(RAX), BASE(RBP),
	  SEG(SS) },
	{ "xrelease mov DWORD PTR [rax],eax", M64, B("\xf3\x89\x00"), ST(4), WMEM, REG(RAX), BASE(RAX),
	  .pfx = INSN_PFX_REP },
	{ "repnz mov eax,DWORD PTR [rax]", M64, B("\xf2\x8b\x00"), LD(4), MEM, REG(RAX), BASE(RAX),
	  .pfx = INSN_PFX_REPNE },
	{ "lock mov cr0,rax = mov cr8,rax (AMD AltMovCr8)", M64, B("\xf0\x0f\x22\xc0"), K(MOV_TO_CR, 8), RM(RAX),
	  .cr = 8, .pfx = INSN_PFX_LOCK },
	{ "12 x data16 + mov cr0,rax (15 bytes: the limit)", M64, B(P66X12 "\x0f\x22\xc0"), K(MOV_TO_CR, 8), RM(RAX),
	  .pfx = OPSZ },
};

static const struct dcase cases32[] = {
	{ "mov cr0,eax", M32, B("\x0f\x22\xc0"), K(MOV_TO_CR, 4), RM(RAX) },
	{ "mov cr4,ecx", M32, B("\x0f\x22\xe1"), K(MOV_TO_CR, 4), RM(RCX), .cr = 4 },
	{ "mov edx,cr0", M32, B("\x0f\x20\xc2"), K(MOV_FROM_CR, 4), WR, RM(RDX) },
	{ "mov esi,cr3", M32, B("\x0f\x20\xde"), K(MOV_FROM_CR, 4), WR, RM(RSI), .cr = 3 },
	{ "mov cr8,eax (lock mov cr0,eax)", M32, B("\xf0\x0f\x22\xc0"), K(MOV_TO_CR, 4), RM(RAX), .cr = 8,
	  .pfx = INSN_PFX_LOCK },
	{ "mov cr0,eax (data16 ignored)", M32, B("\x66\x0f\x22\xc0"), K(MOV_TO_CR, 4), RM(RAX), .pfx = OPSZ },
	{ "clts", M32, B("\x0f\x06"), .kind = INSN_CLTS },
	{ "lmsw ax", M32, B("\x0f\x01\xf0"), K(LMSW, 2), RM(RAX) },
	{ "lmsw WORD PTR [ebx]", M32, B("\x0f\x01\x33"), K(LMSW, 2), MEM, BASE(RBX) },
	{ "smsw eax", M32, B("\x0f\x01\xe0"), K(SMSW, 4), WR, RM(RAX) },
	{ "smsw WORD PTR ds:0x1000 (absolute, not RIP-relative)", M32, B("\x0f\x01\x25\x00\x10\x00\x00"), K(SMSW, 2),
	  WMEM, .disp = 0x1000 },
	{ "mov eax,DWORD PTR [ebp-0x4]", M32, B("\x8b\x45\xfc"), LD(4), MEM, REG(RAX), BASE(RBP), .disp = -4, SEG(SS) },
	{ "mov DWORD PTR [esp+ecx*2+0x40],ebx", M32, B("\x89\x5c\x4c\x40"), ST(4), WMEM, REG(RBX), BASE(RSP),
	  IDX(RCX, 2), .disp = 0x40, SEG(SS) },
	{ "mov BYTE PTR [ebx],dh", M32, B("\x88\x33"), ST(1), WMEM, REG8H(RDX), BASE(RBX) },
	{ "mov WORD PTR [ebx],cx", M32, B("\x66\x89\x0b"), ST(2), WMEM, REG(RCX), BASE(RBX), .pfx = OPSZ },
	{ "mov ax,WORD PTR [bx+si]", M32, B("\x67\x66\x8b\x00"), LD(2), .addr = 2, MEM, REG(RAX), BASE(RBX),
	  IDX(RSI, 1), .pfx = OPSZ | ADSZ },
	{ "mov DWORD PTR [bp+di+0x10],0x11223344", M32, B("\x67\xc7\x43\x10\x44\x33\x22\x11"), MI(4), .addr = 2, WMEM,
	  BASE(RBP), IDX(RDI, 1), .disp = 0x10, .imm = 0x11223344, SEG(SS), .pfx = ADSZ },
	{ "mov WORD PTR es:[edi],0xbeef", M32, B("\x26\x66\xc7\x07\xef\xbe"), MI(2), WMEM, BASE(RDI), .imm = 0xbeef,
	  SEG(ES), .pfx = SEGP | OPSZ },
	{ "mov eax,DWORD PTR ss:[eax]", M32, B("\x36\x8b\x00"), LD(4), MEM, REG(RAX), BASE(RAX), SEG(SS), .pfx = SEGP },
	{ "fs mov eax,DWORD PTR es:[eax] (last override wins)", M32, B("\x64\x26\x8b\x00"), LD(4), MEM, REG(RAX),
	  BASE(RAX), SEG(ES), .pfx = SEGP },
	{ "movzx eax,BYTE PTR [ecx]", M32, B("\x0f\xb6\x01"), K(MOVZX, 4), .rm_size = 1, MEM, REG(RAX), BASE(RCX) },
	{ "movsx eax,WORD PTR fs:[ecx]", M32, B("\x64\x0f\xbf\x01"), K(MOVSX, 4), .rm_size = 2, MEM, REG(RAX),
	  BASE(RCX), SEG(FS), .pfx = SEGP },
	{ "mov BYTE PTR [eax],0x80", M32, B("\xc6\x00\x80"), MI(1), WMEM, BASE(RAX), .imm = 0x80 },
	{ "mov DWORD PTR [eax],0xffffffff", M32, B("\xc7\x00\xff\xff\xff\xff"), MI(4), WMEM, BASE(RAX),
	  .imm = 0xffffffff },
	{ "mov DWORD PTR ds:0xfee000b0,eax (ModRM form)", M32, B("\x89\x05\xb0\x00\xe0\xfe"), ST(4), WMEM, REG(RAX),
	  .disp = (s32)0xfee000b0 },
};

static const struct dcase cases16[] = {
	{ "mov cr0,eax", M16, B("\x0f\x22\xc0"), K(MOV_TO_CR, 4), RM(RAX) },
	{ "mov eax,cr0", M16, B("\x0f\x20\xc0"), K(MOV_FROM_CR, 4), WR, RM(RAX) },
	{ "clts", M16, B("\x0f\x06"), .kind = INSN_CLTS },
	{ "lmsw ax", M16, B("\x0f\x01\xf0"), K(LMSW, 2), RM(RAX) },
	{ "lmsw WORD PTR [bx]", M16, B("\x0f\x01\x37"), K(LMSW, 2), MEM, BASE(RBX) },
	{ "smsw ax", M16, B("\x0f\x01\xe0"), K(SMSW, 2), WR, RM(RAX) },
	{ "smsw eax", M16, B("\x66\x0f\x01\xe0"), K(SMSW, 4), WR, RM(RAX), .pfx = OPSZ },
	{ "smsw WORD PTR [bp+0x2]", M16, B("\x0f\x01\x66\x02"), K(SMSW, 2), WMEM, BASE(RBP), .disp = 2, SEG(SS) },
	{ "mov WORD PTR [bx+si+0x12],ax", M16, B("\x89\x40\x12"), ST(2), WMEM, REG(RAX), BASE(RBX), IDX(RSI, 1),
	  .disp = 0x12 },
	{ "mov al,BYTE PTR [bp+di]", M16, B("\x8a\x03"), LD(1), MEM, REG(RAX), BASE(RBP), IDX(RDI, 1), SEG(SS) },
	{ "mov ax,WORD PTR [bp+0x0]", M16, B("\x8b\x46\x00"), LD(2), MEM, REG(RAX), BASE(RBP), SEG(SS) },
	{ "mov ax,WORD PTR [si-0x2]", M16, B("\x8b\x44\xfe"), LD(2), MEM, REG(RAX), BASE(RSI), .disp = -2 },
	{ "mov ax,WORD PTR [bx-0x8000]", M16, B("\x8b\x87\x00\x80"), LD(2), MEM, REG(RAX), BASE(RBX), .disp = -0x8000 },
	{ "mov ax,WORD PTR ds:0x1234 (ModRM form)", M16, B("\x8b\x06\x34\x12"), LD(2), MEM, REG(RAX), .disp = 0x1234 },
	{ "mov eax,DWORD PTR [di+0x1000]", M16, B("\x66\x8b\x85\x00\x10"), LD(4), MEM, REG(RAX), BASE(RDI),
	  .disp = 0x1000, .pfx = OPSZ },
	{ "mov DWORD PTR [ebx+esi*4],eax", M16, B("\x67\x66\x89\x04\xb3"), ST(4), .addr = 4, WMEM, REG(RAX), BASE(RBX),
	  IDX(RSI, 4), .pfx = OPSZ | ADSZ },
	{ "mov WORD PTR [bx],0x5678", M16, B("\xc7\x07\x78\x56"), MI(2), WMEM, BASE(RBX), .imm = 0x5678 },
	{ "mov DWORD PTR [bx],0x9abcdef0", M16, B("\x66\xc7\x07\xf0\xde\xbc\x9a"), MI(4), WMEM, BASE(RBX),
	  .imm = 0x9abcdef0, .pfx = OPSZ },
	{ "mov BYTE PTR [bx+si],0x12", M16, B("\xc6\x00\x12"), MI(1), WMEM, BASE(RBX), IDX(RSI, 1), .imm = 0x12 },
	{ "mov WORD PTR ds:0xfee0,0x1", M16, B("\xc7\x06\xe0\xfe\x01\x00"), MI(2), WMEM, .disp = (s16)0xfee0,
	  .imm = 1 },
	{ "movzx ax,BYTE PTR [bx]", M16, B("\x0f\xb6\x07"), K(MOVZX, 2), .rm_size = 1, MEM, REG(RAX), BASE(RBX) },
	{ "movsx eax,BYTE PTR cs:[bx]", M16, B("\x2e\x66\x0f\xbe\x07"), K(MOVSX, 4), .rm_size = 1, MEM, REG(RAX),
	  BASE(RBX), SEG(CS), .pfx = SEGP | OPSZ },
	{ "mov ah,BYTE PTR [di]", M16, B("\x8a\x25"), LD(1), MEM, REG8H(RAX), BASE(RDI) },
};

/* ---- checking a case ---- */

#define CHECK(field, got, want)                                                                            \
	do {                                                                                               \
		if ((u64)(got) != (u64)(want))                                                             \
			fail_msg("%s: %s = 0x%llx, want 0x%llx", c->text, field, (u64)(got), (u64)(want)); \
	} while (0)

static void check_mem(const struct dcase *c, const struct insn *in)
{
	CHECK("mem.base", enc_gpr(in->mem.base), c->base);
	CHECK("mem.index", enc_gpr(in->mem.index), c->index);
	CHECK("mem.scale", in->mem.scale, c->scale ? c->scale : 1);
	CHECK("mem.disp", in->mem.disp, c->disp);
	CHECK("mem.rip_relative", in->mem.rip_relative, c->rip);
	CHECK("mem.seg", in->mem.seg, c->seg ? c->seg - 1 : SEG_DS);
}

static void check_case(const struct dcase *c)
{
	struct insn in;
	int rc = insn_decode(c->bytes, c->n, c->mode, &in);

	if (rc)
		fail_msg("%s: rc %d (%s): %s", c->text, rc, decode_error_name(rc), in.reason);
	assert_null(in.reason);
	CHECK("len", in.len, c->n);
	CHECK("kind", in.kind, c->kind);
	CHECK("mode", in.mode, c->mode);
	CHECK("op_size", in.op_size, c->op);
	CHECK("rm_size", in.rm_size, c->rm_size ? c->rm_size : c->op);
	CHECK("rm_is_mem", in.rm_is_mem, c->mem);
	CHECK("writes_rm", in.writes_rm, c->wr);
	CHECK("reg", enc_reg(in.reg), c->reg);
	CHECK("rm", enc_reg(in.rm), c->rm);
	CHECK("prefixes", in.prefixes, c->pfx);
	CHECK("rex", in.rex, c->rex);
	if (c->kind == INSN_MOV_TO_CR || c->kind == INSN_MOV_FROM_CR)
		CHECK("cr", in.cr, c->cr);
	if (c->kind == INSN_MOV_IMM)
		CHECK("imm", in.imm, c->imm);
	if (c->mem) {
		CHECK("addr_size", in.addr_size, c->addr ? c->addr : default_addr(c->mode));
		check_mem(c, &in);
	}
}


static void run_cases(const struct dcase *cases, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		check_case(&cases[i]);
		check_decode_lengths(cases[i].text, cases[i].mode, cases[i].bytes, cases[i].n);
	}
}

/* What string I/O needs beyond kind and size: the source segment of OUTS and the address size. */
static void test_string_io_operands(void **state)
{
	struct insn in;
	assert_int_equal(insn_decode((const u8 *)"\x64\x6f", 2, CPU_MODE_64, &in), 0); /* fs outs dx,DWORD PTR fs:[rsi] */
	assert_int_equal(in.kind, INSN_OUTS);
	assert_int_equal(in.mem.seg, SEG_FS);
	assert_int_equal(in.addr_size, 8);
	assert_int_equal(insn_decode((const u8 *)"\x67\xf3\x6c", 3, CPU_MODE_64, &in), 0); /* rep ins ... es:[edi] */
	assert_int_equal(in.kind, INSN_INS);
	assert_int_equal(in.addr_size, 4);
	assert_int_equal(in.len, 3);
	assert_int_equal(insn_decode((const u8 *)"\x6e", 1, CPU_MODE_16, &in), 0); /* outsb, 16-bit: ds:[si] */
	assert_int_equal(in.mem.seg, SEG_DS);
	assert_int_equal(in.addr_size, 2);
	assert_int_equal(insn_decode((const u8 *)"\xf0\x6c", 2, CPU_MODE_64, &in), DECODE_ERR_INVALID); /* LOCK */
}

static void test_decode_64(void **state) { run_cases(cases64, ARRAY_SIZE(cases64)); }
static void test_decode_32(void **state) { run_cases(cases32, ARRAY_SIZE(cases32)); }
static void test_decode_16(void **state) { run_cases(cases16, ARRAY_SIZE(cases16)); }

/* ---- errors ---- */

struct ecase {
	const char *text;
	enum cpu_mode mode;
	u8 bytes[2 * INSN_MAX_LEN];
	u8 n;
	int rc;
};

#define UNSUP DECODE_ERR_UNSUPPORTED
#define TRUNC DECODE_ERR_TRUNCATED
#define TOOLONG DECODE_ERR_TOO_LONG
#define INVAL DECODE_ERR_INVALID

static const struct ecase errors[] = {
	{ "syscall", M64, B("\x0f\x05"), UNSUP },
	{ "vmrun", M64, B("\x0f\x01\xd8"), UNSUP },
	{ "vmcall", M64, B("\x0f\x01\xc1"), UNSUP },
	{ "invlpg BYTE PTR [rax] (0F 01 /7)", M64, B("\x0f\x01\x38"), UNSUP },
	{ "lgdt [rax] (0F 01 /2)", M64, B("\x0f\x01\x10"), UNSUP },
	{ "nop", M64, B("\x90"), UNSUP },
	{ "xabort 0x0", M64, B("\xc6\xf8\x00"), UNSUP },
	{ "xbegin", M64, B("\xc7\xf8\x00\x00\x00\x00"), UNSUP },
	{ "C7 /1 (undefined)", M64, B("\xc7\xc8\x00\x00\x00\x00"), UNSUP },
	{ "vzeroupper (VEX)", M64, B("\xc5\xf8\x77"), UNSUP },
	{ "mul DWORD PTR [rax]", M64, B("\xf7\x20"), UNSUP },
	{ "mov ds,eax", M64, B("\x8e\xd8"), UNSUP },
	{ "inc eax (40 outside 64-bit mode is not REX)", M32, B("\x40"), UNSUP },
	{ "inc esp; mov cr0,eax (44 outside 64-bit mode)", M32, B("\x44\x0f\x22\xc0"), UNSUP },
	{ "dec ax; mov ... (48 in 16-bit mode)", M16, B("\x48\x89\x00"), UNSUP },
	{ "lock mov DWORD PTR [rax],eax", M64, B("\xf0\x89\x00"), INVAL },
	{ "lock mov BYTE PTR [rax],0x1", M64, B("\xf0\xc6\x00\x01"), INVAL },
	{ "lock movzx eax,BYTE PTR [rax]", M32, B("\xf0\x0f\xb6\x00"), INVAL },
	{ "lock lmsw ax", M64, B("\xf0\x0f\x01\xf0"), INVAL },
	{ "lock smsw WORD PTR [rax]", M64, B("\xf0\x0f\x01\x20"), INVAL },
	{ "lock clts", M32, B("\xf0\x0f\x06"), INVAL },
	{ "lock mov cr2,eax", M32, B("\xf0\x0f\x22\xd0"), INVAL },
	{ "lock mov cr8,rax (REX.R and LOCK)", M64, B("\xf0\x44\x0f\x22\xc0"), INVAL },
	{ "mov cr1,rax", M64, B("\x0f\x22\xc8"), INVAL },
	{ "mov cr5,rax", M64, B("\x0f\x22\xe8"), INVAL },
	{ "mov rax,cr7", M64, B("\x0f\x20\xf8"), INVAL },
	{ "mov cr9,rax", M64, B("\x44\x0f\x22\xc8"), INVAL },
	{ "mov r8,cr15", M64, B("\x45\x0f\x20\xf8"), INVAL },
	{ "(no bytes)", M64, B(""), TRUNC },
	{ "0f", M64, B("\x0f"), TRUNC },
	{ "66 (prefix only)", M32, B("\x66"), TRUNC },
	{ "rex.W (prefix only)", M64, B("\x48"), TRUNC },
	{ "mov eax,[rbx+rcx*4+0x10] without its SIB", M64, B("\x8b\x44"), TRUNC },
	{ "mov DWORD PTR [rax],imm32 with 3 bytes of imm", M64, B("\xc7\x00\x12\x00\x00"), TRUNC },
	{ "15 prefixes", M64, B(P66X12 "\x66\x66\x66"), TOOLONG },
	{ "20 prefixes given: only 15 looked at", M64, B(P66X12 "\x66\x66\x66\x66\x66\x66\x66\x66"), TOOLONG },
	{ "13 x 66 + mov cr0,rax (16 bytes)", M64, B(P66X12 "\x66\x0f\x22\xc0"), TOOLONG },
	{ "9 x 66 + cs mov WORD PTR [eax+disp32],imm16 (18 bytes)", M32,
	  B("\x66\x66\x66\x66\x66\x66\x66\x66\x66\x2e\xc7\x80\x00\x00\x00\x00\x01\x02\x03\x04"), TOOLONG },
	{ "15 prefixes, only 10 given", M64, B("\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66"), TRUNC },
};

static void test_decode_errors(void **state)
{
	for (unsigned i = 0; i < ARRAY_SIZE(errors); i++) {
		const struct ecase *e = &errors[i];
		struct insn in;
		int rc = insn_decode(e->bytes, e->n, e->mode, &in);
		if (rc != e->rc)
			fail_msg("%s: rc %d (%s), want %d (%s)", e->text, rc, decode_error_name(rc), e->rc,
				 decode_error_name(e->rc));
		if (!in.reason || !in.reason[0])
			fail_msg("%s: no reason given", e->text);
	}
	assert_string_equal(decode_error_name(0), "ok");
	assert_string_equal(decode_error_name(DECODE_ERR_TRUNCATED), "truncated");
	assert_string_equal(decode_error_name(DECODE_ERR_INVALID), "invalid (#UD)");
	assert_string_equal(decode_error_name(-99), "unknown decode error");
}

/* ---- addresses ---- */

struct lcase {
	const char *text;
	enum cpu_mode mode;
	u8 bytes[INSN_MAX_LEN];
	u8 n;
	u64 want;
};

/* Register file: rax..r15 = 0x1000 * (n + 1) + n, a few overridden below; rip 0x400000. */
static void init_regs(u64 gpr[16])
{
	for (unsigned i = 0; i < 16; i++)
		gpr[i] = 0x1000ull * (i + 1) + i;
	gpr[GPR_RBX] = 0xFFFF0010ull;          /* 16-bit: BX = 0x0010 */
	gpr[GPR_RSI] = 0xFFFFFFFFFFFFFFF0ull;  /* -16 */
	gpr[GPR_RDI] = 0x00000001FFFFFFF0ull;  /* 32-bit: EDI wraps */
}

static const u64 seg_bases[NUM_SEGS] = {
	[SEG_ES] = 0x10000, [SEG_CS] = 0x20000, [SEG_SS] = 0x30000,
	[SEG_DS] = 0x40000, [SEG_FS] = 0x7f0000000000ull, [SEG_GS] = 0xffff888000000000ull,
};

#define RIP 0x400000ull

static const struct lcase lin[] = {
	/* 64-bit: ES/CS/SS/DS bases are ignored, FS/GS count; RIP-relative is from the next instruction. */
	{ "mov eax,DWORD PTR [rbx+rcx*4+0x10]", M64, B("\x8b\x44\x8b\x10"), 0xFFFF0010ull + 4 * 0x2001 + 0x10 },
	{ "mov eax,DWORD PTR [rsi+0x20] (wraps at 2^64)", M64, B("\x8b\x46\x20"), 0x10 },
	{ "mov DWORD PTR [rip-0x10],edx", M64, B("\x89\x15\xf0\xff\xff\xff"), RIP + 6 - 0x10 },
	{ "mov DWORD PTR [rax+0x80],0xdeadbeef (RIP unused)", M64, B("\xc7\x80\x80\x00\x00\x00\xef\xbe\xad\xde"),
	  0x1000 + 0x80 },
	{ "mov DWORD PTR [rip+0x100],0x1 (imm after disp: next RIP)", M64,
	  B("\xc7\x05\x00\x01\x00\x00\x01\x00\x00\x00"), RIP + 10 + 0x100 },
	{ "mov rax,QWORD PTR fs:[rax]", M64, B("\x64\x48\x8b\x00"), 0x7f0000000000ull + 0x1000 },
	{ "mov eax,DWORD PTR gs:0x30", M64, B("\x65\x8b\x04\x25\x30\x00\x00\x00"), 0xffff888000000030ull },
	{ "mov eax,DWORD PTR [rsp] (SS base ignored)", M64, B("\x8b\x04\x24"), 0x5004 },
	{ "mov eax,DWORD PTR [r12*2+0x1000]", M64, B("\x42\x8b\x04\x65\x00\x10\x00\x00"), 2 * 0xD00Cull + 0x1000 },
	{ "mov eax,DWORD PTR [edi+0x20] (67: EA wraps at 2^32)", M64, B("\x67\x8b\x47\x20"), 0x10 },
	{ "mov eax,DWORD PTR [eip+0x20]", M64, B("\x67\x8b\x05\x20\x00\x00\x00"), RIP + 7 + 0x20 },
	/* 32-bit: segment base added, linear address wraps at 4 GiB. */
	{ "mov eax,DWORD PTR [ebp-0x4] (SS)", M32, B("\x8b\x45\xfc"), 0x30000 + 0x6005 - 4 },
	{ "mov eax,DWORD PTR [edi+0x20] (EA wraps)", M32, B("\x8b\x47\x20"), 0x40000 + 0x10 },
	{ "mov eax,DWORD PTR ds:0xfffffff0 (linear wraps)", M32, B("\x8b\x05\xf0\xff\xff\xff"), 0x40000 - 0x10 },
	{ "mov WORD PTR es:[edi],0xbeef", M32, B("\x26\x66\xc7\x07\xef\xbe"), 0xFFF0 }, /* ES + EDI wraps */
	{ "mov ax,WORD PTR [bx+si] (67: 16-bit EA)", M32, B("\x67\x66\x8b\x00"), 0x40000 + ((0x10 - 16) & 0xFFFF) },
	/* 16-bit: EA wraps at 64 KiB. */
	{ "mov WORD PTR [bx+si+0x12],ax", M16, B("\x89\x40\x12"), 0x40000 + 0x0012 }, /* BX + SI wraps */
	{ "mov al,BYTE PTR [bp+di] (SS)", M16, B("\x8a\x03"), 0x30000 + ((0x6005 + 0xFFF0 + 0) & 0xFFFF) },
	{ "mov WORD PTR ds:0xfee0,0x1", M16, B("\xc7\x06\xe0\xfe\x01\x00"), 0x40000 + 0xfee0 },
	{ "mov ax,WORD PTR [bx-0x8000]", M16, B("\x8b\x87\x00\x80"), 0x40000 + ((0x10 - 0x8000) & 0xFFFF) },
	{ "movsx eax,BYTE PTR cs:[bx]", M16, B("\x2e\x66\x0f\xbe\x07"), 0x20000 + 0x10 },
	{ "mov DWORD PTR [ebx+esi*4],eax (67: 32-bit EA)", M16, B("\x67\x66\x89\x04\xb3"),
	  (0x40000 + 0xFFFF0010ull - 64) & 0xFFFFFFFF },
};

static void test_linear_addr(void **state)
{
	u64 gpr[16];

	init_regs(gpr);
	for (unsigned i = 0; i < ARRAY_SIZE(lin); i++) {
		const struct lcase *l = &lin[i];
		struct insn in;
		int rc = insn_decode(l->bytes, l->n, l->mode, &in);
		if (rc || !in.rm_is_mem)
			fail_msg("%s: rc %d, mem %d", l->text, rc, in.rm_is_mem);
		u64 got = insn_linear_addr(&in, gpr, RIP, seg_bases);
		if (got != l->want)
			fail_msg("%s: linear 0x%llx, want 0x%llx", l->text, got, l->want);
	}
}

static void test_cpu_mode(void **state)
{
	/* cr0_pe, rflags_vm, efer_lma, cs_l, cs_d */
	assert_int_equal(decode_cpu_mode(false, false, false, false, false), CPU_MODE_16); /* real mode */
	assert_int_equal(decode_cpu_mode(false, false, false, false, true), CPU_MODE_16);  /* D ignored */
	assert_int_equal(decode_cpu_mode(true, true, false, false, true), CPU_MODE_16);    /* virtual-8086 */
	assert_int_equal(decode_cpu_mode(true, false, false, false, true), CPU_MODE_32);
	assert_int_equal(decode_cpu_mode(true, false, false, false, false), CPU_MODE_16);  /* 16-bit PM */
	assert_int_equal(decode_cpu_mode(true, false, false, true, true), CPU_MODE_32);    /* L without LMA */
	assert_int_equal(decode_cpu_mode(true, false, true, true, false), CPU_MODE_64);
	assert_int_equal(decode_cpu_mode(true, false, true, false, true), CPU_MODE_32);    /* compatibility */
	assert_int_equal(decode_cpu_mode(true, false, true, false, false), CPU_MODE_16);

	assert_true(insn_fetch_linear(CPU_MODE_64, 0x12340000, 0xffffffff81000000ull) == 0xffffffff81000000ull);
	assert_true(insn_fetch_linear(CPU_MODE_32, 0x10000, 0x2000) == 0x12000);
	assert_true(insn_fetch_linear(CPU_MODE_32, 0xfffff000, 0x2000) == 0x1000); /* wraps at 4 GiB */
	assert_true(insn_fetch_linear(CPU_MODE_16, 0xf0000, 0xfff0) == 0xffff0);
}

/* ---- register helpers ---- */

static void test_reg_access(void **state)
{
	u64 gpr[16] = { 0 };
	struct insn_reg rax = { GPR_RAX, false }, ah = { GPR_RAX, true }, r9 = { GPR_R9, false };

	gpr[GPR_RAX] = 0x1122334455667788ull;
	assert_true(insn_reg_read(gpr, rax, 8) == 0x1122334455667788ull);
	assert_true(insn_reg_read(gpr, rax, 4) == 0x55667788);
	assert_true(insn_reg_read(gpr, rax, 2) == 0x7788);
	assert_true(insn_reg_read(gpr, rax, 1) == 0x88);
	assert_true(insn_reg_read(gpr, ah, 1) == 0x77);

	insn_reg_write(gpr, ah, 1, 0xAB);
	assert_true(gpr[GPR_RAX] == 0x112233445566AB88ull);
	insn_reg_write(gpr, rax, 1, 0x1CD);
	assert_true(gpr[GPR_RAX] == 0x112233445566ABCDull);
	insn_reg_write(gpr, rax, 2, 0xBEEF);
	assert_true(gpr[GPR_RAX] == 0x112233445566BEEFull);
	insn_reg_write(gpr, rax, 4, 0xFFFFFFFFDEADBEEFull); /* 32-bit writes zero-extend */
	assert_true(gpr[GPR_RAX] == 0xDEADBEEFull);
	insn_reg_write(gpr, r9, 8, 0x8000000000000001ull);
	assert_true(gpr[GPR_R9] == 0x8000000000000001ull);
	assert_true(gpr[GPR_RAX] == 0xDEADBEEFull);
}

/* The value a load puts in its register, from the raw memory value. */
static const struct lvcase {
	const char *text;
	u8 bytes[INSN_MAX_LEN + 1];
	u8 n;
	u64 raw, want;
} loads[] = {
	{ "movzx eax,BYTE PTR [rsi]", B("\x0f\xb6\x06"), 0xFFFFFF80, 0x80 },
	{ "movsx eax,BYTE PTR [rsi]", B("\x0f\xbe\x06"), 0x80, 0xFFFFFF80 },
	{ "movsx eax,BYTE PTR [rsi]", B("\x0f\xbe\x06"), 0x7F, 0x7F },
	{ "movsx rax,WORD PTR [rsi]", B("\x48\x0f\xbf\x06"), 0x8000, 0xFFFFFFFFFFFF8000ull },
	{ "movsx ax,BYTE PTR [rsi]", B("\x66\x0f\xbe\x06"), 0xF0, 0xFFF0 },
	{ "mov eax,DWORD PTR [rsi]", B("\x8b\x06"), 0x123456789ull, 0x23456789 },
	{ "mov al,BYTE PTR [rsi]", B("\x8a\x06"), 0x1FF, 0xFF },
};

static void test_load_value(void **state)
{
	for (unsigned i = 0; i < ARRAY_SIZE(loads); i++) {
		struct insn in;
		assert_int_equal(insn_decode(loads[i].bytes, loads[i].n, M64, &in), 0);
		if (insn_load_value(&in, loads[i].raw) != loads[i].want)
			fail_msg("%s: 0x%llx -> 0x%llx, want 0x%llx", loads[i].text, loads[i].raw,
				 insn_load_value(&in, loads[i].raw), loads[i].want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_64),
		cmocka_unit_test(test_decode_32),
		cmocka_unit_test(test_decode_16),
		cmocka_unit_test(test_decode_errors),
		cmocka_unit_test(test_string_io_operands),
		cmocka_unit_test(test_linear_addr),
		cmocka_unit_test(test_cpu_mode),
		cmocka_unit_test(test_reg_access),
		cmocka_unit_test(test_load_value),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
