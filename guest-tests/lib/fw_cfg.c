/* QEMU fw_cfg, traditional I/O-port interface (see fw_cfg.h). */
#include "hv/lib/fmt.h"
#include "fw_cfg.h"
#include "x86.h"

static const char signature[4] = { 'Q', 'E', 'M', 'U' };

void fw_cfg_read(u16 key, void *buf, u32 n)
{
	u8 *p = buf;

	outw(FW_CFG_PORT_SEL, key);
	for (u32 i = 0; i < n; i++)
		p[i] = inb(FW_CFG_PORT_DATA);
}

u16 fw_cfg_read_u16(u16 key)
{
	u8 b[2];

	fw_cfg_read(key, b, sizeof(b));
	return (u16)(b[0] | b[1] << 8);
}

bool fw_cfg_present(void)
{
	char sig[sizeof(signature)];

	fw_cfg_read(FW_CFG_SIGNATURE, sig, sizeof(sig));
	return memcmp(sig, signature, sizeof(sig)) == 0;
}

u32 fw_cfg_cpu_count(void)
{
	return fw_cfg_present() ? fw_cfg_read_u16(FW_CFG_NB_CPUS) : 0;
}
