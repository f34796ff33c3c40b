/* The test suite: built-in guests (generated from guest-tests/suite.txt) and what each must do. */
#ifndef HV_SUITE_H
#define HV_SUITE_H

#include "rules/loader/multiboot.h"
#include "rules/tap.h"
#include "lib/types.h"

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
};

/* A group of suite.txt ("@NAME member member ..."), selected with test=@NAME. */
struct suite_group {
	const char *name;    /* without the @ */
	const char *members; /* test names, separated by single spaces */
};

extern const struct suite_entry builtin_suite[];
extern const u32 builtin_suite_count;
extern const struct suite_group builtin_groups[];
extern const u32 builtin_group_count;
/* Every built-in image once, LZ-packed (hv/lib/lz.h, scripts/lzpack.c); builtin_images_size unpacked. */
extern const u8 builtin_images_packed[], builtin_images_packed_end[];
extern const u64 builtin_images_size;

/* The guest's image: a guest= file's own, or a built-in one (unpacked from the EFI file at the first
 * call). NULL with *why set if it cannot be had. */
const u8 *suite_image(const struct suite_entry *t, u64 *size, const char **why);
/* Unpacks the built-in images now, if not done yet (the runner calls it before it starts timing the
 * first built-in guest, so that guest's time does not include it). */
void suite_images_unpack(void);

#endif
