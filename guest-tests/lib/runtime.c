/* Runtime glue: IDT, boot checks, test_main(), plan, exit. */
#include "hv/rules/guest_abi.h"
#include "exc.h"
#include "hypercall.h"
#include "percpu.h"
#include "runtime.h"
#include "smp.h"
#include "serial.h"
#include "tap.h"
#include "x86.h"
#include "hv/lib/fmt.h"

#define MBI_FLAG_CMDLINE (1u << 2)
#define MBI_CMDLINE_OFFSET 16 /* u32 cmdline in struct multiboot_info */
#define PLATFORM_KEY "platform="
static const char *const emulator_prefixes[] = { "qemu-", "bochs-" };
/* CPUID 0x40000000 EBX, ECX, EDX of QEMU's TCG: "TCGTCGTCGTCG" (plain QEMU without microhv). */
#define CPUID_HV_BASE 0x40000000u
#define TCG_SIG_EBX 0x54474354u /* "TCGT" */
#define TCG_SIG_ECX 0x43544743u /* "CGTC" */
#define TCG_SIG_EDX 0x47435447u /* "GTCG" */
#define KVM_SIG_EBX 0x4B4D564Bu /* "KVMKVMKVM\0\0\0" */
#define KVM_SIG_ECX 0x564B4D56u
#define KVM_SIG_EDX 0x0000004Du

static u32 boot_mbi;
static u32 boot_magic;

struct cpu_local percpu_bsp; /* in .bss: entry.asm zeroes it */

void runtime_main(u32 mbi, u32 magic)
{
	boot_mbi = mbi;
	boot_magic = magic;
	percpu_bsp.self = &percpu_bsp;
	percpu_install(&percpu_bsp); /* before anything that keeps per-CPU state (exceptions, interrupts) */
	idt_init(); /* from here on any stray exception becomes a readable "not ok" */

	/* Only reported when wrong, so every test keeps the same case numbers on a healthy loader. */
	if (magic != MULTIBOOT_BOOTLOADER_MAGIC) {
		tap_result(false, "boot_magic");
		tap_diag("EAX at entry 0x%x, expected 0x%x", magic, MULTIBOOT_BOOTLOADER_MAGIC);
	}
	test_main();
	runtime_finish();
}

void runtime_finish(void)
{
	smp_report();
	tap_plan();
	guest_exit(tap_failures() ? GUEST_EXIT_FAIL : GUEST_EXIT_PASS);
}

void guest_exit(u32 status)
{
	serial_flush();
	outl(GUEST_EXIT_PORT, status);
	for (;;) { /* the exit port did not stop us (no such device): stay quiet */
		cli();
		hlt();
	}
}

u32 runtime_mbi(void)
{
	return boot_mbi;
}

u32 runtime_boot_magic(void)
{
	return boot_magic;
}

const char *runtime_cmdline(void)
{
	const u32 *mbi = (const u32 *)(u64)boot_mbi;
	if (!mbi || !(mbi[0] & MBI_FLAG_CMDLINE))
		return "";
	return (const char *)(u64)mbi[MBI_CMDLINE_OFFSET / sizeof(u32)];
}

/* True if `word` is one of the space-separated words of the command line. */
bool runtime_cmdline_has(const char *word)
{
	const char *s = runtime_cmdline();
	size_t n = strlen(word);
	for (const char *p = s; *p; p++)
		if ((p == s || p[-1] == ' ') && strncmp(p, word, n) == 0 && (p[n] == '\0' || p[n] == ' '))
			return true;
	return false;
}

/* microhv passes "NAME platform=LABEL [VM options]". */
bool runtime_platform_is(const char *label)
{
	char word[64];
	snprintf(word, sizeof(word), "platform=%s", label);
	return runtime_cmdline_has(word);
}

/* The value of the platform= word, or NULL if microhv named none. */
static const char *platform_label(void)
{
	const char *s = runtime_cmdline();
	size_t n = strlen(PLATFORM_KEY);
	for (const char *p = s; *p; p++)
		if ((p == s || p[-1] == ' ') && strncmp(p, PLATFORM_KEY, n) == 0)
			return p + n;
	return NULL;
}

/* CPUID 0x40000000 shows this hypervisor signature. */
static bool hv_signature_is(u32 ebx, u32 ecx, u32 edx)
{
	if (!(cpuid(1, 0).ecx & CPUID_1_ECX_HYPERVISOR))
		return false;
	struct cpuid_regs r = cpuid(CPUID_HV_BASE, 0);
	return r.ebx == ebx && r.ecx == ecx && r.edx == edx;
}

static bool cpu_is_tcg(void)
{
	return hv_signature_is(TCG_SIG_EBX, TCG_SIG_ECX, TCG_SIG_EDX);
}

bool runtime_plain_tcg(void)
{
	return !under_microhv() && cpu_is_tcg();
}

bool runtime_plain_kvm(void)
{
	return !under_microhv() && hv_signature_is(KVM_SIG_EBX, KVM_SIG_ECX, KVM_SIG_EDX);
}

bool runtime_on_emulator(void)
{
	const char *label = platform_label();
	if (!label)
		return cpu_is_tcg();
	for (u32 i = 0; i < ARRAY_SIZE(emulator_prefixes); i++)
		if (strncmp(label, emulator_prefixes[i], strlen(emulator_prefixes[i])) == 0)
			return true;
	return false;
}
