/* See start_state.h. */
#include "start_state.h"
#include "../lib/x86_defs.h"

#define LIMIT_64K 0xFFFFu
#define LIMIT_4G 0xFFFFFFFFu
#define IDT_LIMIT_REAL_MODE 0x3FFu /* 256 four-byte vectors: what a Multiboot kernel may still use */
#define FLAT_CODE_SELECTOR 0x08
#define FLAT_DATA_SELECTOR 0x10
#define SIPI_CS_SHIFT 8            /* STARTUP vector V: CS selector V << 8, base V << 12 */

static struct start_segment segment(u16 selector, u16 ar, u32 limit, u64 base)
{
	return (struct start_segment){ .selector = selector, .ar = ar, .limit = limit, .base = base };
}

/* What every start shares: LDTR and TR present with selector 0 (Table 10-1), GDTR 0/64 KiB, the debug
 * registers, control registers 2-4 and EFER clear, RFLAGS with only its fixed bit. */
static void common(struct start_state *s)
{
	*s = (struct start_state){ 0 };
	s->ldtr = segment(0, SEG_AR_LDT, LIMIT_64K, 0);
	s->tr = segment(0, SEG_AR_TSS_BUSY, LIMIT_64K, 0);
	s->gdtr = (struct start_table){ .base = 0, .limit = LIMIT_64K };
	s->rflags = RFLAGS_FIXED;
	s->dr6 = START_DR6;
	s->dr7 = START_DR7;
}

void start_state_multiboot(struct start_state *s, u64 rip, u64 cr0, u32 magic, u32 info)
{
	common(s);
	s->cs = segment(FLAT_CODE_SELECTOR, SEG_AR_CODE32, LIMIT_4G, 0);
	s->ds = segment(FLAT_DATA_SELECTOR, SEG_AR_DATA32, LIMIT_4G, 0);
	s->es = s->ss = s->fs = s->gs = s->ds;
	s->idtr = (struct start_table){ .base = 0, .limit = IDT_LIMIT_REAL_MODE };
	s->rip = rip;
	s->cr0 = cr0;
	s->rax = magic;
	s->rbx = info;
	s->reset_msrs = true;
	s->pat = PAT_RESET_VALUE;
}

void start_state_sipi(struct start_state *s, u64 cr0, u8 vector, u32 signature)
{
	common(s);
	s->cs = segment((u16)(vector << SIPI_CS_SHIFT), SEG_AR_CODE16, LIMIT_64K, (u64)vector * PAGE_SIZE);
	s->ds = segment(0, SEG_AR_DATA16, LIMIT_64K, 0);
	s->es = s->ss = s->fs = s->gs = s->ds;
	s->idtr = (struct start_table){ .base = 0, .limit = LIMIT_64K };
	s->rip = 0;
	s->cr0 = cr0;
	s->rdx = signature;
}
