/* libFuzzer harness for the instruction decoder (hv/rules/decode.c): the bytes a guest leaves at CS:RIP are
 * attacker-controlled, and the decoded operands index the vCPU's register file.
 *
 * Input: byte 0 picks the CPU mode (16/32/64-bit), the rest are the instruction bytes as fetched.
 * Invariants: SDM Vol. 2A §2.3.11 (at most 15 bytes), the error contract of decode.h (TRUNCATED only when
 * fewer than 15 bytes were given, TOO_LONG only when 15 were), the result depends on the instruction's own
 * bytes alone, and every operand names a real register, scale or segment. */
#include <string.h>

#include "hv/rules/decode.h"
#include "hv/vcpu.h"
#include "tests/fuzz/fuzz.h"

#define MAX_FETCH 24 /* more than 15: the decoder must ignore what follows the limit */

static bool gpr_ok(u8 num) { return num < NUM_GPRS || num == INSN_NO_REG; }

static bool size_ok(u8 size) { return size == 0 || size == 1 || size == 2 || size == 4 || size == 8; }

#define SSE_OPERAND_MAX 16 /* an XMM register */

static void check_reg(const struct insn *in, struct insn_reg r)
{
	FUZZ_CHECK(gpr_ok(r.num));
	if (r.high8) /* AH..BH exist only without REX, as bits 15:8 of RAX..RBX */
		FUZZ_CHECK(r.num < 4 && in->rex == 0);
}

static void check_mem(const struct insn *in)
{
	const struct insn_mem *m = &in->mem;

	FUZZ_CHECK(gpr_ok(m->base) && gpr_ok(m->index));
	FUZZ_CHECK(m->index != 4); /* SIB index 100b without REX.X means "no index" */
	FUZZ_CHECK(m->scale == 1 || m->scale == 2 || m->scale == 4 || m->scale == 8);
	FUZZ_CHECK(m->seg < NUM_SEGS);
	if (m->rip_relative)
		FUZZ_CHECK(in->mode == CPU_MODE_64 && m->base == INSN_NO_REG && m->index == INSN_NO_REG);
	if (m->moffs) /* A0-A3: an unsigned address of addr_size bytes, nothing else */
		FUZZ_CHECK(m->base == INSN_NO_REG && m->index == INSN_NO_REG && !m->rip_relative &&
			   (in->addr_size == 8 || (u64)m->disp < BIT(8 * in->addr_size)));
	else if (in->addr_size == 2)
		FUZZ_CHECK(m->disp >= INT16_MIN && m->disp <= INT16_MAX);
	else
		FUZZ_CHECK(m->disp >= INT32_MIN && m->disp <= INT32_MAX);
	/* 64-bit mode ignores ES/CS/SS/DS overrides: an applied override is FS or GS (STOS/SCAS keep ES:rDI). */
	if (in->mode == CPU_MODE_64 && (in->prefixes & INSN_PFX_SEG) && in->kind != INSN_STOS && in->kind != INSN_SCAS)
		FUZZ_CHECK(m->seg == SEG_FS || m->seg == SEG_GS);
}

static void check_sizes(const struct insn *in)
{
	if (in->kind == INSN_SSE_MOV)
		FUZZ_CHECK(in->op_size == in->rm_size && (in->rm_size == 4 || in->rm_size == 8 ||
							   in->rm_size == SSE_OPERAND_MAX));
	else
		FUZZ_CHECK(size_ok(in->op_size) && size_ok(in->rm_size));
	FUZZ_CHECK(in->addr_size == 2 || in->addr_size == 4 || in->addr_size == 8);
	if (in->mode == CPU_MODE_64) {
		FUZZ_CHECK(in->addr_size != 2);
	} else {
		FUZZ_CHECK(in->addr_size != 8);
		if (in->kind != INSN_SSE_MOV) /* MOVQ/MOVSD move 8 bytes in any mode */
			FUZZ_CHECK(in->op_size != 8 && in->rm_size != 8);
		FUZZ_CHECK(in->rex == 0);
	}
	if (in->rex)
		FUZZ_CHECK(in->rex >= 0x40 && in->rex <= 0x4F);
	if (in->op_size && in->op_size < 8)
		FUZZ_CHECK(in->imm < BIT(8 * in->op_size));
	if (in->kind == INSN_MOVZX)
		FUZZ_CHECK(in->rm_size == 1 || in->rm_size == 2);
	if (in->kind == INSN_MOVSX) /* MOVSXD's r/m is a dword, or op_size wide */
		FUZZ_CHECK(in->rm_size <= 4 && in->rm_size <= in->op_size);
	if (in->src_imm)
		FUZZ_CHECK(in->op_size >= 1 && in->op_size <= 8);
}

/* LOCK is accepted only on the read-modify-write instructions with a memory destination (and AMD's LOCK
 * MOV CR0 = CR8). */
static bool lock_ok(const struct insn *in)
{
	bool cr_move = in->kind == INSN_MOV_TO_CR || in->kind == INSN_MOV_FROM_CR;
	bool rmw = (in->kind == INSN_ALU && in->alu != ALU_CMP) || in->kind == INSN_INC || in->kind == INSN_DEC ||
		   in->kind == INSN_NOT || in->kind == INSN_NEG || (in->kind == INSN_BT && in->bt != BT_TEST) ||
		   in->kind == INSN_XCHG || in->kind == INSN_CMPXCHG || in->kind == INSN_XADD;
	return (cr_move && in->cr == 8) || (rmw && in->rm_is_mem && !in->dst_is_reg);
}

static void check_kind(const struct insn *in)
{
	bool cr_move = in->kind == INSN_MOV_TO_CR || in->kind == INSN_MOV_FROM_CR;
	bool string = in->kind >= INSN_MOVS && in->kind <= INSN_SCAS;

	FUZZ_CHECK(in->kind >= INSN_MOV_TO_CR && in->kind < INSN_KIND_COUNT);
	FUZZ_CHECK(insn_name(in)[0] != '?');
	bool string_io = in->kind == INSN_INS || in->kind == INSN_OUTS;
	if (in->kind >= INSN_FIRST_NO_OPERANDS) /* no ModRM operand at all */
		FUZZ_CHECK(!in->rm_is_mem && in->rm.num == INSN_NO_REG && in->reg.num == INSN_NO_REG);
	if (in->kind >= INSN_FIRST_NO_OPERANDS && !string_io) /* decoded for their length only */
		FUZZ_CHECK(in->op_size == 0);
	if (string_io) /* the element size; OUTS names its source segment */
		FUZZ_CHECK((in->op_size == 1 || in->op_size == 2 || in->op_size == 4) && in->rm_size == in->op_size &&
			   in->mem.seg < NUM_SEGS);
	if (cr_move) {
		FUZZ_CHECK(in->cr == 0 || in->cr == 2 || in->cr == 3 || in->cr == 4 || in->cr == 8);
		FUZZ_CHECK(!in->rm_is_mem && in->rm.num < NUM_GPRS && !in->rm.high8);
	}
	if (in->prefixes & INSN_PFX_LOCK)
		FUZZ_CHECK(lock_ok(in));
	if (string) /* [rSI] or [rDI], never a register operand */
		FUZZ_CHECK(in->rm_is_mem && in->mem.index == INSN_NO_REG && in->mem.disp == 0 &&
			   (in->mem.base == GPR_RSI || (in->mem.base == GPR_RDI && in->mem.seg == SEG_ES)));
	if (in->dst_is_reg) /* the destination is reg: r/m is only read */
		FUZZ_CHECK(!in->writes_rm);
	if (in->kind == INSN_ALU)
		FUZZ_CHECK(in->alu <= ALU_CMP && (in->writes_rm == (in->alu != ALU_CMP && !in->dst_is_reg)));
	if (in->kind == INSN_BT)
		FUZZ_CHECK(in->bt <= BT_COMPLEMENT && in->writes_rm == (in->bt != BT_TEST));
	if (in->kind == INSN_TEST || in->kind == INSN_MOV_LOAD || in->kind == INSN_MOVZX || in->kind == INSN_MOVSX ||
	    in->kind == INSN_PUSH || in->kind == INSN_MOV_TO_CR)
		FUZZ_CHECK(!in->writes_rm);
	if (in->kind == INSN_MOV_STORE || in->kind == INSN_MOV_IMM || in->kind == INSN_XCHG || in->kind == INSN_POP ||
	    in->kind == INSN_INC || in->kind == INSN_NEG || in->kind == INSN_CMPXCHG || in->kind == INSN_XADD)
		FUZZ_CHECK(in->writes_rm);
}

/* What the emulator does next with a decoded instruction: none of it may index outside gpr[]. */
static void exercise_operands(const struct insn *in)
{
	u64 gpr[NUM_GPRS], seg_base[NUM_SEGS] = { 0x1000, 0, 0x3000, 0x4000, 0xFFFF0000ull, 0x7FFF00000000ull };

	for (unsigned i = 0; i < NUM_GPRS; i++)
		gpr[i] = 0x0123456789ABCDEFull * (i + 1);
	if (in->rm_is_mem) {
		u64 la = insn_linear_addr(in, gpr, 0xFFFFFFF0ull, seg_base);
		if (in->mode != CPU_MODE_64)
			FUZZ_CHECK(la <= 0xFFFFFFFFull); /* outside 64-bit mode linear addresses wrap at 4 GiB */
	}
	if (in->kind == INSN_MOV_LOAD || in->kind == INSN_MOVZX || in->kind == INSN_MOVSX) {
		u64 v = insn_load_value(in, ~0ull);
		FUZZ_CHECK(in->op_size == 8 || v < BIT(8 * in->op_size));
		insn_reg_write(gpr, in->reg, in->op_size, v);
		FUZZ_CHECK(insn_reg_read(gpr, in->reg, in->op_size) == v);
	}
	if (!in->rm_is_mem && in->rm.num != INSN_NO_REG && in->rm_size)
		(void)insn_reg_read(gpr, in->rm, in->rm_size);
}

static bool same_insn(const struct insn *a, const struct insn *b)
{
	return a->len == b->len && a->kind == b->kind && a->op_size == b->op_size && a->rm_size == b->rm_size &&
	       a->addr_size == b->addr_size && a->rm_is_mem == b->rm_is_mem && a->writes_rm == b->writes_rm &&
	       !memcmp(&a->reg, &b->reg, sizeof(a->reg)) && !memcmp(&a->rm, &b->rm, sizeof(a->rm)) &&
	       a->cr == b->cr && a->imm == b->imm && a->mem.base == b->mem.base && a->mem.index == b->mem.index &&
	       a->mem.scale == b->mem.scale && a->mem.disp == b->mem.disp &&
	       a->mem.rip_relative == b->mem.rip_relative && a->mem.seg == b->mem.seg &&
	       a->mem.moffs == b->mem.moffs && a->dst_is_reg == b->dst_is_reg && a->src_imm == b->src_imm &&
	       a->alu == b->alu && a->bt == b->bt && a->sse == b->sse &&
	       a->prefixes == b->prefixes && a->rex == b->rex;
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct fuzz_in in = fuzz_in(data, size);
	enum cpu_mode mode = (enum cpu_mode)(fuzz_u8(&in) % 3);
	const u8 *bytes;
	u32 len = (u32)fuzz_take(&in, MAX_FETCH, &bytes);
	struct insn insn, again;

	int rc = insn_decode(bytes, len, mode, &insn);
	FUZZ_CHECK(rc <= 0 && rc >= DECODE_ERR_INVALID);
	FUZZ_CHECK((rc == 0) == (insn.reason == NULL));
	FUZZ_CHECK(decode_error_name(rc) != NULL);
	if (rc == DECODE_ERR_TRUNCATED)
		FUZZ_CHECK(len < INSN_MAX_LEN);
	if (rc == DECODE_ERR_TOO_LONG)
		FUZZ_CHECK(len >= INSN_MAX_LEN);
	if (rc)
		return 0;

	FUZZ_CHECK(insn.len >= 1 && insn.len <= INSN_MAX_LEN && insn.len <= len);
	FUZZ_CHECK(insn.mode == mode);
	check_reg(&insn, insn.reg);
	check_reg(&insn, insn.rm);
	if (insn.rm_is_mem)
		check_mem(&insn);
	check_sizes(&insn);
	check_kind(&insn);
	exercise_operands(&insn);

	/* Exactly the instruction's bytes decode the same; one byte fewer is a truncated fetch. */
	FUZZ_CHECK(insn_decode(bytes, insn.len, mode, &again) == 0 && same_insn(&insn, &again));
	FUZZ_CHECK(insn_decode(bytes, insn.len - 1u, mode, &again) == DECODE_ERR_TRUNCATED);
	return 0;
}
