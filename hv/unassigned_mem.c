/* See unassigned_mem.h. Every instruction the MMIO emulator knows works there (hv/mmio_exit.h): the
 * device is the faulting page, reading all ones and ignoring writes. */
#include "unassigned_mem.h"
#include "log.h"
#include "mmio_exit.h"
#include "vm.h"

static void unassigned_read(struct vcpu *v, u64 offset, u8 size, u64 *value)
{
	*value = size == 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

static void unassigned_write(struct vcpu *v, u64 offset, u8 size, u64 value)
{
}

bool unassigned_mem_access(struct vcpu *v, const struct exit_mem *m, struct verdict *vd)
{
	if (m->fetch)
		return false;
	if (!v->vm->unassigned_seen++) /* once per VM: a guest probing many addresses must not flood the log */
		log_info("%s: %s of unassigned guest-physical 0x%llx (reads all ones, writes dropped)", v->vm->name,
			 m->write ? "write" : "read", m->gpa);
	const struct mmio_device page = { "unassigned memory", m->gpa & ~(PAGE_SIZE - 1), PAGE_SIZE, unassigned_read,
					  unassigned_write };
	*vd = mmio_exit_emulate(v, m, &page);
	return true;
}
