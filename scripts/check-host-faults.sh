#!/bin/sh
# check-host-faults.sh: the host's W^X page tables and stack guard pages hold, and a fault in the
# hypervisor still prints its registers and a backtrace. One QEMU boot per case with the hidden debug word
# selftest=CASE, which makes microhv fault on purpose right after its set-up; each log must show the fault
# the case expects, what it hit, the register dump (CR0.WP set) and the backtrace. Last, a run that ends
# through the firmware (exit=shutdown) still powers off.
set -u
. scripts/log-check.sh

# fault_case CASE HEADER WHAT: boot with selftest=CASE; the report starts with "Bail out! microhv: host
# HEADER" and names what was hit with a line matching WHAT.
fault_case() {
	log=build/results/host-fault-$1.log
	check_prefix=host-fault/$1/
	RESULTS_NAME=host-fault-$1 MICROHV_ARGS="selftest=$1" sh scripts/run-platform.sh qemu-svm cpuid "" \
		>/dev/null 2>&1
	check fault "^Bail out! microhv: host $2\$" # not "selftest CASE did not fault"
	check named "$3"
	check registers '^# rax [0-9a-f]{16} rbx '
	check cr0-wp '^# cr0 [0-9a-f]*[13579bdf][0-9a-f]{4} cr2 ' # bit 16
	check backtrace '^# backtrace:( [0-9a-f]+)+$'
	check stopped-there '^# microhv: selftest [a-z-]+: faulting on purpose$'
}

fault_case text-write '#PF \(vector 14\) error code 0x3' '^# page fault: write to a present \(protected\) page at '
fault_case rodata-write '#PF \(vector 14\) error code 0x3' '^# page fault: write to a present \(protected\) page at '
fault_case data-exec '#PF \(vector 14\) error code 0x11' \
	'^# page fault: instruction fetch from a present \(protected\) page at '
fault_case stack-overflow '#DF \(vector 8\) error code 0x0' \
	'^# stack overflow: cr2 [0-9a-f]+ is in the guard page below the hypervisor stack$'
# exit=shutdown ends in the firmware's ResetSystem, whose image writes its own data in pages the host
# maps R+X: hv_finish() must allow that, and the machine powers off instead of faulting.
log=build/results/host-fault-shutdown.log
check_prefix=host-fault/shutdown/
RESULTS_NAME=host-fault-shutdown MICROHV_ARGS=exit=shutdown sh scripts/run-platform.sh qemu-svm cpuid "" \
	>/dev/null 2>&1
check summary '^[0-9]+ passed, 0 failed$'
check no-fault '^Bail out!' absent
echo "1..$n"
echo "host-faults: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
