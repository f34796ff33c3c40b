/* Host benchmark (not a guest): the cost of one APIC delivery decision, apic_route(), as the number of vCPUs
 * grows. Run it under callgrind through bench/host/run-apic-route.sh, which counts instructions.
 *
 * usage: apic_route_bench N ITERATIONS A|B [unicast|logical]
 *   N vCPUs, all in x2APIC mode (so every one of up to 1024 is addressable), sender v0;
 *   A|B: apic_32bit_ids off/on (spec §5.4 R5.4);
 *   unicast (default): fixed IPI, physical destination, cycling over all N vCPUs: the map path, which
 *     must cost the same at any N; logical: fixed IPI to the x2APIC logical ID of one vCPU, cycling
 *     likewise: the loop path, O(N), for contrast.
 * Exits nonzero unless every decision found exactly one receiver. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hv/apic/rules/delivery.h"

static struct apic_target targets[APIC_MAX_VCPUS];
static struct apic_map map;
static u16 receivers[APIC_MAX_VCPUS];

int main(int argc, char **argv)
{
	struct apic_flags f = APIC_FLAGS_DEFAULT;
	struct apic_irq irq = { .vector = 0x40, .delivery_mode = APIC_DM_FIXED, .level = true };
	unsigned long n, iters, found = 0;

	if (argc < 4 || (n = strtoul(argv[1], NULL, 0)) == 0 || n > APIC_MAX_VCPUS) {
		fprintf(stderr, "usage: %s N(1-%u) ITERATIONS A|B [unicast|logical]\n", argv[0], APIC_MAX_VCPUS);
		return 2;
	}
	iters = strtoul(argv[2], NULL, 0);
	f.use_32bit_ids = argv[3][0] == 'B';
	irq.logical = argc > 4 && strcmp(argv[4], "logical") == 0;
	for (u32 i = 0; i < n; i++)
		targets[i] = (struct apic_target){ .vcpu_id = i, .x2apic = true, .hw_enabled = true, .sw_enabled = true,
						   .xapic_id = (u8)i, .ldr = apic_x2apic_ldr(i), .dfr = APIC_DFR_FLAT };
	apic_map_build(&map, targets, (u32)n, &f);

	for (unsigned long k = 0; k < iters; k++) {
		irq.dest = irq.logical ? apic_x2apic_ldr((u32)(k % n)) : (u32)(k % n);
		found += apic_route(&map, targets, (u32)n, &targets[0], &irq, &f, receivers);
	}
	printf("n=%lu iterations=%lu flag=%c mode=%s receivers=%lu\n", n, iters, f.use_32bit_ids ? 'B' : 'A',
	       irq.logical ? "logical" : "unicast", found);
	return found == iters ? 0 : 1;
}
