#!/bin/sh
# tap-junit.sh ALL_TAP: JUnit XML (stdout) from make test's combined TAP (build/results/all.tap).
# One <testsuite> per platform (a description's first word, "PLATFORM/GUEST/CASE"), one <testcase> per
# result line (classname PLATFORM.GUEST, name CASE). "not ok" is a <failure>: its message is the line's
# directive (the text after " # "; without one, the first diagnostic line), its body the directive and the "#" diagnostics that follow the line,
# up to the next result line (another guest's echoed lines, "# OTHER| ...", are left out). "ok ... # SKIP
# why" is a <skipped/>. Counting (README.md, "Counting"): tests = every result line, failures = "not ok",
# skipped = SKIP, passed = the rest. Bytes outside printable ASCII become '?'.
set -u
tap=${1:?usage: tap-junit.sh ALL_TAP}
[ -f "$tap" ] || { echo "tap-junit: $tap: no such file" >&2; exit 2; }
awk '
function xml(s) {
	gsub(/[^\t\n -~]/, "?", s); gsub(/&/, "\\&amp;", s); gsub(/</, "\\&lt;", s); gsub(/>/, "\\&gt;", s)
	gsub(/"/, "\\&quot;", s); return s
}
function finish_case() {
	if (!open) return
	if (msg == "") { msg = text; sub(/\n.*/, "", msg) } # no directive: the first diagnostic line
	if (kind == "failure")
		body[suite, n[suite]] = body[suite, n[suite]] "<failure message=\"" xml(msg) "\">" xml(text) "</failure>"
	open = 0
}
/^(ok|not ok) [0-9]+( |$)/ {
	finish_case()
	line = $0
	failed = (line ~ /^not ok/)
	sub(/^(not )?ok [0-9]+ *(- )?/, "", line)
	directive = ""
	if ((i = index(line, " # ")) > 0) { directive = substr(line, i + 3); line = substr(line, 1, i - 1) }
	nparts = split(line, part, "/")
	suite = part[1]
	name = part[nparts]
	guest = ""
	for (j = 2; j < nparts; j++) guest = guest (guest == "" ? "" : "/") part[j]
	if (!(suite in tests)) order[++nsuites] = suite
	tests[suite]++
	k = ++n[suite]
	attrs = "classname=\"" xml(guest == "" ? suite : suite "." guest) "\" name=\"" xml(name) "\""
	if (failed) {
		failures[suite]++
		open = 1; kind = "failure"; msg = directive; text = directive; cur_guest = guest
		head[suite, k] = "<testcase " attrs ">"; body[suite, k] = ""; tail[suite, k] = "</testcase>"
	} else if (toupper(directive) ~ /^SKIP/) {
		skipped[suite]++
		reason = directive; sub(/^[Ss][Kk][Ii][Pp] */, "", reason)
		head[suite, k] = "<testcase " attrs "><skipped message=\"" xml(reason) "\"/>"; body[suite, k] = ""
		tail[suite, k] = "</testcase>"
	} else {
		head[suite, k] = "<testcase " attrs "/>"; body[suite, k] = ""; tail[suite, k] = ""
	}
	next
}
/^#/ && open {
	if (match($0, /^# [^ |]+\| /) && substr($0, 3, RLENGTH - 4) != cur_guest) next
	text = text (text == "" ? "" : "\n") $0
	next
}
/^1\.\.[0-9]+/ || /^# platform / { finish_case() } # the plan, or the next platform in all.tap
END {
	finish_case()
	for (s = 1; s <= nsuites; s++) {
		t = order[s]; all += tests[t]; allf += failures[t]; alls += skipped[t]
	}
	print "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
	printf "<testsuites name=\"microhv\" tests=\"%d\" failures=\"%d\" skipped=\"%d\" errors=\"0\">\n", all, allf, alls
	for (s = 1; s <= nsuites; s++) {
		t = order[s]
		printf "  <testsuite name=\"%s\" tests=\"%d\" failures=\"%d\" skipped=\"%d\" errors=\"0\">\n", xml(t),
			tests[t], failures[t], skipped[t]
		for (k = 1; k <= n[t]; k++) print "    " head[t, k] body[t, k] tail[t, k]
		print "  </testsuite>"
	}
	print "</testsuites>"
}' "$tap"
