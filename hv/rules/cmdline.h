/* microhv's command line (UEFI load options or \microhv.cfg): space-separated key=value words.
 *   test=NAME[,NAME...]   run only these tests (built-in or from guest=; @GROUP: a group of suite.txt)
 *   guest=PATH            also run this Multiboot image from the boot volume (repeatable); the words
 *                         below that follow it, up to the next guest=, describe how it is booted, each
 *                         at most once, as QEMU's options of the same names would:
 *     append=ARGS           its arguments: the guest's command line is "PATH ARGS" (QEMU: -append)
 *     initrd=FILE[ ARGS][,FILE[ ARGS]...]   Multiboot modules, each a file from the boot volume whose
 *                           string is "FILE ARGS" as written (QEMU: -initrd; up to CMDLINE_MAX_MODULES,
 *                           no ",," escape for a comma inside a module string)
 *     smp=N                 N vCPUs (1..CMDLINE_MAX_VCPUS; default 1) (QEMU: -smp N)
 *     mem=SIZE              its RAM: MiB, or with an M or G suffix (2 MiB..2 GiB; default 128 MiB, as
 *                           QEMU's) (QEMU: -m SIZE)
 *     timeout=S             its watchdog in seconds (1..3600; default 20 s)
 *   platform=LABEL        the platform name printed in TAP lines (default: hw)
 *   exit=halt|shutdown|debug-port   what to do when the suite is done (default: halt)
 *   log=error|warn|info|debug
 *   console=serial|screen|both   where console output goes (default both; screen: the GOP framebuffer,
 *                         when the firmware offers one)
 *   serial=0x3F8|0x2F8    the console UART: COM1 (default) or COM2
 *   pcpus=N               use at most N physical CPUs, the boot CPU included (1..CMDLINE_MAX_PCPUS;
 *                         default: every enabled processor of the ACPI MADT); pcpus=1 starts no AP
 *   ap-fault=silent|locked   (debug only) the first AP is never sent its STARTUP IPIs, or locks VMX/SVM
 *                         off before its set-up: it must be reported and left out, and the rest go on
 *   selftest=text-write|rodata-write|data-exec|stack-overflow   (debug only, not in the README) make the
 *                         hypervisor fault on purpose after its set-up, to show that W^X and the stack
 *                         guard pages hold and that the fault report names what was hit
 * A value with spaces is written in double quotes: append="a b  c", initrd="\m.bin x y". The quotes are
 * not part of the value and may stand anywhere in the word; a value cannot itself hold a double quote.
 * A word that starts with # begins a comment that runs to the end of the line (config files).
 * Pure: used by boot/ (to find guest and module files) and by hv/. */
#ifndef HV_CMDLINE_H
#define HV_CMDLINE_H

#include "../lib/types.h"

#define CMDLINE_MAX_TESTS 32
#define CMDLINE_MAX_GUESTS 24
#define CMDLINE_MAX_MODULES 4
#define CMDLINE_MAX_VCPUS 1024
#define CMDLINE_MAX_PCPUS 64 /* MADT_MAX_CPUS */
#define CMDLINE_NAME_MAX 128   /* a path, or a module's "FILE ARGS", with its NUL */
#define CMDLINE_APPEND_MAX 2048 /* QEMU passes kilobytes; the whole command line holds BOOT_CMDLINE_MAX */
#define CMDLINE_LABEL_MAX 32
#define CMDLINE_MIN_MEM_MIB 2
#define CMDLINE_MAX_MEM_MIB 2048 /* below the 32-bit MMIO hole */
#define CMDLINE_DEFAULT_MEM_MIB 128 /* QEMU's default -m */
#define CMDLINE_MAX_TIMEOUT_S 3600
#define MIB_PER_GIB 1024

enum finish_action { FINISH_HALT, FINISH_SHUTDOWN, FINISH_DEBUG_PORT };
enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };
enum console_target { CONSOLE_SERIAL = 1, CONSOLE_SCREEN = 2, CONSOLE_BOTH = 3 }; /* bits: serial, screen */
#define CMDLINE_COM1 0x3F8
#define CMDLINE_COM2 0x2F8
/* ap-fault=: the first AP fails on purpose, to show that a bad pCPU is reported and left out. */
enum ap_fault { AP_FAULT_NONE, AP_FAULT_SILENT /* never sent its STARTUP IPIs */,
		AP_FAULT_LOCKED /* locks VMX/SVM off itself before its set-up, as firmware can */ };
enum host_selftest { SELFTEST_NONE, SELFTEST_TEXT_WRITE, SELFTEST_RODATA_WRITE, SELFTEST_DATA_EXEC,
		     SELFTEST_STACK_OVERFLOW };

struct cmdline_module {
	char string[CMDLINE_NAME_MAX]; /* "FILE[ ARGS]" exactly as written: what the guest sees */
	u32 file_len;                  /* the file name is string[0, file_len): up to the first space */
};

struct cmdline_guest {
	char path[CMDLINE_NAME_MAX];
	char append[CMDLINE_APPEND_MAX]; /* "" if not given */
	u32 vcpus;                       /* 0 if not given: one vCPU */
	u32 mem_mib;                     /* 0 if not given: CMDLINE_DEFAULT_MEM_MIB */
	u32 timeout_s;                   /* 0 if not given: the runner's default */
	u32 nmods;
	struct cmdline_module mods[CMDLINE_MAX_MODULES];
	u32 given; /* CMDLINE_GIVEN_* bits of the options seen, each allowed once */
	char error[96]; /* its first bad option, empty if none: that guest fails, the others still run */
};

struct cmdline {
	u32 ntests;
	char tests[CMDLINE_MAX_TESTS][CMDLINE_LABEL_MAX];
	u32 nguests;
	struct cmdline_guest guests[CMDLINE_MAX_GUESTS];
	char platform[CMDLINE_LABEL_MAX];
	enum finish_action finish;
	enum log_level log_level;
	enum console_target console;
	u16 serial_port; /* CMDLINE_COM1 or CMDLINE_COM2 */
	enum host_selftest selftest;
	u32 pcpus;            /* pcpus=N: at most N physical CPUs (0: every one the MADT lists) */
	enum ap_fault ap_fault;
	char error[160]; /* the first problem found, empty if none */
};

/* Parses s into *out (always filled with defaults first). Returns 0, or -EINVAL with out->error set;
 * the words before and after a bad word are still applied. A bad option of a guest= (append=, initrd=,
 * smp=, mem=, timeout= with a bad value, or given twice) is not a command-line error: it goes into that
 * guest's error, and only that guest fails. */
int cmdline_parse(const char *s, struct cmdline *out);

/* True if test `name` was selected (no test= word selects everything). */
bool cmdline_selects(const struct cmdline *c, const char *name);

/* Copies a module's file name (NUL-terminated) into dst, which holds CMDLINE_NAME_MAX bytes. */
void cmdline_module_file(const struct cmdline_module *m, char dst[CMDLINE_NAME_MAX]);

#endif
