/* A small VM of virtual local APICs for the fuzz harnesses (fuzz_vlapic.c, fuzz_apicv_page.c): the fuzzer's
 * bytes become a sequence of guest operations (MMIO and x2APIC MSR accesses, IA32_APIC_BASE writes, timer
 * ticks, interrupt acknowledges, INIT, CR8, IOAPIC/MSI messages), and every IPI an operation produces is
 * routed with apic_route() and accepted by its receivers, as hv/ does. Each step is checked against the
 * invariants of vlapic.h and delivery.h (vlapic_sim.c). */
#ifndef TESTS_FUZZ_VLAPIC_SIM_H
#define TESTS_FUZZ_VLAPIC_SIM_H

#include "hv/apic/rules/vlapic.h"
#include "tests/fuzz/fuzz.h"

#define SIM_MAX_VCPUS 6
#define SIM_MAXPHYADDR 39

struct vlapic_sim {
	u32 n;
	u64 now;
	struct apic_flags flags;
	bool guest_x2apic; /* CPUID.1:ECX[21] as the guest sees it */
	struct vlapic apic[SIM_MAX_VCPUS];
	struct apic_target target[SIM_MAX_VCPUS];
	struct apic_map map;
};

/* Reads the VM's shape (vCPU count, vCPU IDs, routing flags) from the input and resets every APIC. */
void sim_init(struct vlapic_sim *s, struct fuzz_in *in);

/* Runs one operation taken from the input, with all checks. */
void sim_step(struct vlapic_sim *s, struct fuzz_in *in);

/* The invariants that hold for one APIC between operations (vlapic.h). */
void sim_check_apic(struct vlapic *a, u64 now);

#endif
