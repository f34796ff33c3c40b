/* Ring 3 for test guests (see user_mode.h). */
#include "user_mode.h"
#include "exc.h"
#include "percpu.h"
#include "x86.h"

#define GDT_COPY_ENTRIES 8
#define GDT_USER_DATA_DESC 0x00CFF2000000FFFFull   /* P, DPL3, read/write, 4 GiB flat */
#define GDT_USER_CODE64_DESC 0x00AFFA000000FFFFull /* P, DPL3, execute/read, L=1 */
#define PTE_PRESENT BIT(0)
#define PTE_USER BIT(2)
#define PTE_LARGE BIT(7)
#define PTE_ADDR_MASK 0x000FFFFFFFFFF000ull
#define STACK_BYTES 8192

static u64 gdt_copy[GDT_COPY_ENTRIES] __attribute__((aligned(16)));
static u8 ring0_stack[STACK_BYTES] __attribute__((aligned(16)));
static u8 ring3_stack[STACK_BYTES] __attribute__((aligned(16)));
static const u8 ud2_insn[2] __attribute__((aligned(2))) = { 0x0F, 0x0B }; /* a returning fn's return address */

static u64 tss_base(const u64 *desc)
{
	return ((desc[0] >> 16) & 0xFFFFFF) | ((desc[0] >> 56) << 24) | (desc[1] << 32);
}

void user_mode_init(void)
{
	struct desc_ptr cur;
	asm volatile("sgdt %0" : "=m"(cur));
	const u64 *old = (const u64 *)cur.base;
	for (u32 i = 0; i * 8 < (u32)cur.limit + 1 && i < GDT_COPY_ENTRIES; i++)
		gdt_copy[i] = old[i];
	gdt_copy[SEL_USER_DATA >> 3] = GDT_USER_DATA_DESC;
	gdt_copy[SEL_USER_CODE64 >> 3] = GDT_USER_CODE64_DESC;
	struct desc_ptr p = { .limit = sizeof(gdt_copy) - 1, .base = (u64)gdt_copy };
	asm volatile("lgdt %0" ::"m"(p) : "memory"); /* TR keeps its cached TSS: no LTR needed */
	struct tss64 *tss = (struct tss64 *)tss_base(&gdt_copy[SEL_TSS >> 3]);
	tss->rsp[0] = (u64)ring0_stack + STACK_BYTES;
	user_mode_allow(ring3_stack);
	user_mode_allow(ring3_stack + STACK_BYTES - 1);
	user_mode_allow(ud2_insn);
}

void user_mode_allow(const void *addr)
{
	u64 a = (u64)addr;
	u64 *table = (u64 *)(read_cr3() & PTE_ADDR_MASK);
	for (int level = 4; level >= 1; level--) {
		u64 *e = &table[(a >> (12 + 9 * (level - 1))) & 511];
		if (!(*e & PTE_PRESENT))
			return;
		*e |= PTE_USER;
		if (level > 1 && (*e & PTE_LARGE))
			break;
		table = (u64 *)(*e & PTE_ADDR_MASK);
	}
	asm volatile("mov %%cr3, %%rax; mov %%rax, %%cr3" ::: "rax", "memory"); /* flush the old entries */
}

u8 user_run(user_fn_t fn, void *arg)
{
	u64 *top = (u64 *)(ring3_stack + STACK_BYTES) - 2;
	top[0] = (u64)ud2_insn; /* as if fn had been called: RSP = 8 mod 16 at its entry */
	user_mode_allow((const void *)fn);
	user_mode_allow(arg);
	user_enter(fn, arg, (u64)top);
	return exc_last()->vector;
}
