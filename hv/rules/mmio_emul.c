/* See mmio_emul.h. Each emulate_* function reads what it needs, computes on local copies, writes memory,
 * and only then commits registers and RFLAGS. */
#include "mmio_emul.h"
#include "alu.h"
#include "../lib/fmt.h"

#define PAGE_BYTES 0x1000ull
#define PAGE_OFFSET_MASK (PAGE_BYTES - 1)
#define GPR_RAX_NUM 0
#define GPR_RCX_NUM 1
#define GPR_RSP_NUM 4
#define GPR_RSI_NUM 6
#define GPR_RDI_NUM 7
#define NUM_GPR_SLOTS 16
#define BITS_PER_BYTE 8

/* Out of mmio_emulate(): inlined, the rarer forms would give every MOV their stack frame. */
#define COLD_PATH __attribute__((noinline))

static const struct insn_reg reg_rax = { GPR_RAX_NUM, false };

static u64 mask_of(u8 size)
{
	return size >= 8 ? ~0ull : BIT(8 * size) - 1;
}

static int mem_read(const struct emul_bus *bus, u64 linear, u8 size, u64 *value)
{
	if ((linear & PAGE_OFFSET_MASK) + size > PAGE_BYTES)
		return EMUL_CROSSES_PAGE;
	*value = 0;
	if (bus->read(bus->ctx, linear, size, value))
		return EMUL_BUS_ERROR;
	*value &= mask_of(size);
	return 0;
}

static int mem_write(const struct emul_bus *bus, u64 linear, u8 size, u64 value)
{
	if ((linear & PAGE_OFFSET_MASK) + size > PAGE_BYTES)
		return EMUL_CROSSES_PAGE;
	return bus->write(bus->ctx, linear, size, value & mask_of(size)) ? EMUL_BUS_ERROR : 0;
}

static u64 ea_linear(const struct insn *in, const struct emul_cpu *cpu)
{
	return insn_linear_addr(in, cpu->gpr, cpu->rip, cpu->seg_base);
}

/* The second operand of a two-operand instruction: the immediate or the reg operand. */
static u64 source_value(const struct insn *in, const struct emul_cpu *cpu)
{
	return in->src_imm ? in->imm : insn_reg_read(cpu->gpr, in->reg, in->op_size);
}

/* ---- moves ---- */

static int emulate_move(const struct insn *in, struct emul_cpu *cpu, const struct emul_bus *bus)
{
	u64 la = ea_linear(in, cpu), v;
	int rc;

	if (in->kind == INSN_MOV_STORE || in->kind == INSN_MOV_IMM)
		return mem_write(bus, la, in->rm_size, source_value(in, cpu));
	rc = mem_read(bus, la, in->rm_size, &v);
	if (!rc)
		insn_reg_write(cpu->gpr, in->reg, in->op_size, insn_load_value(in, v));
	return rc;
}

/* ---- arithmetic ---- */

/* The result of an arithmetic instruction on (a, b) and its flags in *flags. */
static u64 compute(const struct insn *in, u64 a, u64 b, u64 *flags)
{
	switch (in->kind) {
	case INSN_ALU: return alu_binary(in->alu, in->op_size, a, b, flags);
	case INSN_TEST: return alu_binary(ALU_AND, in->op_size, a, b, flags);
	case INSN_INC: return alu_inc(in->op_size, a, flags);
	case INSN_DEC: return alu_dec(in->op_size, a, flags);
	case INSN_NEG: return alu_neg(in->op_size, a, flags);
	default: return ~a & mask_of(in->op_size); /* INSN_NOT: no flags */
	}
}

/* ALU, TEST, INC, DEC, NOT, NEG: read the memory operand once, write it back if it is the destination. */
COLD_PATH static int emulate_arith(const struct insn *in, struct emul_cpu *cpu, const struct emul_bus *bus)
{
	u64 la = ea_linear(in, cpu), mem, flags = *cpu->rflags;
	int rc = mem_read(bus, la, in->rm_size, &mem);
	if (rc)
		return rc;
	if (in->dst_is_reg) { /* reg <- reg op mem */
		u64 res = compute(in, insn_reg_read(cpu->gpr, in->reg, in->op_size), mem, &flags);
		if (in->alu != ALU_CMP)
			insn_reg_write(cpu->gpr, in->reg, in->op_size, res);
		*cpu->rflags = flags;
		return 0;
	}
	u64 res = compute(in, mem, source_value(in, cpu), &flags);
	if (in->writes_rm) {
		rc = mem_write(bus, la, in->rm_size, res);
		if (rc)
			return rc;
	}
	*cpu->rflags = flags;
	return 0;
}

/* BT*: an immediate offset is taken modulo the operand width; a register offset is signed and selects
 * the operand-sized word at EA + op_size * (offset div width) (SDM Vol. 2A "BT", Bit(BitBase, BitOffset)). */
COLD_PATH static int emulate_bit(const struct insn *in, struct emul_cpu *cpu, const struct emul_bus *bus)
{
	u32 width = BITS_PER_BYTE * in->op_size;
	u64 la = ea_linear(in, cpu), v, flags = *cpu->rflags;
	u32 bit;
	int rc;

	if (in->src_imm) {
		bit = (u32)in->imm & (width - 1);
	} else {
		u64 raw = insn_reg_read(cpu->gpr, in->reg, in->op_size);
		u32 unused = 64 - width;
		s64 offset = (s64)(raw << unused) >> unused; /* sign-extended from op_size */
		bit = (u32)(offset & (width - 1));
		la += (u64)((offset >> __builtin_ctz(width)) * in->op_size); /* floor division */
		if (in->mode != CPU_MODE_64)
			la &= 0xFFFFFFFFull;
	}
	rc = mem_read(bus, la, in->op_size, &v);
	if (rc)
		return rc;
	u64 res = alu_bit(in->bt, in->op_size, v, bit, &flags);
	if (in->bt != BT_TEST) {
		rc = mem_write(bus, la, in->op_size, res);
		if (rc)
			return rc;
	}
	*cpu->rflags = flags;
	return 0;
}

/* XCHG, XADD, CMPXCHG: a read and a write of the same location (the bus is not shared with another
 * CPU while this runs, so that is atomic). CMPXCHG writes even when the comparison fails, the old value
 * back, as the processor's bus cycle does (SDM Vol. 2A "CMPXCHG"). */
COLD_PATH static int emulate_exchange(const struct insn *in, struct emul_cpu *cpu, const struct emul_bus *bus)
{
	u64 la = ea_linear(in, cpu), old, flags = *cpu->rflags, reg = source_value(in, cpu), store;
	struct insn_reg reg_out = in->reg;
	bool write_reg = true;
	int rc = mem_read(bus, la, in->rm_size, &old);
	if (rc)
		return rc;
	if (in->kind == INSN_XCHG) {
		store = reg;
	} else if (in->kind == INSN_XADD) {
		store = alu_binary(ALU_ADD, in->op_size, old, reg, &flags);
	} else { /* CMPXCHG: rAX - dest */
		alu_binary(ALU_CMP, in->op_size, insn_reg_read(cpu->gpr, reg_rax, in->op_size), old, &flags);
		bool equal = flags & RFLAGS_ZF;
		store = equal ? reg : old;
		reg_out = reg_rax;
		write_reg = !equal;
	}
	rc = mem_write(bus, la, in->rm_size, store);
	if (rc)
		return rc;
	if (write_reg)
		insn_reg_write(cpu->gpr, reg_out, in->op_size, old);
	*cpu->rflags = flags;
	return 0;
}

/* ---- stack ---- */

static u64 stack_linear(const struct insn *in, const struct emul_cpu *cpu, u64 rsp)
{
	return insn_seg_linear(in->mode, SEG_SS, cpu->seg_base, rsp & mask_of(cpu->stack_size));
}

static void set_rsp(struct emul_cpu *cpu, u64 rsp)
{
	insn_reg_write(cpu->gpr, (struct insn_reg){ GPR_RSP_NUM, false }, cpu->stack_size, rsp);
}

/* PUSH m: [rSP - size] <- m. POP m: m <- [rSP]; an rSP-based destination address uses the rSP after
 * the pop (SDM Vol. 2B "POP"). */
COLD_PATH static int emulate_stack(const struct insn *in, struct emul_cpu *cpu, const struct emul_bus *bus)
{
	u64 rsp = cpu->gpr[GPR_RSP_NUM], v;
	u8 size = in->op_size;
	int rc;

	if (in->kind == INSN_PUSH) {
		rc = mem_read(bus, ea_linear(in, cpu), size, &v);
		if (!rc)
			rc = mem_write(bus, stack_linear(in, cpu, rsp - size), size, v);
		if (!rc)
			set_rsp(cpu, rsp - size);
		return rc;
	}
	rc = mem_read(bus, stack_linear(in, cpu, rsp), size, &v);
	if (rc)
		return rc;
	u64 gpr_after[NUM_GPR_SLOTS];
	struct emul_cpu after = *cpu;
	for (u32 i = 0; i < NUM_GPR_SLOTS; i++)
		gpr_after[i] = cpu->gpr[i];
	after.gpr = gpr_after;
	set_rsp(&after, rsp + size);
	rc = mem_write(bus, ea_linear(in, &after), size, v);
	if (!rc)
		set_rsp(cpu, rsp + size);
	return rc;
}

/* ---- string instructions ---- */

/* One iteration at rSI/rDI; returns 0 or an error. *flags gets CMPS/SCAS's comparison. */
static int string_step(const struct insn *in, struct emul_cpu *cpu, const struct emul_bus *bus, u64 *flags)
{
	u64 amask = mask_of(in->addr_size), v, d;
	u64 src = insn_seg_linear(in->mode, in->mem.seg, cpu->seg_base, cpu->gpr[GPR_RSI_NUM] & amask);
	u64 dst = insn_seg_linear(in->mode, SEG_ES, cpu->seg_base, cpu->gpr[GPR_RDI_NUM] & amask);
	u8 size = in->op_size;
	int rc = 0;

	switch (in->kind) {
	case INSN_MOVS:
		rc = mem_read(bus, src, size, &v);
		return rc ? rc : mem_write(bus, dst, size, v);
	case INSN_STOS:
		return mem_write(bus, dst, size, insn_reg_read(cpu->gpr, reg_rax, size));
	case INSN_LODS:
		rc = mem_read(bus, src, size, &v);
		if (!rc)
			insn_reg_write(cpu->gpr, reg_rax, size, v);
		return rc;
	case INSN_CMPS: /* [rSI] - [rDI] */
		rc = mem_read(bus, src, size, &v);
		if (!rc)
			rc = mem_read(bus, dst, size, &d);
		if (!rc)
			alu_binary(ALU_CMP, size, v, d, flags);
		return rc;
	default: /* INSN_SCAS: rAX - [rDI] */
		rc = mem_read(bus, dst, size, &d);
		if (!rc)
			alu_binary(ALU_CMP, size, insn_reg_read(cpu->gpr, reg_rax, size), d, flags);
		return rc;
	}
}

static void advance_pointer(const struct insn *in, struct emul_cpu *cpu, u8 num, s64 step)
{
	insn_reg_write(cpu->gpr, (struct insn_reg){ num, false }, in->addr_size, cpu->gpr[num] + (u64)step);
}

/* With REP (F3 or F2) rCX counts the iterations; CMPS and SCAS also stop when ZF says so: REPE/REPZ (F3)
 * while equal, REPNE/REPNZ (F2) while not equal (SDM Vol. 2B "REP/REPE/REPZ/REPNE/REPNZ"). */
COLD_PATH static int emulate_string(const struct insn *in, struct emul_cpu *cpu, const struct emul_bus *bus)
{
	bool rep = in->prefixes & (INSN_PFX_REP | INSN_PFX_REPNE);
	bool compares = in->kind == INSN_CMPS || in->kind == INSN_SCAS;
	bool uses_rsi = in->kind == INSN_MOVS || in->kind == INSN_CMPS || in->kind == INSN_LODS;
	bool uses_rdi = in->kind != INSN_LODS;
	s64 step = (*cpu->rflags & RFLAGS_DF) ? -(s64)in->op_size : (s64)in->op_size;
	u64 count = rep ? cpu->gpr[GPR_RCX_NUM] & mask_of(in->addr_size) : 1;

	for (u32 done = 0; count; done++) {
		if (done == EMUL_REP_CHUNK)
			return EMUL_REPEAT;
		u64 flags = *cpu->rflags;
		int rc = string_step(in, cpu, bus, &flags);
		if (rc)
			return rc;
		*cpu->rflags = flags;
		if (uses_rsi)
			advance_pointer(in, cpu, GPR_RSI_NUM, step);
		if (uses_rdi)
			advance_pointer(in, cpu, GPR_RDI_NUM, step);
		count--;
		if (!rep)
			break;
		advance_pointer(in, cpu, GPR_RCX_NUM, -1);
		bool zf = flags & RFLAGS_ZF;
		if (compares && ((in->prefixes & INSN_PFX_REPNE) ? zf : !zf))
			break;
	}
	return EMUL_DONE;
}

/* ---- SSE moves ---- */

#define XMM_BYTES 16
#define XMM_ALIGN_MASK 15u
#define SSE_CHUNK 8 /* a 16-byte operand reaches the device as two 8-byte accesses, low half first */

/* The forms that need a 16-byte-aligned memory operand (#GP(0) otherwise, SDM Vol. 2 MOVAPS, MOVAPD,
 * MOVDQA, MOVNTPS, MOVNTPD, MOVNTDQ). */
static bool sse_needs_alignment(u8 sse)
{
	return sse == SSE_MOVAPS || sse == SSE_MOVAPD || sse == SSE_MOVDQA || sse == SSE_MOVNTPS ||
	       sse == SSE_MOVNTPD || sse == SSE_MOVNTDQ;
}

/* A move between memory and an XMM register. A load narrower than 16 bytes (MOVD, MOVQ, MOVSS, MOVSD
 * from memory) zeroes the rest of the register; the register changes only once every read succeeded. */
COLD_PATH static int emulate_sse(const struct insn *in, struct emul_cpu *cpu, const struct emul_bus *bus)
{
	u64 la = ea_linear(in, cpu);
	u8 size = in->rm_size, loaded[XMM_BYTES] = { 0 };

	if (!cpu->xmm)
		return EMUL_UNSUPPORTED;
	if (sse_needs_alignment(in->sse) && (la & XMM_ALIGN_MASK))
		return EMUL_FAULT_GP;
	if ((la & PAGE_OFFSET_MASK) + size > PAGE_BYTES)
		return EMUL_CROSSES_PAGE;
	for (u8 off = 0; off < size; off += SSE_CHUNK) {
		u8 chunk = size - off < SSE_CHUNK ? size - off : SSE_CHUNK;
		u64 v = 0;
		int rc;
		if (in->writes_rm) {
			memcpy(&v, cpu->xmm + off, chunk);
			rc = mem_write(bus, la + off, chunk, v);
		} else {
			rc = mem_read(bus, la + off, chunk, &v);
			memcpy(loaded + off, &v, chunk);
		}
		if (rc)
			return rc;
	}
	if (!in->writes_rm)
		memcpy(cpu->xmm, loaded, XMM_BYTES);
	return EMUL_DONE;
}

/* ---- entry ---- */

int mmio_emulate(const struct insn *in, struct emul_cpu *cpu, const struct emul_bus *bus)
{
	if (in->kind >= INSN_MOVS && in->kind <= INSN_SCAS)
		return emulate_string(in, cpu, bus);
	if (!in->rm_is_mem)
		return EMUL_NO_MEMORY;
	if (in->kind == INSN_SSE_MOV)
		return emulate_sse(in, cpu, bus);
	switch (in->kind) {
	case INSN_MOV_STORE:
	case INSN_MOV_IMM:
	case INSN_MOV_LOAD:
	case INSN_MOVZX:
	case INSN_MOVSX:
		return emulate_move(in, cpu, bus);
	case INSN_ALU:
	case INSN_TEST:
	case INSN_INC:
	case INSN_DEC:
	case INSN_NOT:
	case INSN_NEG:
		return emulate_arith(in, cpu, bus);
	case INSN_BT:
		return emulate_bit(in, cpu, bus);
	case INSN_XCHG:
	case INSN_XADD:
	case INSN_CMPXCHG:
		return emulate_exchange(in, cpu, bus);
	case INSN_PUSH:
	case INSN_POP:
		return emulate_stack(in, cpu, bus);
	default:
		return EMUL_UNSUPPORTED;
	}
}

bool mmio_only_accesses_ea(const struct insn *in)
{
	if (!in->rm_is_mem || in->kind == INSN_PUSH || in->kind == INSN_POP)
		return false;
	if (in->kind >= INSN_MOVS && in->kind <= INSN_SCAS)
		return false;
	return in->kind != INSN_BT || in->src_imm;
}

const char *emul_result_name(int result)
{
	switch (result) {
	case EMUL_DONE: return "done";
	case EMUL_REPEAT: return "repeat";
	case EMUL_UNSUPPORTED: return "not emulated";
	case EMUL_NO_MEMORY: return "no memory operand";
	case EMUL_CROSSES_PAGE: return "access crosses a page boundary";
	case EMUL_BUS_ERROR: return "access refused";
	case EMUL_FAULT_GP: return "#GP(0)";
	default: return "unknown emulation result";
	}
}
