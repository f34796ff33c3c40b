/* String I/O (SDM Vol. 2B INS/OUTS, REP): REP OUTSB to COM1 forwards and with DF=1 (two PASS lines printed
 * by the instructions under test), RCX = 0, REP INSB from the fw_cfg data port (the "QEMU" signature and
 * the ID item; only 8-bit reads of that port are defined), from COM1's LSR, and backwards. */
#include "kl.h"

#define FW_CFG_SEL 0x510
#define FW_CFG_DATA 0x511
#define FW_CFG_SIGNATURE 0x00
#define FW_CFG_ID 0x01

static void outsb(u16 port, const void *buf, unsigned long n)
{
	__asm__ volatile("rep outsb" : "+S"(buf), "+c"(n) : "d"(port) : "memory");
}
static void outsb_backwards(u16 port, const void *last, unsigned long n)
{
	__asm__ volatile("std; rep outsb; cld" : "+S"(last), "+c"(n) : "d"(port) : "memory");
}
static void insb(u16 port, void *buf, unsigned long n)
{
	__asm__ volatile("rep insb" : "+D"(buf), "+c"(n) : "d"(port) : "memory");
}

void kmain(void);
void kmain(void)
{
	static const char line[] = "PASS: rep_outsb_line\n"; /* printed by the instruction under test */
	const char *end = line;
	unsigned long left = sizeof(line) - 1;
	__asm__ volatile("rep outsb" : "+S"(end), "+c"(left) : "d"((u16)COM1) : "memory");
	kl_check("rep_outsb_registers", left == 0 && end == line + sizeof(line) - 1, "RCX %llu, RSI moved %llu",
		 (u64)left, (u64)(end - line));
	static const char rev[] = "\nsdrawkcab_bstuo_per :SSAP"; /* with DF=1, from the last byte down */
	outsb_backwards(COM1, rev + sizeof(rev) - 2, sizeof(rev) - 1);
	outsb(COM1, "\n", 0); /* REP with RCX = 0 writes nothing */

	u8 sig[5] = { 0 };
	outw(FW_CFG_SEL, FW_CFG_SIGNATURE);
	insb(FW_CFG_DATA, sig, 4);
	kl_check("rep_insb_fw_cfg_signature", !memcmp(sig, "QEMU", 4), "read '%s'", (const char *)sig);
	u8 id[4] = { 0xAA, 0xAA, 0xAA, 0xAA };
	outw(FW_CFG_SEL, FW_CFG_ID);
	insb(FW_CFG_DATA, id, 4);
	kl_check("rep_insb_fw_cfg_id", (id[0] & ~2u) == 1 && !id[1] && !id[2] && !id[3], "%x %x %x %x", id[0], id[1], id[2], id[3]);

	u8 lsr[8];
	kl_memset(lsr, 0, sizeof(lsr));
	insb(COM1 + 5, lsr, sizeof(lsr));
	u32 ok = 1;
	for (unsigned i = 0; i < sizeof(lsr); i++)
		ok &= (lsr[i] & 0x60) == 0x60;
	kl_check("rep_insb_lsr_transmitter_empty", ok, "LSR bytes %x %x", lsr[0], lsr[7]);
	/* Backwards INSB: the bytes land from the highest address down. */
	u8 back[6] = { 0 };
	u8 *p = back + 4;
	unsigned long n = 4;
	outw(FW_CFG_SEL, FW_CFG_SIGNATURE);
	__asm__ volatile("std; rep insb; cld" : "+D"(p), "+c"(n) : "d"((u16)FW_CFG_DATA) : "memory");
	kl_check("rep_insb_backwards", back[4] == 'Q' && back[3] == 'E' && back[2] == 'M' && back[1] == 'U' && !back[5] &&
		 !back[0] && p == back, "%x %x %x %x", back[1], back[2], back[3], back[4]);
	kl_finish();
}
