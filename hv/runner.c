/* Runs every selected guest in a fresh VM and reports TAP: each guest case becomes
 * "ok N - <platform>/<test>/<case>", plus one line per guest for how it ended. */
#include "runner.h"
#include "run_loop.h"
#include "console.h"
#include "lib/fmt.h"
#include "rules/guest_abi.h"
#include "rules/loader/multiboot.h"
#include "log.h"
#include "mm.h"
#include "platform/platform.h"
#include "rules/selection.h"
#include "rules/start_state.h"
#include "suite.h"
#include "suite_jobs.h"
#include "rules/tap.h"
#include "spinlock.h"
#include "time.h"
#include "vm.h"
#include "x86.h"

#define DEFAULT_TIMEOUT_MS 20000
#define MULTIBOOT_ENTRY_CR0 (CR0_PE | CR0_ET)
#define BUILTIN_ARGS_MAX 128

struct test_run {
	const struct suite_entry *t;
	const char *platform;
	struct suite_totals *totals;
	struct tap_stream tap; /* the guest's own TAP lines, judged when it ends */
	u32 deadline_ms;
	u32 echoed, suppressed; /* guest lines shown on the console, and dropped past the limit */
	u32 rebuilt;            /* result lines whose echo the console filter writes back (tap_line_rebuildable) */
};

/* A guest may not flood the console: past this many lines its output is counted, not shown (its TAP
 * lines are still judged). The largest suite guest, smp_1024, writes about 5,100. */
#define GUEST_ECHO_LINES_MAX 20000u

/* One suite line's job (hv/suite_jobs.h): a built-in guest, a guest= file, or only a line to report. */
struct runner_job {
	struct suite_job job;
	const struct backend *be;
	const char *platform;
	const struct suite_entry *t;            /* NULL: `error` is all there is */
	const char *name, *error, *error_case;  /* "<platform>/<name>/<error_case> # <error>" */
	bool skip;                              /* t's skip_on names this platform */
	struct suite_entry file;                /* a guest= file's entry (t points here) */
	struct mb_module mods[CMDLINE_MAX_MODULES];
	char file_error[CMDLINE_NAME_MAX + 96];
	struct suite_totals totals;
};

static void result(struct suite_totals *totals, bool ok, bool skip, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void result(struct suite_totals *totals, bool ok, bool skip, const char *fmt, ...)
{
	char text[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	suite_jobs_result(ok, text);
	if (skip)
		totals->skipped++;
	else if (ok)
		totals->passed++;
	else
		totals->failed++;
}
#define emit(totals, ok, ...) result(totals, ok, false, __VA_ARGS__)

/* The console filter finds the guest's name between the platform and the case name by the slashes. */
static bool has_slash(const char *s)
{
	while (*s && *s != '/')
		s++;
	return *s == '/';
}

/* Called for each line the guest writes to its UART. */
static void on_guest_line(void *ctx, const char *line)
{
	struct test_run *r = ctx;
	struct tap_line tl;

	tap_parse_line(line, &tl);
	/* A result line the suite line below repeats is not echoed: scripts/console-filter.sh writes it back
	 * into the logs, so the console carries it once (issue 12: the UART is the suite's slowest part). */
	bool rebuilt = r->t->expect == EXPECT_PASS && !has_slash(r->platform) &&
		       tap_line_rebuildable(line, &tl, r->rebuilt + 1);
	r->rebuilt += rebuilt;
	if (r->echoed < GUEST_ECHO_LINES_MAX) {
		r->echoed++;
		if (!rebuilt)
			console_printf("# %s| %s\n", r->t->name, line);
	} else {
		r->suppressed++;
	}
	tap_stream_feed(&r->tap, &tl);
	if (tl.kind == TAP_OK && tl.skip) {
		if (r->t->expect == EXPECT_PASS)
			result(r->totals, true, true, "%s/%s/%s # %s", r->platform, r->t->name, tl.description,
			       tl.directive);
	} else if (tl.kind == TAP_OK || tl.kind == TAP_NOT_OK) {
		if (r->t->expect == EXPECT_PASS) /* the harness guests' own cases are expected to fail */
			emit(r->totals, tl.kind == TAP_OK, "%s/%s/%s", r->platform, r->t->name, tl.description);
	}
}

/* A guest= kernel that printed no TAP line at all is judged as QEMU's isa-debug-exit user would: by the
 * status it wrote to the exit port (0: passed), its own output kept in the log. Built-in guests always
 * print TAP, so for them silence is a failure. */
static bool judged_by_exit_status(const struct test_run *r)
{
	const struct tap_stream *s = &r->tap;
	return r->t->append && !s->plan_seen && !s->bailed_out && !s->ok && !s->not_ok && !s->skipped;
}

/* Did the guest end the way its suite entry says? Writes the reason when it did not. */
static bool as_expected(const struct test_run *r, const struct vm *vm, u64 elapsed_ms, char *why, size_t n)
{
	enum tap_problem verdict = tap_stream_verdict(&r->tap);
	switch (r->t->expect) {
	case EXPECT_PASS:
		if (vm->outcome != VM_EXITED)
			snprintf(why, n, "%s at rip 0x%llx: %s", vm_outcome_name(vm->outcome), vm->stop_rip, vm->stop_detail);
		else if (vm->exit_status != 0)
			snprintf(why, n, "exit status %u%s", vm->exit_status,
				 judged_by_exit_status(r) ? " (no TAP lines: the exit port decides)" : "");
		else if (judged_by_exit_status(r))
			return true;
		else if (verdict != TAP_FINE)
			tap_problem_explain(&r->tap, verdict, why, n);
		else
			return true;
		return false;
	case EXPECT_FAIL_ASSERT:
		snprintf(why, n, "%u failed case(s), outcome %s", r->tap.not_ok, vm_outcome_name(vm->outcome));
		return vm->outcome == VM_EXITED && r->tap.not_ok > 0;
	case EXPECT_FAIL_TAP: /* a clean exit 0 that only the TAP stream gives away */
		tap_problem_explain(&r->tap, verdict, why, n);
		if (vm->outcome != VM_EXITED || vm->exit_status != 0)
			snprintf(why, n, "%s, status %u (expected a clean exit)", vm_outcome_name(vm->outcome),
				 vm->exit_status);
		return vm->outcome == VM_EXITED && vm->exit_status == 0 && verdict == r->t->expect_tap;
	case EXPECT_FAIL_TRIPLE:
		snprintf(why, n, "%s at rip 0x%llx", vm_outcome_name(vm->outcome), vm->stop_rip);
		return vm->outcome == VM_TRIPLE_FAULT;
	case EXPECT_FAIL_TIMEOUT: /* and not before its deadline: the watchdog, not something else, stopped it */
		snprintf(why, n, "%s after %llu ms of a %u ms watchdog%s, last rip 0x%llx", vm_outcome_name(vm->outcome),
			 elapsed_ms, r->deadline_ms, r->t->timeout_ms ? "" : " (the default)", vm->stop_rip);
		return vm->outcome == VM_TIMEOUT && elapsed_ms >= r->deadline_ms;
	case EXPECT_FAIL_HALT:
		snprintf(why, n, "%s at rip 0x%llx", vm_outcome_name(vm->outcome), vm->stop_rip);
		return vm->outcome == VM_HALTED_FOREVER;
	case EXPECT_FAIL_ENTRY:
		snprintf(why, n, "%s: %s", vm_outcome_name(vm->outcome), vm->stop_detail);
		return vm->outcome == VM_ENTRY_FAILED;
	case EXPECT_FAIL_RESET:
		snprintf(why, n, "%s at rip 0x%llx: %s", vm_outcome_name(vm->outcome), vm->stop_rip, vm->stop_detail);
		return vm->outcome == VM_RESET;
	case EXPECT_FAIL_POWEROFF:
		snprintf(why, n, "%s at rip 0x%llx: %s", vm_outcome_name(vm->outcome), vm->stop_rip, vm->stop_detail);
		return vm->outcome == VM_POWER_OFF;
	case EXPECT_FAIL_EXIT:
		snprintf(why, n, "%s, status %u (expected %u)", vm_outcome_name(vm->outcome), vm->exit_status,
			 r->t->expect_status);
		return vm->outcome == VM_EXITED && vm->exit_status == r->t->expect_status;
	}
	return false;
}

/* mb_reason() (hv/rules/loader/multiboot.c) writes a parse failure's text into one static buffer: jobs on
 * other pCPUs parse one at a time, each copying its reason out before the next parse. */
struct load_reason {
	char text[200];
};
static struct spinlock parse_lock;

static int parse_guest(const u8 *image, u64 size, u64 ram_size, struct mb_image *img, struct load_reason *r,
		       const char **why)
{
	spin_lock(&parse_lock);
	int err = multiboot_parse(image, size, ram_size, img, why);
	if (err) {
		snprintf(r->text, sizeof(r->text), "%s", *why);
		*why = r->text;
	}
	spin_unlock(&parse_lock);
	return err;
}

static int load_guest(struct vm *vm, const struct suite_entry *t, const char *platform, struct start_state *entry,
		      struct load_reason *reason, const char **why)
{
	char args[BUILTIN_ARGS_MAX];
	struct mb_image img;
	u32 mbi;
	u64 size;
	const u8 *image = suite_image(t, &size, why);
	if (!image)
		return -EINVAL;
	int err = parse_guest(image, size, vm->ram_size, &img, reason, why);
	if (err)
		return err;
	/* A built-in guest learns its platform and VM options only to name a documented emulator gap in a
	 * SKIP; a guest= file gets exactly its append= text, as on QEMU. */
	if (!t->append)
		snprintf(args, sizeof(args), "platform=%s%s%s%s%s", platform,
			 t->cd_nw_passthrough ? " cd-nw-passthrough" : "", t->apic_32bit_ids ? " apic-32bit-ids" : "",
			 t->no_broadcast_quirk ? " no-broadcast-quirk" : "", t->no_apicv ? " no-apicv" : "");
	const struct mb_boot boot = { .kernel_name = t->name, .append = t->append ? t->append : args,
				      .mods = t->mods, .nmods = t->nmods };
	err = multiboot_load(vm->ram, vm->ram_size, image, &img, &boot, &mbi, why);
	if (err)
		return err;
	start_state_multiboot(entry, img.entry, MULTIBOOT_ENTRY_CR0, MULTIBOOT_BOOTLOADER_MAGIC, mbi);
	return 0;
}

static void run_one(const struct backend *be, const struct suite_entry *t, const char *platform,
		    struct suite_totals *totals)
{
	struct test_run r = { .t = t, .platform = platform, .totals = totals,
			      .deadline_ms = t->timeout_ms ? t->timeout_ms : DEFAULT_TIMEOUT_MS };
	struct start_state entry;
	const char *why = "";
	struct load_reason load_why;
	char reason[200];
	u64 start_ms = time_ms();

	const struct vm_config config = { .cd_nw_passthrough = t->cd_nw_passthrough,
					  .apic_32bit_ids = t->apic_32bit_ids,
					  .no_broadcast_quirk = t->no_broadcast_quirk,
					  .no_apicv = t->no_apicv,
					  .vcpus = t->vcpus ? t->vcpus : 1 };
	u64 ram_bytes = t->ram_mib ? (u64)t->ram_mib << 20 : VM_DEFAULT_RAM_BYTES;
retry:; /* after waiting for memory that the VMs of other pCPUs held */
	struct vm *vm = vm_create(be, t->name, ram_bytes, &config);
	if (!vm && suite_jobs_wait_for_memory()) {
		log_info("guest '%s': its %llu MiB were not free while other pCPUs ran VMs: tried again after one "
			 "ended", t->name, ram_bytes >> 20);
		goto retry;
	}
	if (!vm) {
		emit(totals, false, "%s/%s/completed # cannot create a VM with %llu MiB of RAM (out of memory?)", platform,
		     t->name, ram_bytes >> 20);
		return;
	}
	if (load_guest(vm, t, platform, &entry, &load_why, &why)) {
		log_error("guest '%s': %s", t->name, why);
		emit(totals, false, "%s/%s/load # %s", platform, t->name, why);
		vm_destroy(vm);
		return;
	}
	vm->uart.on_line = on_guest_line;
	vm->uart.ctx = &r;
	/* vCPU 0 (the BSP) enters the guest; the others wait for INIT-SIPI-SIPI like hardware APs. */
	u32 nvcpus = config.vcpus;
	for (u32 i = 0; i < nvcpus; i++) {
		int err = vm_add_vcpu(vm, i == 0 ? &entry : NULL);
		if (err == -ENOMEM) {
			vm_destroy(vm); /* all of it, so that no two waiting jobs hold half a VM each */
			if (suite_jobs_wait_for_memory())
				goto retry;
			vm = NULL;
		}
		if (err) {
			emit(totals, false, "%s/%s/completed # cannot create vCPU %u of %u (%s)", platform, t->name, i,
			     nvcpus, err == -EINVAL ? "more than the VM limit" : "out of memory");
			vm_destroy(vm); /* NULL if already destroyed */
			return;
		}
	}
	if (platform_setup(vm, &why)) {
		log_error("guest '%s': %s", t->name, why);
		emit(totals, false, "%s/%s/load # %s", platform, t->name, why);
		vm_destroy(vm);
		return;
	}
	u64 run_start_ms = time_ms();
	vm_run(vm, rdtsc() + ms_to_tsc(r.deadline_ms));
	bool ok = as_expected(&r, vm, time_ms() - run_start_ms, reason, sizeof(reason));
	if (r.suppressed)
		log_warn("guest '%s' wrote %u more lines than the %u shown", t->name, r.suppressed, GUEST_ECHO_LINES_MAX);
	const char *label = t->expect == EXPECT_PASS ? "completed" : "misbehaviour-detected";
	const char *clean = judged_by_exit_status(&r) ? "exit status 0 (no TAP lines: the exit port decides, as on QEMU)" :
							  "clean exit";
	emit(totals, ok, "%s/%s/%s # %s%s (%llu ms, %llu exits)", platform, t->name, label, ok ? "" : "FAILED: ",
	     ok && t->expect == EXPECT_PASS ? clean : reason, time_ms() - start_ms, vm_total_exits(vm));
	vm_destroy(vm);
}

static const struct boot_file *find_file(const struct boot_info *bi, const char *name)
{
	for (u32 i = 0; i < bi->nfiles; i++)
		if (strcmp(bi->files[i].name, name) == 0)
			return &bi->files[i];
	return NULL;
}

/* The guest's image and modules as boot/ read them; NULL with *error set if one is missing. */
static const struct boot_file *guest_files(const struct boot_info *bi, const struct cmdline_guest *g,
					   struct mb_module mods[CMDLINE_MAX_MODULES], const char **error)
{
	static char reason[CMDLINE_NAME_MAX + 64]; /* the boot CPU's, before any job runs */
	char name[CMDLINE_NAME_MAX];

	for (u32 i = 0; i < g->nmods; i++) {
		cmdline_module_file(&g->mods[i], name);
		const struct boot_file *m = find_file(bi, name);
		if (!m || !m->data) {
			snprintf(reason, sizeof(reason), "module '%s': %s", name, m ? m->error : "not read by boot/");
			*error = reason;
			return NULL;
		}
		mods[i] = (struct mb_module){ .data = m->data, .size = m->size, .string = g->mods[i].string };
	}
	const struct boot_file *f = find_file(bi, g->path);
	if (!f || !f->data)
		*error = f ? f->error : "not read by boot/";
	return f && f->data ? f : NULL;
}

/* A guest= file's job: expected to pass; one that could not be read, or has a bad option, fails. */
static void file_job(struct runner_job *j, const struct cmdline *cl, const struct boot_info *bi,
		     const struct cmdline_guest *g)
{
	j->name = g->path;
	j->error_case = "load";
	if (g->error[0]) { /* one bad option fails this guest only (cmdline.h) */
		snprintf(j->file_error, sizeof(j->file_error), "bad option: %s", g->error);
		j->error = j->file_error;
		return;
	}
	const char *error;
	const struct boot_file *f = guest_files(bi, g, j->mods, &error);
	if (!f) {
		snprintf(j->file_error, sizeof(j->file_error), "%s", error);
		j->error = j->file_error;
		return;
	}
	j->file = (struct suite_entry){ .name = g->path, .image = f->data, .image_end = f->data + f->size,
					.vcpus = g->vcpus, .append = g->append, .mods = j->mods, .nmods = g->nmods,
					.ram_mib = g->mem_mib ? g->mem_mib : CMDLINE_DEFAULT_MEM_MIB,
					.timeout_ms = g->timeout_s * 1000 };
	j->t = &j->file;
}

static struct selection_tables builtin_tables(void)
{
	return (struct selection_tables){ .suite = builtin_suite, .nsuite = builtin_suite_count,
					  .groups = builtin_groups, .ngroups = builtin_group_count };
}

bool runner_selection_valid(const struct cmdline *cl)
{
	const struct selection_tables tab = builtin_tables();
	const char *unknown = selection_unknown_word(cl, &tab);
	if (!unknown)
		return true;
	/* One line, however long: the names a test= word may take, so the fix is in front of the user. */
	console_printf("Bail out! microhv: unknown test '%s' in test= (known:", unknown);
	for (u32 i = 0; i < tab.nsuite; i++)
		console_printf(" %s", tab.suite[i].name);
	for (u32 i = 0; i < tab.ngroups; i++)
		console_printf(" @%s", tab.groups[i].name);
	for (u32 i = 0; i < cl->nguests; i++)
		console_printf(" %s", cl->guests[i].path);
	console_printf(")\n");
	return false;
}

static void run_job(struct suite_job *job)
{
	struct runner_job *j = job->ctx;
	if (j->error) {
		log_error("guest '%s': %s", j->name, j->error);
		emit(&j->totals, false, "%s/%s/%s # %s", j->platform, j->name, j->error_case, j->error);
	} else if (j->skip) {
		result(&j->totals, true, true, "%s/%s/completed # SKIP %s", j->platform, j->t->name, j->t->skip_reason);
	} else {
		run_one(j->be, j->t, j->platform, &j->totals);
	}
}

/* The selected suite lines in suite order: built-in guests, then guest= files. */
static u32 make_jobs(struct runner_job *jobs, const struct cmdline *cl, const struct boot_info *bi)
{
	const struct selection_tables tab = builtin_tables();
	u32 n = 0;
	for (u32 i = 0; i < builtin_suite_count; i++) {
		const struct suite_entry *t = &builtin_suite[i];
		if (!selection_picks_builtin(cl, &tab, t->name) || (t->manual && !cl->ntests))
			continue;
		jobs[n].t = t;
		jobs[n++].skip = t->skip_on && strcmp(t->skip_on, cl->platform) == 0;
	}
	for (u32 i = 0; i < cl->nguests; i++)
		if (cmdline_selects(cl, cl->guests[i].path))
			file_job(&jobs[n++], cl, bi, &cl->guests[i]);
	return n;
}

struct suite_totals runner_run_suite(const struct backend *be, const struct cmdline *cl, const struct boot_info *bi)
{
	struct suite_totals totals = { 0 };
	u32 most = builtin_suite_count + cl->nguests;
	u64 pages = ALIGN_UP(most * (sizeof(struct runner_job) + sizeof(struct suite_job)), PAGE_SIZE) / PAGE_SIZE;
	struct runner_job *jobs = mm_alloc_pages(pages, PAGE_SIZE);
	if (!jobs) {
		emit(&totals, false, "%s/suite # no memory for %u suite jobs", cl->platform, most);
		console_printf("1..%u\n", suite_jobs_results());
		return totals;
	}
	struct suite_job *list = (struct suite_job *)(jobs + most);
	u32 n = make_jobs(jobs, cl, bi);
	suite_images_unpack(); /* once, before any pCPU needs an image */
	for (u32 i = 0; i < n; i++) {
		jobs[i].be = be;
		jobs[i].platform = cl->platform;
		list[i] = (struct suite_job){ .run = run_job, .ctx = &jobs[i],
					      .after_previous = jobs[i].t && jobs[i].t->after_previous,
					      .weight = jobs[i].t && !jobs[i].skip ? MAX(jobs[i].t->vcpus, 1u) : 0 };
	}
	suite_jobs_run(list, n);
	for (u32 i = 0; i < n; i++) {
		totals.passed += jobs[i].totals.passed;
		totals.failed += jobs[i].totals.failed;
		totals.skipped += jobs[i].totals.skipped;
	}
	if (!n) { /* a guest file that is present but not selected does not count */
		log_error("no test matches the test= selection");
		emit(&totals, false, "%s/selection # no test matches", cl->platform);
	}
	console_printf("1..%u\n", suite_jobs_results());
	mm_free_pages(jobs, pages);
	return totals;
}
