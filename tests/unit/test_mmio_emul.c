/* Host unit tests for the MMIO emulation step (hv/rules/mmio_emul.h): each case decodes a GNU as encoding (its
 * text is objdump -M intel's), runs it against a fake device page at 0xFEE00000 and a fake RAM page at
 * 0x5000, and compares every register, RFLAGS and both memories with values worked out by hand from the
 * SDM's definition of the instruction (not by running the emulator). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "hv/rules/alu.h"
#include "hv/rules/mmio_emul.h"
#include "hv/vcpu.h"

#define DEV_BASE 0xFEE00000ull
#define RAM_BASE 0x5000ull
#define PAGE 0x1000u
#define DEV_SLOT 0x20u      /* dev0 is the qword at DEV_BASE + 0x20, dev1 the one after it */
#define RBX_VALUE (DEV_BASE + DEV_SLOT)
#define RSP_DEFAULT 0x5100ull
#define RAM_SLOT_DEFAULT 0x5100ull

#define O RFLAGS_OF
#define S RFLAGS_SF
#define Z RFLAGS_ZF
#define A RFLAGS_AF
#define P RFLAGS_PF
#define C RFLAGS_CF
#define D RFLAGS_DF
#define ARITH RFLAGS_ARITH
#define RFLAGS_RESERVED1 BIT(1)

#define M16 CPU_MODE_16
#define M32 CPU_MODE_32
#define M64 CPU_MODE_64
#define B(str) .bytes = str, .n = sizeof(str) - 1

/* The state a case sets and checks. rsp 0 means RSP_DEFAULT. */
struct state {
	u64 rax, rcx, rsi, rdi, rsp, fl, dev0, dev1, ram;
};

enum { F_RAX, F_RCX, F_RSI, F_RDI, F_RSP, F_FL, F_DEV0, F_DEV1, F_RAM };
#define CH(f) BIT(F_##f) /* the fields .out gives; the others must keep their .in value */

struct ecase {
	const char *text;
	enum cpu_mode mode;
	u8 bytes[INSN_MAX_LEN + 1];
	u8 n;
	struct state in, out;
	u32 changed;
	u64 ram_at; /* the RAM qword checked (0: RAM_SLOT_DEFAULT) */
	int rc;     /* expected enum emul_result */
};

static const struct ecase cases[] = {
	{ "movabs eax,ds:0xfee00020 (A1: a 32-bit load zero-extends)", M64, B("\xa1\x20\x00\xe0\xfe\x00\x00\x00\x00"), .in = { .rax = ~0ull, .dev0 = 0x11223344 }, .out = { .rax = 0x11223344 }, CH(RAX) },
	{ "movabs ds:0xfee00020,eax (A3)", M64, B("\xa3\x20\x00\xe0\xfe\x00\x00\x00\x00"), .in = { .rax = 0xffffffffdeadbeef }, .out = { .dev0 = 0xdeadbeef }, CH(DEV0) },
	{ "mov al,BYTE PTR [rbx]", M64, B("\x8a\x03"), .in = { .rax = 0x1111, .dev0 = 0x2280 }, .out = { .rax = 0x1180 }, CH(RAX) },
	{ "mov WORD PTR [rbx+0x8],cx", M64, B("\x66\x89\x4b\x08"), .in = { .rcx = 0xabcd, .dev1 = 0x1111111111111111 }, .out = { .dev1 = 0x111111111111abcd }, CH(DEV1) },
	{ "mov QWORD PTR [rbx],0xffffffffffffff80", M64, B("\x48\xc7\x03\x80\xff\xff\xff"), .in = { .dev0 = 0 }, .out = { .dev0 = 0xffffffffffffff80 }, CH(DEV0) },
	{ "movzx eax,BYTE PTR [rbx]", M64, B("\x0f\xb6\x03"), .in = { .rax = ~0ull, .dev0 = 0x80 }, .out = { .rax = 0x80 }, CH(RAX) },
	{ "movsx rax,WORD PTR [rbx]", M64, B("\x48\x0f\xbf\x03"), .in = { .dev0 = 0x8000 }, .out = { .rax = 0xffffffffffff8000 }, CH(RAX) },
	{ "movsxd rax,DWORD PTR [rbx]", M64, B("\x48\x63\x03"), .in = { .dev0 = 0x80000000 }, .out = { .rax = 0xffffffff80000000 }, CH(RAX) },
	{ "or DWORD PTR [rbx],0x100 (SVR |= enable)", M64, B("\x81\x0b\x00\x01\x00\x00"), .in = { .dev0 = 0xff, .fl = ARITH }, .out = { .dev0 = 0x1ff, .fl = P }, CH(DEV0) | CH(FL) },
	{ "and DWORD PTR [rbx],0xfffffeff", M64, B("\x81\x23\xff\xfe\xff\xff"), .in = { .dev0 = 0x1ff }, .out = { .dev0 = 0xff, .fl = P }, CH(DEV0) | CH(FL) },
	{ "add ecx,DWORD PTR [rbx]", M64, B("\x03\x0b"), .in = { .rcx = 1, .dev0 = 0xffffffff }, .out = { .rcx = 0, .fl = Z | A | P | C }, CH(RCX) | CH(FL) },
	{ "cmp DWORD PTR [rbx],ecx (3 - 5, nothing written)", M64, B("\x39\x0b"), .in = { .rcx = 5, .dev0 = 3 }, .out = { .fl = S | A | C }, CH(FL) },
	{ "cmp ecx,DWORD PTR [rbx] (5 - 3)", M64, B("\x3b\x0b"), .in = { .rcx = 5, .dev0 = 3, .fl = ARITH }, .out = { .fl = 0 }, CH(FL) },
	{ "sbb BYTE PTR [rbx],0x0 (0 - 0 - CF)", M64, B("\x80\x1b\x00"), .in = { .dev0 = 0x100, .fl = C }, .out = { .dev0 = 0x1ff, .fl = S | A | P | C }, CH(DEV0) | CH(FL) },
	{ "test DWORD PTR [rbx],0x1000", M64, B("\xf7\x03\x00\x10\x00\x00"), .in = { .dev0 = 0x1000 }, .out = { .fl = P }, CH(FL) },
	{ "test BYTE PTR [rbx],cl", M64, B("\x84\x0b"), .in = { .rcx = 0x0f, .dev0 = 0xf0, .fl = ARITH }, .out = { .fl = Z | P }, CH(FL) },
	{ "inc DWORD PTR [rbx] (CF kept)", M64, B("\xff\x03"), .in = { .dev0 = 0x7fffffff, .fl = C }, .out = { .dev0 = 0x80000000, .fl = O | S | A | P | C }, CH(DEV0) | CH(FL) },
	{ "dec WORD PTR [rbx]", M64, B("\x66\xff\x0b"), .in = { .dev0 = 0x10000 }, .out = { .dev0 = 0x1ffff, .fl = S | A | P }, CH(DEV0) | CH(FL) },
	{ "neg DWORD PTR [rbx]", M64, B("\xf7\x1b"), .in = { .dev0 = 1 }, .out = { .dev0 = 0xffffffff, .fl = S | A | P | C }, CH(DEV0) | CH(FL) },
	{ "not BYTE PTR [rbx] (no flag changes)", M64, B("\xf6\x13"), .in = { .dev0 = 0x12340f, .fl = ARITH }, .out = { .dev0 = 0x1234f0 }, CH(DEV0) },
	{ "bt DWORD PTR [rbx],0x5", M64, B("\x0f\xba\x23\x05"), .in = { .dev0 = 0x20 }, .out = { .fl = C }, CH(FL) },
	{ "bts DWORD PTR [rbx],ecx (bit 36: the dword at +4, bit 4)", M64, B("\x0f\xab\x0b"), .in = { .rcx = 36 }, .out = { .dev0 = 0x1000000000 }, CH(DEV0) },
	{ "bt DWORD PTR [rbx+0x8],ecx (offset -33: the dword at -8, bit 31)", M64, B("\x0f\xa3\x4b\x08"), .in = { .rcx = 0xffffffdf, .dev0 = 0x80000000 }, .out = { .fl = C }, CH(FL) },
	{ "btr QWORD PTR [rbx],0x3f", M64, B("\x48\x0f\xba\x33\x3f"), .in = { .dev0 = ~0ull }, .out = { .dev0 = 0x7fffffffffffffff, .fl = C }, CH(DEV0) | CH(FL) },
	{ "btc WORD PTR [rbx],0x11 (imm 17 mod 16)", M64, B("\x66\x0f\xba\x3b\x11"), .in = { .dev0 = 0 }, .out = { .dev0 = 2 }, CH(DEV0) },
	{ "xchg DWORD PTR [rbx],ecx", M64, B("\x87\x0b"), .in = { .rcx = 5, .dev0 = 7 }, .out = { .rcx = 7, .dev0 = 5 }, CH(RCX) | CH(DEV0) },
	{ "lock cmpxchg DWORD PTR [rbx],ecx (equal: stored)", M64, B("\xf0\x0f\xb1\x0b"), .in = { .rax = 7, .rcx = 9, .dev0 = 7 }, .out = { .dev0 = 9, .fl = Z | P }, CH(DEV0) | CH(FL) },
	{ "lock cmpxchg DWORD PTR [rbx],ecx (not equal: EAX loaded)", M64, B("\xf0\x0f\xb1\x0b"), .in = { .rax = 0xffffffff00000006, .rcx = 9, .dev0 = 7 }, .out = { .rax = 7, .fl = S | A | P | C }, CH(RAX) | CH(FL) },
	{ "lock xadd DWORD PTR [rbx],ecx", M64, B("\xf0\x0f\xc1\x0b"), .in = { .rcx = 1, .dev0 = 0xffffffff }, .out = { .rcx = 0xffffffff, .dev0 = 0, .fl = Z | A | P | C }, CH(RCX) | CH(DEV0) | CH(FL) },
	{ "push QWORD PTR [rbx]", M64, B("\xff\x33"), .in = { .dev0 = 0x1122334455667788 }, .out = { .rsp = 0x50f8, .ram = 0x1122334455667788 }, CH(RSP) | CH(RAM), .ram_at = 0x50f8 },
	{ "pop QWORD PTR [rbx]", M64, B("\x8f\x03"), .in = { .ram = 0xabc }, .out = { .rsp = 0x5108, .dev0 = 0xabc }, CH(RSP) | CH(DEV0) },
	{ "rep stos DWORD PTR es:[rdi],eax", M64, B("\xf3\xab"), .in = { .rax = 0x55, .rcx = 2, .rdi = 0xfee00020 }, .out = { .rcx = 0, .rdi = 0xfee00028, .dev0 = 0x5500000055 }, CH(RCX) | CH(RDI) | CH(DEV0) },
	{ "rep movs DWORD PTR es:[rdi],DWORD PTR ds:[rsi] (DF = 1: downwards)", M64, B("\xf3\xa5"), .in = { .rcx = 2, .rsi = 0xfee00024, .rdi = 0x5104, .fl = D, .dev0 = 0x1111111122222222 }, .out = { .rcx = 0, .rsi = 0xfee0001c, .rdi = 0x50fc, .ram = 0x1111111122222222 }, CH(RCX) | CH(RSI) | CH(RDI) | CH(RAM) },
	{ "lods eax,DWORD PTR ds:[rsi]", M64, B("\xad"), .in = { .rsi = 0xfee00020, .dev0 = 0x1234567890 }, .out = { .rax = 0x34567890, .rsi = 0xfee00024 }, CH(RAX) | CH(RSI) },
	{ "repnz scas eax,DWORD PTR es:[rdi] (stops at the match)", M64, B("\xf2\xaf"), .in = { .rax = 0x33, .rcx = 4, .rdi = 0xfee00020, .dev0 = 0x3300000011 }, .out = { .rcx = 2, .rdi = 0xfee00028, .fl = Z | P }, CH(RCX) | CH(RDI) | CH(FL) },
	{ "repz cmps BYTE PTR ds:[rsi],BYTE PTR es:[rdi] (stops at the difference: 0x33 - 0x44)", M64, B("\xf3\xa6"), .in = { .rcx = 8, .rsi = 0x5100, .rdi = 0xfee00020, .ram = 0x0000000000332211, .dev0 = 0x0000000000442211 }, .out = { .rcx = 5, .rsi = 0x5103, .rdi = 0xfee00023, .fl = S | A | C }, CH(RCX) | CH(RSI) | CH(RDI) | CH(FL) },
	{ "rep stos BYTE PTR es:[rdi],al (64 iterations, then again)", M64, B("\xf3\xaa"), .in = { .rcx = 100, .rdi = 0xfee00020, .rax = 0x7 }, .out = { .rcx = 36, .rdi = 0xfee00060, .dev0 = 0x0707070707070707, .dev1 = 0x0707070707070707 }, CH(RCX) | CH(RDI) | CH(DEV0) | CH(DEV1), .rc = EMUL_REPEAT },
	{ "rep stos BYTE PTR es:[rdi],al (rCX = 0: nothing)", M64, B("\xf3\xaa"), .in = { .rcx = 0, .rdi = 0xfee00020, .rax = 0x7 }, .out = { .rcx = 0 } },
	{ "movabs eax,ds:0xfee00ffe (crosses into the next page)", M64, B("\xa1\xfe\x0f\xe0\xfe\x00\x00\x00\x00"), .in = { .rax = 1 }, .out = { .rax = 1 }, .rc = EMUL_CROSSES_PAGE },
	{ "movabs eax,ds:0x9000 (nothing there)", M64, B("\xa1\x00\x90\x00\x00\x00\x00\x00\x00"), .in = { .rax = 1 }, .out = { .rax = 1 }, .rc = EMUL_BUS_ERROR },
	{ "movdqu xmm0,XMMWORD PTR [rbx]", M64, B("\xf3\x0f\x6f\x03"), .out = { 0 }, .rc = EMUL_UNSUPPORTED },
	{ "add eax,ecx", M64, B("\x01\xc8"), .out = { 0 }, .rc = EMUL_NO_MEMORY },
	{ "mov eax,es:0x20 (ES base 0xfee00000)", M32, B("\x26\xa1\x20\x00\x00\x00"), .in = { .dev0 = 0x44332211 }, .out = { .rax = 0x44332211 }, CH(RAX) },
	{ "or DWORD PTR [ebx+0x8],0x1 (DS base 0, ebx = 0xfee00020)", M32, B("\x83\x4b\x08\x01"), .in = { .dev1 = 0x10 }, .out = { .dev1 = 0x11, .fl = P }, CH(DEV1) | CH(FL) },
	{ "push DWORD PTR [ebx] (SS base 0)", M32, B("\xff\x33"), .in = { .dev0 = 0x12345678 }, .out = { .rsp = 0x50fc, .ram = 0x12345678 }, CH(RSP) | CH(RAM), .ram_at = 0x50fc },
	{ "mov ax,ds:0x20 (DS base 0xfee00000; a 16-bit load keeps bits 63:16)", M16, B("\xa1\x20\x00"), .in = { .rax = 0xffff0000ffff0000, .dev0 = 0xbeef }, .out = { .rax = 0xffff0000ffffbeef }, CH(RAX) },
};

/* ---- the fake machine ---- */

struct fake {
	u8 dev[PAGE];
	u8 ram[PAGE];
	u32 reads, writes;
};

static u8 *locate(struct fake *f, u64 linear, u8 size)
{
	if (linear >= DEV_BASE && linear + size <= DEV_BASE + PAGE)
		return f->dev + (linear - DEV_BASE);
	if (linear >= RAM_BASE && linear + size <= RAM_BASE + PAGE)
		return f->ram + (linear - RAM_BASE);
	return NULL;
}

static int fake_read(void *ctx, u64 linear, u8 size, u64 *value)
{
	struct fake *f = ctx;
	u8 *p = locate(f, linear, size);
	assert_true(size == 1 || size == 2 || size == 4 || size == 8);
	if (!p)
		return -1;
	*value = 0;
	memcpy(value, p, size);
	f->reads++;
	return 0;
}

static int fake_write(void *ctx, u64 linear, u8 size, u64 value)
{
	struct fake *f = ctx;
	u8 *p = locate(f, linear, size);
	assert_true(size == 1 || size == 2 || size == 4 || size == 8);
	if (!p)
		return -1;
	memcpy(p, &value, size);
	f->writes++;
	return 0;
}

static u64 get64(const u8 *p)
{
	u64 v;
	memcpy(&v, p, sizeof(v));
	return v;
}

static void put64(u8 *p, u64 v)
{
	memcpy(p, &v, sizeof(v));
}

/* Outside 64-bit mode the tables' addresses need a segment base: ES in 32-bit, DS in 16-bit mode. */
static void seg_bases_for(enum cpu_mode mode, u64 base[NUM_SEGS])
{
	memset(base, 0, sizeof(u64) * NUM_SEGS);
	if (mode == CPU_MODE_32)
		base[SEG_ES] = DEV_BASE;
	if (mode == CPU_MODE_16)
		base[SEG_DS] = DEV_BASE;
}

static u64 want(const struct ecase *c, u32 field, u64 in, u64 out)
{
	return (c->changed & BIT(field)) ? out : in;
}

#define CHECK(name, field, got, in_v, out_v)                                                           \
	do {                                                                                           \
		u64 w_ = want(c, field, in_v, out_v);                                                  \
		if ((u64)(got) != w_)                                                                  \
			fail_msg("%s: %s = 0x%llx, want 0x%llx", c->text, name, (u64)(got), w_);       \
	} while (0)

static void run_case(const struct ecase *c)
{
	static struct fake f;
	u64 gpr[NUM_GPRS] = { 0 }, seg_base[NUM_SEGS];
	u64 ram_at = c->ram_at ? c->ram_at : RAM_SLOT_DEFAULT, in_rsp = c->in.rsp ? c->in.rsp : RSP_DEFAULT;
	u64 rflags = c->in.fl | RFLAGS_RESERVED1;
	struct insn in;

	memset(&f, 0, sizeof(f));
	put64(f.dev + DEV_SLOT, c->in.dev0);
	put64(f.dev + DEV_SLOT + 8, c->in.dev1);
	put64(f.ram + (ram_at - RAM_BASE), c->in.ram);
	gpr[GPR_RAX] = c->in.rax, gpr[GPR_RCX] = c->in.rcx, gpr[GPR_RSI] = c->in.rsi, gpr[GPR_RDI] = c->in.rdi;
	gpr[GPR_RBX] = RBX_VALUE, gpr[GPR_RSP] = in_rsp;
	seg_bases_for(c->mode, seg_base);
	if (insn_decode(c->bytes, c->n, c->mode, &in))
		fail_msg("%s: does not decode: %s", c->text, in.reason);
	struct emul_cpu cpu = { gpr, &rflags, 0x400000, seg_base, c->mode == M64 ? 8 : c->mode == M32 ? 4 : 2, NULL };
	struct emul_bus bus = { fake_read, fake_write, &f };
	int rc = mmio_emulate(&in, &cpu, &bus);
	if (rc != c->rc)
		fail_msg("%s: result %d (%s), want %d (%s)", c->text, rc, emul_result_name(rc), c->rc,
			 emul_result_name(c->rc));
	CHECK("rax", F_RAX, gpr[GPR_RAX], c->in.rax, c->out.rax);
	CHECK("rcx", F_RCX, gpr[GPR_RCX], c->in.rcx, c->out.rcx);
	CHECK("rsi", F_RSI, gpr[GPR_RSI], c->in.rsi, c->out.rsi);
	CHECK("rdi", F_RDI, gpr[GPR_RDI], c->in.rdi, c->out.rdi);
	CHECK("rsp", F_RSP, gpr[GPR_RSP], in_rsp, c->out.rsp);
	CHECK("rflags", F_FL, rflags, c->in.fl | RFLAGS_RESERVED1, c->out.fl | (c->in.fl & D) | RFLAGS_RESERVED1);
	CHECK("dev0", F_DEV0, get64(f.dev + DEV_SLOT), c->in.dev0, c->out.dev0);
	CHECK("dev1", F_DEV1, get64(f.dev + DEV_SLOT + 8), c->in.dev1, c->out.dev1);
	CHECK("ram", F_RAM, get64(f.ram + (ram_at - RAM_BASE)), c->in.ram, c->out.ram);
	assert_int_equal(gpr[GPR_RBX], RBX_VALUE);
	if (rc < 0 && f.writes)
		fail_msg("%s: failed with %u writes done", c->text, f.writes);
}

static void test_emulate(void **state)
{
	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++)
		run_case(&cases[i]);
}

/* Each location is read once and written at most once: device registers have side effects. */
static void test_access_counts(void **state)
{
	static const struct {
		const char *text;
		u8 bytes[INSN_MAX_LEN];
		u8 n;
		u32 reads, writes;
	} counts[] = {
		{ "mov eax,DWORD PTR [rbx]", B("\x8b\x03"), 1, 0 },
		{ "mov DWORD PTR [rbx],eax", B("\x89\x03"), 0, 1 },
		{ "or DWORD PTR [rbx],0x100", B("\x81\x0b\x00\x01\x00\x00"), 1, 1 },
		{ "cmp DWORD PTR [rbx],ecx", B("\x39\x0b"), 1, 0 },
		{ "bt DWORD PTR [rbx],0x5", B("\x0f\xba\x23\x05"), 1, 0 },
		{ "lock cmpxchg DWORD PTR [rbx],ecx (fails: still one write)", B("\xf0\x0f\xb1\x0b"), 1, 1 },
	};
	for (unsigned i = 0; i < ARRAY_SIZE(counts); i++) {
		static struct fake f;
		u64 gpr[NUM_GPRS] = { [GPR_RAX] = 1, [GPR_RBX] = RBX_VALUE }, seg_base[NUM_SEGS] = { 0 }, rflags = 0;
		struct insn in;
		memset(&f, 0, sizeof(f));
		assert_int_equal(insn_decode(counts[i].bytes, counts[i].n, M64, &in), 0);
		struct emul_cpu cpu = { gpr, &rflags, 0, seg_base, 8, NULL };
		struct emul_bus bus = { fake_read, fake_write, &f };
		assert_int_equal(mmio_emulate(&in, &cpu, &bus), EMUL_DONE);
		if (f.reads != counts[i].reads || f.writes != counts[i].writes)
			fail_msg("%s: %u reads, %u writes", counts[i].text, f.reads, f.writes);
	}
}

/* SSE moves between the device and an XMM register (the caller's 16-byte copy): loads narrower than 16
 * bytes zero the rest, 16-byte operands are two 8-byte accesses, the aligned forms #GP(0) on a
 * misaligned address before any access, and a failed access leaves the register alone. */
static void test_sse_moves(void **state)
{
	static const struct {
		const char *text;
		u8 bytes[INSN_MAX_LEN];
		u8 n;
		int rc;
		u8 size;     /* bytes loaded into / stored from the register */
		bool store;
		u32 accesses;
	} forms[] = {
		{ "movd xmm1,DWORD PTR [rbx]", B("\x66\x0f\x6e\x0b"), EMUL_DONE, 4, false, 1 },
		{ "movq xmm2,QWORD PTR [rbx]", B("\xf3\x0f\x7e\x13"), EMUL_DONE, 8, false, 1 },
		{ "movss xmm0,DWORD PTR [rbx]", B("\xf3\x0f\x10\x03"), EMUL_DONE, 4, false, 1 },
		{ "movdqu xmm0,XMMWORD PTR [rbx]", B("\xf3\x0f\x6f\x03"), EMUL_DONE, 16, false, 2 },
		{ "movaps xmm5,XMMWORD PTR [rbx]", B("\x0f\x28\x2b"), EMUL_DONE, 16, false, 2 },
		{ "movdqa xmm0,XMMWORD PTR [rbx+0x4] (misaligned)", B("\x66\x0f\x6f\x43\x04"), EMUL_FAULT_GP, 0, false, 0 },
		{ "movd DWORD PTR [rbx],xmm3", B("\x66\x0f\x7e\x1b"), EMUL_DONE, 4, true, 1 },
		{ "movq QWORD PTR [rbx],xmm3", B("\x66\x0f\xd6\x1b"), EMUL_DONE, 8, true, 1 },
		{ "movups XMMWORD PTR [rbx],xmm0", B("\x0f\x11\x03"), EMUL_DONE, 16, true, 2 },
		{ "movntdq XMMWORD PTR [rbx+0x8],xmm0 (misaligned)", B("\x66\x0f\xe7\x43\x08"), EMUL_FAULT_GP, 0, true, 0 },
		{ "movdqu xmm0,XMMWORD PTR [rbx+0xfd8] (crosses the page)", B("\xf3\x0f\x6f\x83\xd8\x0f\x00\x00"), EMUL_CROSSES_PAGE, 0, false, 0 },
	};
	for (unsigned i = 0; i < ARRAY_SIZE(forms); i++) {
		static struct fake f;
		u64 gpr[NUM_GPRS] = { [GPR_RBX] = RBX_VALUE }, seg_base[NUM_SEGS] = { 0 }, rflags = 0;
		u8 xmm[16], before[16], dev_before[16];
		struct insn in;
		memset(&f, 0, sizeof(f));
		for (unsigned b = 0; b < 16; b++) {
			f.dev[DEV_SLOT + b] = (u8)(0x11 * (b + 1));
			xmm[b] = before[b] = (u8)(0xA0 + b);
		}
		memcpy(dev_before, f.dev + DEV_SLOT, 16);
		if (insn_decode(forms[i].bytes, forms[i].n, M64, &in))
			fail_msg("%s: does not decode: %s", forms[i].text, in.reason);
		struct emul_cpu cpu = { gpr, &rflags, 0, seg_base, 8, xmm };
		struct emul_bus bus = { fake_read, fake_write, &f };
		int rc = mmio_emulate(&in, &cpu, &bus);
		if (rc != forms[i].rc || f.reads + f.writes != forms[i].accesses)
			fail_msg("%s: result %d, %u accesses", forms[i].text, rc, f.reads + f.writes);
		for (unsigned b = 0; b < 16; b++) {
			u8 reg_want = before[b], dev_want = dev_before[b];
			if (rc == EMUL_DONE && !forms[i].store)
				reg_want = b < forms[i].size ? dev_before[b] : 0;
			if (rc == EMUL_DONE && forms[i].store && b < forms[i].size)
				dev_want = before[b];
			if (xmm[b] != reg_want || f.dev[DEV_SLOT + b] != dev_want)
				fail_msg("%s: byte %u: register 0x%02x (want 0x%02x), device 0x%02x (want 0x%02x)",
					 forms[i].text, b, xmm[b], reg_want, f.dev[DEV_SLOT + b], dev_want);
		}
	}
	assert_string_equal(emul_result_name(EMUL_FAULT_GP), "#GP(0)");
}

/* Only instructions whose one access is at the EA let the caller skip the page walk. */
static void test_only_accesses_ea(void **state)
{
	static const struct {
		u8 bytes[INSN_MAX_LEN];
		u8 n;
		bool only_ea;
	} forms[] = {
		{ B("\xa1\x20\x00\xe0\xfe\x00\x00\x00\x00"), true }, /* movabs eax,ds:0xfee00020 */
		{ B("\x81\x0b\x00\x01\x00\x00"), true },             /* or DWORD PTR [rbx],0x100 */
		{ B("\x0f\xba\x23\x05"), true },                     /* bt DWORD PTR [rbx],0x5 */
		{ B("\x0f\xa3\x0b"), false },                        /* bt DWORD PTR [rbx],ecx: EA + offset */
		{ B("\xff\x33"), false },                            /* push QWORD PTR [rbx]: the stack too */
		{ B("\xf3\xa5"), false },                            /* rep movsd */
		{ B("\x89\xc8"), false },                            /* mov eax,ecx: no memory */
		{ B("\x66\x0f\x6e\x0b"), true },                     /* movd xmm1,DWORD PTR [rbx] */
	};
	for (unsigned i = 0; i < ARRAY_SIZE(forms); i++) {
		struct insn in;
		assert_int_equal(insn_decode(forms[i].bytes, forms[i].n, M64, &in), 0);
		assert_int_equal(mmio_only_accesses_ea(&in), forms[i].only_ea);
	}
	assert_string_equal(emul_result_name(EMUL_CROSSES_PAGE), "access crosses a page boundary");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_emulate),
		cmocka_unit_test(test_access_counts),
		cmocka_unit_test(test_sse_moves),
		cmocka_unit_test(test_only_accesses_ea),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
