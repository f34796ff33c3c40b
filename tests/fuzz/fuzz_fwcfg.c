/* libFuzzer harness for the fw_cfg port model (hv/platform/rules/fwcfg.c): every IN/OUT a guest makes to ports
 * 0x510/0x511 reaches it with the guest's size and value.
 *
 * Input: RAM size and vCPU count, then a sequence of port accesses (port offset, size, direction, value).
 * Invariants (fwcfg.h, QEMU's fw_cfg_comb_*): only 8-bit INs return data, only a 16-bit OUT to the selector
 * changes anything, an item's bytes come back in order and 0 past its end, and what is read equals an
 * independent model of the item table (the directory with its one file, etc/e820, included). */
#include <string.h>

#include "hv/platform/rules/fwcfg.h"
#include "tests/fuzz/fuzz.h"

#define MAX_OPS 256

/* The expected bytes of the item selected by `key`: QEMU's encodings, written out independently. */
#define ITEM_MAX 68

static u32 expected_item(u16 key, u64 ram, u16 cpus, u8 out[ITEM_MAX])
{
	u16 k = key & (FW_CFG_ENTRY_MASK | FW_CFG_ARCH_LOCAL);

	memset(out, 0, ITEM_MAX);
	switch (k) {
	case FW_CFG_SIGNATURE: memcpy(out, "QEMU", 4); return 4;
	case FW_CFG_ID: out[0] = FW_CFG_VERSION; return 4;
	case FW_CFG_FILE_DIR: /* BE count 1; BE size 20, BE key 0x20, reserved, "etc/e820" */
		out[3] = 1;
		out[7] = 20;
		out[9] = 0x20;
		memcpy(out + 12, "etc/e820", 8);
		return 68;
	case 0x20: /* etc/e820: { 0, ram, 1 } little-endian */
		for (int i = 0; i < 8; i++)
			out[8 + i] = (u8)(ram >> (8 * i));
		out[16] = 1;
		return 20;
	case FW_CFG_NB_CPUS:
	case FW_CFG_MAX_CPUS: out[0] = (u8)cpus; out[1] = (u8)(cpus >> 8); return 2;
	case FW_CFG_RAM_SIZE:
		for (int i = 0; i < 8; i++)
			out[i] = (u8)(ram >> (8 * i));
		return 8;
	default: return 0;
	}
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct fuzz_in in = fuzz_in(data, size);
	u64 ram = fuzz_u64(&in);
	u16 cpus = fuzz_u16(&in);
	struct fwcfg f;
	u16 sel = FW_CFG_SIGNATURE;
	u32 pos = 0;
	u8 item[ITEM_MAX];

	fwcfg_init(&f, ram, cpus);
	FUZZ_CHECK(f.nitems <= FWCFG_MAX_ITEMS);
	for (int op = 0; op < MAX_OPS && !fuzz_empty(&in); op++) {
		u8 ctl = fuzz_u8(&in);
		u16 port = ctl & 1 ? 1 : (ctl & 0x80 ? (u16)fuzz_u16(&in) : 0); /* mostly the two real ports */
		u8 width = (u8)(1u << ((ctl >> 1) & 3)); /* 1, 2, 4 or 8 (not an x86 width: must be refused) */
		bool is_in = ctl & 8;
		u32 value = ctl & 16 ? fuzz_u16(&in) : fuzz_u8(&in);

		u32 got = fwcfg_io(&f, port, width, is_in, value);
		if (!is_in) {
			FUZZ_CHECK(got == 0);
			if (port == 0 && width == 2) { /* the one access that selects */
				sel = (u16)value;
				pos = 0;
			}
			continue;
		}
		u32 len = expected_item(sel, ram, cpus, item);
		u32 want = 0;
		if (port < FW_CFG_CTL_SIZE && width == 1 && pos < len)
			want = item[pos++];
		FUZZ_CHECK(got == want);
	}
	return 0;
}
