/* A kernel in the style of ordinary QEMU test kernels, not a suite guest: it prints plain lines, no TAP,
 * and ends through the exit port. Its command line picks the ending: "status=N" exits with N, "hang"
 * spins until the watchdog stops it; otherwise it prints its RAM size and exits with 0. Used by
 * scripts/check-bad-input.sh for the exit-status verdict, mem= and timeout= of guest= kernels. */
#include "guest.h"

#define MBI_MEM_UPPER 8 /* KiB above 1 MiB */
#define KIB_BELOW_1M 1024u

static u32 status_from(const char *cmdline)
{
	for (const char *p = cmdline; *p; p++) {
		if (p[0] == 's' && p[1] == 't' && p[2] == 'a' && p[3] == 't' && p[4] == 'u' && p[5] == 's' && p[6] == '=') {
			u32 n = 0;
			for (p += 7; *p >= '0' && *p <= '9'; p++)
				n = n * 10 + (u32)(*p - '0');
			return n;
		}
	}
	return 0;
}

void test_main(void)
{
	u32 mem_upper = *(volatile u32 *)(u64)(runtime_mbi() + MBI_MEM_UPPER);
	printf("PASS: plain kernel, %u KiB of RAM\n", mem_upper + KIB_BELOW_1M);
	if (runtime_cmdline_has("hang"))
		for (;;)
			cpu_relax();
	guest_exit(status_from(runtime_cmdline()));
}
