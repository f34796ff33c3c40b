/* Host unit tests for the guest CPUID policy (hv/rules/cpuid_policy.h, documented in docs/cpuid.md).
 * cpuid_policy_build() reads the host through a cpuid_source; here that is the table-driven fake of
 * tests/unit/cpuid_profiles.h over the real host CPUID of the four emulator CPU models microhv is tested on
 * (QEMU TCG -cpu max, Bochs tigerlake, skylake and ryzen), plus single-register overrides for hosts none of
 * them is (a host without x2APIC support, with max basic leaf 0x1F, without extended leaves, ...). Every
 * check goes through cpuid_policy_lookup(), i.e. what a guest would see.
 * Spec: /work/shared/spec/errata-behaviour.md §1 (x87 de-features, R1.1), §3 (R3.6 MTRR) and §5.4 (R5.1
 * APIC IDs). */
#include "cpuid_policy_fake.h"

/* ---- The profiles themselves ---- */

static void test_profiles(void **state)
{
	static const struct {
		const struct cpuid_profile *p;
		u32 max_basic, max_extended;
		const char *vendor;
	} want[] = {
		{ QEMU, 0xD, 0x8000000A, "AuthenticAMD" },
		{ TGL, 0x1B, 0x80000008, "GenuineIntel" },
		{ SKL, 0x16, 0x80000008, "GenuineIntel" },
		{ RYZEN, 0xD, 0x8000001F, "AuthenticAMD" },
	};

	assert_int_equal(NPROFILES, ARRAY_SIZE(want));
	for (unsigned i = 0; i < ARRAY_SIZE(want); i++) {
		const struct cpuid_profile *p = want[i].p;
		assert_ptr_equal(cpuid_profiles[i], p);
		assert_int_equal(cpuid_profile_max_basic(p), want[i].max_basic);
		assert_int_equal(cpuid_profile_max_extended(p), want[i].max_extended);
		char vendor[13] = { 0 };
		const struct cpuid_profile_row *r0 = cpuid_profile_row(p, 0, 0);
		memcpy(vendor, &r0->ebx, 4);
		memcpy(vendor + 4, &r0->edx, 4);
		memcpy(vendor + 8, &r0->ecx, 4);
		assert_string_equal(vendor, want[i].vendor);
		assert_int_equal(p->backend_kind, strcmp(vendor, "GenuineIntel") ? MICROHV_BACKEND_SVM : MICROHV_BACKEND_VMX);

		/* Every leaf in range has a subleaf-0 row; rows are unique; the only rows out of range are the two
		 * "past the range" probes, and the fake's out-of-range rule reproduces them. */
		for (u32 leaf = 0; leaf <= want[i].max_basic; leaf++)
			assert_non_null(cpuid_profile_row(p, leaf, 0));
		for (u32 leaf = 0x80000000u; leaf <= want[i].max_extended; leaf++)
			assert_non_null(cpuid_profile_row(p, leaf, 0));
		unsigned past = 0;
		for (unsigned j = 0; j < p->count; j++) {
			const struct cpuid_profile_row *r = &p->rows[j];
			assert_ptr_equal(cpuid_profile_row(p, r->leaf, r->subleaf), r);
			if (cpuid_profile_in_range(p, r->leaf))
				continue;
			past++;
			assert_true(r->leaf == want[i].max_basic + 1 || r->leaf == want[i].max_extended + 1);
			assert_int_equal(r->subleaf, 0);
			u32 out[4];
			cpuid_profile_read(p, r->leaf, 0, out);
			if (out[0] != r->eax || out[1] != r->ebx || out[2] != r->ecx || out[3] != r->edx)
				fail_msg("%s: the out-of-range rule gives %08x %08x %08x %08x for 0x%x, captured %08x %08x "
					 "%08x %08x", p->name, out[0], out[1], out[2], out[3], r->leaf, r->eax, r->ebx,
					 r->ecx, r->edx);
		}
		assert_int_equal(past, 2);
	}
	/* The rule differs: Skylake's 0x17 is its 0x16 (the Intel rule), Ryzen's 0xE is zero (the AMD rule). */
	assert_int_equal(host_reg(SKL, 0x17, 0, EBX), 0xFA0);
	assert_int_equal(host_reg(SKL, 0x40000000, 0, EBX), 0xFA0);
	assert_int_equal(host_reg(RYZEN, 0xE, 0, EBX), 0);
	assert_int_equal(host_reg(QEMU, 0x8000000B, 0, ECX), 0xA88);
	/* Leaves that ignore ECX ignore it in the fake too; indexed ones have their own rows, zero past them. */
	assert_int_equal(host_reg(TGL, 1, 7, ECX), host_reg(TGL, 1, 0, ECX));
	assert_int_equal(host_reg(TGL, 4, 2, EBX), 0x04C0003F);
	assert_int_equal(host_reg(TGL, 4, 4, EAX), 0);
	assert_int_equal(host_reg(RYZEN, 0x8000001D, 3, EAX), 0x0001C163);
}

/* ---- §1: the x87 de-features ---- */

static void test_x87_defeatures_always_set(void **state)
{
	/* Natively: both bits set on Bochs tigerlake and skylake, both clear on QEMU -cpu max and Bochs ryzen. */
	assert_int_equal(host_reg(QEMU, 7, 0, EBX) & L7_EBX_X87_DEFEATURES, 0);
	assert_int_equal(host_reg(TGL, 7, 0, EBX) & L7_EBX_X87_DEFEATURES, L7_EBX_X87_DEFEATURES);
	assert_int_equal(host_reg(SKL, 7, 0, EBX) & L7_EBX_X87_DEFEATURES, L7_EBX_X87_DEFEATURES);
	assert_int_equal(host_reg(RYZEN, 7, 0, EBX) & L7_EBX_X87_DEFEATURES, 0);
	for (unsigned i = 0; i < NPROFILES; i++) {
		build(cpuid_profiles[i], 4, false);
		u32 ebx = look(7, 0, 0, EBX);
		if (!BITV(ebx, 6) || !BITV(ebx, 13))
			fail_msg("%s: 7.0 EBX = 0x%08x lacks bit 6 or 13", cpuid_profiles[i]->name, ebx);
		assert_int_equal(look(7, 0, 3, EBX), ebx); /* same for every vCPU */
		/* The other EBX bits are the host's, masked: the two bits (and TSC_ADJUST) are added, not the
		 * leaf replaced. */
		assert_int_equal(ebx & ~L7_EBX_X87_DEFEATURES & ~L7_EBX_TSC_ADJUST & ~host_reg(cpuid_profiles[i], 7, 0, EBX), 0);
		assert_int_equal(BITV(ebx, 0), 1); /* FSGSBASE, which all four have, passes */
	}
	/* Host EBX all clear, all set, or only one of the two. */
	static const u32 host_ebx[] = { 0, 0xFFFFFFFF, 1u << 6, 1u << 13, ~L7_EBX_X87_DEFEATURES };
	for (unsigned i = 0; i < ARRAY_SIZE(host_ebx); i++) {
		noverrides = 0;
		add_override(7, 0, EBX, host_ebx[i]);
		build(RYZEN, 1, false);
		assert_int_equal(look(7, 0, 0, EBX) & L7_EBX_X87_DEFEATURES, L7_EBX_X87_DEFEATURES);
	}
	noverrides = 0;
	add_override(7, 0, EBX, 0);
	build(TGL, 1, false);
	assert_int_equal(look(7, 0, 0, EBX), L7_EBX_X87_DEFEATURES | L7_EBX_TSC_ADJUST); /* nothing else invented */
}

/* ---- Hidden and forced features ---- */

static void test_vmx_svm_hidden(void **state)
{
	assert_int_equal(BITV(host_reg(TGL, 1, 0, ECX), 5), 1); /* VMX */
	assert_int_equal(BITV(host_reg(SKL, 1, 0, ECX), 5), 1);
	assert_int_equal(BITV(host_reg(QEMU, 0x80000001, 0, ECX), 2), 1); /* SVM */
	assert_int_equal(BITV(host_reg(RYZEN, 0x80000001, 0, ECX), 2), 1);
	for (unsigned i = 0; i < NPROFILES; i++) {
		build(cpuid_profiles[i], 1, false);
		expect_bit(1, ECX, 5, 0, "VMX");
		expect_bit(0x80000001, ECX, 2, 0, "SVM");
		expect_bit(0x80000001, ECX, 0, 1, "LAHF/SAHF passes");
	}
	/* Even when the host claims everything. */
	add_override(1, 0, ECX, 0xFFFFFFFF);
	add_override(0x80000001, 0, ECX, 0xFFFFFFFF);
	build(QEMU, 1, false);
	expect_bit(1, ECX, 5, 0, "VMX");
	expect_bit(0x80000001, ECX, 2, 0, "SVM");
}

static void test_rdtscp_hidden(void **state)
{
	build_without_insns = true;
	for (unsigned i = 0; i < NPROFILES; i++) {
		const struct cpuid_profile *p = cpuid_profiles[i];
		assert_int_equal(BITV(host_reg(p, 0x80000001, 0, EDX), 27), 1); /* all four have it */
		build(p, 1, false);
		u32 edx = look(0x80000001, 0, 0, EDX);
		assert_int_equal(BITV(edx, 27), 0);
		expect_bit(7, ECX, 22, 0, "RDPID");
		expect_bit(7, EBX, 10, 0, "INVPCID");
		/* The leaf is not simply zeroed: long mode, NX and SYSCALL pass. */
		assert_int_equal(edx & ((1u << 29) | (1u << 20) | (1u << 11)), (1u << 29) | (1u << 20) | (1u << 11));
	}
}

static void test_hypervisor_bit(void **state)
{
	/* QEMU TCG already sets it; the Bochs models do not. */
	assert_int_equal(BITV(host_reg(QEMU, 1, 0, ECX), L1_ECX_HYPERVISOR), 1);
	assert_int_equal(BITV(host_reg(TGL, 1, 0, ECX), L1_ECX_HYPERVISOR), 0);
	assert_int_equal(BITV(host_reg(SKL, 1, 0, ECX), L1_ECX_HYPERVISOR), 0);
	assert_int_equal(BITV(host_reg(RYZEN, 1, 0, ECX), L1_ECX_HYPERVISOR), 0);
	for (unsigned i = 0; i < NPROFILES; i++) {
		build(cpuid_profiles[i], 1, false);
		expect_bit(1, ECX, L1_ECX_HYPERVISOR, 1, "hypervisor");
	}
	add_override(1, 0, ECX, 0); /* even a host that says nothing */
	build(TGL, 1, false);
	assert_int_equal(look(1, 0, 0, ECX), 0x80000000u);
}

static void test_mtrr_bit(void **state)
{
	/* R3.6: CPUID.1:EDX.MTRR always set (the MTRR MSRs are emulated). All four hosts have it natively... */
	for (unsigned i = 0; i < NPROFILES; i++) {
		assert_int_equal(BITV(host_reg(cpuid_profiles[i], 1, 0, EDX), L1_EDX_MTRR), 1);
		build(cpuid_profiles[i], 1, false);
		expect_bit(1, EDX, L1_EDX_MTRR, 1, "MTRR");
		assert_int_equal(BITV(look(1, 0, 5, EDX), L1_EDX_MTRR), 1);
	}
	/* ... so the "whatever the host says" part needs a host without it. */
	add_override(1, 0, EDX, host_reg(SKL, 1, 0, EDX) & ~(1u << L1_EDX_MTRR));
	build(SKL, 1, false);
	expect_bit(1, EDX, L1_EDX_MTRR, 1, "MTRR, host without");
	noverrides = 0;
	add_override(1, 0, EDX, 0);
	build(RYZEN, 1, false);
	assert_int_equal(look(1, 0, 0, EDX), 1u << L1_EDX_MTRR);
}

static void test_x2apic_bit(void **state)
{
	/* Natively: Bochs tigerlake and skylake have x2APIC, QEMU -cpu max (TCG) and Bochs ryzen do not. */
	static const struct {
		const struct cpuid_profile *p;
		u32 host;
	} cases[] = { { QEMU, 0 }, { TGL, 1 }, { SKL, 1 }, { RYZEN, 0 } };

	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
		assert_int_equal(BITV(host_reg(cases[i].p, 1, 0, ECX), L1_ECX_X2APIC), cases[i].host);
		build(cases[i].p, 4, false);
		expect_bit(1, ECX, L1_ECX_X2APIC, 0, "x2APIC, no virtual APIC");
		expect_bit(1, ECX, 24, 0, "TSC-deadline, no virtual APIC");
		expect_bit(1, EDX, 9, 0, "APIC, no virtual APIC");
		/* cfg.x2apic true: the virtual APIC is software, so the bits are set whatever the host has. */
		build(cases[i].p, 4, true);
		expect_bit(1, ECX, L1_ECX_X2APIC, 1, "x2APIC, virtual APIC");
		expect_bit(1, ECX, 24, 1, "TSC-deadline, virtual APIC");
		expect_bit(1, EDX, 9, 1, "APIC, virtual APIC");
	}
	add_override(1, 0, ECX, 0);
	build(TGL, 4, true);
	assert_int_equal(look(1, 0, 0, ECX), 0x81200000u); /* hypervisor, TSC-deadline, x2APIC: nothing else */
}

static void test_htt_bit(void **state)
{
	assert_int_equal(BITV(host_reg(QEMU, 1, 0, EDX), L1_EDX_HTT), 0);
	assert_int_equal(BITV(host_reg(TGL, 1, 0, EDX), L1_EDX_HTT), 1);
	assert_int_equal(BITV(host_reg(RYZEN, 1, 0, EDX), L1_EDX_HTT), 1);
	for (unsigned i = 0; i < NPROFILES; i++) {
		build(cpuid_profiles[i], 1, false);
		expect_bit(1, EDX, L1_EDX_HTT, 0, "HTT, 1 vCPU");
		build(cpuid_profiles[i], 2, false);
		expect_bit(1, EDX, L1_EDX_HTT, 1, "HTT, 2 vCPUs");
	}
}

/* Nothing but the forced bits is set unless the host has it, in every masked register. */
static void test_no_invented_features(void **state)
{
	static const struct {
		u32 leaf;
		unsigned reg;
		u32 forced;
	} masked[] = {
		/* forced: hypervisor; with the virtual APIC (cfg.x2apic) also x2APIC, TSC-deadline and APIC */
		{ 1, ECX, (1u << L1_ECX_HYPERVISOR) | (1u << L1_ECX_X2APIC) | (1u << 24) },
		{ 1, EDX, (1u << L1_EDX_MTRR) | (1u << L1_EDX_HTT) | (1u << 9) },
		{ 7, EAX, 0 },
		{ 7, EBX, L7_EBX_X87_DEFEATURES | L7_EBX_TSC_ADJUST },
		{ 7, ECX, 0 },
		{ 7, EDX, 0 },
		{ 0x80000001, EBX, 0 },
		{ 0x80000001, ECX, 0 },
		{ 0x80000001, EDX, 0 },
		{ 0x80000007, EAX, 0 },
		{ 0x80000007, EBX, 0 },
		{ 0x80000007, ECX, 0 },
		{ 0x80000007, EDX, 0 },
		{ 0x80000008, EAX, 0 },
		{ 0x80000008, EBX, 0 },
	};

	for (unsigned i = 0; i < NPROFILES; i++) {
		const struct cpuid_profile *p = cpuid_profiles[i];
		build(p, 2, true);
		for (unsigned j = 0; j < ARRAY_SIZE(masked); j++) {
			u32 guest = look(masked[j].leaf, 0, 0, masked[j].reg);
			u32 extra = guest & ~masked[j].forced & ~host_reg(p, masked[j].leaf, 0, masked[j].reg);
			if (extra)
				fail_msg("%s: leaf 0x%x reg %u: guest 0x%08x has bits 0x%08x the host lacks", p->name,
					 masked[j].leaf, masked[j].reg, guest, extra);
		}
	}
}

/* ---- Hypervisor leaves ---- */

/* 0x40000001 ECX is the TSC rate microhv calibrated, in kHz, the same on every vCPU: a guest times its
 * INIT/SIPI delays with it (there is no PIT or HPET to calibrate against in the VM). */
static void test_hypervisor_tsc_khz(void **state)
{
	static const u32 rates[] = { 0, 1, 20000, 2593906, 0xFFFFFFFFu };
	for (unsigned i = 0; i < NPROFILES; i++) {
		for (unsigned k = 0; k < sizeof(rates) / sizeof(rates[0]); k++) {
			const struct cpuid_vm_config cfg = { .backend_kind = cpuid_profiles[i]->backend_kind,
							     .vcpu_count = 3, .x2apic = true, .tsc_khz = rates[k] };
			host_profile = cpuid_profiles[i];
			cpuid_policy_build(&pol, fake_cpuid, &cfg);
			for (u32 vcpu = 0; vcpu < 3; vcpu++) {
				assert_int_equal(look(0x40000001, 0, vcpu, ECX), rates[k]);
				assert_int_equal(look(0x40000001, 0, vcpu, EDX), 0);
				assert_int_equal(look(0x40000000, 0, vcpu, EAX), 0x40000001);
			}
		}
	}
}

static void test_hypervisor_leaves(void **state)
{
	for (unsigned i = 0; i < NPROFILES; i++) {
		const struct cpuid_profile *p = cpuid_profiles[i];
		build(p, 2, false);
		u32 r[4];
		cpuid_policy_lookup(&pol, 0x40000000, 0, 1, r);
		char sig[13] = { 0 };
		memcpy(sig, &r[EBX], 4);
		memcpy(sig + 4, &r[ECX], 4);
		memcpy(sig + 8, &r[EDX], 4);
		assert_memory_equal(sig, "microhv\0\0\0\0\0", 12);
		expect_leaf(0x40000000, 0, 0, 0x40000001, 0x7263696D, 0x0076686F, 0);
		expect_leaf(0x40000000, 9, 0, 0x40000001, 0x7263696D, 0x0076686F, 0); /* subleaf ignored */
		expect_leaf(0x40000001, 0, 1, MICROHV_ABI_VERSION, p->backend_kind, 0, 0);
		expect_leaf(0x40000002, 0, 1, 0, 0, 0, 0);
		/* The back end comes from the configuration, not from the host. */
		build_kind(p, 2, false, MICROHV_BACKEND_SVM + MICROHV_BACKEND_VMX - p->backend_kind);
		expect_leaf(0x40000001, 0, 0, MICROHV_ABI_VERSION, MICROHV_BACKEND_SVM + MICROHV_BACKEND_VMX - p->backend_kind,
			    0, 0);
	}
	assert_int_equal(MICROHV_ABI_VERSION, 1);
	assert_int_equal(MICROHV_BACKEND_SVM, 1);
	assert_int_equal(MICROHV_BACKEND_VMX, 2);
}

/* ---- APIC IDs and topology (R5.1) ---- */

static u32 bits_for(u32 n)
{
	u32 b = 0;
	while ((1u << b) < n)
		b++;
	return b;
}

static const u32 vcpu_counts[] = { 1, 4, 288 };

static void test_leaf1_ebx_ids(void **state)
{
	for (unsigned i = 0; i < NPROFILES; i++) {
		const struct cpuid_profile *p = cpuid_profiles[i];
		u32 low = host_reg(p, 1, 0, EBX) & 0xFFFF; /* brand index, CLFLUSH line size: passed */
		assert_int_equal(low, 0x0800);
		for (unsigned c = 0; c < ARRAY_SIZE(vcpu_counts); c++) {
			u32 n = vcpu_counts[c];
			build(p, n, false);
			const u32 ids[] = { 0, 1, n / 2, n - 1, 255, 256, 287 };
			for (unsigned k = 0; k < ARRAY_SIZE(ids); k++) {
				if (ids[k] >= n)
					continue;
				u32 want = (ids[k] & 0xFF) << 24 | MIN(n, 255u) << 16 | low;
				if (look(1, 0, ids[k], EBX) != want)
					fail_msg("%s, %u vCPUs: vCPU %u leaf 1 EBX = 0x%08x, want 0x%08x", p->name, n, ids[k],
						 look(1, 0, ids[k], EBX), want);
			}
		}
	}
	/* Host APIC ID and logical count (all zero/one in the captures) are replaced, not ORed. */
	add_override(1, 0, EBX, 0x05100800);
	build(TGL, 4, false);
	assert_int_equal(look(1, 0, 0, EBX), 0x00040800);
	assert_int_equal(look(1, 0, 3, EBX), 0x03040800);
}

static void test_topology(void **state)
{
	for (unsigned i = 0; i < NPROFILES; i++) {
		const struct cpuid_profile *p = cpuid_profiles[i];
		for (unsigned c = 0; c < ARRAY_SIZE(vcpu_counts); c++) {
			u32 n = vcpu_counts[c];
			build(p, n, true);
			assert_int_equal(bits_for(n), n == 1 ? 0 : n == 4 ? 2 : 9);
			const u32 ids[] = { 0, n - 1, 255, 256 };
			for (unsigned k = 0; k < ARRAY_SIZE(ids); k++) {
				u32 id = ids[k];
				if (id >= n)
					continue;
				/* One thread per core, n cores; EDX is the x2APIC ID, the full vCPU id. */
				expect_leaf(0xB, 0, id, 0, 1, 0x100, id);
				expect_leaf(0xB, 1, id, bits_for(n), n, 0x201, id);
				expect_leaf(0xB, 2, id, 0, 0, 0x002, id);
				expect_leaf(0xB, 3, id, 0, 0, 0x003, id);
				expect_leaf(0xB, 0x1FF, id, 0, 0, 0x0FF, id); /* ECX[7:0] echoes the subleaf's low byte */
				/* No profile reaches 0x1F: it reads as zero. */
				expect_leaf(0x1F, 0, id, 0, 0, 0, 0);
				expect_leaf(0x1F, 1, id, 0, 0, 0, 0);
			}
			expect_bit(1, EDX, L1_EDX_HTT, n > 1, "HTT");
			/* The host's own topology leaves (0xB on Bochs has no valid level at all) are not used. */
		}
		assert_true(pol.max_basic >= 0xB);
	}
}

static void test_topology_leaf_1f(void **state)
{
	/* Present (same content as 0xB) only when the max basic leaf reaches 0x1F: a host none of the profiles is. */
	add_override(0, 0, EAX, 0x1F);
	build(TGL, 288, true);
	expect_leaf(0x1F, 0, 3, 0, 1, 0x100, 3);
	expect_leaf(0x1F, 1, 287, 9, 288, 0x201, 287);
	expect_leaf(0x1F, 2, 3, 0, 0, 0x002, 3);
	expect_leaf(0x1F, 7, 3, 0, 0, 0x007, 3);
}

/* ---- Leaf ranges ---- */

static void test_max_basic_leaf(void **state)
{
	static const struct {
		u32 host, want;
	} cases[] = { { 0x1B, 0x1B }, { 0x10, 0x10 }, { 0xD, 0xD }, { 0xB, 0xB }, { 0x5, 0xB },
		      { 0x1, 0xB }, { 0x1F, 0x1F }, { 0x20, 0x1F }, { 0x23, 0x1F }, { 0xFFFFFFFF, 0x1F } };

	for (unsigned i = 0; i < NPROFILES; i++) {
		const struct cpuid_profile *p = cpuid_profiles[i];
		build(p, 1, false);
		u32 r0[4];
		cpuid_profile_read(p, 0, 0, r0);
		expect_leaf(0, 0, 0, r0[EAX], r0[EBX], r0[ECX], r0[EDX]); /* max and vendor pass (0xD..0x1B) */
		assert_int_equal(pol.max_basic, r0[EAX]);
	}
	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
		noverrides = 0;
		add_override(0, 0, EAX, cases[i].host);
		build(TGL, 1, false);
		if (look(0, 0, 0, EAX) != cases[i].want || pol.max_basic != cases[i].want)
			fail_msg("host max basic 0x%x: got 0x%x (max_basic 0x%x), want 0x%x", cases[i].host,
				 look(0, 0, 0, EAX), pol.max_basic, cases[i].want);
		/* The vendor string passes through; the table never overflows (the last leaves are there). */
		expect_leaf(0, 0, 0, cases[i].want, 0x756e6547, 0x6c65746e, 0x49656e69);
		assert_int_equal(look(0x80000008, 0, 0, EAX), 0x3028);
	}
}

static void test_max_extended_leaf(void **state)
{
	build(RYZEN, 1, false); /* host 0x8000001F */
	expect_leaf(0x80000000, 0, 0, 0x80000008, 0x68747541, 0x444d4163, 0x69746e65);
	expect_leaf(0x8000000A, 0, 0, 0, 0, 0, 0); /* SVM features */
	expect_leaf(0x8000001D, 0, 0, 0, 0, 0, 0);
	expect_leaf(0x8000001F, 0, 0, 0, 0, 0, 0);
	build(QEMU, 1, false); /* host 0x8000000A */
	expect_leaf(0x80000000, 0, 0, 0x80000008, 0x68747541, 0x444d4163, 0x69746e65);
	expect_leaf(0x8000000A, 0, 0, 0, 0, 0, 0);
	build(TGL, 1, false); /* host 0x80000008, and no vendor string there */
	expect_leaf(0x80000000, 0, 0, 0x80000008, 0, 0, 0);
	build(SKL, 1, false);
	expect_leaf(0x80000000, 0, 0, 0x80000008, 0, 0, 0);
	/* A host whose extended leaves end at the brand string. */
	add_override(0x80000000, 0, EAX, 0x80000004);
	build(SKL, 1, false);
	assert_int_equal(look(0x80000000, 0, 0, EAX), 0x80000004);
	expect_leaf(0x80000004, 0, 0, 0x352e3320, 0x7a484730, 0, 0);
	expect_leaf(0x80000005, 0, 0, 0, 0, 0, 0);
	expect_leaf(0x80000008, 0, 0, 0, 0, 0, 0);
	/* No extended leaves at all. */
	noverrides = 0;
	add_override(0x80000000, 0, EAX, 0);
	build(TGL, 1, false);
	expect_leaf(0x80000000, 0, 0, 0, 0, 0, 0);
	expect_leaf(0x80000001, 0, 0, 0, 0, 0, 0);
}

static void test_maxphyaddr(void **state)
{
	for (unsigned i = 0; i < NPROFILES; i++) {
		const struct cpuid_profile *p = cpuid_profiles[i];
		u32 host = host_reg(p, 0x80000008, 0, EAX);
		build(p, 1, false);
		assert_int_equal(pol.maxphyaddr, host & 0xFF);
		assert_int_equal(pol.maxphyaddr, 40); /* all four emulators: 40 bits */
		/* Only the address sizes pass (EAX[15:0]); QEMU reports 57 linear-address bits, Bochs 48. */
		expect_leaf(0x80000008, 0, 0, host & 0xFFFF, 0, 0, 0);
	}
	assert_int_equal(host_reg(QEMU, 0x80000008, 0, EAX), 0x3928);
	assert_int_equal(host_reg(RYZEN, 0x80000008, 0, EBX), 1); /* CLZERO: hidden */
	/* EAX[7:0] only; guest-physical size bits 23:16 are not part of it. */
	add_override(0x80000008, 0, EAX, 0x00FF3034);
	build(TGL, 1, false);
	assert_int_equal(pol.maxphyaddr, 52);
	assert_int_equal(look(0x80000008, 0, 0, EAX), 0x3034);
	/* No leaf 0x80000008: the SDM's default, 36. */
	noverrides = 0;
	add_override(0x80000000, 0, EAX, 0x80000004);
	build(TGL, 1, false);
	assert_int_equal(pol.maxphyaddr, 36);
	noverrides = 0;
	add_override(0x80000000, 0, EAX, 0);
	build(RYZEN, 1, false);
	assert_int_equal(pol.maxphyaddr, 36);
}

/* ---- Every nonzero answer comes from the policy table ---- */

/* The (leaf, subleaf) pairs docs/cpuid.md lists, for this policy's max leaves. */
static bool in_policy_table(u32 leaf, u32 subleaf)
{
	switch (leaf) {
	case 0x0:
	case 0x1:
		return true;
	case 0x2:
	case 0x15:
	case 0x16:
		return leaf <= pol.max_basic;
	case 0x4:
		return subleaf < 8 && leaf <= pol.max_basic;
	case 0x7:
		return subleaf == 0;
	case 0xB:
		return true; /* every subleaf: ECX echoes it, EDX is the x2APIC ID */
	case 0xD:
		return subleaf < 64 && leaf <= pol.max_basic;
	case 0x1F:
		return leaf <= pol.max_basic;
	case 0x40000000:
	case 0x40000001:
		return true;
	default:
		return leaf >= 0x80000000u && leaf <= pol.max_extended;
	}
}

static bool per_vcpu(u32 leaf)
{
	return leaf == 1 || leaf == 0xB || leaf == 0x1F;
}

static void test_only_policy_leaves(void **state)
{
	static const u32 ranges[][2] = { { 0x0, 0x40 },
					 { 0x40000000, 0x40000010 },
					 { 0x80000000, 0x80000030 },
					 { 0x4FFFFFFF, 0x4FFFFFFF },
					 { 0x8FFFFFFF, 0x8FFFFFFF },
					 { 0xC0000000, 0xC0000002 },
					 { 0xFFFFFFFE, 0xFFFFFFFF } };
	static const u32 subleaves[] = { 0, 1, 2, 3, 7, 8, 63, 64, 0xFF, 0xFFFFFFFF };
	unsigned nonzero = 0;

	for (unsigned i = 0; i < NPROFILES; i++) {
		const struct cpuid_profile *p = cpuid_profiles[i];
		build(p, 4, true);
		/* The table holds only listed leaves, each once. */
		for (u32 j = 0; j < pol.count; j++) {
			const struct cpuid_leaf *l = &pol.leaves[j];
			if (!in_policy_table(l->leaf, l->subleaf))
				fail_msg("%s: the policy has an entry for 0x%x.%u", p->name, l->leaf, l->subleaf);
			for (u32 k = 0; k < j; k++)
				assert_false(pol.leaves[k].leaf == l->leaf && pol.leaves[k].subleaf == l->subleaf);
		}
		for (unsigned r = 0; r < ARRAY_SIZE(ranges); r++)
			for (u32 leaf = ranges[r][0];; leaf++) {
				for (unsigned s = 0; s < ARRAY_SIZE(subleaves); s++)
					for (u32 vcpu = 0; vcpu < 4; vcpu += 3) {
						u32 out[4];
						cpuid_policy_lookup(&pol, leaf, subleaves[s], vcpu, out);
						if (!(out[0] | out[1] | out[2] | out[3]))
							continue;
						nonzero++;
						if (!in_policy_table(leaf, subleaves[s]))
							fail_msg("%s: leaf 0x%x.%u = %08x %08x %08x %08x, not in the policy "
								 "table", p->name, leaf, subleaves[s], out[0], out[1], out[2],
								 out[3]);
						if (per_vcpu(leaf))
							continue;
						/* Else exactly the table entry (subleaf 0 for leaves that ignore ECX). */
						const struct cpuid_leaf *e = NULL;
						u32 sub = leaf == 4 || leaf == 7 || leaf == 0xD ? subleaves[s] : 0;
						for (u32 j = 0; j < pol.count; j++)
							if (pol.leaves[j].leaf == leaf && pol.leaves[j].subleaf == sub)
								e = &pol.leaves[j];
						assert_non_null(e);
						assert_memory_equal(out, e->regs, sizeof(out));
					}
				if (leaf == ranges[r][1])
					break;
			}
	}
	assert_true(nonzero > 100);
	/* Some that a host has and the guest does not. */
	build(TGL, 1, false);
	expect_leaf(0x5, 0, 0, 0, 0, 0, 0);  /* MONITOR/MWAIT */
	expect_leaf(0x6, 0, 0, 0, 0, 0, 0);  /* thermal and power */
	expect_leaf(0xA, 0, 0, 0, 0, 0, 0);  /* architectural PMU */
	expect_leaf(0x18, 1, 0, 0, 0, 0, 0); /* TLB parameters */
	expect_leaf(0x1B, 0, 0, 0, 0, 0, 0);
	expect_leaf(0x1C, 0, 0, 0, 0, 0, 0); /* past the max: zero, not the Intel rule */
	expect_leaf(7, 1, 0, 0, 0, 0, 0);    /* indexed, but only 7.0 is listed */
	expect_leaf(0xD, 64, 0, 0, 0, 0, 0);
	expect_leaf(4, 9, 0, 0, 0, 0, 0);
	build(RYZEN, 1, false);
	expect_leaf(0x80000019, 0, 0, 0, 0, 0, 0);
}

/* ---- Pass-through ---- */

static void test_subleaf_ignored(void **state)
{
	static const u32 plain[] = { 0, 1, 2, 0x15, 0x16, 0x40000000, 0x40000001, 0x80000000, 0x80000001,
				     0x80000002, 0x80000007, 0x80000008 };

	build(TGL, 4, false);
	for (unsigned i = 0; i < ARRAY_SIZE(plain); i++)
		for (unsigned reg = 0; reg < 4; reg++) {
			u32 want = look(plain[i], 0, 2, reg);
			if (look(plain[i], 5, 2, reg) != want || look(plain[i], 0xFFFFFFFF, 2, reg) != want)
				fail_msg("leaf 0x%x reg %u depends on the subleaf", plain[i], reg);
		}
	assert_int_equal(look(1, 5, 2, EBX), 0x02040800); /* including the per-vCPU part */
}

static void test_passthrough_leaves(void **state)
{
	for (unsigned i = 0; i < NPROFILES; i++) {
		const struct cpuid_profile *p = cpuid_profiles[i];
		build(p, 2, false);
		u32 max = cpuid_profile_max_basic(p);
		struct {
			u32 leaf, subleaves;
		} plain[] = { { 2, 1 }, { 4, 8 }, { 0x15, 1 }, { 0x16, 1 }, { 0x80000002, 1 },
			      { 0x80000003, 1 }, { 0x80000004, 1 }, { 0x80000005, 1 }, { 0x80000006, 1 } };
		for (unsigned j = 0; j < ARRAY_SIZE(plain); j++) {
			if (plain[j].leaf <= 0x16 && plain[j].leaf > max)
				continue;
			for (u32 s = 0; s < plain[j].subleaves; s++)
				for (unsigned reg = 0; reg < 4; reg++)
					if (look(plain[j].leaf, s, 1, reg) != host_reg(p, plain[j].leaf, s, reg))
						fail_msg("%s: leaf 0x%x.%u reg %u: 0x%08x, host 0x%08x", p->name,
							 plain[j].leaf, s, reg, look(plain[j].leaf, s, 1, reg),
							 host_reg(p, plain[j].leaf, s, reg));
		}
		/* Family/model/stepping (leaf 1 and 0x80000001 EAX) and the vendor strings. */
		assert_int_equal(look(1, 0, 0, EAX), host_reg(p, 1, 0, EAX));
		assert_int_equal(look(0x80000001, 0, 0, EAX), host_reg(p, 0x80000001, 0, EAX));
		for (unsigned reg = EBX; reg <= EDX; reg++)
			assert_int_equal(look(0x80000000, 0, 0, reg), host_reg(p, 0x80000000, 0, reg));
		/* Invariant TSC (0x80000007 EDX[8]) is the only power-management bit passed. */
		expect_leaf(0x80000007, 0, 0, 0, 0, 0, host_reg(p, 0x80000007, 0, EDX) & 0x100);
	}
	/* What that covers: real cache leaves on the Intel models, leaf 0x15/0x16 on them; the host's XSAVE
	 * components the guest may enable (0xD.7, Hi16_ZMM on tigerlake) as the host has them. */
	build(TGL, 1, false);
	expect_leaf(4, 3, 0, 0x1c03c163, 0x01c0003f, 0x00003fff, 0x00000004);
	expect_leaf(0xD, 7, 0, 0x400, 0x680, 0, 0);
	expect_leaf(0x15, 0, 0, 2, 0x7e, 0x0249f000, 0);
	build(RYZEN, 1, false);
	expect_leaf(0x80000007, 0, 0, 0, 0, 0, 0x100); /* host EDX 0x6599 */
	expect_leaf(0x80000006, 0, 0, 0x26006400, 0x66006400, 0x02006140, 0x00808140);
}

/* ---- The guest values docs/cpuid.md shows (1 vCPU, virtual APIC present, vCPU 0: what microhv runs) ---- */

static void test_documented_values(void **state)
{
	static const struct {
		const struct cpuid_profile *p;
		u32 leaf;
		u32 r[4];
	} doc[] = {
		{ QEMU, 0x1, { 0x00060fb1, 0x00010800, 0xf7f83203, 0x0f8bbb7d } },
		{ QEMU, 0x7, { 0, 0x019823eb, 0x0000020c, 0 } },
		{ QEMU, 0x80000001, { 0x00060fb1, 0, 0x00000061, 0x2c100800 } },
		{ QEMU, 0x80000008, { 0x00003928, 0, 0, 0 } },
		{ TGL, 0x1, { 0x000806c1, 0x00010800, 0xf7fa3203, 0x0f8bbb7f } },
		{ TGL, 0x7, { 0, 0xf1bf27eb, 0x00405f4e, 0x00000510 } },
		{ TGL, 0x80000001, { 0, 0, 0x00000121, 0x2c100800 } },
		{ TGL, 0x80000008, { 0x00003028, 0, 0, 0 } },
		{ SKL, 0x1, { 0x00050654, 0x00010800, 0xf7fa3203, 0x0f8bbb7f } },
		{ SKL, 0x7, { 0, 0xd19f27eb, 0, 0 } },
		{ SKL, 0x80000001, { 0, 0, 0x00000121, 0x2c100800 } },
		{ SKL, 0x80000008, { 0x00003028, 0, 0, 0 } },
		{ RYZEN, 0x1, { 0x00800f11, 0x00010800, 0xf7f83203, 0x078bbb7f } },
		{ RYZEN, 0x7, { 0, 0x209c21eb, 0, 0 } },
		{ RYZEN, 0x80000001, { 0x00800f11, 0, 0x00000161, 0x2c100800 } },
		{ RYZEN, 0x80000008, { 0x00003028, 0, 0, 0 } },
	};

	for (unsigned i = 0; i < ARRAY_SIZE(doc); i++) {
		build(doc[i].p, 1, true); /* as microhv builds it: the virtual APIC is present */
		expect_leaf(doc[i].leaf, 0, 0, doc[i].r[0], doc[i].r[1], doc[i].r[2], doc[i].r[3]);
	}
}

#define T(fn) cmocka_unit_test_setup(fn, reset_overrides)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_profiles),
		T(test_x87_defeatures_always_set),
		T(test_vmx_svm_hidden),
		T(test_rdtscp_hidden),
		T(test_hypervisor_bit),
		T(test_mtrr_bit),
		T(test_x2apic_bit),
		T(test_htt_bit),
		T(test_no_invented_features),
		T(test_hypervisor_leaves),
		T(test_hypervisor_tsc_khz),
		T(test_leaf1_ebx_ids),
		T(test_topology),
		T(test_topology_leaf_1f),
		T(test_max_basic_leaf),
		T(test_max_extended_leaf),
		T(test_maxphyaddr),
		T(test_only_policy_leaves),
		T(test_subleaf_ignored),
		T(test_passthrough_leaves),
		T(test_documented_values),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
