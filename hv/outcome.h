/* How a VM ended (or that it still runs). */
#ifndef HV_OUTCOME_H
#define HV_OUTCOME_H

enum vm_outcome {
	VM_RUNNING,
	VM_EXITED,          /* the guest wrote its status to the exit port */
	VM_TRIPLE_FAULT,
	VM_TIMEOUT,         /* the watchdog deadline passed */
	VM_HALTED_FOREVER,  /* every vCPU halted with no way to be woken */
	VM_ENTRY_FAILED,
	VM_BAD_ACCESS,      /* an access the platform cannot emulate */
	VM_UNHANDLED_EXIT,
	VM_RESET,           /* the guest reset the machine (0xCF9, port 0x92): QEMU -no-reboot would exit */
	VM_POWER_OFF,       /* the guest entered S5 through PM1a_CNT (ACPI soft off) */
};

#endif
