#!/bin/sh
# Run the host unit-test binaries (cmocka), show their output, and end with exactly one summary line:
#   unit: N passed, M failed
# summing cmocka's own counts over all binaries. A binary that is missing, crashes, hangs, prints no
# cmocka summary, or exits nonzero without reporting a failed test counts as 1 failed.
# Exit status: 0 if nothing failed, 1 otherwise (also when no binary was given: nothing was tested).
#
# usage: sh scripts/run-unit.sh BIN...
# UNIT_TIMEOUT (seconds, default 120) bounds each binary when timeout(1) is available.

passed=0
failed=0

if [ $# -eq 0 ]; then
	echo "run-unit: no unit test binaries given" >&2
	echo "unit: 0 passed, 0 failed"
	exit 1
fi

tmp=$(mktemp "${TMPDIR:-/tmp}/run-unit.XXXXXX") || exit 1
trap 'rm -f "$tmp"' EXIT
trap 'exit 130' INT TERM

# Run under timeout(1) when present, so a hung test cannot stall the whole suite.
limit=
if command -v timeout >/dev/null 2>&1; then
	limit="timeout ${UNIT_TIMEOUT:-120}"
fi

# Sum the N of every "[  <TAG>  ] N test(s)" summary line in $tmp (TAG is PASSED or FAILED).
# Matched anywhere in a line: cmocka prints the summary on stderr, which may interleave with stdout.
sum_tag() {
	sed -n "s/.*\[  $1  \] \([0-9][0-9]*\) test(s).*/\1/p" "$tmp" | {
		total=0
		while read -r n; do
			total=$((total + n))
		done
		echo "$total"
	}
}

for bin in "$@"; do
	echo "== $bin"
	if [ ! -f "$bin" ] || [ ! -x "$bin" ]; then
		echo "run-unit: $bin: missing or not executable (counted as 1 failed)"
		failed=$((failed + 1))
		continue
	fi

	# Force cmocka's plain-text format: the summary lines parsed below depend on it.
	CMOCKA_MESSAGE_OUTPUT=STDOUT $limit "$bin" >"$tmp" 2>&1
	status=$?
	cat "$tmp"

	p=$(sum_tag PASSED)
	f=$(sum_tag FAILED)
	if ! grep -q '\[  PASSED  \] [0-9][0-9]* test(s)' "$tmp"; then
		if [ "$status" -eq 124 ] && [ -n "$limit" ]; then
			why="timed out after ${UNIT_TIMEOUT:-120}s"
		elif [ "$status" -gt 128 ]; then
			why="killed by signal $((status - 128))"
		else
			why="exit status $status"
		fi
		echo "run-unit: $bin: no cmocka summary ($why); counted as 1 failed"
		p=0
		f=1
	elif [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "run-unit: $bin: exit status $status but no failed test reported; counted as 1 failed"
		f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
done

echo "unit: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
