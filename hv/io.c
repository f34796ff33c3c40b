/* Port I/O: UART, exit port; other ports read as all ones and ignore writes, as on an empty ISA bus. */
#include "io.h"
#include "guest_abi.h"
#include "vm.h"

#define UART_PORTS 8
#define EXIT_PORT_WIDTH 4 /* the exit port takes a 32-bit OUT, like QEMU's isa-debug-exit */

static u32 size_mask(u8 size)
{
	return size == 4 ? 0xFFFFFFFFu : (1u << (size * 8)) - 1;
}

void io_emulate(struct vcpu *v, const struct exit_io *io)
{
	struct vm *vm = v->vm;
	u32 value = io->in ? size_mask(io->size) : (u32)v->gpr[GPR_RAX] & size_mask(io->size);

	if (io->string) {
		vm_stop(vm, VM_BAD_ACCESS, v->rip, "string I/O (INS/OUTS) to port 0x%x is not emulated", io->port);
		return;
	}
	v->vm->be->skip_instruction(v);
	if (io->port >= GUEST_UART_PORT && io->port < GUEST_UART_PORT + UART_PORTS) {
		uart_access(&vm->uart, io->port - GUEST_UART_PORT, io->in, &value);
	} else if (io->port == GUEST_EXIT_PORT && !io->in && io->size == EXIT_PORT_WIDTH) {
		vm->exit_status = value;
		vm_stop(vm, VM_EXITED, v->rip, "exit port: status %u", value);
	}
	if (io->in && io->size == EXIT_PORT_WIDTH) {
		v->gpr[GPR_RAX] = value; /* a 32-bit destination zero-extends into RAX */
	} else if (io->in) {
		u64 mask = size_mask(io->size);
		v->gpr[GPR_RAX] = (v->gpr[GPR_RAX] & ~mask) | (value & mask);
	}
}
