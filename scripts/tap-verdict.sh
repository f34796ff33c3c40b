#!/bin/sh
# tap-verdict.sh LOG: count the suite's TAP lines in a microhv console log ourselves, instead of trusting
# microhv's own summary, and check that the two agree. A hypervisor that counts a failure as a pass
# prints "not ok" in its TAP but "0 failed" in its summary: that disagreement is caught here.
#
# Only microhv's lines count: "ok N - ...", "not ok N - ..." (a SKIP is "ok N - ... # SKIP why"), the plan
# "1..N", the summary "P passed, F failed" and "# microhv: suite finished ...: P passed, F failed, S skipped".
# The guests' own lines are re-printed as "# NAME| ..." and are diagnostics here.
#
# Prints "tap-verdict: P passed, F failed, S skipped" (the counted numbers), preceded by one
# "tap-verdict: LOG: problem" line per disagreement. Exit status: 0 the log is consistent, 1 it is not
# (numbering, plan or summary disagree with the lines, or there is no summary), 2 no such log.
set -u
log=${1:?usage: tap-verdict.sh LOG}
[ -f "$log" ] || { echo "tap-verdict: $log: no such file"; exit 2; }

tr -d '\r' < "$log" | awk -v logname="$log" '
function problem(text) { print "tap-verdict: " logname ": " text; bad = 1 }
/^(ok|not ok) [0-9]+( |$)/ {
	number = ($1 == "ok") ? $2 : $3
	if (number != results + 1)
		problem("case " number " after case " results " (cases must count 1, 2, 3, ...)")
	results++
	if ($1 == "not") failed++
	else if (toupper($0) ~ /^OK [0-9]+ [^#]*# SKIP/) skipped++
	else passed++
	next
}
/^1\.\.[0-9]+$/ { plans++; plan = substr($0, 4) + 0; next }
/^[0-9]+ passed, [0-9]+ failed$/ { summaries++; said_passed = $1 + 0; said_failed = $3 + 0; next }
/^# microhv: suite finished .* skipped$/ { said_skipped = $(NF - 1) + 0; finished = 1 }
END {
	if (plans != 1) problem(plans + 0 " plan lines, expected 1")
	else if (plan != results) problem("plan 1.." plan " but " results + 0 " result lines")
	if (summaries != 1) problem(summaries + 0 " summary lines (\"N passed, N failed\"), expected 1")
	else if (said_passed != passed || said_failed != failed)
		problem("microhv says " said_passed " passed, " said_failed " failed; its TAP lines say " \
			passed + 0 " passed, " failed + 0 " failed")
	if (finished && said_skipped != skipped)
		problem("microhv says " said_skipped " skipped; its TAP lines say " skipped + 0)
	printf "tap-verdict: %d passed, %d failed, %d skipped\n", passed, failed, skipped
	exit bad
}'
