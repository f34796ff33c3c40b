/* libFuzzer harness for the MMIO emulation step (hv/rules/mmio_emul.c) behind the decoder: the instruction, the
 * registers and the device's contents all come from the guest.
 *
 * Input: byte 0 the CPU mode, byte 1 the instruction length (at most 15), the instruction bytes, then
 * RAX..RDI (8 x 8 bytes), RFLAGS (8 bytes), and the device page's contents.
 * Invariants (mmio_emul.h): every bus access is 1/2/4/8 bytes inside one page; the result is an enum
 * emul_result; a failed non-string instruction wrote nothing and left every register and RFLAGS as they
 * were; only the arithmetic flags ever change; outside string and stack instructions the only registers
 * written are the reg operand and the accumulator; a string instruction does at most EMUL_REP_CHUNK
 * iterations. */
#include <string.h>

#include "hv/rules/alu.h"
#include "hv/rules/mmio_emul.h"
#include "hv/vcpu.h"
#include "tests/fuzz/fuzz.h"

#define PAGE 0x1000u
#define REFUSED_BIT BIT(13) /* linear addresses with this bit set are refused: the error path */
#define FUZZED_GPRS 8

struct fake_bus {
	u8 page[PAGE];
	u32 reads, writes;
};

static void check_access(u64 linear, u8 size)
{
	FUZZ_CHECK(size == 1 || size == 2 || size == 4 || size == 8);
	FUZZ_CHECK((linear & (PAGE - 1)) + size <= PAGE);
}

static int bus_read(void *ctx, u64 linear, u8 size, u64 *value)
{
	struct fake_bus *b = ctx;
	check_access(linear, size);
	if (linear & REFUSED_BIT)
		return -1;
	memcpy(value, b->page + (linear & (PAGE - 1)), size);
	b->reads++;
	return 0;
}

static int bus_write(void *ctx, u64 linear, u8 size, u64 value)
{
	struct fake_bus *b = ctx;
	check_access(linear, size);
	if (linear & REFUSED_BIT)
		return -1;
	memcpy(b->page + (linear & (PAGE - 1)), &value, size);
	b->writes++;
	return 0;
}

static bool is_string(const struct insn *in)
{
	return in->kind >= INSN_MOVS && in->kind <= INSN_SCAS;
}

static void check_registers(const struct insn *in, const u64 *before, const u64 *after)
{
	if (is_string(in) || in->kind == INSN_PUSH || in->kind == INSN_POP)
		return;
	for (u32 i = 0; i < NUM_GPRS; i++)
		if (i != in->reg.num && i != GPR_RAX)
			FUZZ_CHECK(before[i] == after[i]);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static struct fake_bus bus;
	struct fuzz_in f = fuzz_in(data, size);
	enum cpu_mode mode = (enum cpu_mode)(fuzz_u8(&f) % 3);
	u32 len = fuzz_u8(&f) % (INSN_MAX_LEN + 1);
	const u8 *bytes;
	struct insn in;

	len = (u32)fuzz_take(&f, len, &bytes);
	if (insn_decode(bytes, len, mode, &in))
		return 0;
	u64 gpr[NUM_GPRS] = { 0 }, before[NUM_GPRS], seg_base[NUM_SEGS] = { 0, 0, 0, 0, 0x10000, 0x20000 };
	for (u32 i = 0; i < FUZZED_GPRS; i++)
		gpr[i] = fuzz_u64(&f);
	u64 rflags = fuzz_u64(&f), rflags_before = rflags;
	const u8 *content;
	size_t n = fuzz_take(&f, PAGE, &content);
	memset(&bus, 0, sizeof(bus));
	memcpy(bus.page, content, n);
	memcpy(before, gpr, sizeof(gpr));

	u8 xmm[16] = { 0 };
	struct emul_cpu cpu = { gpr, &rflags, 0x400000, seg_base, mode == CPU_MODE_64 ? 8 : mode == CPU_MODE_32 ? 4 : 2, xmm };
	struct emul_bus eb = { bus_read, bus_write, &bus };
	int rc = mmio_emulate(&in, &cpu, &eb);

	FUZZ_CHECK(rc >= EMUL_FAULT_GP && rc <= EMUL_REPEAT);
	if (rc == EMUL_FAULT_GP) /* only the aligned SSE forms fault, and before any access */
		FUZZ_CHECK(in.kind == INSN_SSE_MOV && bus.reads + bus.writes == 0);
	FUZZ_CHECK(strcmp(emul_result_name(rc), "unknown emulation result") != 0);
	FUZZ_CHECK(((rflags ^ rflags_before) & ~RFLAGS_ARITH) == 0);
	if (rc == EMUL_REPEAT)
		FUZZ_CHECK(is_string(&in));
	if (is_string(&in))
		FUZZ_CHECK(bus.reads + bus.writes <= 2 * EMUL_REP_CHUNK);
	else if (in.kind == INSN_SSE_MOV) /* a 16-byte operand is two 8-byte accesses */
		FUZZ_CHECK(bus.reads + bus.writes <= 2 && (bus.reads == 0 || bus.writes == 0));
	else
		FUZZ_CHECK(bus.reads <= 1 && bus.writes <= 1);
	/* A refused access leaves no trace, but the second half of a 16-byte SSE store (the VM stops then). */
	if (rc < 0 && !is_string(&in) && !(in.kind == INSN_SSE_MOV && in.writes_rm)) {
		FUZZ_CHECK(bus.writes == 0 && rflags == rflags_before);
		FUZZ_CHECK(!memcmp(gpr, before, sizeof(gpr)));
	}
	check_registers(&in, before, gpr);
	return 0;
}
