#!/bin/sh
# check-qemu-kernels.sh [PLATFORM]: the QEMU test kernels of guest-tests/qemu-kernels/make-test.txt under
# microhv on PLATFORM (default qemu-svm) in one boot, with the guest= words make test gives them
# (compat-lib.sh: qk_suite_args). One TAP case per kernel: ok when it ended with exit status 0 and printed
# no FAIL: line. Last line "qemu-kernels: N passed, M failed". For mutants (# kill: script
# check-qemu-kernels) and for a quick look without the rest of make test.
set -u
. scripts/compat-lib.sh
p=${1:-qemu-svm}
make -s qemu-kernels >/dev/null || { echo "qemu-kernels: build failed"; exit 2; }
qk_suite_args guest-tests/qemu-kernels/make-test.txt build/qemu-kernels
sel=$(grep -v '^#' guest-tests/qemu-kernels/make-test.txt | sed 's/$/.elf/' | paste -sd, -)
[ -n "$sel" ] || { echo "qemu-kernels: make-test.txt names no kernel"; exit 2; }
ESP_FILES="$qk_files" MICROHV_ARGS="$qk_args" RESULTS_NAME=qemu-kernels-$p \
	sh scripts/run-platform.sh "$p" "$sel" "" >/dev/null 2>&1
log=build/results/qemu-kernels-$p.log
n=0 passed=0 failed=0
for k in $(echo "$sel" | tr ',' ' '); do
	n=$((n + 1))
	e=$(qk_microhv_exit "$log" "$p" "$k")
	fails=$(qk_guest_lines "$log" "$k" | grep -c '^FAIL: ')
	if [ "$e" = "exit status 0" ] && [ "$fails" -eq 0 ]; then
		passed=$((passed + 1)); echo "ok $n - qemu-kernels/$p/$k"
	else
		failed=$((failed + 1)); echo "not ok $n - qemu-kernels/$p/$k # $e, $fails FAIL line(s)"
		qk_guest_lines "$log" "$k" | grep '^FAIL: ' | head -n 3 | sed 's/^/#   /'
	fi
done
echo "1..$n"
echo "qemu-kernels: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
