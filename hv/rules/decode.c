/* The instruction decoder of decode.h (SDM Vol. 2A ch. 2, APM Vol. 3 ch. 1): prefixes, operand and
 * address sizes, ModRM/SIB/displacement, and the helpers that use a decoded operand. The opcodes
 * themselves are in decode_ops.c. */
#include "decode_internal.h"

/* Legacy prefixes. */
#define PFX_OPSIZE 0x66
#define PFX_ADDRSIZE 0x67
#define PFX_LOCK 0xF0
#define PFX_REPNE 0xF2
#define PFX_REP 0xF3
#define PFX_ES 0x26
#define PFX_CS 0x2E
#define PFX_SS 0x36
#define PFX_DS 0x3E
#define PFX_FS 0x64
#define PFX_GS 0x65
#define REX_MIN 0x40
#define REX_MAX 0x4F

#define SIB_SCALE(s) ((s) >> 6)
#define SIB_INDEX(s) (((s) >> 3) & 7)
#define SIB_BASE(s) ((s) & 7)
#define MOD_DISP0 0
#define MOD_DISP8 1
#define MOD_DISP32 2 /* disp16 with 16-bit addressing */
#define RM_SIB 4     /* 32/64-bit addressing: a SIB byte follows */
#define RM_DISP32 5  /* with mod 0: no base, disp32 (RIP-relative in 64-bit mode) */
#define SIB_NO_INDEX 4
#define SIB_NO_BASE 5 /* with mod 0 */
#define RM16_DISP16 6 /* 16-bit addressing, mod 0: no base, disp16 */
#define REG_EXT 8     /* what REX.R/X/B add to a 3-bit register number */
#define HIGH8_FIRST 4 /* byte registers 4-7 are AH, CH, DH, BH without REX */


int decode_fail(struct insn *out, int err, const char *why)
{
	out->reason = why;
	return err;
}

int decode_peek_byte(struct cursor *c, struct insn *out, u8 *b)
{
	if (c->pos >= INSN_MAX_LEN)
		return decode_fail(out, DECODE_ERR_TOO_LONG, "instruction longer than 15 bytes");
	if (c->pos >= c->avail)
		return decode_fail(out, DECODE_ERR_TRUNCATED, "instruction bytes end before the instruction does");
	*b = c->bytes[c->pos];
	return 0;
}

int decode_next_byte(struct cursor *c, struct insn *out, u8 *b)
{
	int rc = decode_peek_byte(c, out, b);
	if (!rc)
		c->pos++;
	return rc;
}

int decode_next_unsigned(struct cursor *c, struct insn *out, u32 n, u64 *val)
{
	u64 v = 0;
	/* Displacements and immediates: one bounds check for the field (avail <= INSN_MAX_LEN, so a field
	 * that fits cannot make the instruction too long); a short one goes byte by byte for its error. */
	if (c->pos + n <= c->avail && n <= sizeof(v)) {
		__builtin_memcpy(&v, c->bytes + c->pos, n); /* x86 is little-endian, as the encoding */
		c->pos += n;
		*val = v;
		return 0;
	}
	for (u32 i = 0; i < n; i++) {
		u8 b;
		int rc = decode_next_byte(c, out, &b);
		if (rc)
			return rc;
		v |= (u64)b << (8 * i);
	}
	*val = v;
	return 0;
}

int decode_next_signed(struct cursor *c, struct insn *out, u32 n, s64 *val)
{
	u64 v;
	int rc = decode_next_unsigned(c, out, n, &v);
	u32 unused = 64 - 8 * n;
	*val = (s64)(v << unused) >> unused;
	return rc;
}



/* ---- prefixes and sizes ---- */

static bool seg_prefix(u8 b, enum seg *s)
{
	switch (b) {
	case PFX_ES: *s = SEG_ES; return true;
	case PFX_CS: *s = SEG_CS; return true;
	case PFX_SS: *s = SEG_SS; return true;
	case PFX_DS: *s = SEG_DS; return true;
	case PFX_FS: *s = SEG_FS; return true;
	case PFX_GS: *s = SEG_GS; return true;
	default: return false;
	}
}

static u32 legacy_prefix_flag(u8 b)
{
	switch (b) {
	case PFX_OPSIZE: return INSN_PFX_OPSIZE;
	case PFX_ADDRSIZE: return INSN_PFX_ADDRSIZE;
	case PFX_LOCK: return INSN_PFX_LOCK;
	case PFX_REPNE: return INSN_PFX_REPNE;
	case PFX_REP: return INSN_PFX_REP;
	default: return 0;
	}
}

/* Consumes the prefixes and returns the opcode byte. A REX counts only directly before the opcode: a
 * legacy prefix after it makes the CPU ignore it. The last segment override wins. */
static int read_prefixes(struct cursor *c, struct insn *out, u8 *opcode)
{
	for (;;) {
		enum seg s;
		u8 b;
		int rc = decode_next_byte(c, out, &b);
		if (rc)
			return rc;
		u32 flag = legacy_prefix_flag(b);
		if (flag) {
			out->prefixes |= flag;
			out->rex = 0;
		} else if (seg_prefix(b, &s)) {
			/* In 64-bit mode ES/CS/SS/DS overrides are no-ops (their bases are 0). */
			if (out->mode != CPU_MODE_64 || s == SEG_FS || s == SEG_GS) {
				out->mem.seg = s;
				out->prefixes |= INSN_PFX_SEG;
			}
			out->rex = 0;
		} else if (out->mode == CPU_MODE_64 && b >= REX_MIN && b <= REX_MAX) {
			out->rex = b;
		} else {
			*opcode = b;
			return 0;
		}
	}
}

static void compute_sizes(struct insn *out)
{
	bool o16 = out->prefixes & INSN_PFX_OPSIZE;
	bool a16 = out->prefixes & INSN_PFX_ADDRSIZE;

	switch (out->mode) {
	case CPU_MODE_64:
		out->op_size = (out->rex & INSN_REX_W) ? 8 : o16 ? 2 : 4; /* REX.W beats 66 */
		out->addr_size = a16 ? 4 : 8;
		break;
	case CPU_MODE_32:
		out->op_size = o16 ? 2 : 4;
		out->addr_size = a16 ? 2 : 4;
		break;
	default:
		out->op_size = o16 ? 4 : 2;
		out->addr_size = a16 ? 4 : 2;
		break;
	}
}

/* ---- ModRM ---- */

/* A register operand from a 3-bit field and its REX extension bit. Byte registers 4-7 without any REX
 * prefix are AH, CH, DH, BH: bits 15:8 of registers 0-3. */
struct insn_reg decode_make_reg(const struct insn *out, u8 field, u8 rex_bit, bool byte_reg)
{
	struct insn_reg r = { .num = (u8)(field | ((out->rex & rex_bit) ? REG_EXT : 0)), .high8 = false };

	if (byte_reg && !out->rex && field >= HIGH8_FIRST) {
		r.num = (u8)(field - HIGH8_FIRST);
		r.high8 = true;
	}
	return r;
}

/* 16-bit addressing: base and index from a fixed table (SDM Vol. 2A Table 2-1). */
static void modrm16_regs(u8 rm, struct insn_mem *m)
{
	static const u8 base[8] = { GPR_RBX_NUM, GPR_RBX_NUM, GPR_RBP_NUM, GPR_RBP_NUM,
				    GPR_RSI_NUM, GPR_RDI_NUM, GPR_RBP_NUM, GPR_RBX_NUM };
	static const u8 index[8] = { GPR_RSI_NUM, GPR_RDI_NUM, GPR_RSI_NUM, GPR_RDI_NUM,
				     INSN_NO_REG, INSN_NO_REG, INSN_NO_REG, INSN_NO_REG };
	m->base = base[rm];
	m->index = index[rm];
}

static int modrm_mem16(struct cursor *c, struct insn *out, u8 modrm, u8 *def_seg)
{
	struct insn_mem *m = &out->mem;
	u8 mod = MODRM_MOD(modrm);
	u32 disp_len = mod == MOD_DISP8 ? 1 : mod == MOD_DISP32 ? 2 : 0;

	modrm16_regs(MODRM_RM(modrm), m);
	if (mod == MOD_DISP0 && MODRM_RM(modrm) == RM16_DISP16) {
		m->base = INSN_NO_REG;
		disp_len = 2;
	}
	*def_seg = m->base == GPR_RBP_NUM ? SEG_SS : SEG_DS;
	return disp_len ? decode_next_signed(c, out, disp_len, &m->disp) : 0;
}

/* 32/64-bit addressing, SIB and RIP-relative included (SDM Vol. 2A Tables 2-2, 2-3; §2.2.1.6). */
static int modrm_mem32(struct cursor *c, struct insn *out, u8 modrm, u8 *def_seg)
{
	struct insn_mem *m = &out->mem;
	u8 mod = MODRM_MOD(modrm);
	u32 disp_len = mod == MOD_DISP8 ? 1 : mod == MOD_DISP32 ? 4 : 0;

	if (MODRM_RM(modrm) == RM_SIB) {
		u8 sib;
		int rc = decode_next_byte(c, out, &sib);
		if (rc)
			return rc;
		struct insn_reg idx = decode_make_reg(out, SIB_INDEX(sib), INSN_REX_X, false);
		m->index = idx.num == SIB_NO_INDEX ? INSN_NO_REG : idx.num; /* with REX.X, 4 is r12: an index */
		m->scale = (u8)(1u << SIB_SCALE(sib));
		if (mod == MOD_DISP0 && SIB_BASE(sib) == SIB_NO_BASE) {
			m->base = INSN_NO_REG; /* REX.B does not matter: r13 as base needs a displacement */
			disp_len = 4;
		} else {
			m->base = decode_make_reg(out, SIB_BASE(sib), INSN_REX_B, false).num;
		}
	} else if (mod == MOD_DISP0 && MODRM_RM(modrm) == RM_DISP32) {
		m->rip_relative = out->mode == CPU_MODE_64;
		disp_len = 4;
	} else {
		m->base = decode_make_reg(out, MODRM_RM(modrm), INSN_REX_B, false).num;
	}
	/* Only rSP and rBP themselves default to SS; r12 and r13 do not. */
	*def_seg = (m->base == GPR_RSP_NUM || m->base == GPR_RBP_NUM) ? SEG_SS : SEG_DS;
	return disp_len ? decode_next_signed(c, out, disp_len, &m->disp) : 0;
}

int decode_modrm(struct cursor *c, struct insn *out, bool reg_is_byte, bool rm_is_byte, u8 *modrm)
{
	u8 def_seg = SEG_DS;
	int rc = decode_next_byte(c, out, modrm);
	if (rc)
		return rc;
	out->reg = decode_make_reg(out, MODRM_REG(*modrm), INSN_REX_R, reg_is_byte);
	if (MODRM_MOD(*modrm) == MOD_REG) {
		out->rm = decode_make_reg(out, MODRM_RM(*modrm), INSN_REX_B, rm_is_byte);
		return 0;
	}
	out->rm_is_mem = true;
	out->mem.scale = 1;
	rc = out->addr_size == 2 ? modrm_mem16(c, out, *modrm, &def_seg) : modrm_mem32(c, out, *modrm, &def_seg);
	if (!(out->prefixes & INSN_PFX_SEG))
		out->mem.seg = def_seg;
	return rc;
}

int insn_decode(const u8 *bytes, u32 len, enum cpu_mode mode, struct insn *out)
{
	struct cursor c = { .bytes = bytes, .avail = MIN(len, (u32)INSN_MAX_LEN), .pos = 0 };
	u8 op;
	int rc;

	*out = (struct insn){
		.mode = mode,
		.reg = { INSN_NO_REG, false },
		.rm = { INSN_NO_REG, false },
		.mem = { .base = INSN_NO_REG, .index = INSN_NO_REG, .scale = 1, .seg = SEG_DS },
	};
	rc = read_prefixes(&c, out, &op);
	if (rc)
		return rc;
	compute_sizes(out);
	rc = decode_opcode(&c, out, op);
	if (rc)
		return rc;
	out->len = (u8)c.pos;
	return 0;
}

const char *decode_error_name(int err)
{
	switch (err) {
	case 0: return "ok";
	case DECODE_ERR_UNSUPPORTED: return "unsupported";
	case DECODE_ERR_TRUNCATED: return "truncated";
	case DECODE_ERR_TOO_LONG: return "too long";
	case DECODE_ERR_INVALID: return "invalid (#UD)";
	default: return "unknown decode error";
	}
}

/* ---- loads ---- */

u64 insn_load_value(const struct insn *in, u64 raw)
{
	u64 v = raw & decode_size_mask(in->rm_size);

	if (in->kind == INSN_MOVSX && in->rm_size < 8) {
		u32 unused = 64 - 8u * in->rm_size;
		v = (u64)((s64)(v << unused) >> unused);
	}
	return v & decode_size_mask(in->op_size);
}
