/* The opcodes of decode.h (SDM Vol. 2A Appendix A, the opcode maps). One table entry per opcode that takes
 * a ModRM or an implied memory operand; where ModRM.reg picks the instruction (the "groups" of Table A-6),
 * the entry names a group table. Control-register moves and the instructions decoded for their length
 * only are special cases. */
#include "decode_internal.h"

#define OP_TWO_BYTE 0x0F
#define OP_NOP_PAUSE 0x90 /* PAUSE is F3 90 */
#define OP_HLT 0xF4
#define OP_INSB 0x6C
#define OP_INS 0x6D
#define OP_OUTSB 0x6E
#define OP_OUTS 0x6F
#define STRING_IO_MAX_SIZE 4 /* REX.W does not widen INS/OUTS (SDM Vol. 2B) */
#define OP2_GROUP7 0x01 /* 0F 01: LMSW /6, SMSW /4 among many others */
#define OP2_CLTS 0x06
#define OP2_INVD 0x08
#define OP2_MOV_FROM_CR 0x20
#define OP2_MOV_TO_CR 0x22
#define OP2_WRMSR 0x30
#define OP2_RDMSR 0x32
#define OP2_CPUID 0xA2
#define MODRM_VMMCALL 0xD9 /* 0F 01 D9 */
#define MODRM_XSETBV 0xD1  /* 0F 01 D1 */
#define GROUP7_SMSW 4
#define GROUP7_LMSW 6
#define CR_ALT_CR8 8 /* AMD: LOCK MOV CR0 accesses CR8 (CPUID 8000_0001 ECX[4], "AltMovCr8") */
#define VALID_CRS (BIT(0) | BIT(2) | BIT(3) | BIT(4) | BIT(8))
#define MAX_IMM_BYTES 4 /* immediates are at most 32 bits, sign-extended under REX.W */
#define ALU_ROW_STRIDE 8 /* 00-03 ADD, 08-0B OR, ... 38-3B CMP */

enum form {
	F_NONE,   /* not decoded: DECODE_ERR_UNSUPPORTED */
	F_RM_REG, /* ModRM: r/m is the first operand (the destination), reg the second */
	F_REG_RM, /* ModRM: reg is the first operand, r/m the second */
	F_RM,     /* ModRM: r/m is the only explicit operand, besides an immediate (group members) */
	F_GROUP,  /* ModRM.reg picks the member from groups[sub] */
	F_MOFFS,  /* A0-A3: the accumulator and an absolute address */
	F_STRING, /* A4-A7, AA-AF: [rSI] and/or [rDI] */
};

#define OPF_BYTE BIT(0)      /* byte operands */
#define OPF_IMM BIT(1)       /* an immediate of op_size bytes (at most 4, sign-extended) follows */
#define OPF_IMM8 BIT(2)      /* an imm8 follows, sign-extended to op_size */
#define OPF_WRITES BIT(3)    /* the first operand is written */
#define OPF_LOCK BIT(4)      /* LOCK allowed when the first operand is memory (SDM Vol. 2A "LOCK") */
#define OPF_STACK BIT(5)     /* PUSH/POP: 64-bit operands in 64-bit mode, 16-bit with 66 */
#define OPF_MEM_ONLY BIT(6)  /* the register form is another instruction or #UD: not decoded */
#define OPF_ONLY64 BIT(7)    /* another instruction outside 64-bit mode (63 is ARPL) */
#define OPF_NOT64 BIT(8)     /* #UD in 64-bit mode (82) */
#define OPF_RM_BYTE BIT(9)   /* the r/m operand is a byte whatever op_size is (MOVZX, MOVSX) */
#define OPF_RM_WORD BIT(10)  /* ... a word */
#define OPF_RM_DWORD BIT(11) /* ... at most a doubleword (MOVSXD) */

struct op {
	u8 form; /* enum form */
	u8 kind; /* enum insn_kind */
	u8 sub;  /* INSN_ALU: enum insn_alu; INSN_BT: enum insn_bt; F_GROUP: enum group */
	u16 flags;
};

enum group { GRP_NONE, GRP1, GRP1A, GRP3, GRP4, GRP5, GRP8, GRP11, NUM_GROUPS };

#define ALU_FLAGS(alu) ((alu) == ALU_CMP ? 0 : OPF_WRITES | OPF_LOCK) /* CMP only reads */
#define ALU_MEMBER(alu) { F_RM, INSN_ALU, alu, ALU_FLAGS(alu) }
#define BT_FLAGS(bt) ((bt) == BT_TEST ? 0 : OPF_WRITES | OPF_LOCK)

static const struct op groups[NUM_GROUPS][8] = {
	[GRP1] = { ALU_MEMBER(ALU_ADD), ALU_MEMBER(ALU_OR), ALU_MEMBER(ALU_ADC), ALU_MEMBER(ALU_SBB),
		   ALU_MEMBER(ALU_AND), ALU_MEMBER(ALU_SUB), ALU_MEMBER(ALU_XOR), ALU_MEMBER(ALU_CMP) },
	[GRP1A] = { [0] = { F_RM, INSN_POP, 0, OPF_WRITES | OPF_STACK } },
	[GRP3] = { [0] = { F_RM, INSN_TEST, 0, OPF_IMM }, [1] = { F_RM, INSN_TEST, 0, OPF_IMM }, /* /1: an alias */
		   [2] = { F_RM, INSN_NOT, 0, OPF_WRITES | OPF_LOCK },
		   [3] = { F_RM, INSN_NEG, 0, OPF_WRITES | OPF_LOCK } },
	[GRP4] = { [0] = { F_RM, INSN_INC, 0, OPF_WRITES | OPF_LOCK }, [1] = { F_RM, INSN_DEC, 0, OPF_WRITES | OPF_LOCK } },
	[GRP5] = { [0] = { F_RM, INSN_INC, 0, OPF_WRITES | OPF_LOCK }, [1] = { F_RM, INSN_DEC, 0, OPF_WRITES | OPF_LOCK },
		   [6] = { F_RM, INSN_PUSH, 0, OPF_STACK } },
	[GRP8] = { [4] = { F_RM, INSN_BT, BT_TEST, BT_FLAGS(BT_TEST) }, [5] = { F_RM, INSN_BT, BT_SET, BT_FLAGS(BT_SET) },
		   [6] = { F_RM, INSN_BT, BT_RESET, BT_FLAGS(BT_RESET) },
		   [7] = { F_RM, INSN_BT, BT_COMPLEMENT, BT_FLAGS(BT_COMPLEMENT) } },
	[GRP11] = { [0] = { F_RM, INSN_MOV_IMM, 0, OPF_WRITES } },
};

/* 00-03, 08-0B, ... 38-3B: r/m8 op= r8, r/m op= r, r8 op= r/m8, r op= r/m. */
#define ALU_ROW(alu)                                                                           \
	[ALU_ROW_STRIDE * (alu)] = { F_RM_REG, INSN_ALU, alu, OPF_BYTE | ALU_FLAGS(alu) },     \
	[ALU_ROW_STRIDE * (alu) + 1] = { F_RM_REG, INSN_ALU, alu, ALU_FLAGS(alu) },            \
	[ALU_ROW_STRIDE * (alu) + 2] = { F_REG_RM, INSN_ALU, alu, OPF_BYTE | ALU_FLAGS(alu) }, \
	[ALU_ROW_STRIDE * (alu) + 3] = { F_REG_RM, INSN_ALU, alu, ALU_FLAGS(alu) }
#define BYTE_AND_FULL(op, form, kind, flags) \
	[op] = { form, kind, 0, OPF_BYTE | (flags) }, [(op) + 1] = { form, kind, 0, flags }

static const struct op one_byte[256] = {
	ALU_ROW(ALU_ADD), ALU_ROW(ALU_OR), ALU_ROW(ALU_ADC), ALU_ROW(ALU_SBB),
	ALU_ROW(ALU_AND), ALU_ROW(ALU_SUB), ALU_ROW(ALU_XOR), ALU_ROW(ALU_CMP),
	[0x63] = { F_REG_RM, INSN_MOVSX, 0, OPF_ONLY64 | OPF_RM_DWORD },
	[0x80] = { F_GROUP, 0, GRP1, OPF_BYTE | OPF_IMM },
	[0x81] = { F_GROUP, 0, GRP1, OPF_IMM },
	[0x82] = { F_GROUP, 0, GRP1, OPF_BYTE | OPF_IMM | OPF_NOT64 },
	[0x83] = { F_GROUP, 0, GRP1, OPF_IMM8 },
	BYTE_AND_FULL(0x84, F_RM_REG, INSN_TEST, 0),
	BYTE_AND_FULL(0x86, F_RM_REG, INSN_XCHG, OPF_WRITES | OPF_LOCK),
	BYTE_AND_FULL(0x88, F_RM_REG, INSN_MOV_STORE, OPF_WRITES),
	BYTE_AND_FULL(0x8A, F_REG_RM, INSN_MOV_LOAD, 0),
	[0x8F] = { F_GROUP, 0, GRP1A, 0 },
	BYTE_AND_FULL(0xA0, F_MOFFS, INSN_MOV_LOAD, 0),
	BYTE_AND_FULL(0xA2, F_MOFFS, INSN_MOV_STORE, OPF_WRITES),
	BYTE_AND_FULL(0xA4, F_STRING, INSN_MOVS, 0),
	BYTE_AND_FULL(0xA6, F_STRING, INSN_CMPS, 0),
	BYTE_AND_FULL(0xAA, F_STRING, INSN_STOS, OPF_WRITES),
	BYTE_AND_FULL(0xAC, F_STRING, INSN_LODS, 0),
	BYTE_AND_FULL(0xAE, F_STRING, INSN_SCAS, 0),
	[0xC6] = { F_GROUP, 0, GRP11, OPF_BYTE | OPF_IMM },
	[0xC7] = { F_GROUP, 0, GRP11, OPF_IMM },
	[0xF6] = { F_GROUP, 0, GRP3, OPF_BYTE },
	[0xF7] = { F_GROUP, 0, GRP3, 0 },
	[0xFE] = { F_GROUP, 0, GRP4, OPF_BYTE },
	[0xFF] = { F_GROUP, 0, GRP5, 0 },
};

/* 0F xx with a general operand; the rest of the map is special-cased or SSE (below). */
static const struct op two_byte[256] = {
	[0xA3] = { F_RM_REG, INSN_BT, BT_TEST, BT_FLAGS(BT_TEST) },
	[0xAB] = { F_RM_REG, INSN_BT, BT_SET, BT_FLAGS(BT_SET) },
	[0xB3] = { F_RM_REG, INSN_BT, BT_RESET, BT_FLAGS(BT_RESET) },
	[0xBB] = { F_RM_REG, INSN_BT, BT_COMPLEMENT, BT_FLAGS(BT_COMPLEMENT) },
	[0xBA] = { F_GROUP, 0, GRP8, OPF_IMM8 },
	BYTE_AND_FULL(0xB0, F_RM_REG, INSN_CMPXCHG, OPF_WRITES | OPF_LOCK),
	BYTE_AND_FULL(0xC0, F_RM_REG, INSN_XADD, OPF_WRITES | OPF_LOCK),
	[0xB6] = { F_REG_RM, INSN_MOVZX, 0, OPF_RM_BYTE },
	[0xB7] = { F_REG_RM, INSN_MOVZX, 0, OPF_RM_WORD },
	[0xBE] = { F_REG_RM, INSN_MOVSX, 0, OPF_RM_BYTE },
	[0xBF] = { F_REG_RM, INSN_MOVSX, 0, OPF_RM_WORD },
	[0xC3] = { F_RM_REG, INSN_MOV_STORE, 0, OPF_WRITES | OPF_MEM_ONLY }, /* MOVNTI */
};

static const struct insn_reg no_reg = { INSN_NO_REG, false };

/* ---- LOCK ---- */

/* LOCK is #UD unless the instruction allows it and its destination is memory (SDM Vol. 2A "LOCK"). */
static int check_lock(struct insn *out, u16 flags)
{
	if (!(out->prefixes & INSN_PFX_LOCK) || ((flags & OPF_LOCK) && out->rm_is_mem && !out->dst_is_reg))
		return 0;
	return decode_fail(out, DECODE_ERR_INVALID, "LOCK prefix on an instruction or operand that does not take it");
}

/* ---- general forms ---- */

static u8 rm_size_of(const struct insn *out, u16 flags)
{
	if (flags & OPF_RM_BYTE)
		return 1;
	if (flags & OPF_RM_WORD)
		return 2;
	if (flags & OPF_RM_DWORD)
		return MIN(out->op_size, 4);
	return out->op_size;
}

static int read_imm(struct cursor *c, struct insn *out, u16 flags)
{
	s64 imm;
	u32 n = (flags & OPF_IMM8) ? 1 : MIN(out->op_size, MAX_IMM_BYTES);
	int rc = decode_next_signed(c, out, n, &imm);

	out->imm = (u64)imm & decode_size_mask(out->op_size);
	out->src_imm = true;
	return rc;
}

static int decode_modrm_form(struct cursor *c, struct insn *out, const struct op *e)
{
	u8 modrm;
	int rc;

	out->rm_size = rm_size_of(out, e->flags);
	rc = decode_modrm(c, out, e->flags & OPF_BYTE, out->rm_size == 1, &modrm);
	if (rc)
		return rc;
	if ((e->flags & OPF_MEM_ONLY) && !out->rm_is_mem)
		return decode_fail(out, DECODE_ERR_UNSUPPORTED, "register form of a memory-only opcode");
	if (e->form == F_RM)
		out->reg = no_reg;
	out->dst_is_reg = e->form == F_REG_RM;
	out->writes_rm = (e->flags & OPF_WRITES) && !out->dst_is_reg;
	if (out->kind == INSN_ALU)
		out->alu = e->sub;
	else if (out->kind == INSN_BT)
		out->bt = e->sub;
	if (e->flags & (OPF_IMM | OPF_IMM8)) {
		rc = read_imm(c, out, e->flags);
		if (rc)
			return rc;
	}
	return check_lock(out, e->flags);
}

/* A0-A3: MOV between the accumulator and [moffs], the address addr_size bytes wide (SDM "MOV"). */
static int decode_moffs(struct cursor *c, struct insn *out, const struct op *e)
{
	u64 addr;
	int rc = decode_next_unsigned(c, out, out->addr_size, &addr);

	out->rm_size = out->op_size;
	out->reg = (struct insn_reg){ GPR_RAX_NUM, false };
	out->rm_is_mem = true;
	out->writes_rm = e->flags & OPF_WRITES;
	out->mem.moffs = true;
	out->mem.disp = (s64)addr;
	return rc ? rc : check_lock(out, e->flags);
}

/* MOVS/CMPS/LODS read DS:[rSI] (the segment can be overridden), STOS/SCAS use ES:[rDI] (it cannot). */
static int decode_string(struct insn *out, const struct op *e)
{
	bool reads_rsi = out->kind == INSN_MOVS || out->kind == INSN_CMPS || out->kind == INSN_LODS;

	out->rm_size = out->op_size;
	out->rm_is_mem = true;
	out->writes_rm = e->flags & OPF_WRITES;
	out->mem.base = reads_rsi ? GPR_RSI_NUM : GPR_RDI_NUM;
	if (!reads_rsi)
		out->mem.seg = SEG_ES;
	if (out->kind == INSN_STOS || out->kind == INSN_LODS || out->kind == INSN_SCAS)
		out->reg = (struct insn_reg){ GPR_RAX_NUM, false };
	return check_lock(out, e->flags);
}

/* A table entry, after a group lookup if it names one. */
static int decode_entry(struct cursor *c, struct insn *out, struct op e)
{
	if (e.form == F_GROUP) {
		u8 modrm;
		int rc = decode_peek_byte(c, out, &modrm);
		if (rc)
			return rc;
		const struct op *m = &groups[e.sub][MODRM_REG(modrm)];
		e = (struct op){ m->form, m->kind, m->sub, (u16)(m->flags | e.flags) };
	}
	if (e.form == F_NONE)
		return decode_fail(out, DECODE_ERR_UNSUPPORTED, "opcode not supported");
	if ((e.flags & OPF_ONLY64) && out->mode != CPU_MODE_64)
		return decode_fail(out, DECODE_ERR_UNSUPPORTED, "opcode 63 outside 64-bit mode (ARPL) not supported");
	if ((e.flags & OPF_NOT64) && out->mode == CPU_MODE_64)
		return decode_fail(out, DECODE_ERR_INVALID, "opcode 82 in 64-bit mode");
	if (e.flags & OPF_BYTE)
		out->op_size = 1;
	if ((e.flags & OPF_STACK) && out->mode == CPU_MODE_64)
		out->op_size = (out->prefixes & INSN_PFX_OPSIZE) ? 2 : 8; /* no 32-bit push/pop there */
	out->kind = e.kind;
	if (e.form == F_MOFFS)
		return decode_moffs(c, out, &e);
	if (e.form == F_STRING)
		return decode_string(out, &e);
	return decode_modrm_form(c, out, &e);
}

/* ---- SSE moves (emulated between memory and an XMM register: mmio_emul.c) ---- */

enum sse_prefix { SSE_PFX_NONE, SSE_PFX_66, SSE_PFX_F3, SSE_PFX_F2 };

struct sse_form {
	u8 op2, prefix, sse, size;
	bool store; /* the r/m operand is the destination */
};

static const struct sse_form sse_forms[] = {
	{ 0x10, SSE_PFX_NONE, SSE_MOVUPS, 16, false }, { 0x11, SSE_PFX_NONE, SSE_MOVUPS, 16, true },
	{ 0x10, SSE_PFX_66, SSE_MOVUPD, 16, false },   { 0x11, SSE_PFX_66, SSE_MOVUPD, 16, true },
	{ 0x10, SSE_PFX_F3, SSE_MOVSS, 4, false },     { 0x11, SSE_PFX_F3, SSE_MOVSS, 4, true },
	{ 0x10, SSE_PFX_F2, SSE_MOVSD, 8, false },     { 0x11, SSE_PFX_F2, SSE_MOVSD, 8, true },
	{ 0x28, SSE_PFX_NONE, SSE_MOVAPS, 16, false }, { 0x29, SSE_PFX_NONE, SSE_MOVAPS, 16, true },
	{ 0x28, SSE_PFX_66, SSE_MOVAPD, 16, false },   { 0x29, SSE_PFX_66, SSE_MOVAPD, 16, true },
	{ 0x2B, SSE_PFX_NONE, SSE_MOVNTPS, 16, true }, { 0x2B, SSE_PFX_66, SSE_MOVNTPD, 16, true },
	{ 0x6E, SSE_PFX_66, SSE_MOVD, 4, false },      { 0x7E, SSE_PFX_66, SSE_MOVD, 4, true },
	{ 0x6F, SSE_PFX_66, SSE_MOVDQA, 16, false },   { 0x7F, SSE_PFX_66, SSE_MOVDQA, 16, true },
	{ 0x6F, SSE_PFX_F3, SSE_MOVDQU, 16, false },   { 0x7F, SSE_PFX_F3, SSE_MOVDQU, 16, true },
	{ 0x7E, SSE_PFX_F3, SSE_MOVQ, 8, false },      { 0xD6, SSE_PFX_66, SSE_MOVQ, 8, true },
	{ 0xE7, SSE_PFX_66, SSE_MOVNTDQ, 16, true },
};

/* The mandatory prefix: F2 or F3 if one of them is present, else 66 (SDM Vol. 2A §2.1.2). */
static u8 sse_prefix(const struct insn *out)
{
	bool rep = out->prefixes & INSN_PFX_REP, repne = out->prefixes & INSN_PFX_REPNE;

	if (rep != repne)
		return rep ? SSE_PFX_F3 : SSE_PFX_F2;
	return (out->prefixes & INSN_PFX_OPSIZE) ? SSE_PFX_66 : SSE_PFX_NONE;
}

static const struct sse_form *find_sse(const struct insn *out, u8 op2)
{
	u8 prefix = sse_prefix(out);

	for (u32 i = 0; i < ARRAY_SIZE(sse_forms); i++)
		if (sse_forms[i].op2 == op2 && sse_forms[i].prefix == prefix)
			return &sse_forms[i];
	return NULL;
}

static int decode_sse(struct cursor *c, struct insn *out, const struct sse_form *f)
{
	u8 modrm;
	int rc = decode_modrm(c, out, false, false, &modrm);

	out->kind = INSN_SSE_MOV;
	out->sse = f->sse;
	out->op_size = out->rm_size = f->size;
	if (f->sse == SSE_MOVD && (out->rex & INSN_REX_W)) { /* 66 REX.W 0F 6E/7E is MOVQ */
		out->sse = SSE_MOVQ;
		out->op_size = out->rm_size = 8;
	}
	out->writes_rm = f->store;
	out->dst_is_reg = !f->store;
	return rc ? rc : check_lock(out, 0);
}

/* ---- special cases: control registers, length-only instructions ---- */

/* MOV to/from CRn: ModRM.mod is ignored (always a register), reg is the CR, r/m the GPR. */
static int decode_mov_cr(struct cursor *c, struct insn *out, u8 op2)
{
	u8 modrm;
	int rc = decode_next_byte(c, out, &modrm);
	if (rc)
		return rc;
	out->kind = op2 == OP2_MOV_TO_CR ? INSN_MOV_TO_CR : INSN_MOV_FROM_CR;
	out->writes_rm = out->kind == INSN_MOV_FROM_CR;
	out->op_size = out->rm_size = out->mode == CPU_MODE_64 ? 8 : 4; /* 66 and REX.W change nothing */
	out->rm = decode_make_reg(out, MODRM_RM(modrm), INSN_REX_B, false);
	out->cr = decode_make_reg(out, MODRM_REG(modrm), INSN_REX_R, false).num;
	if (out->prefixes & INSN_PFX_LOCK) {
		if (out->cr != 0)
			return decode_fail(out, DECODE_ERR_INVALID, "LOCK MOV CRn with n != 0 (only LOCK MOV CR0 = CR8)");
		out->cr = CR_ALT_CR8;
	}
	if (!(VALID_CRS & BIT(out->cr)))
		return decode_fail(out, DECODE_ERR_INVALID, "MOV to/from a control register that does not exist");
	return 0;
}

static int no_operands(struct insn *out, enum insn_kind kind)
{
	out->kind = kind;
	out->op_size = out->rm_size = 0;
	out->rm_is_mem = false;
	out->reg = out->rm = no_reg;
	return check_lock(out, 0);
}

/* INS/OUTS: no ModRM; the element size from the opcode and 66, the source segment of OUTS as prefixed. */
static int decode_string_io(struct insn *out, u8 op)
{
	u8 seg = out->mem.seg;
	int rc = no_operands(out, op <= OP_INS ? INSN_INS : INSN_OUTS);
	out->op_size = (op == OP_INSB || op == OP_OUTSB) ? 1 : (out->prefixes & INSN_PFX_OPSIZE) ? 2 : STRING_IO_MAX_SIZE;
	out->rm_size = out->op_size; /* the memory element */
	out->mem.seg = seg;
	return rc;
}

/* 0F 01 /4 (SMSW) and /6 (LMSW); the rest of group 7 is VMRUN, LGDT, SWAPGS, ... */
static int decode_group7(struct cursor *c, struct insn *out)
{
	u8 modrm;
	int rc = decode_modrm(c, out, false, false, &modrm);
	if (rc)
		return rc;
	if (modrm == MODRM_VMMCALL)
		return no_operands(out, INSN_VMMCALL);
	if (modrm == MODRM_XSETBV)
		return no_operands(out, INSN_XSETBV);
	if (MODRM_REG(modrm) == GROUP7_SMSW) {
		out->kind = INSN_SMSW;
		out->writes_rm = true;
		if (out->rm_is_mem)
			out->op_size = 2; /* SMSW m16 stores 16 bits whatever the operand size */
	} else if (MODRM_REG(modrm) == GROUP7_LMSW) {
		out->kind = INSN_LMSW;
		out->op_size = 2;
	} else {
		return decode_fail(out, DECODE_ERR_UNSUPPORTED, "0F 01 other than LMSW (/6) and SMSW (/4)");
	}
	out->rm_size = out->op_size;
	out->reg = no_reg;
	return check_lock(out, 0);
}

static int decode_two_byte(struct cursor *c, struct insn *out)
{
	u8 op2;
	int rc = decode_next_byte(c, out, &op2);
	if (rc)
		return rc;
	switch (op2) {
	case OP2_CLTS: return no_operands(out, INSN_CLTS);
	case OP2_GROUP7: return decode_group7(c, out);
	case OP2_CPUID: return no_operands(out, INSN_CPUID);
	case OP2_RDMSR: return no_operands(out, INSN_RDMSR);
	case OP2_WRMSR: return no_operands(out, INSN_WRMSR);
	case OP2_INVD: return no_operands(out, INSN_INVD);
	case OP2_MOV_FROM_CR:
	case OP2_MOV_TO_CR:
		return decode_mov_cr(c, out, op2);
	default:
		break;
	}
	const struct sse_form *f = find_sse(out, op2);
	if (f)
		return decode_sse(c, out, f);
	if (two_byte[op2].form == F_NONE)
		return decode_fail(out, DECODE_ERR_UNSUPPORTED, "two-byte opcode (0F xx) not supported");
	return decode_entry(c, out, two_byte[op2]);
}

int decode_opcode(struct cursor *c, struct insn *out, u8 op)
{
	switch (op) {
	case OP_TWO_BYTE:
		return decode_two_byte(c, out);
	case OP_HLT:
		return no_operands(out, INSN_HLT);
	case OP_INSB:
	case OP_INS:
	case OP_OUTSB:
	case OP_OUTS:
		return decode_string_io(out, op);
	case OP_NOP_PAUSE: /* with REX.B it is XCHG r8, rax */
		if ((out->prefixes & INSN_PFX_REP) && !(out->rex & INSN_REX_B))
			return no_operands(out, INSN_PAUSE);
		return decode_fail(out, DECODE_ERR_UNSUPPORTED, "NOP/XCHG (90) not supported");
	default:
		if (one_byte[op].form == F_NONE)
			return decode_fail(out, DECODE_ERR_UNSUPPORTED, "one-byte opcode not supported");
		return decode_entry(c, out, one_byte[op]);
	}
}

/* ---- names ---- */

static const char *const kind_names[INSN_KIND_COUNT] = {
	[INSN_MOV_TO_CR] = "mov to cr", [INSN_MOV_FROM_CR] = "mov from cr", [INSN_CLTS] = "clts",
	[INSN_LMSW] = "lmsw", [INSN_SMSW] = "smsw", [INSN_MOV_STORE] = "mov", [INSN_MOV_LOAD] = "mov",
	[INSN_MOV_IMM] = "mov", [INSN_MOVZX] = "movzx", [INSN_MOVSX] = "movsx", [INSN_TEST] = "test",
	[INSN_INC] = "inc", [INSN_DEC] = "dec", [INSN_NOT] = "not", [INSN_NEG] = "neg", [INSN_XCHG] = "xchg",
	[INSN_CMPXCHG] = "cmpxchg", [INSN_XADD] = "xadd", [INSN_PUSH] = "push", [INSN_POP] = "pop",
	[INSN_MOVS] = "movs", [INSN_CMPS] = "cmps", [INSN_STOS] = "stos", [INSN_LODS] = "lods",
	[INSN_SCAS] = "scas", [INSN_CPUID] = "cpuid", [INSN_RDMSR] = "rdmsr", [INSN_WRMSR] = "wrmsr",
	[INSN_INVD] = "invd", [INSN_HLT] = "hlt", [INSN_PAUSE] = "pause", [INSN_VMMCALL] = "vmmcall",
	[INSN_INS] = "ins", [INSN_OUTS] = "outs",
	[INSN_XSETBV] = "xsetbv",
};
static const char *const alu_names[] = { "add", "or", "adc", "sbb", "and", "sub", "xor", "cmp" };
static const char *const bt_names[] = { "bt", "bts", "btr", "btc" };
static const char *const sse_names[] = {
	[SSE_MOVUPS] = "movups", [SSE_MOVUPD] = "movupd", [SSE_MOVSS] = "movss", [SSE_MOVSD] = "movsd",
	[SSE_MOVAPS] = "movaps", [SSE_MOVAPD] = "movapd", [SSE_MOVNTPS] = "movntps", [SSE_MOVNTPD] = "movntpd",
	[SSE_MOVD] = "movd", [SSE_MOVQ] = "movq", [SSE_MOVDQA] = "movdqa", [SSE_MOVDQU] = "movdqu",
	[SSE_MOVNTDQ] = "movntdq",
};

const char *insn_name(const struct insn *in)
{
	if (in->kind == INSN_ALU && in->alu < ARRAY_SIZE(alu_names))
		return alu_names[in->alu];
	if (in->kind == INSN_BT && in->bt < ARRAY_SIZE(bt_names))
		return bt_names[in->bt];
	if (in->kind == INSN_SSE_MOV && in->sse < ARRAY_SIZE(sse_names))
		return sse_names[in->sse];
	if (in->kind < INSN_KIND_COUNT && kind_names[in->kind])
		return kind_names[in->kind];
	return "?";
}
