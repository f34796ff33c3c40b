/* See mmio_exit.h. */
#include "mmio_exit.h"
#include "events.h"
#include "lib/fmt.h"
#include "guest_insn.h"
#include "rules/guest_walk.h"
#include "rules/mmio_emul.h"
#include "vm.h"
#include "x86.h"

struct mmio_bus {
	struct vcpu *v;
	const struct mmio_device *dev;
	u64 fault_gpa;     /* the access that exited */
	bool first_at_ea;  /* the instruction accesses only its effective address, and has not yet */
	u64 known_linear;  /* a linear page known to map fault_gpa's page, or NO_LINEAR_PAGE */
	struct guest_paging gp;
	bool gp_loaded;
	u64 refused_at;    /* the linear address of a refused access, with the reason */
	const char *refused;
};

#define NO_LINEAR_PAGE (~0ull)
#define PAGE_FRAME(a) ((a) & ~(u64)(PAGE_SIZE - 1))

static bool bus_refuse(struct mmio_bus *b, u64 linear, const char *why)
{
	b->refused_at = linear;
	b->refused = why;
	return false;
}

/* linear -> guest-physical: the faulting page without a walk when the instruction allows it (its only
 * memory operand is the EA, whose page offset is the fault's), else the guest's page tables (the
 * walker's limits are in guest_walk.h). */
static bool bus_translate(struct mmio_bus *b, u64 linear, u64 *gpa)
{
	struct guest_xlate x;
	if (b->first_at_ea) { /* this access is at the EA: the one that faulted, if the page offsets agree */
		b->first_at_ea = false;
		if ((linear & (PAGE_SIZE - 1)) == (b->fault_gpa & (PAGE_SIZE - 1)))
			b->known_linear = PAGE_FRAME(linear);
	}
	if (PAGE_FRAME(linear) == b->known_linear) {
		*gpa = PAGE_FRAME(b->fault_gpa) | (linear & (PAGE_SIZE - 1));
		return true;
	}
	if (!b->gp_loaded) {
		guest_paging_of(b->v, &b->gp);
		b->gp_loaded = true;
	}
	if (guest_translate(&b->gp, linear, &x))
		return bus_refuse(b, linear, "the guest's page tables do not map it");
	*gpa = x.gpa;
	return true;
}

/* A RAM operand (the other side of MOVS, the stack of PUSH/POP): the access does not cross a page. */
static u8 *bus_ram(struct mmio_bus *b, u64 linear, u64 gpa, u8 size)
{
	struct vm *vm = b->v->vm;
	if (gpa >= vm->ram_size || size > vm->ram_size - gpa) {
		bus_refuse(b, linear, "neither the device nor guest RAM");
		return NULL;
	}
	return vm->ram + gpa;
}

static int bus_read(void *ctx, u64 linear, u8 size, u64 *value)
{
	struct mmio_bus *b = ctx;
	u64 gpa;
	if (!bus_translate(b, linear, &gpa))
		return -1;
	if (gpa >= b->dev->base && gpa - b->dev->base < b->dev->size) {
		*value = 0;
		b->dev->read(b->v, gpa - b->dev->base, size, value);
		return 0;
	}
	u8 *ram = bus_ram(b, linear, gpa, size);
	if (!ram)
		return -1;
	memcpy(value, ram, size);
	return 0;
}

static int bus_write(void *ctx, u64 linear, u8 size, u64 value)
{
	struct mmio_bus *b = ctx;
	u64 gpa;
	if (!bus_translate(b, linear, &gpa))
		return -1;
	if (gpa >= b->dev->base && gpa - b->dev->base < b->dev->size) {
		b->dev->write(b->v, gpa - b->dev->base, size, value);
		return 0;
	}
	u8 *ram = bus_ram(b, linear, gpa, size);
	if (!ram)
		return -1;
	memcpy(ram, &value, size);
	return 0;
}

/* The guest's view of the instruction, for the VM-stop messages. */
static struct verdict stop_undecodable(struct vcpu *v, const struct exit_mem *m, const struct mmio_device *dev,
				       int err, const struct insn *in)
{
	u8 bytes[INSN_MAX_LEN];
	char hex[3 * INSN_MAX_LEN + 1];
	u32 got = guest_fetch_bytes(v, bytes), pos = 0;
	for (u32 i = 0; i < got; i++)
		pos += (u32)snprintf(hex + pos, sizeof(hex) - pos, i ? " %02x" : "%02x", bytes[i]);
	hex[pos] = 0;
	return verdict_stop(v, VM_BAD_ACCESS, "%s at 0x%llx: cannot decode the instruction (%s) in %u-bit mode, bytes %s",
			    dev->name, m->gpa, in->reason ? in->reason : decode_error_name(err), 16u << in->mode,
			    got ? hex : "(none fetched)");
}

/* Segment bases count outside 64-bit mode and for FS/GS: only then are they read (VMREADs on VMX). The
 * stack-address size follows the code size: SS.B is not in the back-end interface, and a flat kernel has
 * SS.B = CS.D. */
static void emul_cpu_of(struct vcpu *v, const struct insn *in, u64 seg_base[NUM_SEGS], struct emul_cpu *cpu)
{
	if (in->mode != CPU_MODE_64 || in->mem.seg == SEG_FS || in->mem.seg == SEG_GS)
		guest_segment_bases(v, seg_base);
	else
		__builtin_memset(seg_base, 0, NUM_SEGS * sizeof(seg_base[0])); /* six stores, no loop */
	*cpu = (struct emul_cpu){ v->gpr, &v->rflags, v->rip, seg_base,
				  in->mode == CPU_MODE_64 ? 8 : in->mode == CPU_MODE_32 ? 4 : 2, NULL };
}

struct verdict mmio_exit_emulate(struct vcpu *v, const struct exit_mem *m, const struct mmio_device *dev)
{
	struct insn scratch;
	int err;
	const struct insn *in = guest_fetch_decoded(v, &scratch, &err);
	if (err)
		return stop_undecodable(v, m, dev, err, in);
	u64 seg_base[NUM_SEGS];
	struct emul_cpu cpu;
	emul_cpu_of(v, in, seg_base, &cpu);
	/* mmio_emulate() makes an EA-only instruction's first access at the EA (mmio_emul.h). Member by
	 * member: an initializer would also clear b.gp, 56 bytes that are only read once loaded. */
	struct mmio_bus b;
	b.v = v;
	b.dev = dev;
	b.fault_gpa = m->gpa;
	b.first_at_ea = mmio_only_accesses_ea(in);
	b.known_linear = NO_LINEAR_PAGE;
	b.gp_loaded = false;
	b.refused_at = 0;
	b.refused = NULL;
	struct emul_bus bus = { bus_read, bus_write, &b };
	u8 xmm[16];
	if (in->kind == INSN_SSE_MOV) {
		xmm_read(in->reg.num, xmm);
		cpu.xmm = xmm;
	}
	int rc = mmio_emulate(in, &cpu, &bus);
	if (rc == EMUL_DONE && in->kind == INSN_SSE_MOV && !in->writes_rm)
		xmm_write(in->reg.num, xmm);
	if (rc == EMUL_DONE)
		return verdict_advance_by(in->len);
	if (rc == EMUL_FAULT_GP)
		return verdict_fault(VEC_GP, true, 0);
	if (rc == EMUL_REPEAT)
		return verdict_resume();
	if (rc == EMUL_CROSSES_PAGE) /* half of it would reach whatever lies above: not emulated */
		return verdict_stop(v, VM_BAD_ACCESS, "%u-byte %s at %s 0x%llx straddles the end of a page",
				    in->rm_size, insn_name(in), dev->name, m->gpa);
	if (rc == EMUL_BUS_ERROR)
		return verdict_stop(v, VM_BAD_ACCESS, "%s at %s 0x%llx: its access at linear 0x%llx is %s",
				    insn_name(in), dev->name, m->gpa, b.refused_at, b.refused);
	return verdict_stop(v, VM_BAD_ACCESS, "%s at %s 0x%llx: %s", insn_name(in), dev->name, m->gpa,
			    emul_result_name(rc));
}
