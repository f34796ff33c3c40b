/* Guest page-table walker: guest linear -> guest-physical address, as the guest's own MMU would translate
 * it. Pure: guest memory is reached only through the read_phys callback, so the host unit tests run it on a
 * fake RAM array and the hypervisor on its mapping of guest RAM.
 *
 * Modes: paging off (linear = physical, 32 bits), 32-bit paging (4 KiB, and 4 MiB pages with CR4.PSE,
 * PSE-36 high address bits included), PAE (4 KiB, 2 MiB) and 4-level long-mode paging (4 KiB, 2 MiB,
 * 1 GiB). 5-level paging (CR4.LA57) is rejected.
 *
 * What is NOT modelled (callers emulating an access must keep this in mind):
 *  - permissions: U/S, R/W, NX, CR0.WP, SMEP/SMAP and protection keys are not checked; only presence and
 *    reserved bits are. A walk that succeeds here may still be a #PF for the guest's actual access.
 *  - accessed/dirty bits are never set (the walk only reads guest memory).
 *  - PAE PDPTEs are read from memory at every walk, not from registers loaded at the last CR3 write.
 *    That is what AMD does for a guest under nested paging; Intel caches them (SDM Vol. 3A §4.4.1).
 *  - the TLB: a guest that changed its tables without INVLPG may see a different translation than ours. */
#ifndef HV_GUEST_WALK_H
#define HV_GUEST_WALK_H

#include "../lib/types.h"

/* Reads len bytes of guest-physical memory at gpa into buf; false if any byte is outside guest RAM. */
typedef bool (*guest_read_phys_fn)(void *ctx, u64 gpa, void *buf, u32 len);

/* The guest's paging state: the registers exactly as the guest last loaded them (VMCB save area). */
struct guest_paging {
	u64 cr0, cr3, cr4, efer;
	u8 maxphyaddr; /* physical-address width the guest's CPUID reports; 0 means 52 (the architectural
			* maximum); values below 32 count as 32 */
	guest_read_phys_fn read_phys;
	void *ctx;
};

/* Negative results of guest_translate() and guest_read_linear(). */
enum guest_walk_error {
	GW_ERR_NOT_PRESENT = -1,  /* an entry with P = 0: the guest would take #PF (error code P = 0) */
	GW_ERR_RESERVED = -2,     /* a reserved bit set in an entry: #PF with error code RSVD = 1 */
	GW_ERR_READ = -3,         /* a page-table entry or the data lies outside guest RAM */
	GW_ERR_NONCANONICAL = -4, /* long mode, address not canonical: #GP (or #SS), not #PF */
	GW_ERR_UNSUPPORTED = -5,  /* CR4.LA57, or EFER.LMA without CR4.PAE (a state VMRUN refuses anyway) */
};

/* A successful translation, or where a failed walk stopped. */
struct guest_xlate {
	u64 gpa;       /* guest-physical address of `linear` */
	u64 page_size; /* size of the page that maps it: 4 KiB, 2/4 MiB or 1 GiB (4 GiB with paging off) */
	int level;     /* on success, the level of the leaf; on failure, the level of the bad entry:
			* 1 = PTE, 2 = PDE, 3 = PDPTE, 4 = PML4E (0 with paging off or before the walk starts) */
};

/* The page-table entries a walk read, in walk order: with the same CR0/CR3/CR4/EFER, a walk of the same
 * linear address that finds these values at these addresses again reads nothing else and gives the same
 * result (each entry's address follows from CR3 and the entries above it), so a caller can cache the
 * translation and validate it by re-reading them (hv/rules/insn_cache.h). Empty with paging off. */
#define GW_TRACE_MAX 4 /* long mode reads 4 entries, PAE 3, 32-bit paging 2 */
struct guest_walk_trace {
	u8 entries;
	u8 entry_size; /* bytes of each entry: 4 (32-bit paging) or 8 */
	u64 gpa[GW_TRACE_MAX];
	u64 value[GW_TRACE_MAX];
};

/* Translates one linear address. Outside long mode only bits 31:0 of `linear` are used, as the CPU does.
 * Returns 0 and fills *out, or a negative enum guest_walk_error (out->level tells where it failed). */
int guest_translate(const struct guest_paging *p, u64 linear, struct guest_xlate *out);

/* guest_translate(), also recording in *t (if not NULL) every entry it read, failed walks included. */
int guest_translate_traced(const struct guest_paging *p, u64 linear, struct guest_xlate *out,
			   struct guest_walk_trace *t);

/* Reads len bytes at a linear address, splitting the access at page boundaries (each page translated on
 * its own, as an instruction fetch across a page boundary is). Outside long mode the address wraps at
 * 4 GiB. Returns 0 when all len bytes were read, or the first failure's negative enum guest_walk_error.
 * *done (may be NULL) receives the number of bytes read before the failure, so the failing linear address
 * (the guest's CR2 for a #PF) is linear + *done, and an instruction fetch can still decode the bytes it
 * got: fetch 15 bytes, and if that fails decode the first *done of them; only if the decoder says
 * "truncated" does the guest really fault. */
int guest_read_linear(const struct guest_paging *p, u64 linear, void *buf, u32 len, u32 *done);

/* The #PF error code the guest's own access would have got for a walk that failed with walk_err
 * (GW_ERR_NOT_PRESENT or GW_ERR_RESERVED; SDM Vol. 3A §4.7): P = 1 only for a reserved bit, which is
 * reported with RSVD; W/R from the access, U/S from CPL 3. */
u32 guest_walk_pf_error_code(int walk_err, bool write, bool user);

#endif
