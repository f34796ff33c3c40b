#!/bin/sh
# check-help.sh: `make help` and README.md must name every make target (.PHONY) and every knob: the
# Makefile's `?=` variables and each environment variable a script reads with a default (${VAR:-...},
# ${VAR:=...}).
# TMPDIR is the system's, not ours. Prints TAP and last "help: N passed, M failed".
set -u
help=$(sh scripts/help.sh)
targets=$(sed -n 's/^\.PHONY://p' Makefile)
make_vars=$(sed -nE 's/^([A-Z_]+) *\?=.*/\1/p' Makefile)
env_vars=$(grep -ohE '\$\{[A-Z_]+:?[-=]' scripts/*.sh | sed -E 's/^\$\{([A-Z_]+).*/\1/' | sort -u | grep -vx TMPDIR)
n=0 passed=0 failed=0
readme=$(cat README.md)
listed() { # case pattern what [text where]
	n=$((n + 1))
	if printf '%s\n' "${4:-$help}" | grep -qE "$2"; then
		echo "ok $n - help/$1"; passed=$((passed + 1))
	else
		echo "not ok $n - help/$1 # ${5:-make help} does not list $3"; failed=$((failed + 1))
	fi
}
for word in $targets; do
	listed "target/$word" "make $word( |$)|^  make +$word" "'make $word'"
	listed "readme/target/$word" "make $word( |\`|$)" "'make $word'" "$readme" README.md
done
for word in $make_vars $env_vars; do
	listed "knob/$word" "(^|[ ])$word=" "$word="
	listed "readme/knob/$word" "(^|[ \`(])$word=" "$word=" "$readme" README.md
done
echo "1..$n"
echo "help: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
