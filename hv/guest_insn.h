/* Fetching and decoding the guest instruction at CS:RIP, for exits that do not describe it (SVM without
 * decode assists, MMIO through a stage-2 fault). Uses only the back-end interface. */
#ifndef HV_GUEST_INSN_H
#define HV_GUEST_INSN_H

#include "rules/decode.h"
#include "vcpu.h"

struct guest_paging;

/* The guest's paging state as its MMU sees it, reading guest RAM. */
void guest_paging_of(struct vcpu *v, struct guest_paging *gp);

/* 0 and the decoded instruction, or a DECODE_ERR_* (in->reason says why). */
int guest_fetch_insn(struct vcpu *v, struct insn *in);

/* The same without a copy: the vCPU's cached decode of the site (valid until the next fetch), or
 * *scratch filled by a fresh fetch and decode; *err as guest_fetch_insn() returns it. */
const struct insn *guest_fetch_decoded(struct vcpu *v, struct insn *scratch, int *err);
/* The instruction at CS:RIP if the vCPU's instruction-site cache holds it (still valid), else NULL:
 * no walk, no decode. v->rip and v->rflags must be current. */
const struct insn *guest_cached_insn(struct vcpu *v);

/* The bytes at CS:RIP as guest_fetch_insn() sees them (for error messages): how many could be read. */
u32 guest_fetch_bytes(struct vcpu *v, u8 bytes[INSN_MAX_LEN]);

/* The fault the guest's own CPU raises for an access its page tables refuse (guest_walk.h errors): #PF
 * with CR2 = linear and the SDM Vol. 3A §4.7 error code for a missing or reserved entry, #GP(0) for a
 * non-canonical address. False, nothing queued, for the other walk errors (not guest RAM, unsupported). */
bool guest_inject_walk_fault(struct vcpu *v, int walk_err, u64 linear, bool write);

/* The six segment bases, enum seg order. */
void guest_segment_bases(struct vcpu *v, u64 seg_base[NUM_SEGS]);

#endif
