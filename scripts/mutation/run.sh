#!/bin/sh
# run.sh [NAME ...]: mutation testing. Each scripts/mutation/mutants/NAME.patch plants one small bug in the
# hypervisor; its "# kill:" header lines name the checks that must catch it. For each mutant (all of them,
# or the NAMEs given) this resets one scratch git worktree to HEAD, applies the patch, builds, runs only the
# listed checks, and prints one line:
#   mutant NAME: killed by CHECK/CASE       the first failing unit test or TAP case
#   mutant NAME: SURVIVED                   every listed check passed: a gap in the tests
#   mutant NAME: ERROR why                  the patch does not apply or does not build (not a kill)
# then a table (mutant | killed by | time) and a last line "N killed, N survived".
# Exit status 0 only if every mutant was killed.
#
# "# kill:" lines (one check each, tried in order until one fails):
#   # kill: unit                           the host unit tests (make unit's binaries)
#   # kill: PLATFORM TEST[,TEST...]        scripts/run-platform.sh PLATFORM with that test= selection
#   # kill: script NAME                    sh scripts/NAME.sh (check-bad-input, check-tap-verdict, ...)
# The worktree is HEAD: commit a new test before running its mutants. It lives in MUTATION_DIR
# (default build/mutation/worktree) with its own build/: nothing is shared with the main build/.
# MUTATION_RUN_TIMEOUT=S bounds each emulator run (default 180); a "# run-timeout: S" header line overrides it
# for a mutant that makes a guest hang.
set -u
top=$(git rev-parse --show-toplevel) || exit 2
mutants_dir=$top/scripts/mutation/mutants
wt=${MUTATION_DIR:-$top/build/mutation/worktree}
run_timeout=${MUTATION_RUN_TIMEOUT:-180}
log_dir=$wt.logs
killed=0 survived=0 errors=0
table=""

now() { date +%s; }

# The worktree, at HEAD and without local changes; its build/ is kept so each build is incremental.
prepare_worktree() {
	git -C "$top" worktree prune
	if [ ! -e "$wt/.git" ]; then
		mkdir -p "$(dirname "$wt")"
		git -C "$top" worktree add -q --detach "$wt" HEAD || return 1
	fi
	git -C "$wt" checkout -q --detach "$(git -C "$top" rev-parse HEAD)" 2>/dev/null || true
	reset_worktree
}

reset_worktree() {
	git -C "$wt" reset -q --hard HEAD && git -C "$wt" clean -q -fd
}

build() { # in the worktree: the EFI image, the guests and the unit binaries
	units=$(cd "$wt" && ls tests/unit/test_*.c | sed 's|tests/unit/\(.*\)\.c|build/unit/\1|')
	# shellcheck disable=SC2086
	make -C "$wt" -j2 all guests $units > "$log_dir/$1.build" 2>&1
}

# Each check prints the failing case's name and returns 1, or returns 0 if everything passed.
check_unit() {
	out=$log_dir/$1.unit
	(cd "$wt" && sh scripts/run-unit.sh build/unit/test_*) > "$out" 2>&1 && return 0
	awk '/^== build\/unit\// { bin = substr($2, 12) }
	     /^\[  (FAILED|ERROR) *\] [a-z_0-9]+$/ && !found { print "unit/" bin "/" $NF; found = 1 }
	     /^run-unit: / && !found { print "unit/" bin "/crashed"; found = 1 }
	     END { if (!found) print "unit/failed" }' "$out"
	return 1
}

first_not_ok() { # LOG FALLBACK: the first "not ok" case of a TAP log
	case_name=$(sed -n 's/^not ok [0-9]* - \([^ #]*\).*/\1/p' "$1" | head -n 1)
	echo "${case_name:-$2}"
}

check_platform() { # NAME PLATFORM TESTS TIMEOUT
	out=$log_dir/$1.$2
	(cd "$wt" && RUN_TIMEOUT=$4 nice -n 10 sh scripts/run-platform.sh "$2" "$3" "") > "$out" 2>&1
	status=$?
	[ "$status" -eq 0 ] && return 0
	first_not_ok "$wt/build/results/$2.log" "$2/run-status-$status"
	return 1
}

check_script() { # NAME SCRIPT
	out=$log_dir/$1.$2
	(cd "$wt" && nice -n 10 sh "scripts/$2.sh") > "$out" 2>&1 && return 0
	first_not_ok "$out" "script/$2"
	return 1
}

# Runs the mutant's checks in order; prints what killed it, or nothing if it survived.
run_checks() { # NAME PATCH
	timeout_s=$(sed -n 's/^# run-timeout: *//p' "$2")
	sed -n 's/^# kill: *//p' "$2" | while read -r kind arg; do
		case "$kind" in
		unit) check_unit "$1" </dev/null ;;
		script) check_script "$1" "$arg" </dev/null ;;
		*) check_platform "$1" "$kind" "$arg" "${timeout_s:-$run_timeout}" </dev/null ;;
		esac || exit 0 # the check's output is the killer's name; stop at the first kill
	done
}

add_row() { # name verdict seconds
	table="$table| $1 | $2 | $3 s |
"
}

run_mutant() { # NAME
	name=$1 patch=$mutants_dir/$1.patch
	t0=$(now)
	if [ ! -f "$patch" ]; then
		verdict="ERROR no such mutant ($patch)"
	elif ! grep -q '^# kill: ' "$patch"; then
		verdict="ERROR no '# kill:' line"
	elif ! reset_worktree || ! git -C "$wt" apply "$patch" 2> "$log_dir/$name.apply"; then
		verdict="ERROR patch does not apply ($(head -n 1 "$log_dir/$name.apply"))"
	elif ! build "$name"; then
		verdict="ERROR does not build (see $log_dir/$name.build)"
	else
		killer=$(run_checks "$name" "$patch")
		verdict=${killer:+killed by $killer}
		verdict=${verdict:-SURVIVED}
	fi
	case "$verdict" in
	killed*) killed=$((killed + 1)) ;;
	SURVIVED) survived=$((survived + 1)) ;;
	*) errors=$((errors + 1)) ;;
	esac
	echo "mutant $name: $verdict"
	add_row "$name" "$verdict" $(( $(now) - t0 ))
}

if [ $# -eq 0 ]; then
	set -- $(ls "$mutants_dir" | sed -n 's/\.patch$//p')
fi
start=$(now)
prepare_worktree || { echo "mutation: cannot make the worktree $wt"; exit 2; }
mkdir -p "$log_dir"
for name in "$@"; do
	run_mutant "$name"
done
reset_worktree

echo
echo "| mutant | killed by | time |"
echo "|---|---|---|"
printf '%s' "$table"
echo
echo "mutation: wall time $(( $(now) - start )) s (logs in $log_dir)"
[ "$errors" -eq 0 ] || echo "mutation: $errors mutant(s) did not apply or build (ERROR above): not counted as killed"
echo "$killed killed, $survived survived"
[ "$survived" -eq 0 ] && [ "$errors" -eq 0 ]
