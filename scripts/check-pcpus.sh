#!/bin/sh
# check-pcpus.sh: microhv takes over every processor of the emulated machine (issue 14): under QEMU with
# -smp 2 (SVM) and under Bochs with cpu: count=2 (VMX) the log says "# microhv: 2 pCPUs online" and the
# suite still runs; pcpus=1 starts no AP. A bad AP is reported in one line and left out while the others
# come up: ap-fault=silent (the first AP is never sent its STARTUP IPIs, so it never answers) on QEMU
# with 3 CPUs, ap-fault=locked (the first AP locks VMX off in its IA32_FEATURE_CONTROL, as a firmware
# can) on Bochs with 3 CPUs. Each of those runs boots test=cpuid only.
# The suite in parallel: a selection whose first guest (apic_timer) runs longer than the four after it
# together, on 2 pCPUs and with pcpus=1: both pCPUs ran jobs, and the TAP result lines (numbers and
# names, without the times) are the same, in suite order, as the serial run's; leak_check runs on leak_write's
# pCPU (after-previous); the pCPU a guest learns from HC_WHERE is its job's, on both back ends. Two guest= kernels of 160 MiB each do not
# fit the 256 MiB pool together: on 2 pCPUs the second waits for the first (which hangs until its 1 s
# watchdog) and then passes.
set -u
B=build
. scripts/log-check.sh
check_prefix=pcpus/

# boot NAME PLATFORM CPUS WORDS [TESTS]: one run, its log in $log
boot() {
	HOST_CPUS=$3 MICROHV_ARGS=$4 RESULTS_NAME=pcpus-$1 sh scripts/run-platform.sh "$2" "${5:-cpuid}" "" >/dev/null 2>&1
	log=$B/results/pcpus-$1.log
}

# results LOG: its TAP result lines without the directive (times and exit counts vary)
results() {
	grep -aE '^(not )?ok [0-9]+ - ' "$1" | sed 's/ #.*//'
}

# parallel NAME PLATFORM: the order selection on 2 pCPUs against pcpus=1
parallel() {
	boot "$1-serial" "$2" 2 pcpus=1 apic_timer,leak_write,leak_check,harness_exit,harness_halt
	check "$1-serial-one-pcpu" '^# microhv: suite jobs per pCPU: pCPU 0 5$'
	results "$log" >"$log.results"
	serial=$log.results
	boot "$1-parallel" "$2" 2 "" apic_timer,leak_write,leak_check,harness_exit,harness_halt
	check "$1-parallel-spread" '^# microhv: suite jobs per pCPU: pCPU 0 [1-9][0-9]*, pCPU 1 [1-9][0-9]*$'
	results "$log" >"$log.results"
	n=$((n + 1))
	if [ "$(wc -l <"$serial")" -gt 5 ] && cmp -s "$serial" "$log.results"; then
		echo "ok $n - ${check_prefix}$1-parallel-same-results-in-suite-order"
		passed=$((passed + 1))
	else
		echo "not ok $n - ${check_prefix}$1-parallel-same-results-in-suite-order # $serial and $log.results differ"
		failed=$((failed + 1))
	fi
}

boot qemu-smp2 qemu-svm 2 ""
check qemu-smp2-online '^# microhv: 2 pCPUs online$'
check qemu-smp2-suite-runs '^ok [0-9]+ - qemu-svm/cpuid/completed'
boot qemu-pcpus1 qemu-svm 2 pcpus=1
check qemu-pcpus1-online '^# microhv: 1 pCPUs online$'
check qemu-pcpus1-says-why "^# microhv: pcpus=1: 1 of the MADT's processors not started$"
boot qemu-silent-ap qemu-svm 3 ap-fault=silent
check qemu-silent-ap-reported '^# microhv: error: pCPU 1 \(APIC ID 1\): no answer to its STARTUP IPIs within [0-9]+ ms: left out$'
check qemu-silent-ap-rest-online '^# microhv: 2 pCPUs online$'
check qemu-silent-ap-suite-runs '^ok [0-9]+ - qemu-svm/cpuid/completed'
boot bochs-smp2 bochs-vmx-tigerlake 2 ""
check bochs-smp2-online '^# microhv: 2 pCPUs online$'
check bochs-smp2-suite-runs '^ok [0-9]+ - bochs-vmx-tigerlake/cpuid/completed'
boot bochs-locked-ap bochs-vmx-tigerlake 3 ap-fault=locked
check bochs-locked-ap-reported '^# microhv: error: pCPU 1 \(APIC ID 1\): VMX is disabled and locked by the firmware .*: left out$'
check bochs-locked-ap-rest-online '^# microhv: 2 pCPUs online$'
check bochs-locked-ap-suite-runs '^ok [0-9]+ - bochs-vmx-tigerlake/cpuid/completed'
parallel qemu qemu-svm
parallel bochs bochs-vmx-tigerlake

# after-previous: with only leak_write and leak_check, the pCPU that does not take leak_write would take
# leak_check at once; log=debug names each job's pCPU.
boot qemu-after-previous qemu-svm 2 log=debug leak_write,leak_check
write_pcpu=$(sed -n 's/^# microhv: debug: suite job 0 on pCPU \([0-9]*\)$/\1/p' "$log")
check qemu-leak-check-on-leak-writes-pcpu "^# microhv: debug: suite job 1 on pCPU ${write_pcpu:-none}\$"

# HC_WHERE: pcpu_where and pcpu_where_again start together on 2 pCPUs; each guest names the pCPU that
# microhv's log (log=debug) names for its job, and the two differ. SVM answers it in svm_fast.c, VMX in
# its own entry loop: both back ends.
where() {
	boot "$1-where" "$2" 2 log=debug pcpu_where,pcpu_where_again
	host_0=$(sed -n 's/^# microhv: debug: suite job 0 on pCPU \([0-9]*\)$/\1/p' "$log")
	host_1=$(sed -n 's/^# microhv: debug: suite job 1 on pCPU \([0-9]*\)$/\1/p' "$log")
	check "$1-where-first-guest-names-its-pcpu" "^# pcpu_where\\| # vCPU 0 on pCPU ${host_0:-none} of 2\$"
	check "$1-where-second-guest-names-its-pcpu" "^# pcpu_where_again\\| # vCPU 0 on pCPU ${host_1:-none} of 2\$"
	n=$((n + 1))
	if [ -n "${host_0:-}" ] && [ "${host_0:-}" != "${host_1:-}" ]; then
		echo "ok $n - ${check_prefix}$1-where-two-pcpus"
		passed=$((passed + 1))
	else
		echo "not ok $n - ${check_prefix}$1-where-two-pcpus # jobs on pCPU '${host_0:-}' and '${host_1:-}'"
		failed=$((failed + 1))
	fi
}
where qemu qemu-svm
where bochs bochs-vmx-tigerlake

D=$B/pcpus-kernels
mkdir -p "$D"
for k in big_hang big_pass; do cp $B/guests/plain_kernel.elf "$D/$k.elf"; done
export ESP_FILES="$D/big_hang.elf $D/big_pass.elf"
boot qemu-memory-wait qemu-svm 2 'guest=big_hang.elf mem=160 append=hang timeout=1 guest=big_pass.elf mem=160' \
	big_hang.elf,big_pass.elf
unset ESP_FILES
check qemu-memory-wait-said "^# microhv: guest 'big_(hang|pass).elf': its 160 MiB were not free while other pCPUs ran VMs: tried again after one ended$"
check qemu-memory-wait-second-passes '^ok [0-9]+ - qemu-svm/big_pass.elf/completed'
check qemu-memory-wait-first-hit-its-watchdog '^not ok [0-9]+ - qemu-svm/big_hang.elf/completed # FAILED: '
echo "pcpus: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
