#!/bin/sh
# bench.sh PLATFORM: what `make bench` runs. The benchmark guests (test=@bench) on PLATFORM, or on the
# four emulator platforms one after another for PLATFORM=all, each through run-platform.sh with its own
# results (build/results/bench-PLATFORM.*, apart from make run's); then, at the end, each platform's
# exit-cost table (scripts/bench-table.sh). Exit status: the worst of the runs' (docs/exit-status.md),
# at least 1 if a table lacks a row.
set -u
case ${1:-qemu-svm} in
all) platforms="qemu-svm bochs-vmx-tigerlake bochs-vmx-skylake bochs-svm-ryzen" ;;
*) platforms=${1:-qemu-svm} ;;
esac
R=build/results
status=0
for p in $platforms; do
	rm -f "$R/bench-$p.log" # a run that prints nothing must not leave the last run's figures behind
	RESULTS_NAME=bench-$p sh scripts/run-platform.sh "$p" @bench ""
	s=$?
	[ "$s" -gt "$status" ] && status=$s
done
echo
echo "== bench: exit round trips, normal vs null path (TSC ticks per exit; under Bochs instructions)"
for p in $platforms; do
	if ! sh scripts/bench-table.sh "$R/bench-$p.log" "$p"; then
		[ "$status" -eq 0 ] && status=1
	fi
done
exit "$status"
