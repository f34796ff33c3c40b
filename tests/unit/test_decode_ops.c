/* Host unit tests for the decoder's MMIO instruction forms (hv/rules/decode_ops.c): moffs, MOVSXD, MOVNTI, the
 * ALU rows and groups, TEST, INC/DEC/NOT/NEG, BT*, XCHG/CMPXCHG/XADD, PUSH/POP m, string instructions and
 * the SSE moves, with LOCK where allowed, in 64-, 32- and 16-bit mode.
 *
 * Every byte sequence was produced by GNU as (--64, or --32 with .code32/.code16) from the instruction
 * in the case's text, which is objdump -M intel's disassembly of it (a few are .byte sequences GNU as
 * will not emit: LOCK where it is #UD, 82, F6/F7 /1). The expectations are the SDM's meaning of the
 * encoding (Vol. 2A ch. 2 and each instruction's page), not a copy of the decoder's output. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "hv/rules/decode.h"
#include "hv/vcpu.h"
#include "tests/unit/decode_check.h"

/* Register expectations: 0 = no register, R(RCX) = rcx, H(RAX) = AH, XMM(n) = xmm n. */
#define R(n) ((u8)(GPR_##n + 1))
#define H(n) ((u8)((GPR_##n + 1) | 0x80))
#define K(k, size) .kind = INSN_##k, .op = size
#define ALU(a, size) .kind = INSN_ALU, .sub = ALU_##a, .op = size
#define BTK(b, size) .kind = INSN_BT, .sub = BT_##b, .op = size
#define SSE(s, size) .kind = INSN_SSE_MOV, .sub = SSE_##s, .op = size
#define RMS(n) .rm_size = n
#define REG(n) .reg = R(n)
#define REG8H(n) .reg = H(n)
#define XMM(n) .reg = (u8)((n) + 1)
#define RM(n) .rm = R(n)
#define BASE(n) .base = R(n)
#define IDX(n, s) .index = R(n), .scale = s
#define SEG(s) .seg = (u8)(SEG_##s + 1)
#define MEM .mem = true
#define WR .wr = true
#define DREG .dreg = true
#define IMM(v) .src_imm = true, .imm = v
#define MOFFS(a) .mem = true, .moffs = true, .disp = (s64)(a)
#define B(str) .bytes = str, .n = sizeof(str) - 1

#define M16 CPU_MODE_16
#define M32 CPU_MODE_32
#define M64 CPU_MODE_64
#define OPSZ INSN_PFX_OPSIZE
#define ADSZ INSN_PFX_ADDRSIZE
#define SEGP INSN_PFX_SEG
#define LOCKP INSN_PFX_LOCK
#define REPP INSN_PFX_REP
#define REPNEP INSN_PFX_REPNE

struct ocase {
	const char *text; /* objdump's disassembly (and a note) */
	enum cpu_mode mode;
	u8 bytes[INSN_MAX_LEN + 1];
	u8 n;
	/* expected */
	enum insn_kind kind;
	u8 sub;         /* alu, bt or sse */
	u8 op, rm_size; /* rm_size 0: same as op */
	u8 addr;        /* 0: the mode's default */
	bool mem, wr, dreg, src_imm, moffs, rip;
	u8 reg, rm;     /* R()/H()/XMM(), 0 = none */
	u8 rex;
	u64 imm;
	u8 base, index, scale; /* R(); scale 0 means 1 */
	s64 disp;
	u8 seg;         /* SEG(); 0 = DS */
	u32 pfx;
};

static const struct ocase cases[] = {
	/* 64-bit mode */
	{ "movabs eax,ds:0xfee00020", M64, B("\xa1\x20\x00\xe0\xfe\x00\x00\x00\x00"), K(MOV_LOAD, 4), MOFFS(0xfee00020), REG(RAX) },
	{ "movabs al,ds:0xfee00030", M64, B("\xa0\x30\x00\xe0\xfe\x00\x00\x00\x00"), K(MOV_LOAD, 1), MOFFS(0xfee00030), REG(RAX) },
	{ "movabs rax,ds:0xfee00030", M64, B("\x48\xa1\x30\x00\xe0\xfe\x00\x00\x00\x00"), K(MOV_LOAD, 8), MOFFS(0xfee00030), REG(RAX), .rex = 0x48 },
	{ "movabs ax,ds:0xfee00030", M64, B("\x66\xa1\x30\x00\xe0\xfe\x00\x00\x00\x00"), K(MOV_LOAD, 2), MOFFS(0xfee00030), REG(RAX), .pfx = OPSZ },
	{ "movabs ds:0xfee000b0,eax", M64, B("\xa3\xb0\x00\xe0\xfe\x00\x00\x00\x00"), K(MOV_STORE, 4), MOFFS(0xfee000b0), REG(RAX), WR },
	{ "movabs ds:0xfee000b0,al", M64, B("\xa2\xb0\x00\xe0\xfe\x00\x00\x00\x00"), K(MOV_STORE, 1), MOFFS(0xfee000b0), REG(RAX), WR },
	{ "movabs fs:0xfffffffffee000b0,eax", M64, B("\x64\xa3\xb0\x00\xe0\xfe\xff\xff\xff\xff"), K(MOV_STORE, 4), MOFFS(0xfffffffffee000b0), REG(RAX), WR, SEG(FS), .pfx = SEGP },
	{ "addr32 mov eax,ds:0xfee00020 (67: a 32-bit moffs)", M64, B("\x67\xa1\x20\x00\xe0\xfe"), K(MOV_LOAD, 4), MOFFS(0xfee00020), REG(RAX), .addr = 4, .pfx = ADSZ },
	{ "movsxd rax,DWORD PTR [rbx]", M64, B("\x48\x63\x03"), K(MOVSX, 8), RMS(4), MEM, DREG, REG(RAX), BASE(RBX), .rex = 0x48 },
	{ "movsxd rax,ecx", M64, B("\x48\x63\xc1"), K(MOVSX, 8), RMS(4), DREG, REG(RAX), RM(RCX), .rex = 0x48 },
	{ "movnti DWORD PTR [rax],ecx", M64, B("\x0f\xc3\x08"), K(MOV_STORE, 4), MEM, WR, REG(RCX), BASE(RAX) },
	{ "movnti QWORD PTR [rdi+0x8],r9", M64, B("\x4c\x0f\xc3\x4f\x08"), K(MOV_STORE, 8), MEM, WR, REG(R9), BASE(RDI), .disp = 8, .rex = 0x4c },
	{ "add BYTE PTR [rax],cl", M64, B("\x00\x08"), ALU(ADD, 1), MEM, WR, REG(RCX), BASE(RAX) },
	{ "add DWORD PTR [rax],ecx", M64, B("\x01\x08"), ALU(ADD, 4), MEM, WR, REG(RCX), BASE(RAX) },
	{ "add ecx,DWORD PTR [rax]", M64, B("\x03\x08"), ALU(ADD, 4), MEM, DREG, REG(RCX), BASE(RAX) },
	{ "add cl,BYTE PTR [rax]", M64, B("\x02\x08"), ALU(ADD, 1), MEM, DREG, REG(RCX), BASE(RAX) },
	{ "or DWORD PTR [rip+0x10],eax", M64, B("\x09\x05\x10\x00\x00\x00"), ALU(OR, 4), MEM, WR, REG(RAX), .disp = 0x10, .rip = true },
	{ "or r8,QWORD PTR [rax]", M64, B("\x4c\x0b\x00"), ALU(OR, 8), MEM, DREG, REG(R8), BASE(RAX), .rex = 0x4c },
	{ "adc WORD PTR [rax],dx", M64, B("\x66\x11\x10"), ALU(ADC, 2), MEM, WR, REG(RDX), BASE(RAX), .pfx = OPSZ },
	{ "sbb eax,DWORD PTR [rbx+rcx*4]", M64, B("\x1b\x04\x8b"), ALU(SBB, 4), MEM, DREG, REG(RAX), BASE(RBX), IDX(RCX, 4) },
	{ "and DWORD PTR [rax],esi", M64, B("\x21\x30"), ALU(AND, 4), MEM, WR, REG(RSI), BASE(RAX) },
	{ "and ah,BYTE PTR [rax]", M64, B("\x22\x20"), ALU(AND, 1), MEM, DREG, REG8H(RAX), BASE(RAX) },
	{ "sub QWORD PTR [rax],rdx", M64, B("\x48\x29\x10"), ALU(SUB, 8), MEM, WR, REG(RDX), BASE(RAX), .rex = 0x48 },
	{ "sub eax,DWORD PTR [rax]", M64, B("\x2b\x00"), ALU(SUB, 4), MEM, DREG, REG(RAX), BASE(RAX) },
	{ "xor DWORD PTR [rax],edi", M64, B("\x31\x38"), ALU(XOR, 4), MEM, WR, REG(RDI), BASE(RAX) },
	{ "xor sil,BYTE PTR [rax]", M64, B("\x40\x32\x30"), ALU(XOR, 1), MEM, DREG, REG(RSI), BASE(RAX), .rex = 0x40 },
	{ "cmp DWORD PTR [rax],ecx (CMP: not written)", M64, B("\x39\x08"), ALU(CMP, 4), MEM, REG(RCX), BASE(RAX) },
	{ "cmp ecx,DWORD PTR [rax]", M64, B("\x3b\x08"), ALU(CMP, 4), MEM, DREG, REG(RCX), BASE(RAX) },
	{ "cmp BYTE PTR [rax],bl", M64, B("\x38\x18"), ALU(CMP, 1), MEM, REG(RBX), BASE(RAX) },
	{ "add eax,ecx (register form)", M64, B("\x01\xc8"), ALU(ADD, 4), WR, REG(RCX), RM(RAX) },
	{ "add DWORD PTR [rax],0x12345678", M64, B("\x81\x00\x78\x56\x34\x12"), ALU(ADD, 4), MEM, WR, BASE(RAX), IMM(0x12345678) },
	{ "or DWORD PTR [rax+0xf0],0x100", M64, B("\x81\x88\xf0\x00\x00\x00\x00\x01\x00\x00"), ALU(OR, 4), MEM, WR, BASE(RAX), .disp = 0xf0, IMM(0x100) },
	{ "or DWORD PTR [rax],0x1 (83: imm8)", M64, B("\x83\x08\x01"), ALU(OR, 4), MEM, WR, BASE(RAX), IMM(1) },
	{ "and DWORD PTR [rax],0xfffffeff", M64, B("\x81\x20\xff\xfe\xff\xff"), ALU(AND, 4), MEM, WR, BASE(RAX), IMM(0xfffffeff) },
	{ "and DWORD PTR [rax],0xfffffff0 (83: imm8 sign-extended)", M64, B("\x83\x20\xf0"), ALU(AND, 4), MEM, WR, BASE(RAX), IMM(0xfffffff0) },
	{ "and QWORD PTR [rax],0xfffffffffffffff0", M64, B("\x48\x83\x20\xf0"), ALU(AND, 8), MEM, WR, BASE(RAX), IMM(0xfffffffffffffff0), .rex = 0x48 },
	{ "adc BYTE PTR [rax],0x80", M64, B("\x80\x10\x80"), ALU(ADC, 1), MEM, WR, BASE(RAX), IMM(0x80) },
	{ "sbb WORD PTR [rax],0x8000", M64, B("\x66\x81\x18\x00\x80"), ALU(SBB, 2), MEM, WR, BASE(RAX), IMM(0x8000), .pfx = OPSZ },
	{ "sub QWORD PTR [rax],0xffffffff80000000", M64, B("\x48\x81\x28\x00\x00\x00\x80"), ALU(SUB, 8), MEM, WR, BASE(RAX), IMM(0xffffffff80000000), .rex = 0x48 },
	{ "xor BYTE PTR [rax],0xff", M64, B("\x80\x30\xff"), ALU(XOR, 1), MEM, WR, BASE(RAX), IMM(0xff) },
	{ "cmp DWORD PTR [rax],0x0", M64, B("\x83\x38\x00"), ALU(CMP, 4), MEM, BASE(RAX), IMM(0) },
	{ "cmp WORD PTR [rax],0xffff (66 83: imm8 to 16 bits)", M64, B("\x66\x83\x38\xff"), ALU(CMP, 2), MEM, BASE(RAX), IMM(0xffff), .pfx = OPSZ },
	{ "cmp BYTE PTR [rip+0x20],0x7", M64, B("\x80\x3d\x20\x00\x00\x00\x07"), ALU(CMP, 1), MEM, .rip = true, .disp = 0x20, IMM(7) },
	{ "test DWORD PTR [rax],ecx", M64, B("\x85\x08"), K(TEST, 4), MEM, REG(RCX), BASE(RAX) },
	{ "test BYTE PTR [rax],dl", M64, B("\x84\x10"), K(TEST, 1), MEM, REG(RDX), BASE(RAX) },
	{ "test DWORD PTR [rax],0x1000", M64, B("\xf7\x00\x00\x10\x00\x00"), K(TEST, 4), MEM, BASE(RAX), IMM(0x1000) },
	{ "test BYTE PTR [rax+0x1],0x10", M64, B("\xf6\x40\x01\x10"), K(TEST, 1), MEM, BASE(RAX), .disp = 1, IMM(0x10) },
	{ "test QWORD PTR [rax],0xffffffffffffff00", M64, B("\x48\xf7\x00\x00\xff\xff\xff"), K(TEST, 8), MEM, BASE(RAX), IMM(0xffffffffffffff00), .rex = 0x48 },
	{ "test WORD PTR [rax],0x8001", M64, B("\x66\xf7\x00\x01\x80"), K(TEST, 2), MEM, BASE(RAX), IMM(0x8001), .pfx = OPSZ },
	{ "inc DWORD PTR [rax]", M64, B("\xff\x00"), K(INC, 4), MEM, WR, BASE(RAX) },
	{ "inc BYTE PTR [rax]", M64, B("\xfe\x00"), K(INC, 1), MEM, WR, BASE(RAX) },
	{ "dec QWORD PTR [rax]", M64, B("\x48\xff\x08"), K(DEC, 8), MEM, WR, BASE(RAX), .rex = 0x48 },
	{ "dec WORD PTR [rax]", M64, B("\x66\xff\x08"), K(DEC, 2), MEM, WR, BASE(RAX), .pfx = OPSZ },
	{ "dec BYTE PTR [rax]", M64, B("\xfe\x08"), K(DEC, 1), MEM, WR, BASE(RAX) },
	{ "not DWORD PTR [rax]", M64, B("\xf7\x10"), K(NOT, 4), MEM, WR, BASE(RAX) },
	{ "not BYTE PTR [rax]", M64, B("\xf6\x10"), K(NOT, 1), MEM, WR, BASE(RAX) },
	{ "neg DWORD PTR [rax]", M64, B("\xf7\x18"), K(NEG, 4), MEM, WR, BASE(RAX) },
	{ "neg QWORD PTR [rax]", M64, B("\x48\xf7\x18"), K(NEG, 8), MEM, WR, BASE(RAX), .rex = 0x48 },
	{ "bt DWORD PTR [rax],ecx", M64, B("\x0f\xa3\x08"), BTK(TEST, 4), MEM, REG(RCX), BASE(RAX) },
	{ "bts DWORD PTR [rax],ecx", M64, B("\x0f\xab\x08"), BTK(SET, 4), MEM, WR, REG(RCX), BASE(RAX) },
	{ "btr QWORD PTR [rax],rcx", M64, B("\x48\x0f\xb3\x08"), BTK(RESET, 8), MEM, WR, REG(RCX), BASE(RAX), .rex = 0x48 },
	{ "btc WORD PTR [rax],cx", M64, B("\x66\x0f\xbb\x08"), BTK(COMPLEMENT, 2), MEM, WR, REG(RCX), BASE(RAX), .pfx = OPSZ },
	{ "bt DWORD PTR [rax+0x100],0x5", M64, B("\x0f\xba\xa0\x00\x01\x00\x00\x05"), BTK(TEST, 4), MEM, BASE(RAX), .disp = 0x100, IMM(5) },
	{ "bts DWORD PTR [rax],0x1f", M64, B("\x0f\xba\x28\x1f"), BTK(SET, 4), MEM, WR, BASE(RAX), IMM(0x1f) },
	{ "btr DWORD PTR [rax],0x8", M64, B("\x0f\xba\x30\x08"), BTK(RESET, 4), MEM, WR, BASE(RAX), IMM(8) },
	{ "btc QWORD PTR [rax],0x3f", M64, B("\x48\x0f\xba\x38\x3f"), BTK(COMPLEMENT, 8), MEM, WR, BASE(RAX), IMM(0x3f), .rex = 0x48 },
	{ "xchg DWORD PTR [rax],ecx", M64, B("\x87\x08"), K(XCHG, 4), MEM, WR, REG(RCX), BASE(RAX) },
	{ "xchg BYTE PTR [rax],bh", M64, B("\x86\x38"), K(XCHG, 1), MEM, WR, REG8H(RBX), BASE(RAX) },
	{ "xchg QWORD PTR [rax],r10", M64, B("\x4c\x87\x10"), K(XCHG, 8), MEM, WR, REG(R10), BASE(RAX), .rex = 0x4c },
	{ "lock xchg DWORD PTR [rax],ecx", M64, B("\xf0\x87\x08"), K(XCHG, 4), MEM, WR, REG(RCX), BASE(RAX), .pfx = LOCKP },
	{ "cmpxchg DWORD PTR [rax],ecx", M64, B("\x0f\xb1\x08"), K(CMPXCHG, 4), MEM, WR, REG(RCX), BASE(RAX) },
	{ "lock cmpxchg QWORD PTR [rdi],rsi", M64, B("\xf0\x48\x0f\xb1\x37"), K(CMPXCHG, 8), MEM, WR, REG(RSI), BASE(RDI), .pfx = LOCKP, .rex = 0x48 },
	{ "lock cmpxchg BYTE PTR [rdi],cl", M64, B("\xf0\x0f\xb0\x0f"), K(CMPXCHG, 1), MEM, WR, REG(RCX), BASE(RDI), .pfx = LOCKP },
	{ "xadd DWORD PTR [rax],ecx", M64, B("\x0f\xc1\x08"), K(XADD, 4), MEM, WR, REG(RCX), BASE(RAX) },
	{ "lock xadd WORD PTR [rax],dx", M64, B("\x66\xf0\x0f\xc1\x10"), K(XADD, 2), MEM, WR, REG(RDX), BASE(RAX), .pfx = LOCKP | OPSZ },
	{ "lock xadd BYTE PTR [rax],al", M64, B("\xf0\x0f\xc0\x00"), K(XADD, 1), MEM, WR, REG(RAX), BASE(RAX), .pfx = LOCKP },
	{ "lock add DWORD PTR [rax],ecx", M64, B("\xf0\x01\x08"), ALU(ADD, 4), MEM, WR, REG(RCX), BASE(RAX), .pfx = LOCKP },
	{ "lock or DWORD PTR [rax],0x1", M64, B("\xf0\x83\x08\x01"), ALU(OR, 4), MEM, WR, BASE(RAX), IMM(1), .pfx = LOCKP },
	{ "lock inc DWORD PTR [rax]", M64, B("\xf0\xff\x00"), K(INC, 4), MEM, WR, BASE(RAX), .pfx = LOCKP },
	{ "lock neg BYTE PTR [rax]", M64, B("\xf0\xf6\x18"), K(NEG, 1), MEM, WR, BASE(RAX), .pfx = LOCKP },
	{ "lock bts DWORD PTR [rax],0x3", M64, B("\xf0\x0f\xba\x28\x03"), BTK(SET, 4), MEM, WR, BASE(RAX), IMM(3), .pfx = LOCKP },
	{ "lock btr DWORD PTR [rax],ecx", M64, B("\xf0\x0f\xb3\x08"), BTK(RESET, 4), MEM, WR, REG(RCX), BASE(RAX), .pfx = LOCKP },
	{ "push QWORD PTR [rax]", M64, B("\xff\x30"), K(PUSH, 8), MEM, BASE(RAX) },
	{ "push WORD PTR [rax]", M64, B("\x66\xff\x30"), K(PUSH, 2), MEM, BASE(RAX), .pfx = OPSZ },
	{ "pop QWORD PTR [rax]", M64, B("\x8f\x00"), K(POP, 8), MEM, WR, BASE(RAX) },
	{ "pop QWORD PTR [rsp+0x8]", M64, B("\x8f\x44\x24\x08"), K(POP, 8), MEM, WR, BASE(RSP), .disp = 8, SEG(SS) },
	{ "movs DWORD PTR es:[rdi],DWORD PTR ds:[rsi]", M64, B("\xa5"), K(MOVS, 4), MEM, BASE(RSI) },
	{ "movs BYTE PTR es:[rdi],BYTE PTR ds:[rsi]", M64, B("\xa4"), K(MOVS, 1), MEM, BASE(RSI) },
	{ "rep movs DWORD PTR es:[rdi],DWORD PTR ds:[rsi]", M64, B("\xf3\xa5"), K(MOVS, 4), MEM, BASE(RSI), .pfx = REPP },
	{ "rep movs QWORD PTR es:[rdi],QWORD PTR ds:[rsi]", M64, B("\xf3\x48\xa5"), K(MOVS, 8), MEM, BASE(RSI), .pfx = REPP, .rex = 0x48 },
	{ "movs DWORD PTR es:[rdi],DWORD PTR fs:[rsi] (source segment overridden)", M64, B("\x64\xa5"), K(MOVS, 4), MEM, BASE(RSI), SEG(FS), .pfx = SEGP },
	{ "rep stos DWORD PTR es:[rdi],eax", M64, B("\xf3\xab"), K(STOS, 4), MEM, WR, REG(RAX), BASE(RDI), SEG(ES), .pfx = REPP },
	{ "fs stos BYTE PTR es:[rdi],al (the ES destination cannot be overridden)", M64, B("\x64\xaa"), K(STOS, 1), MEM, WR, REG(RAX), BASE(RDI), SEG(ES), .pfx = SEGP },
	{ "stos WORD PTR es:[rdi],ax", M64, B("\x66\xab"), K(STOS, 2), MEM, WR, REG(RAX), BASE(RDI), SEG(ES), .pfx = OPSZ },
	{ "lods eax,DWORD PTR ds:[rsi]", M64, B("\xad"), K(LODS, 4), MEM, REG(RAX), BASE(RSI) },
	{ "rep lods al,BYTE PTR ds:[rsi]", M64, B("\xf3\xac"), K(LODS, 1), MEM, REG(RAX), BASE(RSI), .pfx = REPP },
	{ "cmps DWORD PTR ds:[rsi],DWORD PTR es:[rdi]", M64, B("\xa7"), K(CMPS, 4), MEM, BASE(RSI) },
	{ "repz cmps BYTE PTR ds:[rsi],BYTE PTR es:[rdi]", M64, B("\xf3\xa6"), K(CMPS, 1), MEM, BASE(RSI), .pfx = REPP },
	{ "repnz scas eax,DWORD PTR es:[rdi]", M64, B("\xf2\xaf"), K(SCAS, 4), MEM, REG(RAX), BASE(RDI), SEG(ES), .pfx = REPNEP },
	{ "scas rax,QWORD PTR es:[rdi]", M64, B("\x48\xaf"), K(SCAS, 8), MEM, REG(RAX), BASE(RDI), SEG(ES), .rex = 0x48 },
	{ "rep stos DWORD PTR es:[edi],eax (67: edi, ecx)", M64, B("\x67\xf3\xab"), K(STOS, 4), MEM, WR, REG(RAX), BASE(RDI), SEG(ES), .addr = 4, .pfx = REPP | ADSZ },
	{ "movups xmm0,XMMWORD PTR [rax]", M64, B("\x0f\x10\x00"), SSE(MOVUPS, 16), MEM, DREG, XMM(0), BASE(RAX) },
	{ "movups XMMWORD PTR [rax],xmm1", M64, B("\x0f\x11\x08"), SSE(MOVUPS, 16), MEM, WR, XMM(1), BASE(RAX) },
	{ "movaps XMMWORD PTR [rax+0x10],xmm15", M64, B("\x44\x0f\x29\x78\x10"), SSE(MOVAPS, 16), MEM, WR, XMM(15), BASE(RAX), .disp = 0x10, .rex = 0x44 },
	{ "movapd xmm2,XMMWORD PTR [rax]", M64, B("\x66\x0f\x28\x10"), SSE(MOVAPD, 16), MEM, DREG, XMM(2), BASE(RAX), .pfx = OPSZ },
	{ "movupd xmm2,XMMWORD PTR [rax]", M64, B("\x66\x0f\x10\x10"), SSE(MOVUPD, 16), MEM, DREG, XMM(2), BASE(RAX), .pfx = OPSZ },
	{ "movdqu xmm3,XMMWORD PTR [rax]", M64, B("\xf3\x0f\x6f\x18"), SSE(MOVDQU, 16), MEM, DREG, XMM(3), BASE(RAX), .pfx = REPP },
	{ "movdqu XMMWORD PTR [rax],xmm3", M64, B("\xf3\x0f\x7f\x18"), SSE(MOVDQU, 16), MEM, WR, XMM(3), BASE(RAX), .pfx = REPP },
	{ "movdqa XMMWORD PTR [rax],xmm4", M64, B("\x66\x0f\x7f\x20"), SSE(MOVDQA, 16), MEM, WR, XMM(4), BASE(RAX), .pfx = OPSZ },
	{ "movd xmm0,DWORD PTR [rax]", M64, B("\x66\x0f\x6e\x00"), SSE(MOVD, 4), MEM, DREG, XMM(0), BASE(RAX), .pfx = OPSZ },
	{ "movd DWORD PTR [rax],xmm5", M64, B("\x66\x0f\x7e\x28"), SSE(MOVD, 4), MEM, WR, XMM(5), BASE(RAX), .pfx = OPSZ },
	{ "movq QWORD PTR [rax],xmm5 (66 0F D6)", M64, B("\x66\x0f\xd6\x28"), SSE(MOVQ, 8), MEM, WR, XMM(5), BASE(RAX), .pfx = OPSZ },
	{ "movq xmm6,QWORD PTR [rax] (F3 0F 7E)", M64, B("\xf3\x0f\x7e\x30"), SSE(MOVQ, 8), MEM, DREG, XMM(6), BASE(RAX), .pfx = REPP },
	{ "movss xmm1,DWORD PTR [rax]", M64, B("\xf3\x0f\x10\x08"), SSE(MOVSS, 4), MEM, DREG, XMM(1), BASE(RAX), .pfx = REPP },
	{ "movsd QWORD PTR [rax],xmm1", M64, B("\xf2\x0f\x11\x08"), SSE(MOVSD, 8), MEM, WR, XMM(1), BASE(RAX), .pfx = REPNEP },
	{ "movntdq XMMWORD PTR [rax],xmm0", M64, B("\x66\x0f\xe7\x00"), SSE(MOVNTDQ, 16), MEM, WR, XMM(0), BASE(RAX), .pfx = OPSZ },
	{ "movntps XMMWORD PTR [rax],xmm0", M64, B("\x0f\x2b\x00"), SSE(MOVNTPS, 16), MEM, WR, XMM(0), BASE(RAX) },
	{ "test DWORD PTR [rax],0x1 (F7 /1: an alias of TEST /0)", M64, B("\xf7\x08\x01\x00\x00\x00"), K(TEST, 4), MEM, BASE(RAX), IMM(1) },
	{ "test BYTE PTR [rax],0x80 (F6 /1: an alias of TEST /0)", M64, B("\xf6\x08\x80"), K(TEST, 1), MEM, BASE(RAX), IMM(0x80) },
	/* 32-bit mode */
	{ "mov eax,ds:0xfee00020", M32, B("\xa1\x20\x00\xe0\xfe"), K(MOV_LOAD, 4), MOFFS(0xfee00020), REG(RAX) },
	{ "mov ds:0xfee000b0,eax", M32, B("\xa3\xb0\x00\xe0\xfe"), K(MOV_STORE, 4), MOFFS(0xfee000b0), REG(RAX), WR },
	{ "mov al,es:0xfee00030", M32, B("\x26\xa0\x30\x00\xe0\xfe"), K(MOV_LOAD, 1), MOFFS(0xfee00030), REG(RAX), SEG(ES), .pfx = SEGP },
	{ "addr16 mov ax,ds:0x1234 (67: a 16-bit moffs)", M32, B("\x67\x66\xa1\x34\x12"), K(MOV_LOAD, 2), MOFFS(0x1234), REG(RAX), .addr = 2, .pfx = OPSZ | ADSZ },
	{ "or DWORD PTR [ebp-0x10],0x100", M32, B("\x81\x4d\xf0\x00\x01\x00\x00"), ALU(OR, 4), MEM, WR, BASE(RBP), .disp = -0x10, SEG(SS), IMM(0x100) },
	{ "and DWORD PTR ds:0xfee000f0,0xfffffeff", M32, B("\x81\x25\xf0\x00\xe0\xfe\xff\xfe\xff\xff"), ALU(AND, 4), MEM, WR, .disp = (s32)0xfee000f0, IMM(0xfffffeff) },
	{ "add BYTE PTR [eax+ecx*2+0x4],0x1 (80)", M32, B("\x80\x44\x48\x04\x01"), ALU(ADD, 1), MEM, WR, BASE(RAX), IDX(RCX, 2), .disp = 4, IMM(1) },
	{ "add BYTE PTR [eax],0x1 (82: an alias of 80 outside 64-bit mode)", M32, B("\x82\x00\x01"), ALU(ADD, 1), MEM, WR, BASE(RAX), IMM(1) },
	{ "sub ecx,DWORD PTR [esi]", M32, B("\x2b\x0e"), ALU(SUB, 4), MEM, DREG, REG(RCX), BASE(RSI) },
	{ "test DWORD PTR [ebx],0x1000", M32, B("\xf7\x03\x00\x10\x00\x00"), K(TEST, 4), MEM, BASE(RBX), IMM(0x1000) },
	{ "xchg DWORD PTR [ebx],eax", M32, B("\x87\x03"), K(XCHG, 4), MEM, WR, REG(RAX), BASE(RBX) },
	{ "lock cmpxchg DWORD PTR [ebx],ecx", M32, B("\xf0\x0f\xb1\x0b"), K(CMPXCHG, 4), MEM, WR, REG(RCX), BASE(RBX), .pfx = LOCKP },
	{ "bt DWORD PTR [ebx],eax", M32, B("\x0f\xa3\x03"), BTK(TEST, 4), MEM, REG(RAX), BASE(RBX) },
	{ "btr WORD PTR [ebx],0x3", M32, B("\x66\x0f\xba\x33\x03"), BTK(RESET, 2), MEM, WR, BASE(RBX), IMM(3), .pfx = OPSZ },
	{ "inc WORD PTR [ebx]", M32, B("\x66\xff\x03"), K(INC, 2), MEM, WR, BASE(RBX), .pfx = OPSZ },
	{ "push DWORD PTR [ebx]", M32, B("\xff\x33"), K(PUSH, 4), MEM, BASE(RBX) },
	{ "pop DWORD PTR [ebx]", M32, B("\x8f\x03"), K(POP, 4), MEM, WR, BASE(RBX) },
	{ "rep movs BYTE PTR es:[edi],BYTE PTR ds:[esi]", M32, B("\xf3\xa4"), K(MOVS, 1), MEM, BASE(RSI), .pfx = REPP },
	{ "rep stos WORD PTR es:[di],ax", M32, B("\x67\x66\xf3\xab"), K(STOS, 2), MEM, WR, REG(RAX), BASE(RDI), SEG(ES), .addr = 2, .pfx = REPP | OPSZ | ADSZ },
	{ "movzx eax,BYTE PTR ds:0xfee00030", M32, B("\x0f\xb6\x05\x30\x00\xe0\xfe"), K(MOVZX, 4), RMS(1), MEM, DREG, REG(RAX), .disp = (s32)0xfee00030 },
	{ "xadd DWORD PTR [ebx],edx", M32, B("\x0f\xc1\x13"), K(XADD, 4), MEM, WR, REG(RDX), BASE(RBX) },
	/* 16-bit mode */
	{ "mov ax,ds:0xfee0", M16, B("\xa1\xe0\xfe"), K(MOV_LOAD, 2), MOFFS(0xfee0), REG(RAX) },
	{ "mov ds:0x10,al", M16, B("\xa2\x10\x00"), K(MOV_STORE, 1), MOFFS(0x10), REG(RAX), WR },
	{ "mov eax,ds:0x20", M16, B("\x66\xa1\x20\x00"), K(MOV_LOAD, 4), MOFFS(0x20), REG(RAX), .pfx = OPSZ },
	{ "addr32 mov eax,ds:0xfee00020 (67 66: a 32-bit moffs)", M16, B("\x67\x66\xa1\x20\x00\xe0\xfe"), K(MOV_LOAD, 4), MOFFS(0xfee00020), REG(RAX), .addr = 4, .pfx = OPSZ | ADSZ },
	{ "or WORD PTR [bx+si],0x100", M16, B("\x81\x08\x00\x01"), ALU(OR, 2), MEM, WR, BASE(RBX), IDX(RSI, 1), IMM(0x100) },
	{ "and DWORD PTR [bp+0x4],0xfffffeff", M16, B("\x66\x81\x66\x04\xff\xfe\xff\xff"), ALU(AND, 4), MEM, WR, BASE(RBP), .disp = 4, SEG(SS), IMM(0xfffffeff), .pfx = OPSZ },
	{ "cmp BYTE PTR [di],0x5", M16, B("\x80\x3d\x05"), ALU(CMP, 1), MEM, BASE(RDI), IMM(5) },
	{ "bts WORD PTR [bx],ax", M16, B("\x0f\xab\x07"), BTK(SET, 2), MEM, WR, REG(RAX), BASE(RBX) },
	{ "lock xadd WORD PTR [bx],cx", M16, B("\xf0\x0f\xc1\x0f"), K(XADD, 2), MEM, WR, REG(RCX), BASE(RBX), .pfx = LOCKP },
	{ "push WORD PTR [bx]", M16, B("\xff\x37"), K(PUSH, 2), MEM, BASE(RBX) },
	{ "rep stos BYTE PTR es:[di],al", M16, B("\xf3\xaa"), K(STOS, 1), MEM, WR, REG(RAX), BASE(RDI), SEG(ES), .pfx = REPP },
	{ "movs WORD PTR es:[di],WORD PTR ds:[si]", M16, B("\xa5"), K(MOVS, 2), MEM, BASE(RSI) },
};

static const struct ecase {
	const char *text;
	enum cpu_mode mode;
	u8 bytes[INSN_MAX_LEN + 1];
	u8 n;
	int rc;
} errors[] = {
	{ "lock cmp DWORD PTR [rax],ecx (CMP does not write)", M64, B("\xf0\x39\x08"), DECODE_ERR_INVALID },
	{ "lock bt DWORD PTR [rax],ecx (BT does not write)", M64, B("\xf0\x0f\xa3\x08"), DECODE_ERR_INVALID },
	{ "lock add ecx,DWORD PTR [rax] (a register destination)", M64, B("\xf0\x03\x08"), DECODE_ERR_INVALID },
	{ "lock add eax,ecx (no memory operand)", M64, B("\xf0\x01\xc8"), DECODE_ERR_INVALID },
	{ "lock xchg eax,ecx (lock xchg eax,ecx: register XCHG)", M64, B("\xf0\x87\xc8"), DECODE_ERR_INVALID },
	{ "lock test DWORD PTR [rax],ecx", M64, B("\xf0\x85\x08"), DECODE_ERR_INVALID },
	{ "lock mov DWORD PTR [rax],ecx", M64, B("\xf0\x89\x08"), DECODE_ERR_INVALID },
	{ "lock movabs eax,ds:0xfee00020", M64, B("\xf0\xa1\x20\x00\xe0\xfe\x00\x00\x00\x00"), DECODE_ERR_INVALID },
	{ "lock push QWORD PTR [rax]", M64, B("\xf0\xff\x30"), DECODE_ERR_INVALID },
	{ "lock movs DWORD PTR es:[rdi],DWORD PTR ds:[rsi]", M64, B("\xf0\xa5"), DECODE_ERR_INVALID },
	{ "lock movdqu xmm0,XMMWORD PTR [rax]", M64, B("\xf0\xf3\x0f\x6f\x00"), DECODE_ERR_INVALID },
	{ "mul DWORD PTR [rax] (F7 /4)", M64, B("\xf7\x20"), DECODE_ERR_UNSUPPORTED },
	{ "idiv DWORD PTR [rax] (F7 /7)", M64, B("\xf7\x38"), DECODE_ERR_UNSUPPORTED },
	{ "call QWORD PTR [rax] (FF /2)", M64, B("\xff\x10"), DECODE_ERR_UNSUPPORTED },
	{ "jmp QWORD PTR [rax] (FF /4)", M64, B("\xff\x20"), DECODE_ERR_UNSUPPORTED },
	{ "add al,0x1 (04: no memory operand)", M64, B("\x04\x01"), DECODE_ERR_UNSUPPORTED },
	{ "imul eax,DWORD PTR [rax]", M64, B("\x0f\xaf\x00"), DECODE_ERR_UNSUPPORTED },
	{ "shl DWORD PTR [rax],1", M64, B("\xd1\x20"), DECODE_ERR_UNSUPPORTED },
	{ "sete BYTE PTR [rax]", M64, B("\x0f\x94\x00"), DECODE_ERR_UNSUPPORTED },
	{ "cmove eax,DWORD PTR [rax]", M64, B("\x0f\x44\x00"), DECODE_ERR_UNSUPPORTED },
	{ "movq mm0,QWORD PTR [rax] (MMX movq)", M64, B("\x0f\x6f\x00"), DECODE_ERR_UNSUPPORTED },
	{ "vmovdqu ymm0,YMMWORD PTR [rax] (VEX-encoded)", M64, B("\xc5\xfe\x6f\x00"), DECODE_ERR_UNSUPPORTED },
	{ "(bad) (82 in 64-bit mode)", M64, B("\x82\x00\x01"), DECODE_ERR_INVALID },
	{ "(bad) (MOVNTI register form)", M64, B("\x0f\xc3\xc1"), DECODE_ERR_UNSUPPORTED },
	{ ".byte 0xa1 (movabs with 4 of its 8 moffs bytes)", M64, B("\xa1\x20\x00\xe0\xfe"), DECODE_ERR_TRUNCATED },
	{ "arpl WORD PTR [eax],ax (63 outside 64-bit mode)", M32, B("\x63\x00"), DECODE_ERR_UNSUPPORTED },
	{ "lock sub eax,DWORD PTR [eax]", M32, B("\xf0\x2b\x00"), DECODE_ERR_INVALID },
	{ ".byte 0xa1 (mov eax,moffs32 with 3 bytes)", M32, B("\xa1\x20\x00\xe0"), DECODE_ERR_TRUNCATED },
};

/* ---- checking ---- */

static u8 sub_of(const struct insn *in)
{
	return in->kind == INSN_ALU ? in->alu : in->kind == INSN_BT ? in->bt : in->kind == INSN_SSE_MOV ? in->sse : 0;
}

#define CHECK(field, got, want)                                                                            \
	do {                                                                                               \
		if ((u64)(got) != (u64)(want))                                                             \
			fail_msg("%s: %s = 0x%llx, want 0x%llx", c->text, field, (u64)(got), (u64)(want)); \
	} while (0)

static void check_mem(const struct ocase *c, const struct insn *in)
{
	CHECK("addr_size", in->addr_size, c->addr ? c->addr : default_addr(c->mode));
	CHECK("mem.base", enc_gpr(in->mem.base), c->base);
	CHECK("mem.index", enc_gpr(in->mem.index), c->index);
	CHECK("mem.scale", in->mem.scale, c->scale ? c->scale : 1);
	CHECK("mem.disp", in->mem.disp, c->disp);
	CHECK("mem.moffs", in->mem.moffs, c->moffs);
	CHECK("mem.rip_relative", in->mem.rip_relative, c->rip);
	CHECK("mem.seg", in->mem.seg, c->seg ? c->seg - 1 : SEG_DS);
}

static void check_case(const struct ocase *c)
{
	struct insn in;
	int rc = insn_decode(c->bytes, c->n, c->mode, &in);

	if (rc)
		fail_msg("%s: rc %d (%s): %s", c->text, rc, decode_error_name(rc), in.reason);
	CHECK("len", in.len, c->n);
	CHECK("kind", in.kind, c->kind);
	CHECK("alu/bt/sse", sub_of(&in), c->sub);
	CHECK("op_size", in.op_size, c->op);
	CHECK("rm_size", in.rm_size, c->rm_size ? c->rm_size : c->op);
	CHECK("rm_is_mem", in.rm_is_mem, c->mem);
	CHECK("writes_rm", in.writes_rm, c->wr);
	CHECK("dst_is_reg", in.dst_is_reg, c->dreg);
	CHECK("src_imm", in.src_imm, c->src_imm);
	CHECK("reg", enc_reg(in.reg), c->reg);
	CHECK("prefixes", in.prefixes, c->pfx);
	CHECK("rex", in.rex, c->rex);
	if (c->src_imm)
		CHECK("imm", in.imm, c->imm);
	if (c->mem)
		check_mem(c, &in);
	else
		CHECK("rm", enc_reg(in.rm), c->rm);
}


static void test_decode_forms(void **state)
{
	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
		check_case(&cases[i]);
		check_decode_lengths(cases[i].text, cases[i].mode, cases[i].bytes, cases[i].n);
	}
}

static void test_decode_form_errors(void **state)
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
}

/* The names the logs print. */
static void test_names(void **state)
{
	static const struct {
		u8 bytes[INSN_MAX_LEN];
		u8 n;
		const char *name;
	} names[] = {
		{ B("\xa1\x20\x00\xe0\xfe\x00\x00\x00\x00"), "mov" },
		{ B("\x83\x08\x01"), "or" },
		{ B("\x39\x08"), "cmp" },
		{ B("\x0f\xba\x28\x03"), "bts" },
		{ B("\xf0\x0f\xb1\x0b"), "cmpxchg" },
		{ B("\xf3\x0f\x6f\x00"), "movdqu" },
		{ B("\x66\x48\x0f\x7e\x00"), "movq" }, /* movq QWORD PTR [rax],xmm0: MOVD with REX.W */
		{ B("\xf3\xab"), "stos" },
	};
	for (unsigned i = 0; i < ARRAY_SIZE(names); i++) {
		struct insn in;
		assert_int_equal(insn_decode(names[i].bytes, names[i].n, CPU_MODE_64, &in), 0);
		assert_string_equal(insn_name(&in), names[i].name);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_forms),
		cmocka_unit_test(test_decode_form_errors),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
