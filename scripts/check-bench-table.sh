#!/bin/sh
# check-bench-table.sh: the self-check of make bench's table (scripts/bench-table.sh), without an emulator:
# a canned log of real bench lines (tests/bench-table/canned.log, from a bochs-vmx-tigerlake run) must give
# exactly tests/bench-table/expected.txt; a log without one guest's lines must name its rows missing and
# fail; the bench guests must still print the line the table reads. So a change of the table's format, or
# of the guests' lines, is noticed by make test. Prints TAP and last "bench-table: N passed, M failed".
set -u
D=tests/bench-table
n=0 passed=0 failed=0
result() { # ok? name [diagnostic]
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - bench-table/$2"; passed=$((passed + 1))
	else
		echo "not ok $n - bench-table/$2${3:+ # $3}"; failed=$((failed + 1))
	fi
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

sh scripts/bench-table.sh "$D/canned.log" canned > "$tmp/out"
result $? canned_log_complete "a row is missing"
cmp -s "$tmp/out" "$D/expected.txt"
result $? canned_log_table "output differs from $D/expected.txt: $(diff "$D/expected.txt" "$tmp/out" | head -n 3 | tr '\n' ' ')"
grep -q '^bench canned cpuid: normal [0-9]*, null [0-9]*, ratio [0-9]*\.[0-9][0-9]$' "$tmp/out"
result $? row_form "no 'bench PLATFORM EXIT: normal N, null M, ratio R' row for cpuid"

grep -v '^# bench_apic_no_apicv|' "$D/canned.log" > "$tmp/partial.log"
sh scripts/bench-table.sh "$tmp/partial.log" canned > "$tmp/partial.out"
status=$?
[ "$status" -ne 0 ] && [ "$(grep -c ': missing$' "$tmp/partial.out")" -eq 2 ]
result $? missing_rows_fail "exit status $status, $(grep -c ': missing$' "$tmp/partial.out") rows missing (want 2: the no-apicv ones)"

grep -q '"bench exit %s: normal %llu, null %llu"' bench/bench_cpuid.c && \
	grep -q '"bench exit %s: normal %llu, null %llu"' bench/bench_apic.c
result $? guests_print_the_line "a bench guest no longer prints 'bench exit KIND: normal N, null M'"

echo "1..$n"
echo "bench-table: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
