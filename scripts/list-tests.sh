#!/bin/sh
# list-tests.sh [SUITE_FILE]: what `make list` prints. Every test of guest-tests/suite.txt with its vCPU
# count, expected outcome, options, the platforms it skips and its groups (test=@GROUP), then the
# groups. Reads the same lines as gen-guest-table.sh; the names are the ones test= takes.
set -eu
suite=${1:-guest-tests/suite.txt}
[ -f "$suite" ] || { echo "list-tests: $suite: no such file" >&2; exit 2; }

awk '
function strip_comment(s) { sub(/[ \t]*#.*/, "", s); return s }
/^[ \t]*(#|$)/ { next }
$1 ~ /^@/ {
	line = strip_comment($0)
	n = split(line, w, /[ \t]+/)
	group_order[++ngroups] = w[1]
	group_line[w[1]] = line
	for (i = 2; i <= n; i++) groups_of[w[i]] = groups_of[w[i]] (groups_of[w[i]] ? "," : "") w[1]
	next
}
{
	name = $1
	order[++ntests] = name
	expect[name] = $2
	vcpus[name] = 1
	skips[name] = "-"
	opts = ""
	n = split(strip_comment($0), w, /[ \t]+/)
	for (i = 3; i <= n; i++) {
		if (w[i] ~ /^vcpus=/) vcpus[name] = substr(w[i], 7)
		else if (w[i] ~ /^skip-on=/) skips[name] = substr(w[i], 9)
		else opts = opts (opts ? " " : "") w[i]
	}
	options[name] = opts ? opts : "-"
}
END {
	fmt = "%-30s %5s  %-26s %-20s %-24s %s\n"
	printf fmt, "test", "vcpus", "expect", "skipped on", "groups", "options"
	for (i = 1; i <= ntests; i++) {
		t = order[i]
		printf fmt, t, vcpus[t], expect[t], skips[t], groups_of[t] ? groups_of[t] : "-", options[t]
	}
	print ""
	for (i = 1; i <= ngroups; i++) print group_line[group_order[i]]
}' "$suite"
