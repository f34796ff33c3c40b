/* What a test of the suite is: its image, what it must do, its VM options (the table itself, built from
 * guest-tests/suite.txt, and its images are hv/suite.h). */
#ifndef HV_RULES_SUITE_ENTRY_H
#define HV_RULES_SUITE_ENTRY_H

#include "loader/multiboot.h"
#include "tap.h"
#include "../lib/types.h"

/* What a guest is expected to do. The harness guests misbehave on purpose: the runner passes them
 * only if it detected exactly that misbehaviour. */
enum expectation {
	EXPECT_PASS,        /* every TAP case ok, plan complete, exit status 0 */
	EXPECT_FAIL_ASSERT, /* at least one "not ok" case, then a normal exit */
	EXPECT_FAIL_TRIPLE, /* a triple fault */
	EXPECT_FAIL_TIMEOUT,/* still running at its deadline */
	EXPECT_FAIL_HALT,   /* halted with nothing that could wake it */
	EXPECT_FAIL_EXIT,   /* exit port with a given nonzero status */
	EXPECT_FAIL_ENTRY,  /* a VM entry the hardware refused */
	EXPECT_FAIL_TAP,    /* a clean exit 0 whose TAP stream has the problem expect_tap */
	EXPECT_FAIL_RESET,  /* the guest reset the machine (0xCF9, port 0x92) */
	EXPECT_FAIL_POWEROFF, /* the guest powered off through ACPI S5 */
};

struct suite_entry {
	const char *name;
	const u8 *image, *image_end;
	enum expectation expect;
	u32 expect_status; /* for EXPECT_FAIL_EXIT */
	u32 timeout_ms;    /* 0: the default */
	bool manual;       /* runs only when named with test= (benchmarks) */
	const char *skip_on;     /* a platform label where the test cannot run, or NULL */
	const char *skip_reason; /* why (an emulator limitation), printed with the SKIP */
	bool cd_nw_passthrough;  /* the VM options of those names (struct vm_config) */
	bool apic_32bit_ids;
	bool no_broadcast_quirk;
	u32 vcpus;               /* 0 or 1: one vCPU; more: the BSP plus APs waiting for INIT-SIPI */
	bool no_apicv;           /* VM option (struct vm_config) */
	/* How a guest= file is booted (its append=, initrd=). append NULL marks a built-in guest, whose
	 * arguments the runner makes up: "platform=LABEL [VM options]". */
	const char *append;
	const struct mb_module *mods;
	u32 nmods;
	enum tap_problem expect_tap; /* for EXPECT_FAIL_TAP */
	u32 ram_mib;             /* 0: VM_DEFAULT_RAM_BYTES (the built-in guests); guest= files: mem= */
	/* A built-in guest (image NULL): its image in the unpacked builtin_images (suite_image()). */
	u32 image_offset, image_size;
	/* suite.txt after-previous: runs right after the line above, on the same pCPU (it checks what that
	 * guest left behind there). */
	bool after_previous;
};

/* A group of suite.txt ("@NAME member member ..."), selected with test=@NAME. */
struct suite_group {
	const char *name;    /* without the @ */
	const char *members; /* test names, separated by single spaces */
};

#endif
