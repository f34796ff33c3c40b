/* hv_entry: from boot/ to a running suite. */
#include "../boot/boot_info.h"
#include "ap_start.h"
#include "backend.h"
#include "rules/cmdline.h"
#include "console.h"
#include "cpu.h"
#include "finish.h"
#include "guest_xstate.h"
#include "host_mmu.h"
#include "log.h"
#include "mm.h"
#include "pcpu.h"
#include "runner.h"
#include "selftest.h"
#include "time.h"

#define MICROHV_VERSION "0.1"

static u64 highest_ram_address(const struct boot_info *bi)
{
	u64 top = 0;
	for (u32 i = 0; i < bi->nmem; i++)
		if (bi->mem[i].type == BOOT_MEM_USABLE || bi->mem[i].type == BOOT_MEM_HV)
			top = MAX(top, bi->mem[i].base + bi->mem[i].size);
	return top;
}

/* The command line on one log line: a config file's newlines become spaces. */
static const char *one_line(const char *s, char *buf, size_t cap)
{
	size_t n = 0;
	for (; s[n] && n + 1 < cap; n++)
		buf[n] = s[n] == '\n' ? ' ' : s[n];
	buf[n] = '\0';
	return buf;
}

static void print_summary(const struct suite_totals *t, u64 start_ms)
{
	log_info("suite finished in %llu ms: %u passed, %u failed, %u skipped", time_ms() - start_ms, t->passed,
		 t->failed, t->skipped);
	console_printf("%u passed, %u failed\n", t->passed, t->failed);
}

void hv_entry(struct boot_info *bi)
{
	static char cmdline_text[BOOT_CMDLINE_MAX];

	finish_mark_entry();
	console_init();
	mm_init(bi->pool_base, bi->pool_size);
	/* Large (every guest's options): neither on the hypervisor's stack nor in the EFI file's .data. */
	struct cmdline *cl = mm_alloc_pages(ALIGN_UP(sizeof(*cl), PAGE_SIZE) / PAGE_SIZE, PAGE_SIZE);
	if (!cl) {
		console_printf("Bail out! microhv: no memory for the command line\n");
		hv_finish(HV_STATUS_PANIC);
	}
	int cmdline_err = cmdline_parse(bi->cmdline, cl);
	log_threshold = cl->log_level;
	console_configure(cl->console, cl->serial_port, &bi->fb);
	finish_configure(cl->finish, bi->shutdown);
	console_buffer();
	host_mmu_describe(bi);
	pcpu_discover(bi, cmdline_err ? 1 : cl->pcpus); /* their stacks' guard pages: before the map */
	cpu_setup_bsp(highest_ram_address(bi));
	pcpu_make_current(pcpu_get(0)); /* loading GS with the new GDT's selector cleared its base */
	log_info("microhv " MICROHV_VERSION ": image at 0x%llx, %llu MiB pool, command line '%s'", bi->image_base,
		 bi->pool_size >> 20, one_line(bi->cmdline, cmdline_text, sizeof(cmdline_text)));
	time_init();
	u64 start_ms = time_ms();
	if (bi->cmdline_source_bytes >= BOOT_CMDLINE_MAX) { /* never run a truncated configuration */
		console_printf("Bail out! microhv: bad command line: %s is %llu bytes; at most %u are read\n",
			       bi->cmdline_source, bi->cmdline_source_bytes, BOOT_CMDLINE_MAX - 1);
		hv_finish(HV_STATUS_BAD_CMDLINE);
	}
	if (cmdline_err) {
		console_printf("Bail out! microhv: bad command line: %s\n", cl->error);
		hv_finish(HV_STATUS_BAD_CMDLINE);
	}
	if (!runner_selection_valid(cl))
		hv_finish(HV_STATUS_BAD_CMDLINE);
	if (cl->selftest)
		selftest_run(cl->selftest);
	const struct backend *be = backend_probe();
	struct pcpu *boot_cpu = pcpu_get(0);
	if (!be || be->cpu_init(boot_cpu)) {
		if (be)
			log_error("%s", boot_cpu->why);
		console_printf("Bail out! microhv: cannot enable hardware virtualization on this CPU\n");
		hv_finish(HV_STATUS_NO_VIRT);
	}
	host_tick_start(); /* also enables the boot CPU's APIC, which sends the APs' IPIs */
	log_info("%u pCPUs online", ap_start_all(be, bi->ap_trampoline, cl->ap_fault));
	guest_xstate_probe();
	log_info("back end %s, platform %s", be->name, cl->platform);
	struct suite_totals totals = runner_run_suite(be, cl, bi);
	print_summary(&totals, start_ms);
	hv_finish(totals.failed ? HV_STATUS_SOME_FAILED : HV_STATUS_ALL_PASSED);
}
