#!/bin/sh
# Run libFuzzer harnesses (build/fuzz/fuzz_NAME, from tests/fuzz/fuzz_NAME.c), each for SECONDS of wall time
# over a scratch copy of its seed corpus tests/fuzz/corpus/NAME, so runs never grow the tree, and print per
# harness
#   ok NAME: N execs, M exec/s          (or "not ok NAME: why")
# then, as the last line, "N passed, M failed". A harness fails if it crashes, trips an invariant or a
# sanitizer, hangs, prints no final stats, or has no seed corpus. Without clang's libFuzzer runtime the
# run fails (it never skips): install it with scripts/deps.sh.
#
# usage: sh scripts/run-fuzz.sh SECONDS BIN...
# FUZZ_MERGE=1: afterwards merge the inputs that add coverage into tests/fuzz/corpus/NAME (libFuzzer -merge=1).
# Logs and crash inputs: build/fuzz/logs/NAME.log, build/fuzz/artifacts/NAME/.
set -u
secs=${1:-}
[ -n "$secs" ] && shift
passed=0
failed=0

finish() {
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit
}

if [ -z "$secs" ] || [ $# -eq 0 ]; then
	echo "run-fuzz: usage: run-fuzz.sh SECONDS BIN..." >&2
	failed=1
	finish
fi

# The toolchain the harnesses need, checked even when they are already built: a machine that cannot
# rebuild them cannot be trusted to have run them.
runtime=$(clang -print-resource-dir 2>/dev/null)/lib/linux/libclang_rt.fuzzer-x86_64.a
if ! command -v clang >/dev/null 2>&1 || [ ! -f "$runtime" ]; then
	echo "run-fuzz: clang with libFuzzer (libclang_rt.fuzzer) is missing; install it: sh scripts/deps.sh" >&2
	echo "not ok fuzz: no libFuzzer toolchain"
	failed=1
	finish
fi

scratch=$(mktemp -d "${TMPDIR:-/tmp}/run-fuzz.XXXXXX") || exit 1
trap 'rm -rf "$scratch"' EXIT
trap 'exit 130' INT TERM
mkdir -p build/fuzz/logs

stat_of() { # stat name, log
	sed -n "s/^stat::$1: *\([0-9][0-9]*\).*/\1/p" "$2" | tail -n 1
}

for bin in "$@"; do
	name=$(basename "$bin")
	name=${name#fuzz_}
	seeds=tests/fuzz/corpus/$name
	log=build/fuzz/logs/$name.log
	art=build/fuzz/artifacts/$name
	if [ ! -x "$bin" ]; then
		echo "not ok $name: $bin missing or not executable"
		failed=$((failed + 1))
		continue
	fi
	if [ ! -d "$seeds" ] || [ -z "$(ls -A "$seeds")" ]; then
		echo "not ok $name: no seed corpus in $seeds"
		failed=$((failed + 1))
		continue
	fi
	work=$scratch/$name
	mkdir -p "$work" "$art"
	cp "$seeds"/* "$work"/
	# -timeout: one input may take at most 10 s; timeout(1) catches a fuzzer that never stops.
	timeout $((secs + 120)) "$bin" -max_total_time="$secs" -print_final_stats=1 -timeout=10 \
		-rss_limit_mb=2048 -artifact_prefix="$art/" "$work" >"$log" 2>&1
	status=$?
	execs=$(stat_of number_of_executed_units "$log")
	rate=$(stat_of average_exec_per_sec "$log")
	if [ "$status" -ne 0 ] || [ -z "$execs" ]; then
		why=$(grep -m 1 -E 'fuzz invariant violated|ERROR: (libFuzzer|AddressSanitizer)|runtime error' "$log")
		echo "not ok $name: exit status $status: ${why:-see $log} (inputs in $art/)"
		failed=$((failed + 1))
		continue
	fi
	echo "ok $name: $execs execs, $rate exec/s"
	passed=$((passed + 1))
	if [ "${FUZZ_MERGE:-0}" = 1 ]; then
		"$bin" -merge=1 "$seeds" "$work" >>"$log" 2>&1 || echo "run-fuzz: $name: merge failed (see $log)" >&2
	fi
done
finish
