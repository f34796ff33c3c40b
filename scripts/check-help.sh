#!/bin/sh
# check-help.sh: `make help` must name every make target (.PHONY) and every knob: the Makefile's `?=`
# variables and each environment variable a script reads with a default (${VAR:-...}, ${VAR:=...}).
# TMPDIR is the system's, not ours. Prints TAP and last "help: N passed, M failed".
set -u
help=$(sh scripts/help.sh)
targets=$(sed -n 's/^\.PHONY://p' Makefile)
make_vars=$(sed -nE 's/^([A-Z_]+) *\?=.*/\1/p' Makefile)
env_vars=$(grep -ohE '\$\{[A-Z_]+:?[-=]' scripts/*.sh | sed -E 's/^\$\{([A-Z_]+).*/\1/' | sort -u | grep -vx TMPDIR)
n=0 passed=0 failed=0
for word in $targets; do
	n=$((n + 1))
	if printf '%s\n' "$help" | grep -qE "make $word( |$)|^  make +$word"; then
		echo "ok $n - help/target/$word"; passed=$((passed + 1))
	else
		echo "not ok $n - help/target/$word # make help does not list 'make $word'"; failed=$((failed + 1))
	fi
done
for word in $make_vars $env_vars; do
	n=$((n + 1))
	if printf '%s\n' "$help" | grep -qE "(^|[ ])$word="; then
		echo "ok $n - help/knob/$word"; passed=$((passed + 1))
	else
		echo "not ok $n - help/knob/$word # make help does not list $word="; failed=$((failed + 1))
	fi
done
echo "1..$n"
echo "help: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
