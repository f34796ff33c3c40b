/* The test-guest runtime: what runs around test_main() (docs/guest-abi.md, "Writing a test guest"). */
#ifndef GUEST_RUNTIME_H
#define GUEST_RUNTIME_H

#include "hv/lib/types.h"

#define GUEST_EXIT_PASS 0
#define GUEST_EXIT_FAIL 1

/* Defined by each test file. The runtime calls it once with the IDT installed, then prints the plan
 * and exits with GUEST_EXIT_PASS if no case failed, else GUEST_EXIT_FAIL. */
void test_main(void);

/* Entered from entry.asm in long mode. */
__attribute__((noreturn)) void runtime_main(u32 mbi, u32 magic);

/* Print the plan and exit with the pass/fail status, as if test_main() had returned. APs that died
 * or tried to print are reported first (smp_report()). BSP only. */
__attribute__((noreturn)) void runtime_finish(void);

/* Write `status` to the exit port; if the platform does not stop the guest, park the CPU. */
__attribute__((noreturn)) void guest_exit(u32 status);

/* What the loader passed in EBX and EAX. */
u32 runtime_mbi(void);
/* The Multiboot command line ("" if none). */
const char *runtime_cmdline(void);
/* True if microhv named this platform (platform=LABEL on the command line). Only for SKIPs that name
 * a documented emulator deviation, never to change what a test asserts. */
bool runtime_platform_is(const char *label);
/* True on a CPU emulator, where cache and timing effects are not modelled: microhv named a platform
 * starting with "qemu-" or "bochs-", or (no platform named, i.e. plain QEMU) CPUID reports QEMU's
 * TCG signature. Any other label ("hw") and any other CPU count as hardware. For SKIPs only. */
bool runtime_on_emulator(void);
/* True on plain QEMU TCG, without microhv (the reference run of scripts/run-direct.sh; not QEMU with
 * KVM). Only for SKIPs that name a documented QEMU deviation, never to change what a test asserts. */
bool runtime_plain_tcg(void);
/* True on plain QEMU with KVM (run-direct ACCEL=kvm): CPUID shows KVM's signature, not microhv's. */
bool runtime_plain_kvm(void);
/* True if the command line has this word, e.g. a VM option such as "cd-nw-passthrough". */
bool runtime_cmdline_has(const char *word);
u32 runtime_boot_magic(void);

/* Symbols from entry.asm: the main stack and the #DF (IST1) stack, for assertions about frames. */
extern char stack_bottom[], stack_top[];
extern char ist1_stack_bottom[], ist1_stack_top[];

#endif
