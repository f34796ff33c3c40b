/* Writes the seed corpus of every fuzz harness into tests/fuzz/corpus/NAME/ (make fuzz-seeds). Each seed is
 * a small input in the harness's own format that reaches the interesting paths at once: the loader images
 * are the unit tests' (tests/unit/loader_images.h), the rest are the unit tests' cases written as the
 * harnesses read them. */
#include <sys/stat.h>

#include "tests/unit/loader_images.h"

struct buf {
	u8 b[0x4000 + 0x2200];
	size_t n;
};

static void put(struct buf *s, u64 v, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i++)
		s->b[s->n++] = (u8)(v >> (8 * i));
}

static void put_bytes(struct buf *s, const void *p, size_t n)
{
	memcpy(s->b + s->n, p, n);
	s->n += n;
}

static void put_str(struct buf *s, const char *str) /* length byte, then the bytes */
{
	put(s, strlen(str), 1);
	put_bytes(s, str, strlen(str));
}

static void save(const char *harness, const char *seed, const struct buf *s)
{
	char path[256];
	snprintf(path, sizeof(path), "tests/fuzz/corpus/%s", harness);
	mkdir("tests/fuzz/corpus", 0755);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "tests/fuzz/corpus/%s/%s", harness, seed);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(s->b, 1, s->n, f) != s->n || fclose(f)) {
		perror(path);
		exit(1);
	}
}

static void seed_decode(void)
{
	static const struct { const char *name; u8 mode; const char *bytes; } c[] = {
		{ "mov_cr0_rax", 2, "\x0f\x22\xc0" },        { "mov_rax_cr4", 2, "\x0f\x20\xe0" },
		{ "lock_mov_cr8", 1, "\xf0\x0f\x22\xc0" },   { "clts", 0, "\x0f\x06" },
		{ "lmsw_ax", 0, "\x0f\x01\xf0" },            { "smsw_mem16", 1, "\x0f\x01\x25\x00\x10\x00\x00" },
		{ "mov_rip_rel", 2, "\x48\x8b\x05\x10\x00\x00\x00" },
		{ "mov_sib_fs", 2, "\x64\x44\x89\x44\x8d\x7f" }, { "mov_imm32", 1, "\xc7\x40\x04\x78\x56\x34\x12" },
		{ "movzx_16bit", 0, "\x0f\xb6\x47\x02" },     { "movsx_rex", 2, "\x4c\x0f\xbf\x0c\x24" },
		{ "mov_ah", 1, "\x88\xe0" },                  { "too_long", 2, "\x66\x66\x66\x66\x66\x66\x66\x66\x66"
									 "\x66\x66\x66\x89\x08\x90" },
		{ "movabs_a1", 2, "\xa1\x20\x00\xe0\xfe\x01\x01\x01\x01" }, { "or_svr_imm", 1, "\x81\x0d\xf0\x00\xe0\xfe\x01\x01\x01\x01" },
		{ "lock_cmpxchg", 2, "\xf0\x48\x0f\xb1\x0b" }, { "bt_imm", 2, "\x0f\xba\x63\x10\x05" },
		{ "rep_stosd", 2, "\xf3\xab" },               { "movdqu", 2, "\xf3\x0f\x6f\x03" },
		{ "pop_mem16", 0, "\x8f\x47\x02" },          { "xadd_16bit", 0, "\xf0\x0f\xc1\x0f" },
	};
	for (unsigned i = 0; i < ARRAY_SIZE(c); i++) {
		struct buf s = { .n = 0 };
		put(&s, c[i].mode, 1);
		put_bytes(&s, c[i].bytes, strlen(c[i].bytes) + (c[i].bytes[0] == 0));
		save("decode", c[i].name, &s);
	}
}

/* The emulator harness: mode, instruction length and bytes, RAX..RDI, RFLAGS, then the device page. */
static void seed_mmio_emul(void)
{
	static const struct { const char *name; u8 mode; const char *bytes; u64 rcx, rflags; } c[] = {
		{ "movabs_load", 2, "\xa1\x20\x00\xe0\xfe\x01\x01\x01\x01", 0, 0x2 },
		{ "or_imm", 2, "\x81\x0b\x00\x01\x01\x01", 0, 0x2 },
		{ "cmpxchg", 2, "\xf0\x0f\xb1\x0b", 5, 0x2 },
		{ "bt_reg_negative", 2, "\x0f\xa3\x0b", (u64)-33, 0x2 },
		{ "rep_movsd_down", 2, "\xf3\xa5", 70, 0x402 },
		{ "repne_scasb", 1, "\xf2\xae", 9, 0x2 },
		{ "push_mem", 0, "\xff\x37", 0, 0x2 },
	};
	for (unsigned i = 0; i < ARRAY_SIZE(c); i++) {
		struct buf s = { .n = 0 };
		u8 page[64];
		put(&s, c[i].mode, 1);
		put(&s, strlen(c[i].bytes), 1);
		put_bytes(&s, c[i].bytes, strlen(c[i].bytes));
		for (unsigned r = 0; r < 8; r++) /* rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi */
			put(&s, r == 1 ? c[i].rcx : r == 3 ? 0xfee00020 : r == 4 ? 0x5100 : r == 6 ? 0xfee00100 : r == 7 ? 0x5200 : 0x7, 8);
		put(&s, c[i].rflags, 8);
		for (unsigned b = 0; b < sizeof(page); b++)
			page[b] = (u8)(b * 37);
		put_bytes(&s, page, sizeof(page));
		save("mmio_emul", c[i].name, &s);
	}
}

/* Guest page tables in the harness's 16 KiB RAM: page 0 top level, then one table per level below. */
static void walk_seed(const char *name, u8 flags, u64 cr3, u64 linear, const u64 *entries, unsigned n, bool four)
{
	struct buf s = { .n = 0 };
	u8 ram[0x4000] = { 0 };
	put(&s, flags, 1);
	put(&s, cr3, 8);
	put(&s, 40, 1);
	put(&s, linear, 8);
	put(&s, 15, 1);
	put(&s, 0x7F8, 8);
	for (unsigned i = 0; i < n; i++) /* entries[i] = { offset in ram, value } pairs */
		if (four)
			memcpy(ram + entries[2 * i], &entries[2 * i + 1], 4);
		else
			memcpy(ram + entries[2 * i], &entries[2 * i + 1], 8);
	put_bytes(&s, ram, sizeof(ram));
	save("guest_walk", name, &s);
}

static void seed_guest_walk(void)
{
	/* 4-level: PML4[0] -> 0x1000, PDPT[0] -> 0x2000, PD[0] -> 0x3000, PT[1] -> frame 0x2000; PD[1] 2 MiB. */
	const u64 lm[] = { 0x0, 0x1003, 0x1000, 0x2003, 0x2000, 0x3003, 0x2008, 0x83, 0x3008, 0x2003 };
	walk_seed("long_mode_4k", 0x1D, 0, 0x1FF8, lm, 5, false);
	walk_seed("long_mode_2m", 0x1D, 0, 0x200FF8, lm, 5, false);
	/* PAE: PDPTE[0] at CR3 0x20 -> 0x2000, PD[0] -> 0x3000, PT[0] -> frame 0x1000. */
	const u64 pae[] = { 0x20, 0x2001, 0x2000, 0x3003, 0x3000, 0x1003 };
	walk_seed("pae_4k", 0x05, 0x20, 0xFF8, pae, 3, false);
	/* 32-bit: PDE[0] -> 0x1000, PTE[0] -> 0x2000; PDE[1] a 4 MiB page with PSE-36 bits. */
	const u64 p32[] = { 0x0, 0x1003, 0x1000, 0x2003, 0x4, 0x2083 };
	walk_seed("32bit_4k", 0x01, 0, 0xFF8, p32, 3, true);
	walk_seed("32bit_4m_pse36", 0x03, 0, 0x400FF8, p32, 3, true);
	walk_seed("paging_off", 0x00, 0, 0x3FF8, p32, 0, true);
}

static void loader_seed(const char *name, uint64_t image_size, unsigned nmods)
{
	struct buf s = { .n = 0 }, boot = { .n = 0 };
	put(&boot, nmods, 1);
	put_str(&boot, "mbinfo.elf");
	put(&boot, 1, 1);
	put_str(&boot, "a b  c");
	for (unsigned i = 0; i < nmods; i++) {
		put(&boot, 0x100 * i, 2);
		put(&boot, i ? 5 : 1492, 2);
		put_str(&boot, i ? "\\hello.bin" : "\\numbers.txt x y");
	}
	put(&s, 16, 1); /* 2 MiB of RAM */
	put(&s, boot.n, 2);
	put_bytes(&s, boot.b, boot.n);
	put_bytes(&s, img, image_size);
	save("loader", name, &s);
}

static void seed_loader(void)
{
	loader_seed("elf_std", build_std(), 0);
	loader_seed("elf_std_two_modules", build_std(), 2);
	loader_seed("elf_one_segment", build_one(0x100000, 0x40, 0x2000), 1);
	clear_image();
	put_mb_header(0x40, STD_FLAGS | F_AOUT);
	put_aout_fields(0x40, 0x100040, 0x100000, 0x100800, 0x102000, 0x100040);
	loader_seed("aout_kludge", 0x1000, 1);
}

static void text_seed(const char *harness, const char *name, u8 first, const char *text)
{
	struct buf s = { .n = 0 };
	put(&s, first, 1);
	put_bytes(&s, text, strlen(text));
	save(harness, name, &s);
}

static void seed_cmdline(void)
{
	text_seed("cmdline", "full", 0, "test=cpuid,apic_timer guest=\\k.elf append=\"a b  c\" "
		  "initrd=\"\\m.bin x y,\\h.bin\" smp=4 platform=qemu-svm exit=shutdown log=debug");
	text_seed("cmdline", "config_file", 1, "# microhv.cfg\nguest=\\mbinfo.elf # the kernel\n"
		  "  append=\"x\" smp=2\nguest=\\b.elf initrd=\\m\nexit=debug-port\n");
	text_seed("cmdline", "errors", 0, "smp=2 guest= test= exit=nope guest=\\a smp=0 smp=1025 \"unterminated");
}

static void seed_small(void)
{
	struct buf s = { .n = 0 };
	/* inject: #GP with an error code in protected mode on VMX; #BP with one; #PF without one, raw. */
	static const struct { const char *name; u64 vector, flags; u32 ec; u8 bits; } inj[] = {
		{ "gp_vmx", 13, 0, 0x1234, 0x0B }, { "bp_with_ec", 3, 0, 1, 0x03 },
		{ "pf_raw_svm", 14, 1, 0x80000002u, 0x02 }, { "cp_cet_vmx", 21, 0, 3, 0x0F },
		{ "nmi_rejected", 2, 0, 0, 0x03 },
	};
	for (unsigned i = 0; i < ARRAY_SIZE(inj); i++) {
		s.n = 0;
		put(&s, inj[i].vector, 8);
		put(&s, inj[i].flags, 8);
		put(&s, inj[i].ec, 4);
		put(&s, inj[i].bits, 1);
		save("inject", inj[i].name, &s);
	}
	/* fwcfg: select the signature, RAM size, an arch-local key; read them byte by byte. */
	s.n = 0;
	put(&s, 32ull << 20, 8);
	put(&s, 4, 2);
	static const u16 keys[] = { 0x0000, 0x0003, 0x0005, 0x8000, 0x4019 };
	for (unsigned k = 0; k < ARRAY_SIZE(keys); k++) {
		put(&s, 0x12, 1); /* OUT 16-bit to 0x510, 16-bit value */
		put(&s, keys[k], 2);
		for (unsigned b = 0; b < 9; b++) {
			put(&s, 0x09, 1); /* IN 8-bit from 0x511 */
			put(&s, 0, 1);
		}
	}
	save("fwcfg", "select_and_read", &s);
}

static void mtrr_op(struct buf *s, u8 kind, u32 msr, u8 shape, u64 v)
{
	put(s, kind, 1);
	if (msr == 0xFE) {
		put(s, 0xF0, 1);
	} else {
		put(s, 0, 1);
		put(s, msr - 0x200, 1);
	}
	put(s, shape, 1);
	put(s, v, 8);
}

static void seed_mtrr(void)
{
	struct buf s = { .n = 0 };
	put(&s, 36, 1);
	mtrr_op(&s, 1, 0xFE, 0, 0);                      /* read MTRRCAP */
	mtrr_op(&s, 4, 0x2FF, 0, 0xC06);                 /* DEF_TYPE: E, FE, WB */
	mtrr_op(&s, 4, 0x200, 0, 0x80000006ull);         /* PHYSBASE0 WB */
	mtrr_op(&s, 4, 0x201, 0, 0xF80000800ull);        /* PHYSMASK0 V */
	mtrr_op(&s, 4, 0x250, 1, 0x0606060606060606ull); /* FIX64K all WB */
	mtrr_op(&s, 4, 0x268, 0, 0x0202020202020202ull); /* reserved type 2: #GP */
	mtrr_op(&s, 1, 0x201, 0, 0);
	mtrr_op(&s, 1, 0x277, 0, 0);                     /* PAT is not an MTRR */
	mtrr_op(&s, 0, 0x200, 0, 0);                     /* RESET */
	mtrr_op(&s, 1, 0x200, 0, 0);
	save("mtrr", "program_and_reset", &s);
}

/* vlapic_sim operations: op byte = kind | vcpu << 4. */
static void op_mmio_write(struct buf *s, u8 vcpu, u32 off, u32 v)
{
	put(s, 0 | vcpu << 4, 1);
	put(s, off / 0x10, 1);
	put(s, 7, 1); /* size 4 */
	put(s, v, 4);
}

static void op_msr_write(struct buf *s, u8 vcpu, u32 msr, u64 v)
{
	put(s, 2 | vcpu << 4, 1);
	put(s, msr - 0x800, 1);
	put(s, 1, 1);
	put(s, v, 8);
}

static void vlapic_ops(struct buf *s)
{
	for (u8 c = 0; c < 3; c++) /* software-enable, unmask, route */
		op_mmio_write(s, c, 0xF0, 0x1FF);
	op_mmio_write(s, 0, 0x300, 0x000C4500); /* INIT to all excluding self */
	op_mmio_write(s, 0, 0x300, 0x000C4610); /* SIPI */
	op_mmio_write(s, 0, 0x310, 0x01000000);
	op_mmio_write(s, 0, 0x300, 0x00000041); /* fixed IPI to APIC 1 */
	op_mmio_write(s, 1, 0x320, 0x00020030); /* periodic timer, vector 0x30 */
	op_mmio_write(s, 1, 0x3E0, 0xB);
	op_mmio_write(s, 1, 0x380, 1000);
	put(s, 5, 1); /* tick */
	put(s, 1, 1);
	put(s, 2500, 2);
	put(s, 6 | 1 << 4, 1); /* ack on vCPU 1 */
	put(s, 4 | 2 << 4, 1); /* vCPU 2 to x2APIC */
	put(s, 1, 1);
	op_msr_write(s, 2, 0x830, 0x0000000100000051ull); /* x2APIC ICR: fixed 0x51 to ID 1 */
	op_msr_write(s, 2, 0x83F, 0x22);                    /* SELF_IPI */
	put(s, 7, 1);                                       /* an MSI, lowest priority, logical */
	put(s, 0x61, 1);
	put(s, 1, 1);
	put(s, 1, 1);
	put(s, 0, 1);
	put(s, 0x07, 1);
	put(s, 1, 1);
	put(s, 0, 1);
	op_mmio_write(s, 1, 0xB0, 0); /* EOI */
}

static void seed_apic(void)
{
	struct buf s = { .n = 0 };
	put(&s, 3, 1); /* 4 vCPUs, architectural IDs, quirk on, guest x2APIC */
	put(&s, 0, 1);
	vlapic_ops(&s);
	save("vlapic", "ipis_timer_x2apic", &s);
	s.n = 0;
	put(&s, 0x43, 1); /* the same with KVM_X2APIC_API_USE_32BIT_IDS, IDs from 250 */
	put(&s, 1, 1);
	vlapic_ops(&s);
	save("vlapic", "ipis_32bit_ids", &s);
	s.n = 0;
	put(&s, 0, 1); /* RAM below the APIC page */
	put(&s, 3, 1);
	put(&s, 0, 1);
	vlapic_ops(&s);
	save("apicv_page", "ipis_timer_x2apic", &s);
}

int main(void)
{
	seed_decode();
	seed_mmio_emul();
	seed_guest_walk();
	seed_loader();
	seed_cmdline();
	seed_small();
	seed_mtrr();
	seed_apic();
	return 0;
}
