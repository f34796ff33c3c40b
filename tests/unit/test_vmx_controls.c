/* Host unit tests for the VMX capability arithmetic (hv/vmx/rules/controls.h), fed with the capability MSRs that
 * hv/vmx/vmx.c logged on the two Bochs CPU models microhv runs on (bochs-vmx "tigerlake" and
 * "corei7_skylake_x"). The expected controls are the ones the real runs produced; the rules behind them
 * (SDM Vol. 3D Appendix A.3-A.8) are restated where a test needs them.
 *
 * Control bits are spelled as SDM bit numbers here, not taken from hv/vmx/vmcs.h; one test cross-checks
 * vmcs.h against them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "hv/lib/types.h"
#include "hv/vmx/rules/controls.h"
#include "hv/vmx/vmcs.h"

/* Capability MSRs 0x480-0x490 as captured. */
struct vmx_model {
	const char *name;
	u64 basic, pinbased, procbased, exit, entry, misc;
	u64 cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	u64 procbased2, ept_vpid_cap;
	u64 true_pin, true_proc, true_exit, true_entry;
};

static const struct vmx_model tigerlake = {
	.name = "tigerlake",
	.basic = 0x1d8100000000004ull,
	.pinbased = 0x7f00000016ull,
	.procbased = 0xfff9fffe0401e172ull,
	.exit = 0x107fffff00036dffull,
	.entry = 0x10ffff000011ffull,
	.misc = 0x600401e0ull,
	.cr0_fixed0 = 0x80000021ull,
	.cr0_fixed1 = 0xffffffffull,
	.cr4_fixed0 = 0x2000ull,
	.cr4_fixed1 = 0xf72fffull,
	.procbased2 = 0x2977fff00000000ull,
	.ept_vpid_cap = 0xf0106b34141ull,
	.true_pin = 0x7f00000016ull,
	.true_proc = 0xfff9fffe04006172ull,
	.true_exit = 0x107fffff00036dfbull,
	.true_entry = 0x10ffff000011fbull,
};

static const struct vmx_model skylake = {
	.name = "corei7_skylake_x",
	.basic = 0xd810000000002bull,
	.pinbased = 0x7f00000016ull,
	.procbased = 0xf7f9fffe0401e172ull,
	.exit = 0x7fffff00036dffull,
	.entry = 0xffff000011ffull,
	.misc = 0x600401e0ull,
	.cr0_fixed0 = 0x80000021ull,
	.cr0_fixed1 = 0xffffffffull,
	.cr4_fixed0 = 0x2000ull,
	.cr4_fixed1 = 0x3727ffull,
	.procbased2 = 0x2177fff00000000ull,
	.ept_vpid_cap = 0xf0106334141ull,
	.true_pin = 0x7f00000016ull,
	.true_proc = 0xf7f9fffe04006172ull,
	.true_exit = 0x7fffff00036dfbull,
	.true_entry = 0xffff000011fbull,
};

static const struct vmx_model *const models[] = { &tigerlake, &skylake };

/* SDM Vol. 3C §25.6-25.8 bit positions. */
#define B(n) (1u << (n))
/* What hv/vmx/vmx.c asks for (restated from the brief of its PIN_/PRIMARY_/... sets). */
#define WANT_PIN_REQUIRED (B(0) | B(3))       /* external-interrupt exiting, NMI exiting */
#define WANT_PIN_OPTIONAL B(6)                /* VMX-preemption timer */
#define WANT_PRIMARY_REQUIRED (B(7) | B(25) | B(28) | B(31)) /* HLT, I/O bitmaps, MSR bitmaps, secondary */
#define WANT_PRIMARY_CLEARED (B(15) | B(16) | B(9))          /* CR3-load, CR3-store, INVLPG exiting */
#define WANT_SECONDARY_REQUIRED (B(1) | B(7)) /* EPT, unrestricted guest */
#define WANT_SECONDARY_OPTIONAL B(5)          /* VPID */
#define WANT_EXIT_REQUIRED (B(9) | B(18) | B(19) | B(20) | B(21)) /* host AS size, save/load PAT, save/load EFER */
#define WANT_ENTRY_REQUIRED (B(14) | B(15))   /* load PAT, load EFER */
#define EXIT_SAVE_DEBUG_CONTROLS B(2)
#define ENTRY_LOAD_DEBUG_CONTROLS B(2)

/* The controls the real runs produced (identical on both models). */
#define REAL_PIN 0x5fu
#define REAL_PRIMARY 0x960061f2u
#define REAL_SECONDARY 0xa2u
#define REAL_EXIT 0x3f6ffbu
#define REAL_ENTRY 0xd1fbu

#define MISSING_POISON 0xA5A5A5A5u

static u32 adjust(u64 cap, u32 required, u32 optional, u32 *missing)
{
	*missing = MISSING_POISON; /* must always be written */
	return vmx_adjust_controls(cap, required, optional, missing);
}

/* vmcs.h spells the same bits. */
static void test_vmcs_bits_match_sdm(void **state)
{
	(void)state;
	assert_int_equal(PIN_EXTERNAL_INTERRUPT_EXITING | PIN_NMI_EXITING, WANT_PIN_REQUIRED);
	assert_int_equal(PIN_PREEMPTION_TIMER, WANT_PIN_OPTIONAL);
	assert_int_equal(PROC_HLT_EXITING | PROC_USE_IO_BITMAPS | PROC_USE_MSR_BITMAPS | PROC_ACTIVATE_SECONDARY,
			 WANT_PRIMARY_REQUIRED);
	assert_int_equal(PROC_CR3_LOAD_EXITING | PROC_CR3_STORE_EXITING | PROC_INVLPG_EXITING, WANT_PRIMARY_CLEARED);
	assert_int_equal(PROC2_ENABLE_EPT | PROC2_UNRESTRICTED_GUEST, WANT_SECONDARY_REQUIRED);
	assert_int_equal(PROC2_ENABLE_VPID, WANT_SECONDARY_OPTIONAL);
	assert_int_equal(EXIT_HOST_ADDRESS_SPACE_SIZE | EXIT_SAVE_PAT | EXIT_LOAD_PAT | EXIT_SAVE_EFER | EXIT_LOAD_EFER,
			 WANT_EXIT_REQUIRED);
	assert_int_equal(ENTRY_LOAD_PAT | ENTRY_LOAD_EFER, WANT_ENTRY_REQUIRED);
}

/* BASIC: both models report the TRUE_* MSRs (bit 55); only tigerlake drops the error-code consistency check
 * on event injection (bit 56), which the injection rules depend on (spec §2.5). */
static void test_basic_bits(void **state)
{
	(void)state;
	assert_int_equal(VMX_BASIC_TRUE_CONTROLS, 1ull << 55);
	assert_int_equal(VMX_BASIC_NO_HW_ERROR_CODE_CHECK, 1ull << 56);
	assert_true(tigerlake.basic & VMX_BASIC_TRUE_CONTROLS);
	assert_true(skylake.basic & VMX_BASIC_TRUE_CONTROLS);
	assert_true(tigerlake.basic & VMX_BASIC_NO_HW_ERROR_CODE_CHECK);
	assert_false(skylake.basic & VMX_BASIC_NO_HW_ERROR_CODE_CHECK);
	assert_int_equal(tigerlake.basic & VMX_BASIC_REVISION_MASK, 0x4);
	assert_int_equal(skylake.basic & VMX_BASIC_REVISION_MASK, 0x2b);
}

/* With the TRUE_* MSRs, each model gives exactly the controls of the real runs. */
static void test_real_runs(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(models); i++) {
		const struct vmx_model *m = models[i];
		u32 missing;
		print_message("model %s\n", m->name);

		assert_int_equal(adjust(m->true_pin, WANT_PIN_REQUIRED, WANT_PIN_OPTIONAL, &missing), REAL_PIN);
		assert_int_equal(missing, 0);

		u32 primary = adjust(m->true_proc, WANT_PRIMARY_REQUIRED, 0, &missing);
		assert_int_equal(missing, 0);
		assert_int_equal(primary, REAL_PRIMARY); /* what vmx_adjust_controls gives, as the runs used */
		/* microhv never requests CR3-load/-store or INVLPG exiting (EPT makes them pointless), and
		 * TRUE_PROC's allowed-0 word lets all three be 0, so they stay off. */
		assert_int_equal((u32)m->true_proc & WANT_PRIMARY_CLEARED, 0);
		assert_int_equal(primary & WANT_PRIMARY_CLEARED, 0);

		assert_int_equal(adjust(m->procbased2, WANT_SECONDARY_REQUIRED, WANT_SECONDARY_OPTIONAL, &missing),
				 REAL_SECONDARY);
		assert_int_equal(missing, 0);

		assert_int_equal(adjust(m->true_exit, WANT_EXIT_REQUIRED, 0, &missing), REAL_EXIT);
		assert_int_equal(missing, 0);

		assert_int_equal(adjust(m->true_entry, WANT_ENTRY_REQUIRED, 0, &missing), REAL_ENTRY);
		assert_int_equal(missing, 0);
	}
}

/* The rule itself (Appendix A.3.1): allowed-0 bits (31:0) are forced to 1, bits outside allowed-1 (63:32) are
 * never set; every result bit is legal for the capability. */
static void test_results_are_legal(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(models); i++) {
		const struct vmx_model *m = models[i];
		const u64 caps[] = { m->pinbased, m->procbased, m->exit, m->entry, m->procbased2,
				     m->true_pin, m->true_proc, m->true_exit, m->true_entry };
		for (size_t k = 0; k < ARRAY_SIZE(caps); k++) {
			u32 missing;
			const u32 wants[] = { 0, 0xFFFFFFFFu, 0x12345678u, 0x80000001u };
			for (size_t w = 0; w < ARRAY_SIZE(wants); w++) {
				u32 got = adjust(caps[k], 0, wants[w], &missing);
				assert_int_equal(missing, 0);
				assert_int_equal(got & (u32)caps[k], (u32)caps[k]);         /* must-be-one set */
				assert_int_equal(got & ~(u32)(caps[k] >> 32), 0);          /* nothing forbidden */
				assert_int_equal(got, (u32)caps[k] | (wants[w] & (u32)(caps[k] >> 32)));
			}
		}
	}
}

/* The non-TRUE MSRs force more bits to 1 (the "default1" class, Appendix A.2): EXIT vs TRUE_EXIT differ in
 * save-debug-controls (bit 2), ENTRY vs TRUE_ENTRY in load-debug-controls (bit 2), PROCBASED vs TRUE_PROC in
 * CR3-load/-store exiting. The TRUE variant lets microhv leave them 0. */
static void test_true_vs_default1(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(models); i++) {
		const struct vmx_model *m = models[i];
		u32 missing;

		/* The TRUE must-be-one sets are subsets of the non-TRUE ones; allowed-1 is the same. */
		assert_int_equal((u32)m->true_exit & ~(u32)m->exit, 0);
		assert_int_equal((u32)m->exit ^ (u32)m->true_exit, EXIT_SAVE_DEBUG_CONTROLS);
		assert_int_equal(m->exit >> 32, m->true_exit >> 32);
		assert_int_equal((u32)m->entry ^ (u32)m->true_entry, ENTRY_LOAD_DEBUG_CONTROLS);
		assert_int_equal((u32)m->procbased ^ (u32)m->true_proc, B(15) | B(16));
		assert_int_equal((u32)m->pinbased, (u32)m->true_pin);

		u32 exit_default1 = adjust(m->exit, WANT_EXIT_REQUIRED, 0, &missing);
		assert_int_equal(missing, 0);
		u32 exit_true = adjust(m->true_exit, WANT_EXIT_REQUIRED, 0, &missing);
		assert_int_equal(missing, 0);
		assert_true(exit_default1 & EXIT_SAVE_DEBUG_CONTROLS);
		assert_false(exit_true & EXIT_SAVE_DEBUG_CONTROLS);
		assert_int_equal(exit_default1, REAL_EXIT | EXIT_SAVE_DEBUG_CONTROLS);

		u32 entry_default1 = adjust(m->entry, WANT_ENTRY_REQUIRED, 0, &missing);
		assert_true(entry_default1 & ENTRY_LOAD_DEBUG_CONTROLS);
		assert_int_equal(entry_default1, REAL_ENTRY | ENTRY_LOAD_DEBUG_CONTROLS);

		/* Without TRUE_PROC the CR3 exits are forced on (default1); INVLPG exiting stays allowed-0. */
		u32 primary_default1 = adjust(m->procbased, WANT_PRIMARY_REQUIRED, 0, &missing);
		assert_int_equal(missing, 0);
		assert_int_equal(primary_default1 & WANT_PRIMARY_CLEARED, B(15) | B(16));
		assert_int_equal(primary_default1, REAL_PRIMARY | B(15) | B(16));
	}
}

/* `missing` reports required bits that allowed-1 forbids; they are not in the output. */
static void test_missing_required(void **state)
{
	(void)state;
	u32 missing;
	/* A made-up secondary capability: everything allowed except bit 0 (virtualize APIC accesses). */
	const u64 cap = 0xFFFFFFFEull << 32;
	u32 got = adjust(cap, B(0) | WANT_SECONDARY_REQUIRED, 0, &missing);
	assert_int_equal(missing, B(0));
	assert_int_equal(got & B(0), 0);
	assert_int_equal(got, WANT_SECONDARY_REQUIRED);

	/* Several missing at once: a capability that only allows EPT. */
	got = adjust(B(1) * (1ull << 32), WANT_SECONDARY_REQUIRED, WANT_SECONDARY_OPTIONAL, &missing);
	assert_int_equal(missing, B(7));
	assert_int_equal(got, B(1));

	/* A capability that allows nothing: every required bit missing, nothing set. */
	got = adjust(0, WANT_PRIMARY_REQUIRED, 0, &missing);
	assert_int_equal(missing, WANT_PRIMARY_REQUIRED);
	assert_int_equal(got, 0);

	/* Real models: a required bit neither allows. Skylake's PROCBASED2 lacks bit 23 (tigerlake has it)
	 * in allowed-1 (0x02177fff vs 0x02977fff). */
	got = adjust(skylake.procbased2, WANT_SECONDARY_REQUIRED | B(23), 0, &missing);
	assert_int_equal(missing, B(23));
	assert_int_equal(got, WANT_SECONDARY_REQUIRED);
	got = adjust(tigerlake.procbased2, WANT_SECONDARY_REQUIRED | B(23), 0, &missing);
	assert_int_equal(missing, 0);
	assert_int_equal(got, WANT_SECONDARY_REQUIRED | B(23));
}

/* Optional bits the CPU lacks are dropped without a report. */
static void test_optional_dropped(void **state)
{
	(void)state;
	u32 missing;
	/* A pin-based capability without the preemption timer: allowed-1 0x3f. */
	u32 got = adjust(0x3F00000016ull, WANT_PIN_REQUIRED, WANT_PIN_OPTIONAL, &missing);
	assert_int_equal(missing, 0);
	assert_int_equal(got, 0x1f);
	/* A secondary capability without VPID. */
	got = adjust(skylake.procbased2 & ~((u64)B(5) << 32), WANT_SECONDARY_REQUIRED, WANT_SECONDARY_OPTIONAL,
		     &missing);
	assert_int_equal(missing, 0);
	assert_int_equal(got, WANT_SECONDARY_REQUIRED);
	/* An optional bit that is also must-be-one stays (it is forced anyway). */
	got = adjust(0x7F00000016ull, 0, B(1), &missing);
	assert_int_equal(missing, 0);
	assert_int_equal(got, 0x16);
}

/* CR0 fixed bits (Appendix A.7): FIXED0 0x80000021 = PG|NE|PE must be 1, PE/PG exempt with unrestricted guest. */
static void test_fixed_cr0(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(models); i++) {
		const struct vmx_model *m = models[i];
		const u64 f0 = m->cr0_fixed0, f1 = m->cr0_fixed1;
		assert_int_equal(f0, 0x80000021ull);
		/* Unrestricted guest. */
		assert_int_equal(vmx_fixed_cr0(0x11, f0, f1, true), 0x31);       /* PE|ET: NE forced */
		assert_int_equal(vmx_fixed_cr0(0x10, f0, f1, true), 0x30);       /* real mode stays legal */
		assert_int_equal(vmx_fixed_cr0(0x00, f0, f1, true), 0x20);
		assert_int_equal(vmx_fixed_cr0(0x80000031, f0, f1, true), 0x80000031);
		/* Without it, PE and PG are forced too. */
		assert_int_equal(vmx_fixed_cr0(0x10, f0, f1, false), 0x80000031);
		assert_int_equal(vmx_fixed_cr0(0x11, f0, f1, false), 0x80000031);
		/* CD and NW are left alone (the caller clears them, spec R4.1). */
		assert_int_equal(vmx_fixed_cr0(0x60000010, f0, f1, true), 0x60000030);
		assert_int_equal(vmx_fixed_cr0(0x40000011, f0, f1, true), 0x40000031);
		assert_int_equal(vmx_fixed_cr0(0x60000010, f0, f1, false), 0xE0000031);
		/* FIXED1 0xffffffff: bits 63:32 must be 0. */
		assert_int_equal(vmx_fixed_cr0(0x100000011ull, f0, f1, true), 0x31);
	}
	/* A made-up FIXED1 that forbids CD: cleared. */
	assert_int_equal(vmx_fixed_cr0(0x40000011, 0x80000021, 0xBFFFFFFF, true), 0x31);
	/* The fixed-1 exemption is only for PE and PG: NE stays forced with unrestricted guest. */
	assert_int_equal(vmx_fixed_cr0(0, 0x80000021, 0xFFFFFFFF, true) & 0x20, 0x20);
}

/* CR4 fixed bits: FIXED0 0x2000 = VMXE; bits outside FIXED1 cleared. */
static void test_fixed_cr4(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(models); i++) {
		const struct vmx_model *m = models[i];
		assert_int_equal(vmx_fixed_cr4(0, m->cr4_fixed0, m->cr4_fixed1), 0x2000);
		assert_int_equal(vmx_fixed_cr4(0x20 | 0x80, m->cr4_fixed0, m->cr4_fixed1), 0x20A0);
		assert_int_equal(vmx_fixed_cr4(1ull << 32, m->cr4_fixed0, m->cr4_fixed1), 0x2000);
	}
	/* Bit 23 (CET): skylake's FIXED1 0x3727ff lacks it, tigerlake's 0xf72fff has it. */
	assert_int_equal(skylake.cr4_fixed1 & (1ull << 23), 0);
	assert_int_equal(vmx_fixed_cr4(0x20 | (1ull << 23), skylake.cr4_fixed0, skylake.cr4_fixed1), 0x2020);
	assert_int_equal(vmx_fixed_cr4(0x20 | (1ull << 23), tigerlake.cr4_fixed0, tigerlake.cr4_fixed1),
			 0x2020 | (1ull << 23));
	/* Bit 11 (UMIP) likewise: in tigerlake's FIXED1 only. */
	assert_int_equal(vmx_fixed_cr4(1ull << 11, skylake.cr4_fixed0, skylake.cr4_fixed1), 0x2000);
	assert_int_equal(vmx_fixed_cr4(1ull << 11, tigerlake.cr4_fixed0, tigerlake.cr4_fixed1), 0x2800);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vmcs_bits_match_sdm),
		cmocka_unit_test(test_basic_bits),
		cmocka_unit_test(test_real_runs),
		cmocka_unit_test(test_results_are_legal),
		cmocka_unit_test(test_true_vs_default1),
		cmocka_unit_test(test_missing_required),
		cmocka_unit_test(test_optional_dropped),
		cmocka_unit_test(test_fixed_cr0),
		cmocka_unit_test(test_fixed_cr4),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
