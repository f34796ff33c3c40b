/* Hostile guest: random instruction streams. SEQUENCES runs of SEQ_BYTES random bytes (a fixed seed,
 * printed) execute at CPL 3 in a sandbox: page tables of their own in which only the code page and a
 * scratch area are user pages, so whatever the bytes do, they can only fault (or exit to microhv:
 * CPUID, VMCALL, ...) and never reach the guest's own memory. Each run ends at its first exception
 * (a UD2 trailer catches those that run off the end) and comes back through exc_recover_arm(). Bytes
 * that could loop forever with IF = 0 (jumps, LOOP, indirect branches), reload a segment register (the
 * runtime's per-CPU GS base), SYSCALL into the guest's kernel or pop a far frame are redrawn. Nothing may stop the
 * VM; leak_check runs after this guest in suite.txt. */
#include "guest.h"
#include "prng.h"
#include "ram.h"
#include "user_mode.h"

#define SEED 0x5EED00000000C0DEull
#define SEQUENCES 10000
#define SEQ_BYTES 16
#define TRAILER_BYTES 32 /* UD2 UD2 ...: an instruction that runs off the end faults here */
#define SANDBOX_LINEAR 0x00007F0000000000ull /* PML4 entry 254: far from everything the guest maps */
#define SCRATCH_PAGES 16
#define IDENTITY_PDS 4 /* the runtime's identity map: 4 page directories of 2 MiB pages */
#define ENTRIES 512
#define PTE_PRESENT BIT(0)
#define PTE_WRITABLE BIT(1)
#define PTE_USER BIT(2)
#define PTE_ADDR_MASK 0x000FFFFFFFFFF000ull
#define PML4_INDEX(a) (((a) >> 39) & 511)

static u64 *sandbox_pml4;
static u8 *code_page;  /* identity alias of the user code page */

static u64 *table(void)
{
	u64 *t = ram_alloc(PAGE_SIZE, PAGE_SIZE);
	if (t)
		for (u32 i = 0; i < ENTRIES; i++)
			t[i] = 0;
	return t;
}

/* The runtime's identity map, copied with every U/S bit cleared: supervisor-only for ring 3. */
static bool copy_identity(u64 *pml4)
{
	const u64 *old_pml4 = (const u64 *)(read_cr3() & PTE_ADDR_MASK);
	const u64 *old_pdpt = (const u64 *)(old_pml4[0] & PTE_ADDR_MASK);
	u64 *pdpt = table();
	if (!pdpt)
		return false;
	for (u32 g = 0; g < IDENTITY_PDS; g++) {
		const u64 *old_pd = (const u64 *)(old_pdpt[g] & PTE_ADDR_MASK);
		u64 *pd = table();
		if (!pd)
			return false;
		for (u32 i = 0; i < ENTRIES; i++)
			pd[i] = old_pd[i] & ~PTE_USER;
		pdpt[g] = (u64)pd | (old_pdpt[g] & ~(PTE_ADDR_MASK | PTE_USER));
	}
	pml4[0] = (u64)pdpt | PTE_PRESENT | PTE_WRITABLE;
	return true;
}

/* SANDBOX_LINEAR: the code page (user, read-only), then SCRATCH_PAGES of user stack/data. */
static bool map_sandbox(u64 *pml4)
{
	u64 *pdpt = table(), *pd = table(), *pt = table();
	code_page = ram_alloc(PAGE_SIZE, PAGE_SIZE);
	if (!pdpt || !pd || !pt || !code_page)
		return false;
	const u64 user_dir = PTE_PRESENT | PTE_WRITABLE | PTE_USER;
	pml4[PML4_INDEX(SANDBOX_LINEAR)] = (u64)pdpt | user_dir;
	pdpt[0] = (u64)pd | user_dir;
	pd[0] = (u64)pt | user_dir;
	pt[0] = (u64)code_page | PTE_PRESENT | PTE_USER;
	for (u32 i = 1; i <= SCRATCH_PAGES; i++) {
		void *page = ram_alloc(PAGE_SIZE, PAGE_SIZE);
		if (!page)
			return false;
		pt[i] = (u64)page | PTE_PRESENT | PTE_WRITABLE | PTE_USER;
	}
	return true;
}

/* A byte that may start or hide an instruction the sandbox cannot survive. */
static bool forbidden(const u8 *b, u32 i)
{
	u8 x = b[i], next = i + 1 < SEQ_BYTES ? b[i + 1] : 0;
	if (x == 0xEB || x == 0xE9 || (x >= 0x70 && x <= 0x7F) || (x >= 0xE0 && x <= 0xE3) || x == 0xFF)
		return true; /* jumps, Jcc, LOOP/JCXZ, indirect CALL/JMP: may loop with IF = 0 */
	if (x == 0x8E)
		return true; /* MOV Sreg */
	if (x == 0xCA || x == 0xCB || x == 0xCF)
		return true; /* far RET, IRET: QEMU TCG pops their frame with supervisor rights (measured: a RETF
			      * at CPL 3 read a supervisor page), so they would leave the sandbox there */
	if (x == 0x0F)   /* Jcc rel32, POP FS/GS, LSS/LFS/LGS, SYSCALL/SYSRET, SYSENTER */
		return (next >= 0x80 && next <= 0x8F) || next == 0xA1 || next == 0xA9 || next == 0xB2 ||
		       next == 0xB4 || next == 0xB5 || next == 0x05 || next == 0x07 || next == 0x34;
	return false;
}

static void draw_sequence(u64 *rng, u8 *bytes)
{
	for (u32 i = 0; i < SEQ_BYTES; i++)
		bytes[i] = (u8)prng_next(rng);
	for (u32 i = 0; i < SEQ_BYTES; i++)
		while (forbidden(bytes, i) || (i > 0 && forbidden(bytes, i - 1)))
			bytes[i] = (u8)prng_next(rng);
}

void test_main(void)
{
	if (!under_microhv()) {
		SKIP("random_streams", "exercises microhv's exit handling; nothing to compare on plain QEMU");
		return;
	}
	user_mode_init();
	sandbox_pml4 = table();
	if (!CHECK(sandbox_pml4 && copy_identity(sandbox_pml4) && map_sandbox(sandbox_pml4), "sandbox_built"))
		return;
	u64 rng = SEED, per_vector[X86_NR_EXCEPTIONS] = { 0 }, exits_before = hc_stat(HC_STAT_EXITS);
	u64 runtime_cr3 = read_cr3();
	tap_diag("seed 0x%llx, %u sequences of %u bytes at CPL 3", SEED, SEQUENCES, SEQ_BYTES);
	for (u32 i = SEQ_BYTES; i < SEQ_BYTES + TRAILER_BYTES; i += 2) {
		code_page[i] = 0x0F;
		code_page[i + 1] = 0x0B;
	}
	asm volatile("mov %0, %%cr3" ::"r"((u64)sandbox_pml4) : "memory");
	for (u32 n = 0; n < SEQUENCES; n++) {
		draw_sequence(&rng, code_page);
		user_enter((user_fn_t)SANDBOX_LINEAR, NULL, SANDBOX_LINEAR + (SCRATCH_PAGES + 1) * PAGE_SIZE - 64);
		per_vector[exc_last()->vector % X86_NR_EXCEPTIONS]++;
	}
	asm volatile("mov %0, %%cr3" ::"r"(runtime_cr3) : "memory");
	u64 total = 0;
	for (u32 v = 0; v < X86_NR_EXCEPTIONS; v++)
		total += per_vector[v];
	tap_diag("ended by #UD %llu, #GP %llu, #PF %llu, #DE %llu, #BP %llu, #AC %llu, other %llu; %llu VM exits",
		 per_vector[X86_VEC_UD], per_vector[X86_VEC_GP], per_vector[X86_VEC_PF], per_vector[X86_VEC_DE],
		 per_vector[X86_VEC_BP], per_vector[X86_VEC_AC],
		 total - per_vector[X86_VEC_UD] - per_vector[X86_VEC_GP] - per_vector[X86_VEC_PF] -
			 per_vector[X86_VEC_DE] - per_vector[X86_VEC_BP] - per_vector[X86_VEC_AC],
		 hc_stat(HC_STAT_EXITS) - exits_before);
	CHECK_EQ(total, SEQUENCES, "every_sequence_came_back");
}
